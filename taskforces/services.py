"""Writes on task forces and their members. Each one is audited and atomic."""

from __future__ import annotations

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from coordination import audit
from coordination.models import User
from hotspots.models import Hotspot
from taskforces.models import Membership, TaskForce

MANAGING_ROLES = {Membership.Role.CHAIR, Membership.Role.COORDINATOR}


def _grant(membership: Membership) -> None:
    """Object permissions follow the membership (django-guardian)."""
    assign_perm("taskforces.view_taskforce", membership.user, membership.taskforce)
    if membership.role in MANAGING_ROLES:
        assign_perm("taskforces.manage_members", membership.user, membership.taskforce)
    else:
        remove_perm("taskforces.manage_members", membership.user, membership.taskforce)


@transaction.atomic
def taskforce_open(*, hotspot: Hotspot, by: User | None) -> TaskForce:
    """Create the hotspot's task force, chaired by the mayor(s) of its communes."""
    taskforce, created = TaskForce.objects.get_or_create(hotspot=hotspot)
    if not created:
        return taskforce
    audit.record(actor=by, action="taskforce.open", target=taskforce)
    mayors = User.objects.filter(
        role=User.Role.MAYOR, commune__in=hotspot.communes.all(), is_active=True
    ).select_related("agency")
    for mayor in mayors:
        membership_add(taskforce=taskforce, user=mayor, role=Membership.Role.CHAIR, by=by)
    return taskforce


@transaction.atomic
def membership_add(*, taskforce: TaskForce, user: User, role: str, by: User | None) -> Membership:
    membership, created = Membership.objects.get_or_create(
        taskforce=taskforce, user=user, defaults={"role": role, "agency": user.agency}
    )
    if not created and membership.role != role:
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(
            actor=by,
            action="taskforce.member_role",
            target=taskforce,
            changes={"user": user.username, "role": [before, role]},
        )
    elif created:
        audit.record(
            actor=by,
            action="taskforce.member_add",
            target=taskforce,
            changes={"user": user.username, "agency": str(user.agency), "role": role},
        )
    _grant(membership)
    return membership
