"""What the task forces add to the navigation bar and the home page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordination.core.registry import Panel, Section, add_map_arrows, add_panels, add_section
from coordination.people import permissions as policy
from coordination.people.models import User
from taskforces import permissions
from taskforces.selectors import displacement as displacement_selectors
from taskforces.selectors import home as home_selectors


def _panels(user: User) -> list[Panel]:
    """Task-force members: their agency's late or blocked actions, next meetings; the CSIR:
    plans awaiting validation and open escalations."""
    panels = []
    if policy.is_csir(user):
        panels.append(Panel("taskforces/panels/csir.html", home_selectors.csir_summary(user)))
    summary = home_selectors.home_summary(user)
    if summary is not None:
        panels.append(Panel("taskforces/panels/my_taskforces.html", summary))
    return panels


def register() -> None:
    add_section(Section(90, "taskforces:list", _("Task forces"), lambda user: True, "/taskforces/"))
    add_section(
        Section(
            110,
            "taskforces:my_actions",
            _("My actions"),
            lambda user: not policy.is_cores_member(user),
            "/taskforces/mine/",
        )
    )
    add_section(
        Section(
            100,
            "taskforces:displacements",
            _("Displacement"),
            permissions.can_report_displacement,
            "/taskforces/displacements/",
        )
    )
    add_panels("taskforces.work", 30, _panels)
    # Displacement under way, drawn over the hotspots map of the hotspots app.
    add_map_arrows("taskforces.displacement", displacement_selectors.under_way_arrows)
