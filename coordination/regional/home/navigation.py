"""The navigation bar, built from the sections the apps registered (``core.registry``).

Built here, not in templates, so that the menu and the views follow the same policy.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from coordination.core import registry
from coordination.people.models import User
from coordination.strategy.selectors import current_period


def sections_for(user: User, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for section in registry.sections():
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


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the sections of the signed-in person and the strategy period."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_sections": SimpleLazyObject(lambda: sections_for(user, request.path)),
        "current_period": SimpleLazyObject(current_period),
    }
