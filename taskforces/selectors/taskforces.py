"""Reads of task forces and their members, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.models import Group
from django.db.models import (
    Case,
    Count,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import get_groups_with_perms, get_users_with_perms

from coordination.models import Agency, User
from coordination.people import confidentiality
from coordination.people.selectors import csir_people
from taskforces import permissions
from taskforces.models import (
    AccessGrant,
    ActionPlan,
    Meeting,
    Membership,
    PlanVersion,
    TaskForce,
)
from taskforces.permissions import access_for
from taskforces.selectors.actions import (
    Status,
    axis_progress_of,
    late_condition,
    open_escalations_of,
    with_late,
)
from taskforces.selectors.plans import current_version

# --- Task forces ----------------------------------------------------------------------


def taskforce_list(user: User) -> list[TaskForce]:
    """The task forces ``user`` sees, with their size, meetings and plan state."""
    now = timezone.now()
    state = PlanVersion.objects.filter(plan__taskforce=OuterRef("pk")).order_by("-number")
    labels = dict(PlanVersion.State.choices)
    taskforces: list[Any] = list(  # annotated rows, plus plan_state_label below
        permissions.visible_taskforces(user)
        .select_related("hotspot")
        .annotate(
            member_count=Count("memberships", distinct=True),
            next_meeting=Min("meetings__starts_at", filter=Q(meetings__starts_at__gte=now)),
            last_meeting=Max("meetings__starts_at", filter=Q(meetings__starts_at__lt=now)),
            plan_state=Subquery(state.values("state")[:1]),
            plan_number=Subquery(state.values("number")[:1]),
        )
        .order_by("hotspot__code")
    )
    for taskforce in taskforces:
        taskforce.plan_state_label = labels.get(taskforce.plan_state, "")
    return taskforces


def members(taskforce: TaskForce) -> list[Membership]:
    order = Case(
        When(role=Membership.Role.CHAIR, then=Value(0)),
        When(role=Membership.Role.COORDINATOR, then=Value(1)),
        When(role=Membership.Role.MEMBER, then=Value(2)),
        default=Value(3),
    )
    return list(
        Membership.objects.filter(taskforce=taskforce)
        .select_related("user", "agency")
        .order_by(order, "agency__name_fr", "user__last_name", "user__first_name")
    )


# The late and the blocked actions the task force's page lists (with their totals; the
# plan has them all).
LIST_LENGTH = 10


def taskforce_page(
    user: User, taskforce: TaskForce, plan: ActionPlan, *, show_all: bool = False
) -> dict[str, Any]:
    """Members, meetings, the plan's progress per axis, late and blocked actions.

    The progress is counted by the database and the lists hold their first LIST_LENGTH
    actions (all with ``show_all``), with their totals: the page does not grow with the
    plan."""
    now, today = timezone.now(), timezone.localdate()
    access = access_for(user, taskforce)
    visible = permissions.visible_actions(user, plan)
    progress, action_count = axis_progress_of(visible)
    # Late or blocked in one query; the partner agencies for the shown ones in another.
    flagged = list(
        with_late(
            visible.filter(late_condition(today) | Q(status=Status.BLOCKED)).select_related(
                "lead_agency", "owner", "indicator"
            ),
            today,
        ).order_by("due_on", "pk")
    )
    late = [a for a in flagged if a.is_late]
    blocked = [a for a in flagged if a.status == Status.BLOCKED]
    limit = None if show_all else LIST_LENGTH
    shown_late, shown_blocked = late[:limit], blocked[:limit]
    prefetch_related_objects(
        list({a.pk: a for a in [*shown_late, *shown_blocked]}.values()),
        Prefetch("partner_agencies", queryset=Agency.objects.order_by("name_fr")),
    )
    meetings = Meeting.objects.filter(taskforce=taskforce)
    return {
        "taskforce": taskforce,
        "access": access,
        "members": members(taskforce),
        "next_meeting": meetings.filter(starts_at__gte=now).order_by("starts_at").first(),
        "past_meetings": list(meetings.filter(starts_at__lt=now).order_by("-starts_at")[:5]),
        "plan": plan,
        "version": current_version(plan),
        "action_count": action_count,
        "progress": progress,
        "late": shown_late,
        "late_count": len(late),
        "blocked": shown_blocked,
        "blocked_count": len(blocked),
        "open_escalations": open_escalations_of(user, plan),
    }


@dataclass
class Viewer:
    """One person who can see the task force, and why."""

    person: User
    reasons: list[str] = field(default_factory=list)
    grants: list[AccessGrant] = field(default_factory=list)
    police_judicial: bool = False


def who_can_see(taskforce: TaskForce) -> list[Viewer]:
    """Everybody who can see the task force and why: a membership, an extra grant, their
    agency's group, or the CSIR role; and who among them sees its police-judicial items.
    Read from django-guardian, in a fixed number of queries."""
    viewers: dict[int, Viewer] = {}

    def viewer(person: User) -> Viewer:
        return viewers.setdefault(person.pk, Viewer(person=person))

    granted = cast(
        dict[User, list[str]],
        get_users_with_perms(
            taskforce, attach_perms=True, with_superusers=False, with_group_users=False
        ),
    )
    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(taskforce=taskforce).select_related("agency")
    }
    grants = list(
        AccessGrant.objects.filter(taskforce=taskforce, revoked_at__isnull=True).select_related(
            "granted_by"
        )
    )
    for person, perms in granted.items():
        if "view_taskforce" not in perms:
            continue
        entry = viewer(person)
        entry.police_judicial = confidentiality.CIRCLE_CODENAME in perms
        membership = memberships.get(person.pk)
        if membership is not None:
            entry.reasons.append(
                _("Member (%(role)s) for %(agency)s")
                % {"role": membership.get_role_display(), "agency": membership.agency}
            )
    for grant in grants:
        if grant.user_id in viewers:
            viewers[grant.user_id].grants.append(grant)
    groups = cast(dict[Group, list[str]], get_groups_with_perms(taskforce, attach_perms=True))
    for group, perms in groups.items():
        if "view_taskforce" in perms:
            for person in group.user_set.filter(is_active=True).select_related("agency"):
                viewer(person).reasons.append(
                    _("Through the group %(group)s") % {"group": group.name}
                )
    for person in csir_people().select_related("agency"):
        entry = viewer(person)
        entry.reasons.append(_("CSIR (%(role)s)") % {"role": person.get_role_display()})
        entry.police_judicial = entry.police_judicial or confidentiality.sees_everywhere(person)
    return sorted(
        viewers.values(), key=lambda v: (v.person.last_name, v.person.first_name, v.person.pk)
    )
