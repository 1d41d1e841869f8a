"""Who sees the scheduled work: the CSIR (coordinator and analyst), nobody else."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from coordination.people import permissions
from coordination.people.models import User


def can_view_scheduled_work(user: User | AnonymousUser) -> bool:
    """The CSIR watches the jobs; anybody else gets 404 and no menu entry."""
    return permissions.is_csir(user)
