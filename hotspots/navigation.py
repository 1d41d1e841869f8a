"""What the hotspots app adds to the navigation bar and the home page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordination.core.registry import Panel, Section, add_panels, add_section
from coordination.people import permissions as policy
from coordination.people.models import User
from hotspots.selectors import home as home_selectors
from hotspots.selectors import hotspots as selectors


def _awaiting_panel(user: User) -> list[Panel]:
    if not policy.is_mayor(user):
        return []
    return [
        Panel("hotspots/panels/awaiting.html", {"decisions": selectors.awaiting_decision(user)})
    ]


def _orders_panel(user: User) -> list[Panel]:
    """A mayor: the local orders of their commune that run out within 30 days."""
    if not policy.is_mayor(user):
        return []
    context = {
        "orders": home_selectors.expiring_orders(user),
        "days": home_selectors.EXPIRY_NOTICE_DAYS,
    }
    return [Panel("hotspots/panels/orders.html", context)]


def register() -> None:
    add_section(Section(20, "hotspots:list", _("Hotspots"), lambda user: True, "/hotspots/"))
    add_section(
        Section(30, "hotspots:orders", _("Police orders"), lambda user: True, "/hotspots/orders/")
    )
    add_section(
        Section(
            40,
            "hotspots:awaiting",
            _("Awaiting your decision"),
            policy.is_mayor,
            "/hotspots/awaiting/",
        )
    )
    add_section(
        Section(
            35,
            "hotspots:displacement_quotient",
            _("Displacement quotient"),
            policy.is_csir,
            "/hotspots/displacement-quotient/",
        )
    )
    add_panels("hotspots.awaiting", 10, _awaiting_panel)
    add_panels("hotspots.orders", 12, _orders_panel)
