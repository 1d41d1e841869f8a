"""Who may see and change task forces, meetings, plans and actions (DESIGN.md §5).

A person sees a task force when they are a member of it (a ``Membership`` row) or work for
the CSIR. The membership rows are the source of truth; the services mirror them as
django-guardian object permissions (``view_taskforce``, ``manage_members``) for the admin
and the other apps, and read them back here in one query per task force and request.

Police-judicial actions and updates exist only for the police-judicial circle of the task
force (members whose agency is a police or a prosecutor's office) and the CSIR
coordinator. ``action_filter`` and ``update_filter`` are the one place that rule is
written: every list, count, progress figure, export and page goes through them.

Access helpers (``get_<model>_for(user, pk, perm)``) raise 404 when the user may not see
the object and 403 when they see it but may not do ``perm``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from coordination.models import Agency, User
from coordination.people import permissions as policy
from taskforces.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    DisplacementReport,
    Escalation,
    Meeting,
    MeetingPoint,
    Membership,
    PlanVersion,
    TaskForce,
)

MANAGING_ROLES = frozenset({Membership.Role.CHAIR, Membership.Role.COORDINATOR})
POLICE_JUDICIAL = Action.Confidentiality.POLICE_JUDICIAL

TaskForcePerm = Literal["view", "manage_members", "edit_plan", "schedule", "review"]
ActionPerm = Literal["view", "edit", "set_status", "comment", "escalate"]
MeetingPerm = Literal["view", "change"]
PlanVersionPerm = Literal["view", "review"]
EscalationPerm = Literal["view", "resolve"]
MembershipPerm = Literal["change"]


@dataclass(frozen=True)
class Access:
    """What one person may do in one task force, worked out once per request."""

    user: User
    membership: Membership | None

    @property
    def is_csir(self) -> bool:
        return policy.is_csir(self.user)

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def can_view(self) -> bool:
        return self.is_member or self.is_csir

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def agency_id(self) -> int | None:
        """The agency the person represents in this task force (None for outsiders)."""
        return self.membership.agency_id if self.membership else None

    @property
    def is_active_member(self) -> bool:
        """Observers read; the other members act."""
        return self.is_member and self.role != Membership.Role.OBSERVER

    @property
    def in_police_judicial_circle(self) -> bool:
        return (
            self.membership is not None
            and self.membership.agency.kind in Agency.POLICE_JUDICIAL_KINDS
        )

    @property
    def sees_police_judicial(self) -> bool:
        return self.in_police_judicial_circle or policy.is_csir_coordinator(self.user)

    @property
    def manages(self) -> bool:
        """The chair(s), the coordinator and the CSIR run the task force and edit the plan."""
        return self.is_csir or self.role in MANAGING_ROLES

    @property
    def can_create_action(self) -> bool:
        # The police-judicial circle adds its own confidential actions, which the chair or
        # coordinator of another agency could not even see.
        return self.manages or (self.is_active_member and self.in_police_judicial_circle)

    @property
    def can_review_plan(self) -> bool:
        """Validating a plan is the CSIR coordinator's job (DESIGN.md §2)."""
        return policy.is_csir_coordinator(self.user)


def access_for(user: User, taskforce: TaskForce) -> Access:
    """The person's access to ``taskforce``; one query, cached on the task force object."""
    cache: dict[int | None, Access] = taskforce.__dict__.setdefault("_access_cache", {})
    if user.pk not in cache:
        membership = None
        if user.is_authenticated and user.is_active:
            membership = (
                Membership.objects.select_related("agency")
                .filter(taskforce_id=taskforce.pk, user_id=user.pk)
                .first()
            )
        cache[user.pk] = Access(user=user, membership=membership)
    return cache[user.pk]


def visible_taskforces(user: User) -> QuerySet[TaskForce]:
    """The CSIR sees every task force; anybody else only those they belong to."""
    if policy.is_csir(user):
        return TaskForce.objects.all()
    if not user.is_authenticated or not user.is_active:
        return TaskForce.objects.none()
    return TaskForce.objects.filter(
        pk__in=Membership.objects.filter(user_id=user.pk).values("taskforce_id")
    )


# --- The police-judicial rule ---------------------------------------------------------


def action_filter(access: Access) -> Q:
    """The condition on actions ``access`` may see within its task force."""
    if access.sees_police_judicial:
        return Q()
    return ~Q(confidentiality=POLICE_JUDICIAL)


def update_filter(access: Access) -> Q:
    """An update is hidden if it, or its action, is police-judicial."""
    if access.sees_police_judicial:
        return Q()
    return ~Q(confidentiality=POLICE_JUDICIAL) & ~Q(action__confidentiality=POLICE_JUDICIAL)


def can_see_action(access: Access, action: Action) -> bool:
    return access.can_view and (
        action.confidentiality != POLICE_JUDICIAL or access.sees_police_judicial
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

    The CSIR sees every task force (the analyst without police-judicial actions); a member
    sees the task forces they belong to, with police-judicial actions only where their
    membership agency is in the circle.
    """
    if policy.is_csir_coordinator(user):
        return Q()
    if policy.is_csir(user):
        return ~Q(confidentiality=POLICE_JUDICIAL)
    memberships = Membership.objects.filter(user_id=user.pk)
    circle = memberships.filter(agency__kind__in=Agency.POLICE_JUDICIAL_KINDS)
    return Q(plan__taskforce__in=memberships.values("taskforce_id")) & (
        ~Q(confidentiality=POLICE_JUDICIAL) | Q(plan__taskforce__in=circle.values("taskforce_id"))
    )


# --- Actions --------------------------------------------------------------------------


def is_partner(access: Access, action: Action) -> bool:
    """Whether the person's agency is a partner of the action (prefetched when possible)."""
    if access.agency_id is None:
        return False
    return any(agency.pk == access.agency_id for agency in action.partner_agencies.all())


def can_set_status(access: Access, action: Action) -> bool:
    """Members of the lead agency move the action forward (status, progress)."""
    return (
        can_see_action(access, action)
        and access.is_active_member
        and access.agency_id is not None
        and access.agency_id == action.lead_agency_id
    )


def can_comment(access: Access, action: Action) -> bool:
    """The lead agency and the partners post on the action's timeline."""
    return can_set_status(access, action) or (
        can_see_action(access, action) and access.is_active_member and is_partner(access, action)
    )


def can_edit_action(access: Access, action: Action) -> bool:
    """The plan's editors and the lead agency change what an action is (its plan fields)."""
    return can_see_action(access, action) and (access.manages or can_set_status(access, action))


def can_escalate(access: Access, action: Action) -> bool:
    """A blocked action is escalated by its lead agency or the task force's chair/coordinator."""
    return can_see_action(access, action) and (
        can_set_status(access, action) or access.role in MANAGING_ROLES
    )


def get_taskforce_for(user: User, pk: int, perm: TaskForcePerm = "view") -> TaskForce:
    """The task force ``pk`` if ``user`` may ``perm`` it; 404 if unseen, 403 if not allowed."""
    taskforce = TaskForce.objects.select_related("hotspot").filter(pk=pk).first()
    if taskforce is None:
        raise Http404
    access = access_for(user, taskforce)
    if not access.can_view:
        raise Http404
    allowed = {
        "view": True,
        "manage_members": access.manages,
        "edit_plan": access.manages,
        "schedule": access.manages,
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
    if perm == "change" and not access.manages:
        raise PermissionDenied
    return meeting


def get_meeting_point_for(user: User, pk: int, perm: MeetingPerm = "change") -> MeetingPoint:
    point = MeetingPoint.objects.select_related("meeting__taskforce__hotspot").filter(pk=pk).first()
    if point is None:
        raise Http404
    access = access_for(user, point.meeting.taskforce)
    if not access.can_view:
        raise Http404
    if perm == "change" and not access.manages:
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


# --- Displacement ---------------------------------------------------------------------

DisplacementPerm = Literal["view", "follow_up", "close"]


def works_for_police(user: User) -> bool:
    """Local or federal police staff (the prosecutor's office does not patrol)."""
    return user.is_authenticated and user.agency.kind in Agency.POLICE_KINDS


def can_report_displacement(user: User) -> bool:
    """The CSIR, the police and any task-force member report displacement (DESIGN.md §2)."""
    if policy.is_csir(user):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    return works_for_police(user) or user.memberships.exists()


def visible_displacements(user: User) -> QuerySet[DisplacementReport]:
    """The CSIR sees every report; others their own and those routed to their task forces."""
    reports = DisplacementReport.objects.all()
    if policy.is_csir(user):
        return reports
    if not user.is_authenticated or not user.is_active:
        return reports.none()
    routed = DisplacementReport.routed_to.through.objects.filter(
        taskforce__memberships__user=user
    ).values("displacementreport_id")
    return reports.filter(Q(reported_by=user) | Q(pk__in=routed))


def can_follow_up_displacement(user: User, report: DisplacementReport) -> bool:
    """The CSIR and the members of the task forces the report was routed to."""
    if policy.is_csir(user):
        return True
    return user.is_authenticated and report.routed_to.filter(memberships__user=user).exists()


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
