"""The CSIR's home panel "Indicators missing last month": a count and the completeness page."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from coordination.core.registry import Panel, add_panels
from coordination.people import permissions as policy
from coordination.people.models import User
from hotspots.permissions import visible_hotspots
from hotspots.selectors import indicators as selectors


def missing_last_month(user: User) -> tuple[int, dt.date]:
    """How many values of last month are missing in the hotspots ``user`` sees (4 queries)."""
    month = selectors.last_complete_month()
    hotspots = list(selectors.expected_hotspots(visible_hotspots(user)))
    return len(selectors.completeness(hotspots, [month]).missing), month


def _panel(user: User) -> list[Panel]:
    if not policy.is_csir(user):
        return []
    count, month = missing_last_month(user)
    return [
        Panel(
            "hotspots/panels/indicators_missing.html",
            {"count": count, "month": month, "label": _("Indicators missing last month")},
        )
    ]


def register() -> None:
    add_panels("hotspots.indicators_missing", 15, _panel)
