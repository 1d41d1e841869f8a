"""Reads of task forces and their members, each in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    Count,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from coordination.models import User
from taskforces import permissions
from taskforces.models import (
    ActionPlan,
    Meeting,
    Membership,
    PlanVersion,
    TaskForce,
)
from taskforces.permissions import access_for
from taskforces.selectors.actions import Status, axis_progress, for_lists, open_escalations_of
from taskforces.selectors.plans import current_version

# --- Task forces ----------------------------------------------------------------------


def taskforce_list(user: User) -> list[TaskForce]:
    """The task forces ``user`` sees, with their size, meetings and plan state."""
    now = timezone.now()
    state = PlanVersion.objects.filter(plan__taskforce=OuterRef("pk")).order_by("-number")
    labels = dict(PlanVersion.State.choices)
    taskforces = list(
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


def taskforce_page(user: User, taskforce: TaskForce, plan: ActionPlan) -> dict[str, Any]:
    """Members, meetings, the plan's progress per axis, late and blocked actions."""
    now = timezone.now()
    access = access_for(user, taskforce)
    actions = list(for_lists(permissions.visible_actions(user, plan)))
    meetings = Meeting.objects.filter(taskforce=taskforce)
    return {
        "taskforce": taskforce,
        "access": access,
        "members": members(taskforce),
        "next_meeting": meetings.filter(starts_at__gte=now).order_by("starts_at").first(),
        "past_meetings": list(meetings.filter(starts_at__lt=now).order_by("-starts_at")[:5]),
        "plan": plan,
        "version": current_version(plan),
        "action_count": len(actions),
        "progress": axis_progress(actions),
        "late": [a for a in actions if a.is_late],
        "blocked": [a for a in actions if a.status == Status.BLOCKED],
        "open_escalations": open_escalations_of(user, plan),
    }
