"""The home page ('my work'): the panels each role sees, gathered from every app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coordination import permissions, selectors
from coordination.models import User


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def home_panels(user: User) -> list[Panel]:
    from hotspots.selectors import hotspots as hotspot_selectors

    panels: list[Panel] = []
    if permissions.is_mayor(user):
        panels.append(
            Panel(
                "hotspots/panels/awaiting.html",
                {"decisions": hotspot_selectors.awaiting_decision(user)},
            )
        )
    if permissions.can_read_regional_overview(user):
        panels.append(Panel("coordination/panels/period.html", selectors.strategy_summary()))
    panels.extend(taskforce_panels(user))
    panels.append(Panel("coordination/panels/profile.html", {"person": user}))
    return panels


def taskforce_panels(user: User) -> list[Panel]:
    """Task-force members: their agency's late or blocked actions, next meetings; the CSIR:
    plans awaiting validation and open escalations."""
    from taskforces import selectors as taskforce_selectors

    panels = []
    if permissions.is_csir(user):
        panels.append(Panel("taskforces/panels/csir.html", taskforce_selectors.csir_summary(user)))
    summary = taskforce_selectors.home_summary(user)
    if summary is not None:
        panels.append(Panel("taskforces/panels/my_taskforces.html", summary))
    return panels
