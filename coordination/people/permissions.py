"""The permission policy: who may do what, in one place.

Roles that do not depend on a task force are read from ``User.role``; what a person may do
on one object (a task force, an action) is granted with django-guardian object
permissions by the services that create memberships. Apps extend this module's rules
with their own ``permissions.py`` built on these predicates.
"""

from __future__ import annotations

import copy

from django.contrib.auth.models import AnonymousUser
from guardian.core import ObjectPermissionChecker

from coordination.people.models import User

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


def is_cores_member(user: User | AnonymousUser) -> bool:
    return _role(user) == Role.CORES_MEMBER


def is_administrator(user: User | AnonymousUser) -> bool:
    return _role(user) == Role.ADMINISTRATOR or bool(getattr(user, "is_superuser", False))


def can_read_regional_overview(user: User | AnonymousUser) -> bool:
    """The CSIR works on it; CoReS members and mayors read it."""
    return is_csir(user) or is_cores_member(user) or is_mayor(user)


def checker_for(user: User) -> ObjectPermissionChecker:
    """Guardian's object-permission checker for ``user``, as granted.

    Every access helper reads object permissions through it. Superuser status adds
    nothing: the administrator is technical staff (DESIGN.md §2), and being a superuser
    for the Django admin must open no task force, decision or police-judicial item.
    """
    plain = copy.copy(user)
    plain.is_superuser = False
    return ObjectPermissionChecker(plain)
