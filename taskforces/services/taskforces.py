"""Writes on task forces and their members: opening, memberships, the object permissions
they imply. Each one is audited and atomic.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from coordination.audit import services as audit
from coordination.models import User
from hotspots.models import Hotspot
from taskforces.models import (
    Membership,
    TaskForce,
)
from taskforces.services.plans import plan_ensure

MANAGING_ROLES = {Membership.Role.CHAIR, Membership.Role.COORDINATOR}


# --- Task forces and members ----------------------------------------------------------


def _grant(membership: Membership) -> None:
    """Object permissions follow the membership (django-guardian)."""
    assign_perm("taskforces.view_taskforce", membership.user, membership.taskforce)
    if membership.role in MANAGING_ROLES:
        assign_perm("taskforces.manage_members", membership.user, membership.taskforce)
    else:
        remove_perm("taskforces.manage_members", membership.user, membership.taskforce)


@transaction.atomic
def taskforce_open(*, hotspot: Hotspot, by: User | None) -> TaskForce:
    """Create the hotspot's task force, chaired by the mayor(s) of its communes, and its plan."""
    taskforce, created = TaskForce.objects.get_or_create(hotspot=hotspot)
    if not created:
        plan_ensure(taskforce=taskforce)
        return taskforce
    audit.record(actor=by, action="taskforce.open", target=taskforce)
    mayors = User.objects.filter(
        role=User.Role.MAYOR, commune__in=hotspot.communes.all(), is_active=True
    ).select_related("agency")
    for mayor in mayors:
        membership_add(taskforce=taskforce, user=mayor, role=Membership.Role.CHAIR, by=by)
    plan_ensure(taskforce=taskforce)
    return taskforce


def on_hotspot_approved(*, hotspot: Hotspot, by: User | None, **kwargs: object) -> None:
    """Subscriber of ``hotspots.events.hotspot_approved``: the task force opens."""
    taskforce_open(hotspot=hotspot, by=by)


@transaction.atomic
def membership_add(*, taskforce: TaskForce, user: User, role: str, by: User | None) -> Membership:
    """Add a person (an active user) with their agency and a role; re-adding changes the role."""
    if not user.is_active:
        raise ValidationError(_("Only an active user can be added to a task force."))
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."))
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


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by: User) -> Membership:
    return membership_add(taskforce=membership.taskforce, user=membership.user, role=role, by=by)


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Take a person out of the task force: the row goes, the audit entry and history stay."""
    taskforce, user = membership.taskforce, membership.user
    audit.record(
        actor=by,
        action="taskforce.member_remove",
        target=taskforce,
        changes={"user": user.username, "agency": str(membership.agency), "role": membership.role},
    )
    membership.delete()
    remove_perm("taskforces.view_taskforce", user, taskforce)
    remove_perm("taskforces.manage_members", user, taskforce)
