"""Writes on task forces and their members: opening, memberships, the object permissions
they imply. Each one is audited and atomic.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm, get_user_perms, remove_perm

from coordination.audit import services as audit
from coordination.core.drift import Drift
from coordination.models import Agency, User
from coordination.people import confidentiality
from coordination.people import permissions as policy
from coordination.people import services as people_services
from hotspots.models import Hotspot
from taskforces.models import AccessGrant, Action, Membership, TaskForce
from taskforces.permissions import (
    LEAD_CODENAME,
    MEMBERSHIP_CODENAMES,
    PARTNER_CODENAME,
    access_for,
    can_bring_into_circle,
    can_grant_access,
    forget_granted,
    membership_grants,
)
from taskforces.services.plans import plan_open

# --- Task forces and members ----------------------------------------------------------


def _extra_codenames(taskforce: TaskForce, user: User) -> set[str]:
    """Permissions an active extra grant gives, which no membership change takes away."""
    return set(
        AccessGrant.objects.filter(
            taskforce=taskforce, user=user, revoked_at__isnull=True
        ).values_list("codename", flat=True)
    )


def sync_grants(taskforce: TaskForce, user: User) -> tuple[set[str], set[str]]:
    """Make ``user``'s guardian permissions on ``taskforce`` what their membership and
    extra grants imply; returns the codenames (added, removed). Call inside the write."""
    membership = (
        Membership.objects.select_related("agency").filter(taskforce=taskforce, user=user).first()
    )
    wanted = membership_grants(membership) if membership is not None else set()
    wanted |= _extra_codenames(taskforce, user)
    held = set(get_user_perms(user, taskforce)) & MEMBERSHIP_CODENAMES
    # Access worked out earlier on this object, or read for this person, no longer holds.
    taskforce.__dict__.get("_access_cache", {}).pop(user.pk, None)
    forget_granted(user)
    for codename in wanted - held:
        assign_perm(f"taskforces.{codename}", user, taskforce)
    for codename in held - wanted:
        remove_perm(f"taskforces.{codename}", user, taskforce)
    return wanted - held, held - wanted


CIRCLE_ENTRY_REFUSED = _lazy(
    "Only the CSIR coordinator or a member of the task force's police-judicial circle can "
    "bring someone into the circle: a person of a police or prosecutor's office, or the "
    "police-judicial access."
)


class CircleEntryRefused(PermissionDenied):
    """Somebody outside the police-judicial circle tried to bring a person into it."""

    def __init__(self) -> None:
        super().__init__(CIRCLE_ENTRY_REFUSED)


CHAIR_PROTECTED = _lazy(
    "The mayor who chairs the task force stays its chair: only the CSIR changes the chair "
    "(removes them or gives the role to someone else)."
)


class ChairProtected(PermissionDenied):
    """Somebody other than the CSIR tried to remove the chair, demote them or name one."""

    def __init__(self) -> None:
        super().__init__(CHAIR_PROTECTED)


def _require_chair_change(by: User | None) -> None:
    """The chair is the mayor who convenes the task force (DESIGN.md §1): the coordinator
    they chair cannot remove or replace them; the CSIR can (``by`` None: the system)."""
    if by is not None and not policy.is_csir(by):
        raise ChairProtected


def _require_circle_entry(taskforce: TaskForce, by: User | None) -> None:
    """Joining the circle is decided within it (DESIGN.md §8); ``by`` None: the system."""
    if by is not None and not can_bring_into_circle(by, taskforce):
        raise CircleEntryRefused


def _require_manager(taskforce: TaskForce, by: User | None) -> None:
    """People join and leave through the chair, the coordinator or the CSIR (``by`` None:
    the system itself, when a task force opens)."""
    if by is not None and not access_for(by, taskforce).manages:
        raise PermissionDenied


@transaction.atomic
def taskforce_open(*, hotspot: Hotspot, by: User | None) -> TaskForce:
    """Create the hotspot's task force, chaired by the mayor(s) of its communes, and its plan."""
    taskforce, created = TaskForce.objects.get_or_create(hotspot=hotspot)
    if not created:
        plan_open(taskforce=taskforce)
        return taskforce
    audit.record(actor=by, action="taskforce.open", target=taskforce)
    mayors = User.objects.filter(
        role=User.Role.MAYOR, commune__in=hotspot.communes.all(), is_active=True
    ).select_related("agency")
    for mayor in mayors:
        # The task force opens on the mayors' own approval: no one is yet there to add them.
        _membership_set(taskforce=taskforce, user=mayor, role=Membership.Role.CHAIR, by=by)
    plan_open(taskforce=taskforce)
    return taskforce


def on_hotspot_approved(*, hotspot: Hotspot, by: User | None, **kwargs: object) -> None:
    """Subscriber of ``hotspots.events.hotspot_approved``: the task force opens."""
    taskforce_open(hotspot=hotspot, by=by)


@transaction.atomic
def membership_add(*, taskforce: TaskForce, user: User, role: str, by: User | None) -> Membership:
    """Add a person (an active user) with their agency and a role; re-adding changes the role.

    A person of a police or prosecutor's office joins the police-judicial circle with their
    membership: only the CSIR coordinator or a member of the circle adds them (the CSIR
    analyst or a chair outside the circle is refused with ``CircleEntryRefused``). Naming
    a chair or changing the chair's role is the CSIR's (``ChairProtected`` otherwise).
    """
    _require_manager(taskforce, by)
    current = Membership.objects.filter(taskforce=taskforce, user=user).first()
    joining = current is None
    chair = Membership.Role.CHAIR
    if (role == chair) != (current is not None and current.role == chair):
        _require_chair_change(by)
    if joining and confidentiality.agency_in_circle(user.agency):
        _require_circle_entry(taskforce, by)
    return _membership_set(taskforce=taskforce, user=user, role=role, by=by)


def _membership_set(*, taskforce: TaskForce, user: User, role: str, by: User | None) -> Membership:
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
    sync_grants(taskforce, user)
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by: User) -> Membership:
    return membership_add(taskforce=membership.taskforce, user=membership.user, role=role, by=by)


def check_removal(*, membership: Membership, by: User | None) -> None:
    """Raise ``ChairProtected`` if ``by`` may not remove ``membership`` because it is the
    chair's (the confirmation page asks before offering the button)."""
    if membership.role == Membership.Role.CHAIR:
        _require_chair_change(by)


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Take a person out of the task force: the row goes, the audit entry and history stay.

    The chair is removed by the CSIR only (``ChairProtected`` for anyone else)."""
    taskforce, user = membership.taskforce, membership.user
    _require_manager(taskforce, by)
    check_removal(membership=membership, by=by)
    audit.record(
        actor=by,
        action="taskforce.member_remove",
        target=taskforce,
        changes={"user": user.username, "agency": str(membership.agency), "role": membership.role},
    )
    membership.delete()
    sync_grants(taskforce, user)


# --- Extra grants ---------------------------------------------------------------------


@transaction.atomic
def access_grant(
    *, taskforce: TaskForce, user: User, codename: str, reason: str, by: User
) -> AccessGrant:
    """Give ``user`` a permission on ``taskforce`` beyond the memberships (audited)."""
    if not can_grant_access(by):
        raise PermissionDenied
    if codename not in AccessGrant.Perm.values:
        raise ValidationError(_("This permission cannot be granted here."))
    if codename == confidentiality.CIRCLE_CODENAME:
        _require_circle_entry(taskforce, by)
    if not user.is_active:
        raise ValidationError(_("Only an active user can be given access."))
    if not reason.strip():
        raise ValidationError(_("Say why this access is given."))
    if AccessGrant.objects.filter(
        taskforce=taskforce, user=user, codename=codename, revoked_at__isnull=True
    ).exists():
        raise ValidationError(_("This person already has this access."))
    grant = AccessGrant.objects.create(
        taskforce=taskforce, user=user, codename=codename, reason=reason.strip(), granted_by=by
    )
    sync_grants(taskforce, user)
    audit.record(
        actor=by,
        action="taskforce.access_grant",
        target=taskforce,
        changes={"user": user.username, "permission": codename, "reason": grant.reason},
    )
    return grant


@transaction.atomic
def access_revoke(*, grant: AccessGrant, by: User) -> AccessGrant:
    """End an extra grant; the row stays as the record of it (audited)."""
    if not can_grant_access(by):
        raise PermissionDenied
    grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise ValidationError(_("This access was already revoked."))
    grant.revoked_at = timezone.now()
    grant.revoked_by = by
    grant.save(update_fields=["revoked_at", "revoked_by"])
    sync_grants(grant.taskforce, grant.user)
    audit.record(
        actor=by,
        action="taskforce.access_revoke",
        target=grant.taskforce,
        changes={"user": grant.user.username, "permission": [grant.codename, None]},
    )
    return grant


# --- Drift between grants and memberships ---------------------------------------------


def grants_drift(*, repair: bool) -> list[Drift]:
    """Compare the task-force and action permissions with the memberships, extra grants
    and actions that imply them; grant what is missing and take back the rest if
    ``repair``. A fixed number of queries to compare, one write per repair."""
    drifts: list[Drift] = []
    with transaction.atomic():
        drifts += _taskforce_drift(repair=repair)
        drifts += _action_drift(repair=repair)
    return drifts


def _taskforce_drift(*, repair: bool) -> list[Drift]:
    wanted: dict[tuple[int, int], set[str]] = defaultdict(set)
    for membership in Membership.objects.select_related("agency"):
        wanted[(membership.user_id, membership.taskforce_id)] |= membership_grants(membership)
    for grant in AccessGrant.objects.filter(revoked_at__isnull=True):
        wanted[(grant.user_id, grant.taskforce_id)].add(grant.codename)
    held: dict[tuple[int, int], set[str]] = defaultdict(set)
    rows = UserObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(TaskForce),
        permission__codename__in=MEMBERSHIP_CODENAMES,
    ).values_list("user_id", "object_pk", "permission__codename")
    for user_id, object_pk, codename in rows:
        held[(user_id, int(object_pk))].add(codename)
    users = User.objects.in_bulk({user_id for user_id, _tf in {*wanted, *held}})
    taskforces = TaskForce.objects.select_related("hotspot").in_bulk(
        {tf for _user, tf in {*wanted, *held}}
    )
    drifts = []
    for key in sorted({*wanted, *held}):
        user, taskforce = users[key[0]], taskforces.get(key[1])
        if taskforce is None:  # a permission left on a task force that no longer exists
            continue
        for codename in sorted(wanted[key] - held[key]):
            drifts.append(
                Drift(True, f"taskforces.{codename}", str(user), str(taskforce), taskforce)
            )
            if repair:
                assign_perm(f"taskforces.{codename}", user, taskforce)
        for codename in sorted(held[key] - wanted[key]):
            drifts.append(
                Drift(False, f"taskforces.{codename}", str(user), str(taskforce), taskforce)
            )
            if repair:
                remove_perm(f"taskforces.{codename}", user, taskforce)
    return drifts


def _action_drift(*, repair: bool) -> list[Drift]:
    codenames = (LEAD_CODENAME, PARTNER_CODENAME)
    wanted: dict[tuple[int, int], str] = {}
    partners = Action.partner_agencies.through.objects.values_list("action_id", "agency_id")
    for action_id, agency_id in partners:
        wanted[(agency_id, action_id)] = PARTNER_CODENAME
    for action_id, agency_id in Action.objects.filter(lead_agency__isnull=False).values_list(
        "pk", "lead_agency_id"
    ):
        wanted[(agency_id, action_id)] = LEAD_CODENAME
    # Every agency with a group, read once: a group may hold permissions no action implies.
    agencies = Agency.objects.select_related("group").in_bulk(
        {a for a, _ in wanted}
        | set(Agency.objects.filter(group__isnull=False).values_list("pk", flat=True))
    )
    by_group = {agency.group_id: agency for agency in agencies.values() if agency.group_id}
    held: dict[tuple[int, int], set[str]] = defaultdict(set)
    rows = GroupObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(Action),
        permission__codename__in=codenames,
    ).values_list("group_id", "object_pk", "permission__codename")
    for group_id, object_pk, codename in rows:
        agency = by_group.get(group_id)
        if agency is not None:
            held[(agency.pk, int(object_pk))].add(codename)
    actions = Action.objects.in_bulk({action for _a, action in {*wanted, *held}})
    drifts = []
    for key in sorted({*wanted, *held}):
        agency = agencies[key[0]]
        action = actions[key[1]]
        should = {wanted[key]} if key in wanted else set()
        secret = confidentiality.is_confidential(action)
        # Whoever runs the command is not in the circle: a confidential title is not shown.
        label = f"action #{action.pk} (police-judicial)" if secret else str(action)
        for codename in sorted(should - held[key]):
            drifts.append(Drift(True, f"taskforces.{codename}", str(agency), label, action, secret))
            if repair:
                assign_perm(f"taskforces.{codename}", people_services.agency_group(agency), action)
        for codename in sorted(held[key] - should):
            drifts.append(
                Drift(False, f"taskforces.{codename}", str(agency), label, action, secret)
            )
            if repair:
                remove_perm(f"taskforces.{codename}", people_services.agency_group(agency), action)
    return drifts
