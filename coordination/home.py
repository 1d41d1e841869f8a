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
    panels: list[Panel] = []
    if permissions.can_read_regional_overview(user):
        panels.append(Panel("coordination/panels/period.html", selectors.strategy_summary()))
    panels.append(Panel("coordination/panels/profile.html", {"person": user}))
    return panels
