"""What the reports add to the navigation bar."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordination.core.registry import Section, add_section
from reporting import permissions


def register() -> None:
    add_section(
        Section(70, "reporting:list", _("Reports"), permissions.can_open_reports, "/reports/")
    )
