"""The permission policy: who may do what, in one place.

Roles that do not depend on a task force are read from ``User.role``; what a person may do
on one object (a task force, an action) is granted with django-guardian object
permissions by the services that create memberships. Apps extend this module's rules
with their own ``permissions.py`` built on these predicates.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from coordination.people.models import Agency, User
from coordination.reference.models import Commune

Role = User.Role
# The regional cell (CSIR) of safe.brussels.
CSIR_ROLES = frozenset({Role.CSIR_COORDINATOR, Role.CSIR_ANALYST})


def _role(user: User | AnonymousUser) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return user.role


def is_csir(user: User | AnonymousUser) -> bool:
    """safe.brussels staff of the regional cell (coordinator or analyst)."""
    return _role(user) in CSIR_ROLES


def is_csir_coordinator(user: User | AnonymousUser) -> bool:
    return _role(user) == Role.CSIR_COORDINATOR


def is_mayor(user: User | AnonymousUser) -> bool:
    return _role(user) == Role.MAYOR


def is_mayor_of(user: User | AnonymousUser, commune: Commune) -> bool:
    """A mayor (or their delegate) decides only for their own commune."""
    return is_mayor(user) and user.commune_id == commune.pk


def is_cores_member(user: User | AnonymousUser) -> bool:
    return _role(user) == Role.CORES_MEMBER


def is_administrator(user: User | AnonymousUser) -> bool:
    return _role(user) == Role.ADMINISTRATOR or bool(getattr(user, "is_superuser", False))


def can_read_regional_overview(user: User | AnonymousUser) -> bool:
    """The CSIR works on it; CoReS members and mayors read it."""
    return is_csir(user) or is_cores_member(user) or is_mayor(user)


def is_police_judicial(user: User | AnonymousUser) -> bool:
    """Police and prosecutor staff form the police-judicial circle (DESIGN.md §2)."""
    if not user.is_authenticated:
        return False
    return user.agency.kind in Agency.POLICE_JUDICIAL_KINDS
