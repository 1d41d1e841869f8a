"""What the regional core adds to the navigation bar, the home page and /healthz."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.core.registry import (
    Panel,
    Section,
    add_health_detail,
    add_panels,
    add_section,
)
from coordination.jobs import selectors as job_selectors
from coordination.jobs.permissions import can_view_scheduled_work
from coordination.notifications import selectors as notification_selectors
from coordination.outbox import selectors as outbox_selectors
from coordination.people import permissions
from coordination.people.models import User
from coordination.strategy import selectors as strategy_selectors


def _period_panel(user: User) -> list[Panel]:
    if not permissions.can_read_regional_overview(user):
        return []
    return [Panel("coordination/panels/period.html", strategy_selectors.strategy_summary())]


def _profile_panel(user: User) -> list[Panel]:
    return [Panel("coordination/panels/profile.html", {"person": user})]


def _outbox_health() -> dict[str, Any]:
    """The outbox rows still pending and the age of the oldest, in seconds (one query)."""
    summary = outbox_selectors.pending_summary()
    oldest = summary["oldest"]
    return {
        "pending": summary["total"],
        "oldest_age_seconds": None
        if oldest is None
        else max(int((timezone.now() - oldest).total_seconds()), 0),
    }


def register() -> None:
    add_section(
        Section(
            50, "strategy:page", _("Strategy"), permissions.can_read_regional_overview, "/strategy/"
        )
    )
    add_section(
        Section(
            120,
            "notifications:list",
            _("Notifications"),
            lambda user: True,
            "/notifications/",
            badge=notification_selectors.unread_count,
        )
    )
    # The trail is the CSIR coordinator's alone (its page answers 404 to anybody else).
    add_section(
        Section(130, "audit:list", _("Audit trail"), permissions.is_csir_coordinator, "/audit/")
    )
    # The scheduled work is the CSIR's (its page, in the regional layer, answers 404 to others).
    add_section(Section(140, "jobs:page", _("Scheduled work"), can_view_scheduled_work, "/jobs/"))
    add_section(Section(1000, "admin:index", _("Administration"), permissions.is_administrator))
    add_panels("coordination.period", 20, _period_panel)
    add_panels("coordination.profile", 1000, _profile_panel)
    add_health_detail("heartbeat", job_selectors.heartbeat_health)
    add_health_detail("outbox", _outbox_health)
