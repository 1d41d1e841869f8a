"""Who belongs to the task forces of given hotspots (for the hotspots' warnings)."""

from __future__ import annotations

from django.db.models import QuerySet

from coordination.models import User


def people_of_hotspots(hotspot_ids: list[int]) -> QuerySet[User]:
    """The active members of the task forces of ``hotspot_ids`` (one query when read)."""
    return User.objects.filter(
        memberships__taskforce__hotspot__in=hotspot_ids, is_active=True
    ).distinct()
