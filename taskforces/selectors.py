"""Reads of task forces, plans, actions and meetings, each in a fixed number of queries.

Every read of actions or updates goes through the filters of ``taskforces.permissions``
(``visible_actions``, ``action_filter``, ``update_filter``), so that police-judicial items
never reach a list, a count, a progress figure, an export or a page outside their circle.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import formats, timezone

from coordination import permissions as policy
from coordination.models import Agency, Axis, User
from hotspots.models import IndicatorDefinition
from taskforces import permissions
from taskforces.models import (
    Action,
    ActionPlan,
    Escalation,
    Meeting,
    MeetingDecision,
    MeetingPoint,
    Membership,
    PlanVersion,
    TaskForce,
)
from taskforces.permissions import Access, access_for
from taskforces.services import PLAN_FIELDS, action_snapshot, current_version, plan_missing

Status = Action.Status
CLOSED_STATUSES = (Status.DONE, Status.CANCELLED)
AXIS_CSS = {
    Axis.SECURITY: "security",
    Axis.PREVENTION: "prevention",
    Axis.NEIGHBOURHOOD: "neighbourhood",
}


# --- Actions --------------------------------------------------------------------------


def late_condition(today: dt.date) -> Q:
    """Late: past its due date and neither done nor cancelled (derived, never stored)."""
    return Q(due_on__lt=today) & ~Q(status__in=CLOSED_STATUSES)


def with_late(actions: QuerySet[Action], today: dt.date | None = None) -> QuerySet[Action]:
    """Annotate ``is_late`` on each action."""
    today = today or timezone.localdate()
    return actions.annotate(
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
        actions.select_related("lead_agency", "indicator").prefetch_related(
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


def group_by_axis(actions: list[Action]) -> list[dict[str, Any]]:
    """Actions grouped in the order of the strategy's axes."""
    groups: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        groups[action.axis].append(action)
    return [
        {"axis": axis.value, "label": axis.label, "actions": groups.get(axis.value, [])}
        for axis in Axis
    ]


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


# --- Plans ----------------------------------------------------------------------------


def last_validated(plan: ActionPlan) -> PlanVersion | None:
    return plan.versions.filter(state=PlanVersion.State.VALIDATED).order_by("-number").first()


def plan_page(user: User, plan: ActionPlan) -> dict[str, Any]:
    access = access_for(user, plan.taskforce)
    actions = list(for_lists(permissions.visible_actions(user, plan)))
    version = current_version(plan)
    editable = version.state in (PlanVersion.State.DRAFT, PlanVersion.State.RETURNED)
    return {
        "taskforce": plan.taskforce,
        "plan": plan,
        "access": access,
        "version": version,
        "versions": list(plan.versions.select_related("reviewed_by", "submitted_by")),
        "groups": group_by_axis(actions),
        "progress": axis_progress(actions),
        "action_count": len(actions),
        "editable": editable,
        # What is missing is worked out on the whole plan; police-judicial actions are
        # complete by construction (services._check_action), so none is ever named here.
        "missing": plan_missing(plan) if editable and access.manages else [],
        "can_submit": editable and access.manages,
        # Content can change unless the CSIR is reviewing it (a validated plan opens v+1).
        "can_add": access.can_create_action and version.state != PlanVersion.State.SUBMITTED,
        "can_review": access.can_review_plan and version.state == PlanVersion.State.SUBMITTED,
    }


FIELD_LABELS = {
    "title": Action._meta.get_field("title").verbose_name,
    "description": Action._meta.get_field("description").verbose_name,
    "axis": Action._meta.get_field("axis").verbose_name,
    "lead_agency": Action._meta.get_field("lead_agency").verbose_name,
    "partner_agencies": Action._meta.get_field("partner_agencies").verbose_name,
    "start_on": Action._meta.get_field("start_on").verbose_name,
    "due_on": Action._meta.get_field("due_on").verbose_name,
    "horizon": Action._meta.get_field("horizon").verbose_name,
    "deliverable": Action._meta.get_field("deliverable").verbose_name,
    "indicator": Action._meta.get_field("indicator").verbose_name,
    "indicator_target": Action._meta.get_field("indicator_target").verbose_name,
    "confidentiality": Action._meta.get_field("confidentiality").verbose_name,
}


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class ActionChange:
    kind: str  # "added", "removed", "changed"
    action_id: int
    title: str
    axis: str
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def axis_label(self) -> str:
        return str(dict(Axis.choices).get(self.axis, self.axis))


class _Labels:
    """Readable values of snapshot entries: agencies, indicators, choices, dates."""

    def __init__(self, entries: list[dict[str, Any]]):
        agency_ids: set[int] = set()
        indicator_ids: set[int] = set()
        for entry in entries:
            if entry.get("lead_agency"):
                agency_ids.add(entry["lead_agency"])
            agency_ids.update(entry.get("partner_agencies") or [])
            if entry.get("indicator"):
                indicator_ids.add(entry["indicator"])
        self.agencies = {a.pk: str(a) for a in Agency.objects.filter(pk__in=agency_ids)}
        self.indicators = {
            i.pk: str(i) for i in IndicatorDefinition.objects.filter(pk__in=indicator_ids)
        }
        self.choices = {
            "axis": dict(Axis.choices),
            "horizon": dict(Action.Horizon.choices),
            "confidentiality": dict(Action.Confidentiality.choices),
            "status": dict(Action.Status.choices),
        }

    def show(self, name: str, value: Any) -> str:
        if value in (None, "", []):
            return "—"
        if name == "lead_agency":
            return self.agencies.get(value, "?")
        if name == "partner_agencies":
            return ", ".join(sorted(self.agencies.get(pk, "?") for pk in value))
        if name == "indicator":
            return self.indicators.get(value, "?")
        if name in self.choices:
            return str(self.choices[name].get(value, value))
        if name in ("start_on", "due_on"):
            return formats.date_format(dt.date.fromisoformat(value), "j F Y")
        return str(value)


def plan_changes(user: User, plan: ActionPlan) -> dict[str, Any]:
    """What changed since the last validated version: added, removed (cancelled), changed.

    Compares the frozen snapshot with the actions today, as the user may see them: an
    action that is, or was, police-judicial is left out for anyone outside the circle.
    """
    access = access_for(user, plan.taskforce)
    base = last_validated(plan)
    current = {
        a.pk: action_snapshot(a)
        for a in permissions.visible_actions(user, plan).prefetch_related("partner_agencies")
    }
    if base is None:
        return {"plan": plan, "taskforce": plan.taskforce, "base": None, "changes": []}
    old = {entry["id"]: entry for entry in (base.snapshot or {}).get("actions", [])}
    hidden: set[int] = set()
    if not access.sees_police_judicial:
        hidden = set(
            plan.actions.filter(confidentiality=permissions.POLICE_JUDICIAL).values_list(
                "pk", flat=True
            )
        )
        hidden |= {
            pk
            for pk, entry in old.items()
            if entry["confidentiality"] == permissions.POLICE_JUDICIAL
        }
    labels = _Labels([*old.values(), *current.values()])
    changes: list[ActionChange] = []
    cancelled = Status.CANCELLED
    for pk in sorted(set(old) | set(current)):
        if pk in hidden:
            continue
        before, after = old.get(pk), current.get(pk)
        was_live = before is not None and before["status"] != cancelled
        is_live = after is not None and after["status"] != cancelled
        entry = after or before
        if is_live and before is None:
            changes.append(ActionChange("added", pk, entry["title"], entry["axis"]))
        elif was_live and not is_live:
            changes.append(ActionChange("removed", pk, entry["title"], entry["axis"]))
        elif before is not None and after is not None:
            fields = [
                FieldChange(
                    name,
                    str(FIELD_LABELS[name]),
                    labels.show(name, before.get(name)),
                    labels.show(name, after.get(name)),
                )
                for name in PLAN_FIELDS
                if before.get(name) != after.get(name)
            ]
            if fields:
                changes.append(ActionChange("changed", pk, entry["title"], entry["axis"], fields))
    order = {axis.value: index for index, axis in enumerate(Axis)}
    changes.sort(key=lambda c: (order.get(c.axis, 9), c.action_id))
    return {"plan": plan, "taskforce": plan.taskforce, "base": base, "changes": changes}


def version_page(user: User, version: PlanVersion) -> dict[str, Any]:
    """A version; a validated one shows its frozen content, as the user may see it."""
    access = access_for(user, version.plan.taskforce)
    entries = list((version.snapshot or {}).get("actions", []))
    if not access.sees_police_judicial:
        entries = [e for e in entries if e["confidentiality"] != permissions.POLICE_JUDICIAL]
    labels = _Labels(entries)
    rows = [
        {
            "title": e["title"],
            "axis": e["axis"],
            "lead": labels.show("lead_agency", e["lead_agency"]),
            "partners": labels.show("partner_agencies", e["partner_agencies"]),
            "due": labels.show("due_on", e["due_on"]),
            "horizon": labels.show("horizon", e["horizon"]),
            "measure": e["deliverable"]
            or (
                f"{labels.show('indicator', e['indicator'])} → {e['indicator_target']}"
                if e["indicator"]
                else "—"
            ),
            "status": labels.show("status", e["status"]),
            "police_judicial": e["confidentiality"] == permissions.POLICE_JUDICIAL,
        }
        for e in entries
    ]
    groups = [
        {"axis": axis.value, "label": axis.label, "rows": [r for r in rows if r["axis"] == axis]}
        for axis in Axis
    ]
    return {
        "version": version,
        "plan": version.plan,
        "taskforce": version.plan.taskforce,
        "groups": groups,
        "count": len(rows),
    }


def plan_export_rows(user: User, plan: ActionPlan) -> list[Action]:
    return list(for_lists(permissions.visible_actions(user, plan)).order_by("axis", "due_on", "pk"))


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


# --- Meetings -------------------------------------------------------------------------


def meeting_page(user: User, meeting: Meeting) -> dict[str, Any]:
    access = access_for(user, meeting.taskforce)
    plan = getattr(meeting.taskforce, "plan", None)
    visible_ids: set[int] = set()
    if plan is not None:
        visible_ids = set(permissions.visible_actions(user, plan).values_list("pk", flat=True))
    decisions = list(meeting.decisions.select_related("action", "created_by"))
    for decision in decisions:
        # A decision's text is the task force's; the action it names may be confidential.
        decision.visible_action = decision.action if decision.action_id in visible_ids else None
    previous = (
        Meeting.objects.filter(taskforce=meeting.taskforce, starts_at__lt=meeting.starts_at)
        .order_by("-starts_at")
        .first()
    )
    following = (
        Meeting.objects.filter(taskforce=meeting.taskforce, starts_at__gt=meeting.starts_at)
        .order_by("starts_at")
        .first()
    )
    return {
        "meeting": meeting,
        "taskforce": meeting.taskforce,
        "access": access,
        "points": list(
            MeetingPoint.objects.filter(meeting=meeting).select_related("carried_from__meeting")
        ),
        "decisions": decisions,
        "attendees": list(meeting.attendees.select_related("agency")),
        "previous": previous,
        "following": following,
        "is_past": meeting.starts_at < timezone.now(),
    }


def calendar_meetings(taskforce: TaskForce) -> list[Meeting]:
    return list(
        Meeting.objects.filter(taskforce=taskforce)
        .select_related("taskforce__hotspot")
        .order_by("starts_at")
    )


# --- Across task forces ---------------------------------------------------------------


def _mine(user: User) -> Q | None:
    """Actions the user's agency leads or partners in, in task forces they belong to."""
    condition = None
    partner_rows = Action.partner_agencies.through.objects
    for membership in Membership.objects.filter(user_id=user.pk).select_related("agency"):
        access = Access(user=user, membership=membership)
        agency = membership.agency_id
        mine = (
            Q(plan__taskforce_id=membership.taskforce_id)
            & (
                Q(lead_agency_id=agency)
                | Q(pk__in=partner_rows.filter(agency_id=agency).values("action_id"))
            )
            & permissions.action_filter(access)
        )
        condition = mine if condition is None else condition | mine
    return condition


def my_actions(user: User, *, status: str = "") -> list[Action]:
    condition = _mine(user)
    if condition is None:
        return []
    actions = Action.objects.filter(condition)
    if status == "late":
        actions = actions.filter(late_condition(timezone.localdate()))
    elif status:
        actions = actions.filter(status=status)
    return list(
        for_lists(actions)
        .select_related("plan__taskforce__hotspot")
        .order_by("due_on", "plan__taskforce__hotspot__code", "pk")
    )


def open_escalations_of(user: User, plan: ActionPlan | None = None) -> list[Escalation]:
    """Unresolved escalations on actions the user may see (the CSIR's inbox)."""
    visible = Action.objects.filter(permissions.cross_taskforce_action_filter(user))
    escalations = Escalation.objects.filter(resolved_at__isnull=True, action__in=visible)
    if plan is not None:
        escalations = escalations.filter(action__plan=plan)
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


def home_summary(user: User) -> dict[str, Any] | None:
    """For a task-force member's home page: late or blocked actions, next meetings."""
    condition = _mine(user)
    if condition is None:
        return None
    today = timezone.localdate()
    attention = list(
        for_lists(
            Action.objects.filter(condition).filter(
                late_condition(today) | Q(status=Status.BLOCKED)
            )
        )
        .select_related("plan__taskforce__hotspot")
        .order_by("due_on", "pk")[:10]
    )
    meetings = list(
        Meeting.objects.filter(
            taskforce__in=Membership.objects.filter(user_id=user.pk).values("taskforce_id"),
            starts_at__gte=timezone.now(),
        )
        .select_related("taskforce__hotspot")
        .order_by("starts_at")[:5]
    )
    return {"actions": attention, "meetings": meetings}


def csir_summary(user: User) -> dict[str, Any]:
    """For the CSIR's home page: open escalations and plans awaiting validation."""
    latest = PlanVersion.objects.filter(plan=OuterRef("plan")).order_by("-number")
    awaiting = (
        PlanVersion.objects.filter(state=PlanVersion.State.SUBMITTED)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .select_related("plan__taskforce__hotspot")
        .order_by("submitted_at")
    )
    return {
        "escalations": open_escalations_of(user),
        "awaiting": list(awaiting),
        "can_review": policy.is_csir_coordinator(user),
    }
