"""Reads of agencies and people."""

from __future__ import annotations

from django.db.models import QuerySet

from coordination.people.models import User
from coordination.people.permissions import CSIR_ROLES


def csir_people() -> QuerySet[User]:
    """The active staff of the regional cell, who are told of every regional event."""
    return User.objects.filter(role__in=CSIR_ROLES, is_active=True)
