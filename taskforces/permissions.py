"""Who may see and change task forces, meetings, plans, actions and displacement reports.

django-guardian object permissions are the source of truth (DESIGN.md §5 and §8):

- On a task force, per person, granted by the services with the membership that implies
  them (``membership_grants``) or as an audited extra grant (``AccessGrant``):
  ``view_taskforce`` (every member), ``manage_members``, ``edit_plan`` and
  ``schedule_meetings`` (chair and coordinator), ``contribute`` (every member but
  observers) and ``view_police_judicial`` (members for a police or prosecutor's agency:
  the circle, see ``coordination.people.confidentiality``).
- On an action, per agency group: ``change_action`` for the lead agency and
  ``comment_action`` for the partners, granted as the action is created or changed.

The CSIR's rights come from its role (``coordination.people.permissions``). Nothing here
reads a ``Membership`` row to decide: removing a permission hides the task force even if
the membership row is still there. Permissions are read through guardian's
``ObjectPermissionChecker`` (prefetched for lists) and ``get_objects_for_user``.

Access helpers (``get_<model>_for(user, pk, perm)``) raise 404 when the user may not see
the object and 403 when they see it but may not do ``perm``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard, cast

from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.http import Http404
from guardian.core import ObjectPermissionChecker
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from coordination.models import Agency, User
from coordination.people import confidentiality
from coordination.people import permissions as policy
from coordination.people.permissions import checker_for
from taskforces.models import (
    AccessGrant,
    Action,
    ActionPlan,
    ActionUpdate,
    AnnexVersion,
    DisplacementReport,
    Escalation,
    Meeting,
    MeetingPoint,
    Membership,
    PlanVersion,
    TaskForce,
)

MANAGING_ROLES = frozenset({Membership.Role.CHAIR, Membership.Role.COORDINATOR})
POLICE_JUDICIAL = confidentiality.POLICE_JUDICIAL

# The task-force permissions that memberships imply (and the check command compares).
MANAGING_CODENAMES = frozenset({"manage_members", "edit_plan", "schedule_meetings"})
MEMBERSHIP_CODENAMES = frozenset(
    {"view_taskforce", "contribute", confidentiality.CIRCLE_CODENAME, *MANAGING_CODENAMES}
)
LEAD_CODENAME = "change_action"
PARTNER_CODENAME = "comment_action"

TaskForcePerm = Literal[
    "view", "members", "manage_members", "edit_plan", "schedule", "review", "grant_access"
]
ActionPerm = Literal["view", "edit", "set_status", "comment", "escalate"]
MeetingPerm = Literal["view", "change"]
PlanVersionPerm = Literal["view", "review"]
EscalationPerm = Literal["view", "resolve"]
MembershipPerm = Literal["change"]


def membership_grants(membership: Membership) -> set[str]:
    """The task-force permissions a membership implies, by role and agency."""
    perms = {"view_taskforce"}
    if membership.role in MANAGING_ROLES:
        perms |= MANAGING_CODENAMES
    if membership.role != Membership.Role.OBSERVER:
        perms.add("contribute")
    if confidentiality.agency_in_circle(membership.agency):
        perms.add(confidentiality.CIRCLE_CODENAME)
    return perms


def action_grants(action: Action) -> dict[int, str]:
    """The action permission of each agency: the lead edits it, the partners comment."""
    grants = {agency.pk: PARTNER_CODENAME for agency in action.partner_agencies.all()}
    if action.lead_agency_id is not None:
        grants[action.lead_agency_id] = LEAD_CODENAME
    return grants


def _granted(user: User, codename: str, klass: type) -> QuerySet:
    return get_objects_for_user(
        user, codename, klass=klass, with_superuser=False, accept_global_perms=False
    )


@dataclass
class Access:
    """What one person may do in one task force, worked out once per request."""

    user: User
    perms: frozenset[str] = frozenset()
    checker: ObjectPermissionChecker | None = field(default=None, repr=False)

    @property
    def is_csir(self) -> bool:
        return policy.is_csir(self.user)

    @property
    def can_view(self) -> bool:
        return self.is_csir or "view_taskforce" in self.perms

    @property
    def is_active_member(self) -> bool:
        """Members act on their agency's actions; observers and extra readers only read."""
        return "contribute" in self.perms

    @property
    def agency_id(self) -> int | None:
        """The agency the person acts for in this task force (None for outsiders)."""
        return self.user.agency_id if self.is_active_member else None

    @property
    def in_police_judicial_circle(self) -> bool:
        return confidentiality.CIRCLE_CODENAME in self.perms

    @property
    def sees_police_judicial(self) -> bool:
        return confidentiality.sees_in(self.user, self.perms)

    @property
    def manages(self) -> bool:
        """The chair(s), the coordinator and the CSIR run the task force (members, meetings)."""
        return self.is_csir or "manage_members" in self.perms

    @property
    def can_edit_plan(self) -> bool:
        return self.is_csir or "edit_plan" in self.perms

    @property
    def can_schedule(self) -> bool:
        return self.is_csir or "schedule_meetings" in self.perms

    @property
    def can_create_action(self) -> bool:
        # The police-judicial circle adds its own confidential actions, which the chair or
        # coordinator of another agency could not even see.
        return self.can_edit_plan or (self.is_active_member and self.in_police_judicial_circle)

    @property
    def can_edit_annex(self) -> bool:
        """The police-judicial annex is kept by its circle's active members (and the CSIR
        coordinator): the chair or coordinator of another agency does not even see it."""
        if not self.sees_police_judicial:
            return False
        return self.is_csir or (self.is_active_member and self.in_police_judicial_circle)

    @property
    def can_review_plan(self) -> bool:
        """Validating a plan is the CSIR coordinator's job (DESIGN.md §2)."""
        return policy.is_csir_coordinator(self.user)

    def prefetch_actions(self, actions: Sequence[Action]) -> None:
        """Read the agency permissions on ``actions`` in one go (two queries)."""
        if self.checker is not None and self.is_active_member and actions:
            self.checker.prefetch_perms(list(actions))  # type: ignore[arg-type]

    def action_perms(self, action: Action) -> frozenset[str]:
        """The permissions the person's agency holds on ``action`` (through its group)."""
        if self.checker is None or not self.is_active_member:
            return frozenset()
        return frozenset(self.checker.get_perms(action))


def _active(user: User | AnonymousUser) -> TypeGuard[User]:
    return bool(user.is_authenticated and user.is_active)


def access_for(user: User, taskforce: TaskForce) -> Access:
    """The person's access to ``taskforce``; cached on the task force object.

    Read from :func:`granted` (the person's task-force permissions, user's and groups',
    one query kept for the request), the same rows guardian's checker would read in two
    queries more per page; the checker is kept for the permissions on actions.
    """
    cache: dict[int | None, Access] = taskforce.__dict__.setdefault("_access_cache", {})
    if user.pk not in cache:
        if not _active(user):
            cache[user.pk] = Access(user=user)
        else:
            perms = granted(user).perms_on(taskforce.pk)
            cache[user.pk] = Access(user=user, perms=perms, checker=checker_for(user))
    return cache[user.pk]


def prefetch_access(user: User, taskforces: Iterable[TaskForce]) -> None:
    """Work out ``user``'s access to each of ``taskforces`` in one go (lists)."""
    taskforces = [tf for tf in taskforces if user.pk not in tf.__dict__.get("_access_cache", {})]
    if not taskforces or not _active(user):
        return
    for taskforce in taskforces:
        access_for(user, taskforce)


def granted_taskforces(user: User | AnonymousUser) -> QuerySet[TaskForce]:
    """The task forces ``user`` was granted ``view_taskforce`` on (whatever their role)."""
    if not _active(user):
        return TaskForce.objects.none()
    return _granted(user, "taskforces.view_taskforce", TaskForce)


def visible_taskforces(user: User | AnonymousUser) -> QuerySet[TaskForce]:
    """The CSIR sees every task force; anybody else those granted ``view_taskforce``."""
    if policy.is_csir(user):
        return TaskForce.objects.all()
    return granted_taskforces(user)


def contributing_taskforces(user: User | AnonymousUser) -> QuerySet[TaskForce]:
    """The task forces in which ``user`` acts for their agency."""
    if not _active(user):
        return TaskForce.objects.none()
    return _granted(user, "taskforces.contribute", TaskForce)


def circle_taskforces(user: User | AnonymousUser) -> QuerySet[TaskForce]:
    """The task forces whose police-judicial circle ``user`` belongs to (guardian)."""
    if not _active(user):
        return TaskForce.objects.none()
    return _granted(user, confidentiality.CIRCLE_PERM, TaskForce)


def circle_ids(user: User) -> QuerySet[TaskForce, Any]:
    """The task forces of ``user``'s police-judicial circle (``circle_taskforces``), as a
    list of literal ids: the same guardian rows, read once per request by ``granted``.

    Guardian's subqueries cost more to build and plan than the queries they sit in (the
    update figures embed the circle three times); these ids cost nothing after the first
    read, and the page that shows a balance has usually read them already. Nothing is read
    for the CSIR coordinator, who sees every circle (``visible_across`` ignores it)."""
    ids = (
        []
        if confidentiality.sees_everywhere(user)
        else granted(user).ids(confidentiality.CIRCLE_CODENAME)
    )
    return TaskForce.objects.filter(pk__in=ids).values("pk")


def circle_members(taskforce: TaskForce) -> QuerySet[User]:
    """The active people in the police-judicial circle of ``taskforce``."""
    users = cast(
        QuerySet[User],
        get_users_with_perms(
            taskforce,
            only_with_perms_in=[confidentiality.CIRCLE_CODENAME],
            with_superusers=False,
            with_group_users=False,
        ),
    )
    return User.objects.filter(pk__in=users.values("pk"), is_active=True)


# --- The police-judicial rule, applied to actions and updates -------------------------


def action_filter(access: Access) -> Q:
    """The condition on actions ``access`` may see within its task force."""
    return confidentiality.visible(sees=access.sees_police_judicial)


def update_filter(access: Access) -> Q:
    """An update is hidden if it, or its action, is police-judicial."""
    return confidentiality.visible_updates(sees=access.sees_police_judicial)


def can_see_action(access: Access, action: Action) -> bool:
    return access.can_view and (
        not confidentiality.is_confidential(action) or access.sees_police_judicial
    )


def visible_actions(user: User, plan: ActionPlan) -> QuerySet[Action]:
    """The actions of ``plan`` that ``user`` may see (every list, count and export)."""
    access = access_for(user, plan.taskforce)
    if not access.can_view:
        return Action.objects.none()
    return Action.objects.filter(plan=plan).filter(action_filter(access))


def visible_updates(user: User, action: Action) -> QuerySet[ActionUpdate]:
    access = access_for(user, action.plan.taskforce)
    if not can_see_action(access, action):
        return ActionUpdate.objects.none()
    return ActionUpdate.objects.filter(action=action).filter(update_filter(access))


def cross_taskforce_action_filter(user: User) -> Q:
    """Actions ``user`` may see across all task forces, as one condition (lists, panels).

    The CSIR sees every task force, anybody else those granted to them; police-judicial
    actions only where the person is in the circle (everywhere for the CSIR coordinator).
    """
    seen = Q() if policy.is_csir(user) else Q(plan__taskforce__in=visible_taskforces(user))
    return seen & confidentiality.visible_across(
        user, circle_taskforces(user).values("pk"), taskforce="plan__taskforce"
    )


def my_actions_filter(user: User) -> Q:
    """Actions the person's agency leads or partners in, where the person acts for it."""
    agency_actions = get_objects_for_user(
        user,
        [f"taskforces.{LEAD_CODENAME}", f"taskforces.{PARTNER_CODENAME}"],
        klass=Action,
        any_perm=True,
        with_superuser=False,
        accept_global_perms=False,
    )
    return (
        Q(pk__in=agency_actions.values("pk"))
        & Q(plan__taskforce__in=contributing_taskforces(user).values("pk"))
        & confidentiality.visible_across(
            user, circle_taskforces(user).values("pk"), taskforce="plan__taskforce"
        )
    )


# --- The same, read once per request (the home page and 'my actions') -----------------


@dataclass(frozen=True)
class Granted:
    """The task forces a person holds each task-force permission on (guardian, as granted)."""

    by_codename: dict[str, frozenset[int]]
    # The person's groups (their agency's): the rights on actions are held by groups.
    group_ids: frozenset[int] = frozenset()
    # The ids of the action rights (``change_action``, ``comment_action``).
    action_right_ids: frozenset[int] = frozenset()

    def ids(self, codename: str) -> list[int]:
        return sorted(self.by_codename.get(codename, frozenset()))

    def perms_on(self, taskforce_pk: int) -> frozenset[str]:
        """The codenames held on one task force (as guardian's checker would list them)."""
        return frozenset(c for c, ids in self.by_codename.items() if taskforce_pk in ids)


_GROUPS = " groups"
_RIGHTS = " action rights"


def granted(user: User | AnonymousUser) -> Granted:
    """``user``'s task-force object permissions, from guardian's user and group tables in
    one query, kept on the user object for the rest of the request (as Django keeps
    ``_perm_cache``): the panels of a page filter by literal ids instead of planning the
    same ``get_objects_for_user`` subqueries once per list. Same rule as ``_granted``:
    object permissions only, superuser status adds nothing, nothing for inactive people.
    """
    if not _active(user):
        return Granted({})
    cached = user.__dict__.get("_taskforce_granted")
    if cached is not None:
        return cast(Granted, cached)
    ctype = ContentType.objects.get_for_model(TaskForce)
    own = UserObjectPermission.objects.filter(user=user, content_type=ctype)
    group = GroupObjectPermission.objects.filter(group__user=user, content_type=ctype)
    # The person's groups and the ids of the action rights ride along under names no
    # permission has (same query), for ``agency_action_ids``.
    groups = user.groups.values_list(
        Cast("pk", output_field=CharField()), Value(_GROUPS, output_field=CharField())
    )
    rights = Permission.objects.filter(
        content_type=ContentType.objects.get_for_model(Action),
        codename__in=[LEAD_CODENAME, PARTNER_CODENAME],
    ).values_list(Cast("pk", output_field=CharField()), Value(_RIGHTS, output_field=CharField()))
    # Each part without its model's default ordering (Permission's): SQLite refuses an
    # ORDER BY inside a UNION.
    pairs = (
        own.values_list("object_pk", "permission__codename")
        .order_by()
        .union(
            group.values_list("object_pk", "permission__codename").order_by(),
            groups.order_by(),
            rights.order_by(),
        )
    )
    by_codename: dict[str, set[int]] = {}
    for object_pk, codename in pairs:
        by_codename.setdefault(codename, set()).add(int(object_pk))
    group_ids = frozenset(by_codename.pop(_GROUPS, set()))
    right_ids = frozenset(by_codename.pop(_RIGHTS, set()))
    result = Granted(
        {codename: frozenset(ids) for codename, ids in by_codename.items()}, group_ids, right_ids
    )
    user.__dict__["_taskforce_granted"] = result
    return result


def forget_granted(user: User | AnonymousUser) -> None:
    """Drop what :func:`granted` kept on ``user`` (after changing their permissions)."""
    user.__dict__.pop("_taskforce_granted", None)


def _ids_queryset(ids: list[int]) -> QuerySet[Any]:
    return TaskForce.objects.filter(pk__in=ids).values("pk")


def cross_taskforce_action_filter_granted(user: User) -> Q:
    """``cross_taskforce_action_filter`` on the ids of ``granted(user)``."""
    grants = granted(user)
    seen = Q() if policy.is_csir(user) else Q(plan__taskforce__in=grants.ids("view_taskforce"))
    return seen & confidentiality.visible_across(
        user,
        _ids_queryset(grants.ids(confidentiality.CIRCLE_CODENAME)),
        taskforce="plan__taskforce",
    )


def agency_action_ids(user: User) -> frozenset[int]:
    """The actions on which ``user`` or their groups (their agency's) hold
    ``change_action`` or ``comment_action`` (guardian, as granted): one query, kept on the
    user object for the request like ``granted``. Read as ids, the lists filter on a
    literal set the database hashes whatever its statistics, where the subquery was
    planned as a nested loop over every right of the agency (or JIT-compiled)."""
    cached = user.__dict__.get("_agency_action_ids")
    if cached is not None:
        return cast(frozenset[int], cached)
    if not _active(user):
        return frozenset()
    grants = granted(user)
    ctype = ContentType.objects.get_for_model(Action)
    rights = sorted(grants.action_right_ids)
    own = UserObjectPermission.objects.filter(user=user, content_type=ctype, permission__in=rights)
    # The groups and rights as literal ids: guardian's index on (group, content type,
    # object), no join for the planner to get wrong.
    group = GroupObjectPermission.objects.filter(
        group__in=sorted(grants.group_ids), content_type=ctype, permission__in=rights
    )
    pks = own.values_list("object_pk", flat=True).union(group.values_list("object_pk", flat=True))
    result = frozenset(int(pk) for pk in pks)
    user.__dict__["_agency_action_ids"] = result
    return result


def my_actions_filter_granted(user: User) -> Q:
    """``my_actions_filter`` on the ids of ``granted(user)`` and ``agency_action_ids``."""
    grants = granted(user)
    ids = sorted(agency_action_ids(user))
    return (
        # On PostgreSQL one array parameter, not one placeholder per action: compiling a
        # long IN list cost more than running the query. Elsewhere (SQLite) a plain list.
        (
            Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
            if connection.vendor == "postgresql"
            else Q(pk__in=ids)
        )
        & Q(plan__taskforce__in=grants.ids("contribute"))
        & confidentiality.visible_across(
            user,
            _ids_queryset(grants.ids(confidentiality.CIRCLE_CODENAME)),
            taskforce="plan__taskforce",
        )
    )


# --- Actions --------------------------------------------------------------------------


def is_partner(access: Access, action: Action) -> bool:
    """Whether the person's agency is a partner of the action."""
    return PARTNER_CODENAME in access.action_perms(action)


def can_set_status(access: Access, action: Action) -> bool:
    """Members of the lead agency move the action forward (status, progress)."""
    return (
        can_see_action(access, action)
        and access.is_active_member
        and LEAD_CODENAME in access.action_perms(action)
    )


def can_comment(access: Access, action: Action) -> bool:
    """The lead agency and the partners post on the action's timeline."""
    return can_set_status(access, action) or (
        can_see_action(access, action) and access.is_active_member and is_partner(access, action)
    )


def can_edit_action(access: Access, action: Action) -> bool:
    """The plan's editors and the lead agency change what an action is (its plan fields)."""
    return can_see_action(access, action) and (
        access.can_edit_plan or can_set_status(access, action)
    )


def can_escalate(access: Access, action: Action) -> bool:
    """A blocked action is escalated by its lead agency or the task force's chair/coordinator."""
    return can_see_action(access, action) and (
        can_set_status(access, action) or "edit_plan" in access.perms
    )


def get_taskforce_for(user: User, pk: int, perm: TaskForcePerm = "view") -> TaskForce:
    """The task force ``pk`` if ``user`` may ``perm`` it; 404 if unseen, 403 if not allowed."""
    taskforce = TaskForce.objects.select_related("hotspot").filter(pk=pk).first()
    if taskforce is None:
        raise Http404
    access = access_for(user, taskforce)
    # Who may see the task force is the business of those who grant access, who may not
    # see the task force itself (an administrator): the members page and the grants only.
    granter = can_grant_access(user) and perm in ("members", "grant_access")
    if not access.can_view and not granter:
        raise Http404
    allowed = {
        "view": True,
        "members": True,
        "grant_access": can_grant_access(user),
        "manage_members": access.manages,
        "edit_plan": access.can_edit_plan,
        "schedule": access.can_schedule,
        "review": access.can_review_plan,
    }[perm]
    if not allowed:
        raise PermissionDenied
    return taskforce


def get_action_for(user: User, pk: int, perm: ActionPerm = "view") -> Action:
    """The action ``pk`` if ``user`` may ``perm`` it; police-judicial ones are 404 outside."""
    action = (
        Action.objects.select_related("plan__taskforce__hotspot", "lead_agency", "indicator")
        .prefetch_related("partner_agencies")
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404
    access = access_for(user, action.plan.taskforce)
    if not can_see_action(access, action):
        raise Http404
    allowed = {
        "view": lambda: True,
        "edit": lambda: can_edit_action(access, action),
        "set_status": lambda: can_set_status(access, action),
        "comment": lambda: can_comment(access, action),
        "escalate": lambda: can_escalate(access, action),
    }[perm]()
    if not allowed:
        raise PermissionDenied
    return action


# --- Members, meetings, plans, escalations ------------------------------------------


def get_membership_for(user: User, pk: int, perm: MembershipPerm = "change") -> Membership:
    membership = (
        Membership.objects.select_related("taskforce__hotspot", "user", "agency")
        .filter(pk=pk)
        .first()
    )
    if membership is None:
        raise Http404
    access = access_for(user, membership.taskforce)
    if not access.can_view:
        raise Http404
    if perm == "change" and not access.manages:
        raise PermissionDenied
    return membership


def get_meeting_for(user: User, pk: int, perm: MeetingPerm = "view") -> Meeting:
    meeting = Meeting.objects.select_related("taskforce__hotspot").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    access = access_for(user, meeting.taskforce)
    if not access.can_view:
        raise Http404
    if perm == "change" and not access.can_schedule:
        raise PermissionDenied
    return meeting


def get_meeting_point_for(user: User, pk: int, perm: MeetingPerm = "change") -> MeetingPoint:
    point = MeetingPoint.objects.select_related("meeting__taskforce__hotspot").filter(pk=pk).first()
    if point is None:
        raise Http404
    access = access_for(user, point.meeting.taskforce)
    if not access.can_view:
        raise Http404
    if perm == "change" and not access.can_schedule:
        raise PermissionDenied
    return point


def get_plan_version_for(user: User, pk: int, perm: PlanVersionPerm = "view") -> PlanVersion:
    version = PlanVersion.objects.select_related("plan__taskforce__hotspot").filter(pk=pk).first()
    if version is None:
        raise Http404
    access = access_for(user, version.plan.taskforce)
    if not access.can_view:
        raise Http404
    if perm == "review" and not access.can_review_plan:
        raise PermissionDenied
    return version


def get_annex_version_for(user: User, pk: int, perm: PlanVersionPerm = "view") -> AnnexVersion:
    """A version of the police-judicial annex: 404 for anyone who does not see such items."""
    version = AnnexVersion.objects.select_related("plan__taskforce__hotspot").filter(pk=pk).first()
    if version is None:
        raise Http404
    access = access_for(user, version.plan.taskforce)
    if not (access.can_view and access.sees_police_judicial):
        raise Http404
    if perm == "review" and not access.can_review_plan:
        raise PermissionDenied
    return version


def get_escalation_for(user: User, pk: int, perm: EscalationPerm = "view") -> Escalation:
    escalation = (
        Escalation.objects.select_related("action__plan__taskforce__hotspot", "action__lead_agency")
        .filter(pk=pk)
        .first()
    )
    if escalation is None:
        raise Http404
    access = access_for(user, escalation.action.plan.taskforce)
    if not can_see_action(access, escalation.action):
        raise Http404
    if perm == "resolve" and not access.is_csir:
        raise PermissionDenied
    return escalation


def can_list_escalations(user: User | AnonymousUser) -> bool:
    """The list of open escalations across task forces is the CSIR's (it resolves them)."""
    return policy.is_csir(user)


def can_grant_access(user: User | AnonymousUser) -> bool:
    """Extra grants beyond the memberships are given by an administrator or the CSIR
    coordinator, who governs who sees what (each grant and revocation is audited)."""
    return policy.is_administrator(user) or policy.is_csir_coordinator(user)


def can_bring_into_circle(user: User | AnonymousUser, taskforce: TaskForce) -> bool:
    """Only the CSIR coordinator or a member of the task force's police-judicial circle
    brings someone into that circle (DESIGN.md §8): a chair outside it cannot widen it."""
    if not _active(user):
        return False
    return policy.is_csir_coordinator(user) or access_for(user, taskforce).in_police_judicial_circle


def get_access_grant_for(user: User, pk: int) -> AccessGrant:
    """An extra grant, for those who grant access (404 for anybody who cannot see it)."""
    grant = AccessGrant.objects.select_related("taskforce", "user").filter(pk=pk).first()
    if grant is None:
        raise Http404
    if not can_grant_access(user):
        if not access_for(user, grant.taskforce).can_view:
            raise Http404
        raise PermissionDenied
    return grant


# --- Displacement ---------------------------------------------------------------------

DisplacementPerm = Literal["view", "follow_up", "close"]


def works_for_police(user: User) -> bool:
    """Local or federal police staff (the prosecutor's office does not patrol)."""
    return user.is_authenticated and user.agency.kind in Agency.POLICE_KINDS


def can_report_displacement(user: User) -> bool:
    """The CSIR, the police and any active task-force member report displacement."""
    if policy.is_csir(user):
        return True
    if not _active(user):
        return False
    return works_for_police(user) or bool(granted(user).ids("contribute"))


def visible_displacements(user: User) -> QuerySet[DisplacementReport]:
    """The CSIR sees every report; others their own and those routed to their task forces."""
    reports = DisplacementReport.objects.all()
    if policy.is_csir(user):
        return reports
    if not _active(user):
        return reports.none()
    routed = DisplacementReport.routed_to.through.objects.filter(
        taskforce__in=visible_taskforces(user).values("pk")
    ).values("displacementreport_id")
    return reports.filter(Q(reported_by=user) | Q(pk__in=routed))


def can_follow_up_displacement(user: User, report: DisplacementReport) -> bool:
    """The CSIR and the members of the task forces the report was routed to."""
    if policy.is_csir(user):
        return True
    return (
        _active(user)
        and report.routed_to.filter(pk__in=contributing_taskforces(user).values("pk")).exists()
    )


def can_close_displacement(user: User, report: DisplacementReport) -> bool:
    return policy.is_csir(user)


def get_displacement_for(
    user: User, pk: int, perm: DisplacementPerm = "view"
) -> DisplacementReport:
    """The report ``pk`` if ``user`` may ``perm`` it; 404 if unseen, 403 if not allowed."""
    report = (
        visible_displacements(user)
        .select_related("from_hotspot", "commune", "reported_by__agency")
        .prefetch_related("from_hotspot__communes")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    allowed = {
        "view": lambda: True,
        "follow_up": lambda: can_follow_up_displacement(user, report),
        "close": lambda: can_close_displacement(user, report),
    }[perm]()
    if not allowed:
        raise PermissionDenied
    return report


# --- Evaluations of ended actions (what worked where) --------------------------------

EvaluationPerm = Literal["view", "record", "review"]
ENDED_STATUSES = (Action.Status.DONE, Action.Status.CANCELLED)


def can_record_evaluation(access: Access, action: Action) -> bool:
    """Those who may change an ended action record (and revise) its evaluation."""
    return action.status in ENDED_STATUSES and can_edit_action(access, action)


def can_review_evaluation(user: User | AnonymousUser) -> bool:
    """Validating a practice for the shared library is the CSIR coordinator's job."""
    return policy.is_csir_coordinator(user)


def get_evaluation_for(user: User, pk: int, perm: EvaluationPerm = "view") -> Action:
    """The action ``pk`` whose evaluation ``user`` may ``perm``: seen as the action is (a
    police-judicial one is 404 outside its circle), 403 for who sees it but may not act."""
    action = get_action_for(user, pk)
    access = access_for(user, action.plan.taskforce)
    allowed = {
        "view": lambda: True,
        "record": lambda: can_record_evaluation(access, action),
        "review": lambda: can_review_evaluation(user),
    }[perm]()
    if not allowed:
        raise PermissionDenied
    return action
