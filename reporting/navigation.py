"""What the reports add to the navigation bar and the home page."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from coordination.core.registry import Panel, Section, add_panels, add_section
from coordination.people.models import User
from reporting import permissions
from reporting.models import Report

IDENTITY = ("kind", "scope", "period_start", "period_end", "language", "audience")


def to_publish(user: User) -> list[Report]:
    """The reports built and not yet published, for the person who publishes them: the
    latest version of each (one that a newer finished build replaced is left out), oldest
    first. One query; the snapshot (the bulk of a row) is not read."""
    if not permissions.can_publish(user):
        return []
    newer = Report.objects.filter(
        status=Report.Status.READY,
        version__gt=OuterRef("version"),
        **{field: OuterRef(field) for field in IDENTITY},
    )
    return list(
        permissions.visible_reports(user)
        .filter(status=Report.Status.READY, published=False)
        .filter(~Exists(newer))
        .select_related("hotspot")
        .defer("snapshot")
        .order_by("finished_at", "pk")
    )


def _publish_panel(user: User) -> list[Panel]:
    if not permissions.can_publish(user):
        return []
    return [Panel("reporting/panels/publish.html", {"reports": to_publish(user)})]


def register() -> None:
    add_section(
        Section(70, "reporting:list", _("Reports"), permissions.can_open_reports, "/reports/")
    )
    add_panels("reporting.publish", 35, _publish_panel)
