"""The task-force panels of the home page ('my work'), one reader per role.

Each reader runs a fixed number of queries whatever the number of task forces, actions
and meetings (the home page's query count is tested for two data sizes per role), and
reads actions only through the police-judicial rule of ``taskforces.permissions``: a
confidential action never reaches a list or a count outside its circle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Window
from django.utils import timezone

from coordination.models import User
from coordination.people import confidentiality
from coordination.people import permissions as policy
from taskforces import permissions
from taskforces.models import (
    Action,
    AnnexVersion,
    Escalation,
    Meeting,
    Membership,
    PlanVersion,
    TaskForce,
)
from taskforces.selectors.actions import (
    CLOSED_STATUSES,
    Status,
    late_condition,
    with_late,
)

# "Due soon" and "meetings to prepare" look this far ahead.
SOON_DAYS = 14
# The length of each list of actions on the home page (the full lists are one link away).
LIST_LENGTH = 10
# The task forces the member's panel names (with their number; the list has them all).
TASKFORCES_SHOWN = 12
_HOTSPOT_UNSHOWN = (
    "hotspot__perimeter",
    "hotspot__description",
    "hotspot__description_translation",
    "hotspot__closure_reason",
    "hotspot__closure_reason_translation",
    "hotspot__phenomena",
)
# The open escalations the CSIR's panel lists (with their total; the inbox has them all).
ESCALATIONS_SHOWN = 5


def soon_condition(today: dt.date, days: int = SOON_DAYS) -> Q:
    """Due today or within ``days`` days, and neither done nor cancelled."""
    return (
        Q(due_on__gte=today)
        & Q(due_on__lte=today + dt.timedelta(days=days))
        & ~Q(status__in=CLOSED_STATUSES)
    )


def _granted(user: User, codename: str) -> list[TaskForce]:
    """The task forces on which ``user`` holds ``codename`` (guardian, as granted, read once
    per request by ``permissions.granted``), with their hotspot, by code: the panels share
    one query for them all."""
    grants = permissions.granted(user)
    cached = user.__dict__.get("_home_taskforces")
    if cached is None:
        ids = set(grants.ids("view_taskforce")) | set(grants.ids("edit_plan"))
        cached = (
            list(
                TaskForce.objects.filter(pk__in=ids)
                .select_related("hotspot")
                # The panels name the hotspot; its perimeter and texts are not drawn.
                .defer(*_HOTSPOT_UNSHOWN)
                .order_by("hotspot__code")
            )
            if ids
            else []
        )
        user.__dict__["_home_taskforces"] = cached
    wanted = set(grants.ids(codename))
    return [taskforce for taskforce in cached if taskforce.pk in wanted]


def _latest(model: type[PlanVersion] | type[AnnexVersion]) -> Subquery:
    return Subquery(
        model.objects.filter(plan=OuterRef("plan")).order_by("-number").values("pk")[:1]
    )


def _actions(actions: QuerySet[Action]) -> list[Action]:
    """One query, empty or not: the home page shows no partner agencies, so none are
    prefetched (a prefetch runs only for a non-empty list, and the count would vary)."""
    return list(
        with_late(actions)
        .select_related("plan__taskforce__hotspot")
        .order_by("due_on", "plan__taskforce__hotspot__code", "pk")[:LIST_LENGTH]
    )


def _counts(actions: QuerySet[Action], today: dt.date) -> dict[str, int]:
    """How many actions are late, due soon and blocked: one query."""
    return actions.aggregate(
        late=Count("pk", filter=late_condition(today)),
        soon=Count("pk", filter=soon_condition(today)),
        blocked=Count("pk", filter=Q(status=Status.BLOCKED)),
    )


# --- Returned by the CSIR ------------------------------------------------------------------


def _returned(
    model: type[PlanVersion] | type[AnnexVersion], taskforces: Sequence[int]
) -> list[Any]:
    """The latest versions of ``model`` the CSIR returned in ``taskforces`` (no query
    when there are none)."""
    if not taskforces:
        return []
    return list(
        model.objects.filter(
            state=model.State.RETURNED, pk=_latest(model), plan__taskforce__in=taskforces
        )
        .select_related("plan__taskforce__hotspot", "reviewed_by")
        .order_by("-reviewed_at", "pk")
    )


def returned_summary(user: User) -> dict[str, Any] | None:
    """The plans and police-judicial annexes the CSIR returned with comments, for those who
    rework them: the plan's editors (chair, coordinator) and, for an annex, the active
    members of its circle (``Access.can_edit_annex``). None when there is nothing."""
    if policy.is_csir(user) or not user.is_active:
        return None
    grants = permissions.granted(user)
    editing = grants.ids("edit_plan")
    # The annex's editors: in the circle and active members (``Access.can_edit_annex``).
    keeping = sorted(
        grants.by_codename.get(confidentiality.CIRCLE_CODENAME, frozenset())
        & grants.by_codename.get("contribute", frozenset())
    )
    # Nothing to rework where one edits nothing: no query (most members).
    plans = _returned(PlanVersion, editing)
    annexes = _returned(AnnexVersion, keeping)
    if not plans and not annexes:
        return None
    return {"plans": plans, "annexes": annexes, "count": len(plans) + len(annexes)}


# --- The task forces a person runs (chair, coordinator) -----------------------------------


def coordination_summary(user: User) -> dict[str, Any] | None:
    """For a task force's coordinator: the actions of the task forces they run that are
    late or due within SOON_DAYS days (whichever agency leads them), and the meetings to
    prepare in the next SOON_DAYS days. None for somebody who runs no task force."""
    if policy.is_csir(user) or not user.is_active:
        return None
    grants = permissions.granted(user)
    if not grants.ids("edit_plan"):
        return None
    run = _granted(user, "edit_plan")
    if not run:
        return None
    today, now = timezone.localdate(), timezone.now()
    actions = Action.objects.filter(plan__taskforce__in=[taskforce.pk for taskforce in run]).filter(
        permissions.cross_taskforce_action_filter_granted(user)
    )
    meetings = list(
        Meeting.objects.filter(
            taskforce__in=grants.ids("schedule_meetings"),
            starts_at__gte=now,
            starts_at__lte=now + dt.timedelta(days=SOON_DAYS),
            cancelled_at__isnull=True,
        )
        .select_related("taskforce__hotspot")
        .order_by("starts_at", "pk")[:LIST_LENGTH]
    )
    return {
        "taskforces": run,
        "late": _actions(actions.filter(late_condition(today))),
        "soon": _actions(actions.filter(soon_condition(today))),
        "counts": _counts(actions, today),
        "meetings": meetings,
        "days": SOON_DAYS,
    }


def chaired(user: User) -> list[TaskForce]:
    """The task forces a mayor chairs (and still sees), with their plan's state and next
    meeting: one query."""
    if not policy.is_mayor(user):
        return []
    chairs = Membership.objects.filter(user=user, role=Membership.Role.CHAIR).values("taskforce_id")
    latest = PlanVersion.objects.filter(plan__taskforce=OuterRef("pk")).order_by("-number")
    upcoming = Meeting.objects.filter(
        taskforce=OuterRef("pk"), starts_at__gte=timezone.now(), cancelled_at__isnull=True
    ).order_by("starts_at")
    taskforces: list[TaskForce] = list(
        TaskForce.objects.filter(pk__in=permissions.granted(user).ids("view_taskforce"))
        .filter(pk__in=chairs)
        .select_related("hotspot")
        .annotate(
            plan_state=Subquery(latest.values("state")[:1]),
            next_meeting_id=Subquery(upcoming.values("pk")[:1]),
            next_meeting_at=Subquery(upcoming.values("starts_at")[:1]),
        )
        .order_by("hotspot__code")
    )
    labels = dict(PlanVersion.State.choices)
    for taskforce in taskforces:
        taskforce.plan_state_label = labels.get(taskforce.plan_state, "")  # type: ignore[attr-defined]
    return taskforces


# --- A member's work -------------------------------------------------------------------------


def home_summary(user: User) -> dict[str, Any] | None:
    """For a task-force member: their agency's actions that are late, blocked or due within
    SOON_DAYS days, the actions they own, their next meetings, and their task forces."""
    if not permissions.granted(user).ids("view_taskforce"):
        return None
    taskforces = _granted(user, "view_taskforce")
    if not taskforces:
        return None
    today = timezone.localdate()
    agency = Action.objects.filter(permissions.my_actions_filter_granted(user))
    owned = Action.objects.filter(owner=user).filter(
        permissions.cross_taskforce_action_filter_granted(user)
    )
    meetings = list(
        Meeting.objects.filter(
            taskforce__in=[taskforce.pk for taskforce in taskforces],
            starts_at__gte=timezone.now(),
            cancelled_at__isnull=True,
        )
        .select_related("taskforce__hotspot")
        .order_by("starts_at", "pk")[:5]
    )
    return {
        "taskforces": taskforces[:TASKFORCES_SHOWN],
        "taskforce_count": len(taskforces),
        "actions": _actions(agency.filter(late_condition(today) | Q(status=Status.BLOCKED))),
        "soon": _actions(agency.filter(soon_condition(today))),
        "owned": _actions(owned.exclude(status__in=CLOSED_STATUSES)),
        "counts": _counts(agency, today),
        "meetings": meetings,
        "days": SOON_DAYS,
    }


# --- The CSIR ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotspotLate:
    """One hotspot's late and blocked actions, as counts (the CSIR's home)."""

    taskforce: TaskForce
    late: int
    blocked: int


def late_by_hotspot(user: User) -> list[HotspotLate]:
    """The late and blocked actions the CSIR person may see, counted per hotspot, the most
    late first: two queries whatever the number of actions."""
    today = timezone.localdate()
    rows = list(
        Action.objects.filter(permissions.cross_taskforce_action_filter(user))
        .filter(late_condition(today) | Q(status=Status.BLOCKED))
        .values("plan__taskforce_id")
        .annotate(
            late=Count("pk", filter=late_condition(today)),
            blocked=Count("pk", filter=Q(status=Status.BLOCKED)),
        )
        .order_by()
    )
    taskforces = TaskForce.objects.select_related("hotspot").in_bulk(
        [row["plan__taskforce_id"] for row in rows]
    )
    counted = [
        HotspotLate(taskforces[row["plan__taskforce_id"]], row["late"], row["blocked"])
        for row in rows
    ]
    return sorted(counted, key=lambda row: (-row.late, -row.blocked, row.taskforce.hotspot.code))


def first_open_escalations(
    user: User, limit: int = ESCALATIONS_SHOWN
) -> tuple[list[Escalation], int]:
    """The oldest ``limit`` open escalations ``user`` may see and how many there are, in
    one query (the total is a window count, taken before the limit): the panel shows five,
    loading all of them grew with the region."""
    visible = Action.objects.filter(permissions.cross_taskforce_action_filter(user))
    rows = list(
        Escalation.objects.filter(resolved_at__isnull=True, action__in=visible)
        .select_related("action__plan__taskforce__hotspot", "action__lead_agency", "raised_by")
        .annotate(total=Window(Count("pk")))
        .order_by("raised_at", "pk")[:limit]
    )
    total = int(rows[0].total) if rows else 0
    shown: list[Escalation] = [*rows]
    return shown, total


def csir_summary(user: User) -> dict[str, Any]:
    """For the CSIR's home page: late and blocked actions per hotspot, open escalations,
    plans (and, for the coordinator, police-judicial annexes) awaiting validation."""
    awaiting = (
        PlanVersion.objects.filter(state=PlanVersion.State.SUBMITTED)
        .filter(pk=_latest(PlanVersion))
        .select_related("plan__taskforce__hotspot")
        .order_by("submitted_at")
    )
    can_review = policy.is_csir_coordinator(user)
    # The police-judicial annexes wait for the coordinator too; only they learn of them.
    annexes: list[AnnexVersion] = []
    if can_review:
        annexes = list(
            AnnexVersion.objects.filter(state=AnnexVersion.State.SUBMITTED)
            .filter(pk=_latest(AnnexVersion))
            .select_related("plan__taskforce__hotspot")
            .order_by("submitted_at")
        )
    by_hotspot = late_by_hotspot(user)
    escalations, escalations_total = first_open_escalations(user)
    return {
        "by_hotspot": by_hotspot,
        "late_total": sum(row.late for row in by_hotspot),
        "blocked_total": sum(row.blocked for row in by_hotspot),
        "escalations": escalations,
        "escalations_total": escalations_total,
        "awaiting": list(awaiting),
        "annexes": annexes,
        "can_review": can_review,
    }
