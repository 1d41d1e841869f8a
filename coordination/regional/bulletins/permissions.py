"""Who receives, reads and publishes bulletins (DESIGN.md §5).

The CSIR publishes; a bulletin reaches every task-force member and the CSIR, CoReS members
and mayors when it is for everybody, or the members of the task forces it names. Who is a
member of a task force is read from django-guardian (``taskforces.permissions``).
"""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Q, QuerySet
from django.http import Http404

from coordination.models import User
from coordination.people import permissions as policy
from coordination.people.permissions import CSIR_ROLES
from coordination.regional.bulletins.models import Bulletin
from taskforces.models import TaskForce
from taskforces.permissions import contributing_taskforces, granted

BulletinPerm = Literal["view", "readers", "change"]
# Besides task-force members, a bulletin to everybody reaches these roles.
TO_ALL_ROLES = [*CSIR_ROLES, User.Role.CORES_MEMBER, User.Role.MAYOR]


def audience_filter(user: User | AnonymousUser) -> Q:
    """The bulletins ``user`` receives (or wrote), as one condition without joins."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if policy.is_csir(user):
        return Q()
    # The task forces as literal ids (``granted``: read once per request, and usually read
    # already by the page), not guardian's subqueries twice: the navigation's unread badge
    # costs this on every page.
    my_taskforces = granted(user).ids("view_taskforce")
    targeted = Bulletin.taskforces.through.objects.filter(taskforce_id__in=my_taskforces)
    if user.role in TO_ALL_ROLES:
        to_all = Q(to_all=True)
    else:
        to_all = Q(to_all=True) & Q(Exists(TaskForce.objects.filter(pk__in=my_taskforces)))
    return to_all | Q(pk__in=targeted.values("bulletin_id")) | Q(author_id=user.pk)


def visible_bulletins(user: User | AnonymousUser) -> QuerySet[Bulletin]:
    return Bulletin.objects.filter(audience_filter(user))


def sees_readers(user: User, bulletin: Bulletin) -> bool:
    """Who read a bulletin is for its author and the CSIR."""
    return policy.is_csir(user) or bulletin.author_id == user.pk


def can_change(user: User, bulletin: Bulletin) -> bool:
    """Correcting or withdrawing a bulletin is for its author and the CSIR."""
    return policy.is_csir(user) or bulletin.author_id == user.pk


def get_bulletin_for(user: User, pk: int, perm: BulletinPerm = "view") -> Bulletin:
    """The bulletin ``pk`` if ``user`` is in its audience; 404 if not, 403 if not ``perm``
    (``readers``: who read it; ``change``: correct or withdraw it)."""
    bulletin = (
        visible_bulletins(user)
        .select_related(
            "author__agency", "source_taskforce__hotspot", "corrected_by", "withdrawn_by"
        )
        .filter(pk=pk)
        .first()
    )
    if bulletin is None:
        raise Http404
    if perm == "readers" and not sees_readers(user, bulletin):
        raise PermissionDenied
    if perm == "change" and not can_change(user, bulletin):
        raise PermissionDenied
    return bulletin


def sharing_taskforces(user: User | AnonymousUser) -> QuerySet[TaskForce]:
    """The task forces on whose behalf ``user`` may share a good practice (not as observer)."""
    if not user.is_authenticated or not user.is_active:
        return TaskForce.objects.none()
    return (
        TaskForce.objects.filter(pk__in=contributing_taskforces(user).values("pk"))
        .select_related("hotspot")
        .order_by("hotspot__code")
    )


def can_publish(user: User | AnonymousUser) -> bool:
    """Bulletins come from the CSIR (coordinator and analyst)."""
    return policy.is_csir(user)
