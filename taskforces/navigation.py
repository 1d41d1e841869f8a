"""What the task forces add to the navigation bar and the home page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordination.core.registry import Panel, Section, add_map_arrows, add_panels, add_section
from coordination.people import permissions as policy
from coordination.people.models import User
from taskforces import permissions
from taskforces.selectors import displacement as displacement_selectors
from taskforces.selectors import home as home_selectors


def _returned_panel(user: User) -> list[Panel]:
    """First on the page: the plans and annexes the CSIR returned, to be reworked."""
    returned = home_selectors.returned_summary(user)
    return [] if returned is None else [Panel("taskforces/panels/returned.html", returned)]


def _panels(user: User) -> list[Panel]:
    """The CSIR: late and blocked actions per hotspot, plans to validate, escalations; a
    chair or coordinator: the task forces they run; a mayor: the task forces they chair;
    a member: their agency's actions, those they own, the next meetings."""
    panels = []
    if policy.is_csir(user):
        panels.append(Panel("taskforces/panels/csir.html", home_selectors.csir_summary(user)))
    if policy.is_mayor(user):
        chaired = home_selectors.chaired(user)
        if chaired:
            panels.append(Panel("taskforces/panels/chair.html", {"taskforces": chaired}))
    else:
        run = home_selectors.coordination_summary(user)
        if run is not None:
            panels.append(Panel("taskforces/panels/coordination.html", run))
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
    # What worked where: the shared library of validated practices, for everyone.
    add_section(
        Section(
            105, "taskforces:practices", _("Practices"), lambda user: True, "/taskforces/practices/"
        )
    )
    add_panels("taskforces.returned", 5, _returned_panel)
    add_panels("taskforces.work", 30, _panels)
    # Displacement under way, drawn over the hotspots map of the hotspots app.
    add_map_arrows("taskforces.displacement", displacement_selectors.under_way_arrows)
