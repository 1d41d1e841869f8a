"""The navigation bar: which sections each role sees.

Built here, not in templates, so that the menu and the views follow the same policy.
Apps add their sections to ``SECTIONS`` in the order they should appear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coordination import bulletin_selectors, notification_selectors, permissions
from coordination.models import User
from hotspots.permissions import can_report_displacement
from reporting import permissions as reporting_permissions


@dataclass(frozen=True)
class Section:
    url_name: str
    label: str | Promise
    visible: Callable[[User], bool]
    # URL prefix that marks the section as current; defaults to the section's own URL.
    prefix: str = ""
    # A count shown beside the label (unread items); one query per render at most.
    badge: Callable[[User], int] | None = None


SECTIONS: list[Section] = [
    Section("home", _("My work"), lambda user: True),
    Section(
        "overview", _("Regional overview"), permissions.can_read_regional_overview, "/overview/"
    ),
    Section("hotspots:list", _("Hotspots"), lambda user: True, "/hotspots/"),
    Section("hotspots:orders", _("Police orders"), lambda user: True, "/hotspots/orders/"),
    Section(
        "hotspots:awaiting",
        _("Awaiting your decision"),
        permissions.is_mayor,
        "/hotspots/awaiting/",
    ),
    Section("strategy", _("Strategy"), permissions.can_read_regional_overview, "/strategy/"),
    Section("cores:list", _("CoReS"), permissions.can_read_regional_overview, "/cores/"),
    Section("reporting:list", _("Reports"), reporting_permissions.can_open_reports, "/reports/"),
    Section(
        "bulletins:list",
        _("Bulletins"),
        lambda user: True,
        "/bulletins/",
        badge=bulletin_selectors.unread_count,
    ),
    Section("taskforces:list", _("Task forces"), lambda user: True, "/taskforces/"),
    Section(
        "hotspots:displacements",
        _("Displacement"),
        can_report_displacement,
        "/hotspots/displacements/",
    ),
    Section(
        "taskforces:my_actions",
        _("My actions"),
        lambda user: not permissions.is_cores_member(user),
        "/taskforces/mine/",
    ),
    Section(
        "notifications",
        _("Notifications"),
        lambda user: True,
        "/notifications/",
        badge=notification_selectors.unread_count,
    ),
    # The trail is the CSIR coordinator's alone (its page answers 404 to anybody else).
    Section("audit:list", _("Audit trail"), permissions.is_csir_coordinator, "/audit/"),
]
ADMIN_SECTION = Section("admin:index", _("Administration"), permissions.is_administrator)


def sections_for(user: User, path: str) -> list[dict]:
    items = []
    for section in [*SECTIONS, ADMIN_SECTION]:
        if not section.visible(user):
            continue
        url = reverse(section.url_name)
        prefix = section.prefix or url
        matches = path == url if url == "/" else path.startswith(prefix)
        items.append(
            {
                "url": url,
                "label": section.label,
                "match": len(prefix) if matches else 0,
                "badge": section.badge(user) if section.badge else 0,
            }
        )
    # The most specific section is the current one (/hotspots/orders/ within /hotspots/).
    best = max((item["match"] for item in items), default=0)
    for item in items:
        item["current"] = best > 0 and item.pop("match") == best
        item.pop("match", None)
    return items
