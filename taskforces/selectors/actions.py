"""Reads of actions, each in a fixed number of queries, through the police-judicial rule
of ``taskforces.permissions`` so that confidential items never reach a list, count or page
outside their circle.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.utils import timezone

from coordination.models import Agency, Axis, User
from hotspots.selectors.hotspots import LIST_DEFERRED
from taskforces import permissions
from taskforces.models import (
    Action,
    ActionPlan,
    Escalation,
    MeetingDecision,
)
from taskforces.permissions import access_for

Status = Action.Status
CLOSED_STATUSES = (Status.DONE, Status.CANCELLED)


# --- Actions --------------------------------------------------------------------------


def late_condition(today: dt.date) -> Q:
    """Late: past its due date and neither done nor cancelled (derived, never stored)."""
    return Q(due_on__lt=today) & ~Q(status__in=CLOSED_STATUSES)


def with_late(actions: QuerySet[Action], today: dt.date | None = None) -> QuerySet[Action]:
    """Annotate ``is_late`` on each action."""
    today = today or timezone.localdate()
    return actions.annotate(  # type: ignore[no-redef]
        is_late=Case(
            When(late_condition(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def is_late(action: Action, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(action.due_on and action.due_on < today and action.status not in CLOSED_STATUSES)


def for_lists(actions: QuerySet[Action]) -> QuerySet[Action]:
    """What a table of actions shows, fetched once for the whole table."""
    return with_late(
        actions.select_related("lead_agency", "owner", "indicator").prefetch_related(
            Prefetch("partner_agencies", queryset=Agency.objects.order_by("name_fr"))
        )
    )


@dataclass(frozen=True)
class AxisProgress:
    axis: str
    label: str
    count: int
    done: int
    average: int


def axis_progress(actions: list[Action]) -> list[AxisProgress]:
    """Average progress of the non-cancelled actions on each axis (of the visible actions)."""
    by_axis: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        if action.status != Status.CANCELLED:
            by_axis[action.axis].append(action)
    result = []
    for axis in Axis:
        items = by_axis.get(axis.value, [])
        average = round(sum(a.progress for a in items) / len(items)) if items else 0
        done = sum(1 for a in items if a.status == Status.DONE)
        result.append(AxisProgress(axis.value, str(axis.label), len(items), done, average))
    return result


def axis_progress_of(actions: QuerySet[Action]) -> tuple[list[AxisProgress], int]:
    """``axis_progress`` counted by the database, and how many actions there are in all
    (cancelled ones too): one query whatever the length of the plan."""
    rows = {
        row["axis"]: row
        for row in actions.values("axis")
        .annotate(
            all=Count("pk"),
            count=Count("pk", filter=~Q(status=Status.CANCELLED)),
            done=Count("pk", filter=Q(status=Status.DONE)),
            total=Sum("progress", filter=~Q(status=Status.CANCELLED), default=0),
        )
        .order_by()
    }
    result = []
    for axis in Axis:
        row = rows.get(axis.value, {"count": 0, "done": 0, "total": 0})
        count = row["count"]
        average = round(row["total"] / count) if count else 0
        result.append(AxisProgress(axis.value, str(axis.label), count, row["done"], average))
    return result, sum(row["all"] for row in rows.values())


def group_by_axis(actions: list[Action]) -> list[dict[str, Any]]:
    """Actions grouped in the order of the strategy's axes."""
    groups: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        groups[action.axis].append(action)
    return [
        {"axis": axis.value, "label": axis.label, "actions": groups.get(axis.value, [])}
        for axis in Axis
    ]


# --- One action -----------------------------------------------------------------------


def action_page(user: User, action: Action) -> dict[str, Any]:
    """The action, its timeline (as the user may see it), escalations, meeting decisions."""
    access = access_for(user, action.plan.taskforce)
    action.is_late = is_late(action)
    return {
        "action": action,
        "taskforce": action.plan.taskforce,
        "access": access,
        "timeline": list(
            permissions.visible_updates(user, action).select_related("author", "agency")
        ),
        "escalations": list(
            action.escalations.select_related("raised_by", "resolved_by").order_by("-raised_at")
        ),
        "decisions": list(
            MeetingDecision.objects.filter(action=action)
            .select_related("meeting")
            .order_by("-meeting__starts_at")
        ),
        "can_set_status": permissions.can_set_status(access, action),
        "can_comment": permissions.can_comment(access, action),
        "can_edit": permissions.can_edit_action(access, action),
        "can_escalate": permissions.can_escalate(access, action)
        and action.status == Status.BLOCKED
        and not any(e.resolved_at is None for e in action.escalations.all()),
        "can_post_police_judicial": access.in_police_judicial_circle
        and action.confidentiality != permissions.POLICE_JUDICIAL,
    }


# --- Across task forces ---------------------------------------------------------------


def my_actions(user: User, *, status: str = "") -> list[Action]:
    """Actions the person's agency leads or partners in, where the person acts for it."""
    actions = Action.objects.filter(permissions.my_actions_filter(user))
    if status == "late":
        actions = actions.filter(late_condition(timezone.localdate()))
    elif status:
        actions = actions.filter(status=status)
    return list(
        for_lists(actions)
        .select_related("plan__taskforce__hotspot")
        .order_by("due_on", "plan__taskforce__hotspot__code", "pk")
    )


# "My actions" shows this many rows at a time; "more" adds as many again.
MY_ACTIONS_PAGE = 50


def my_actions_shown(user: User, *, status: str = "", pages: int = 1) -> tuple[list[Action], int]:
    """The first ``pages`` × MY_ACTIONS_PAGE of :func:`my_actions` and how many there are
    in all, in the same queries (the total is a window count, taken before the limit): a
    police officer in fifteen task forces has hundreds and the page grew with them."""
    actions = Action.objects.filter(permissions.my_actions_filter_granted(user))
    if status == "late":
        actions = actions.filter(late_condition(timezone.localdate()))
    elif status:
        actions = actions.filter(status=status)
    order = ("due_on", "plan__taskforce__hotspot__code", "pk")
    # The page's ids and the total first, on narrow rows (sorting every matching action
    # with all its joined columns grew with the region), then those rows in full.
    page = list(
        actions.annotate(total=Window(Count("pk")))
        .order_by(*order)
        .values_list("pk", "total")[: pages * MY_ACTIONS_PAGE]
    )
    total = int(page[0][1]) if page else 0
    shown: list[Action] = list(
        for_lists(Action.objects.filter(pk__in=[pk for pk, _total in page]))
        .select_related("plan__taskforce__hotspot")
        # The table shows the hotspot's code and name: its perimeter (GeoJSON), texts and
        # phenomena, decoded for each of the page's rows, cost more than the rest of it.
        .defer(*(f"plan__taskforce__hotspot__{name}" for name in LIST_DEFERRED))
        .order_by(*order)
    )
    return shown, total


def open_escalations_of(user: User, plan: ActionPlan | None = None) -> list[Escalation]:
    """Unresolved escalations on actions the user may see (the CSIR's inbox; with
    ``plan``, that plan's, through the task force's own access)."""
    if plan is not None:
        visible = permissions.visible_actions(user, plan)
    else:
        visible = Action.objects.filter(permissions.cross_taskforce_action_filter(user))
    escalations = Escalation.objects.filter(resolved_at__isnull=True, action__in=visible)
    return list(
        escalations.select_related(
            "action__plan__taskforce__hotspot", "action__lead_agency", "raised_by"
        ).order_by("raised_at")
    )


def recently_resolved(user: User, limit: int = 10) -> list[Escalation]:
    visible = Action.objects.filter(permissions.cross_taskforce_action_filter(user))
    return list(
        Escalation.objects.filter(resolved_at__isnull=False, action__in=visible)
        .select_related("action__plan__taskforce__hotspot", "resolved_by")
        .order_by("-resolved_at")[:limit]
    )
