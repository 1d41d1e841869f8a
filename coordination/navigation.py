"""What the regional core adds to the navigation bar and the home page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordination.core.registry import Panel, Section, add_panels, add_section
from coordination.notifications import selectors as notification_selectors
from coordination.people import permissions
from coordination.people.models import User
from coordination.strategy import selectors as strategy_selectors


def _period_panel(user: User) -> list[Panel]:
    if not permissions.can_read_regional_overview(user):
        return []
    return [Panel("coordination/panels/period.html", strategy_selectors.strategy_summary())]


def _profile_panel(user: User) -> list[Panel]:
    return [Panel("coordination/panels/profile.html", {"person": user})]


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
    add_section(Section(1000, "admin:index", _("Administration"), permissions.is_administrator))
    add_panels("coordination.period", 20, _period_panel)
    add_panels("coordination.profile", 1000, _profile_panel)
