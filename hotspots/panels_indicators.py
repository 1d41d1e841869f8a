"""The CSIR's home panel "Indicators missing last month": a count and the completeness page."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.core.registry import Panel, add_panels
from coordination.people import permissions as policy
from coordination.people.models import User
from hotspots.models import IndicatorDefinition, IndicatorValue
from hotspots.permissions import visible_hotspots
from hotspots.selectors import indicators as selectors


def missing_last_month(user: User) -> tuple[int, dt.date]:
    """How many values of last month are missing in the hotspots ``user`` sees (3 queries).

    The count of ``selectors.completeness`` (the completeness page lists the gaps), counted
    in the database: the panel shows a number, loading every hotspot and every gap with
    its suppliers grew with the region (issue 16)."""
    month = selectors.last_complete_month()
    # Values are due from the month the hotspot was approved (``_expected_from``).
    next_month = timezone.make_aware(dt.datetime.combine(selectors.add_months(month, 1), dt.time()))
    due = (
        visible_hotspots(user)
        .filter(status__in=selectors.EXPECTED_STATUSES)
        .filter(Q(approved_at__isnull=True) | Q(approved_at__lt=next_month))
    )
    indicators = IndicatorDefinition.objects.count()
    hotspots = due.count()
    if not hotspots or not indicators:
        return 0, month
    entered = (
        IndicatorValue.objects.filter(hotspot__in=due.values("pk"), month=month)
        .values("hotspot_id", "indicator_id")
        .distinct()
        .count()
    )
    return hotspots * indicators - entered, month


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
