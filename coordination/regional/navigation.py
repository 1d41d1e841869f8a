"""What the regional layer adds to the navigation bar."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordination.core.registry import Section, add_section
from coordination.people import permissions
from coordination.regional.bulletins import selectors as bulletin_selectors
from coordination.regional.translations.selectors import may_use as translates


def register() -> None:
    add_section(Section(0, "home:index", _("My work"), lambda user: True))
    add_section(
        Section(
            10,
            "overview:page",
            _("Regional overview"),
            permissions.can_read_regional_overview,
            "/overview/",
        )
    )
    add_section(
        Section(60, "cores:list", _("CoReS"), permissions.can_read_regional_overview, "/cores/")
    )
    add_section(
        Section(
            80,
            "bulletins:list",
            _("Bulletins"),
            lambda user: True,
            "/bulletins/",
            badge=bulletin_selectors.unread_count,
        )
    )
    add_section(Section(85, "translations:list", _("To translate"), translates, "/translations/"))
