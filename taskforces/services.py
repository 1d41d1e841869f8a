"""Writes on task forces, meetings, action plans and actions. Each one is audited and atomic.

Views, the demo, commands and tasks all call these functions; the rules live here. The
people concerned are told through taskforces.notifications, inside the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from coordination import audit
from coordination import permissions as policy
from coordination.models import Agency, Axis, User
from hotspots.models import Hotspot, IndicatorDefinition
from taskforces import notifications
from taskforces.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Escalation,
    Meeting,
    MeetingDecision,
    MeetingPoint,
    Membership,
    PlanVersion,
    TaskForce,
)

MANAGING_ROLES = {Membership.Role.CHAIR, Membership.Role.COORDINATOR}
State = PlanVersion.State
Status = Action.Status
POLICE_JUDICIAL = Action.Confidentiality.POLICE_JUDICIAL

# The fields that make up what an action *is* in the plan. Changing one of them in a
# validated plan starts a new version; status and progress are the plan's life, not its
# content, and never do.
PLAN_FIELDS = [
    "title",
    "description",
    "axis",
    "lead_agency",
    "partner_agencies",
    "start_on",
    "due_on",
    "horizon",
    "deliverable",
    "indicator",
    "indicator_target",
    "confidentiality",
]
SCALAR_PLAN_FIELDS = [name for name in PLAN_FIELDS if name != "partner_agencies"]


class ActionConflict(Exception):
    """Somebody saved the action since the form was loaded; ``current`` is what they saved."""

    def __init__(self, current: Action):
        super().__init__(f"action {current.pk} is at revision {current.revision}")
        self.current = current


class PlanIncomplete(ValidationError):
    """The plan cannot be submitted; ``reasons`` lists everything that is missing."""

    def __init__(self, reasons: list[str]):
        super().__init__(reasons)
        self.reasons = reasons


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


# --- Meetings -------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *, taskforce: TaskForce, by: User, starts_at: dt.datetime, place: str, agenda: str = ""
) -> Meeting:
    """Schedule a meeting; the previous meeting's open points carry over, the members are told."""
    meeting = Meeting.objects.create(
        taskforce=taskforce, starts_at=starts_at, place=place, agenda=agenda, created_by=by
    )
    previous = (
        Meeting.objects.filter(taskforce=taskforce, starts_at__lt=starts_at)
        .exclude(pk=meeting.pk)
        .order_by("-starts_at", "-pk")
        .first()
    )
    carried = []
    if previous is not None:
        carried = MeetingPoint.objects.bulk_create(
            MeetingPoint(meeting=meeting, title=point.title, is_open=True, carried_from=point)
            for point in previous.points.filter(is_open=True)
        )
    audit.record(
        actor=by,
        action="meeting.create",
        target=meeting,
        changes={"starts_at": starts_at, "place": place, "carried_points": len(carried)},
    )
    notifications.meeting_scheduled(meeting)
    return meeting


MEETING_FIELDS = ["starts_at", "place", "agenda", "minutes"]


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, by: User, attendees: Iterable[User] | None = None, **fields: Any
) -> Meeting:
    """Change the date, place, agenda or minutes, and record who attended."""
    unknown = set(fields) - set(MEETING_FIELDS)
    assert not unknown, f"not editable here: {unknown}"
    before = audit.snapshot(meeting, list(fields))
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.save(update_fields=list(fields))
    changes = audit.diff(before, audit.snapshot(meeting, list(fields)))
    if attendees is not None:
        attendees = list(attendees)
        member_ids = set(meeting.taskforce.memberships.values_list("user_id", flat=True))
        if any(person.pk not in member_ids for person in attendees):
            raise ValidationError(_("Only members of the task force can be marked present."))
        old = sorted(meeting.attendees.values_list("username", flat=True))
        meeting.attendees.set(attendees)
        new = sorted(person.username for person in attendees)
        if old != new:
            changes["attendees"] = [old, new]
    if changes:
        audit.record(actor=by, action="meeting.update", target=meeting, changes=changes)
    return meeting


@transaction.atomic
def meeting_point_add(*, meeting: Meeting, by: User, title: str, notes: str = "") -> MeetingPoint:
    point = MeetingPoint.objects.create(meeting=meeting, title=title, notes=notes)
    audit.record(actor=by, action="meeting.point_add", target=meeting, changes={"point": title})
    return point


@transaction.atomic
def meeting_point_set_open(*, point: MeetingPoint, by: User, is_open: bool) -> MeetingPoint:
    if point.is_open != is_open:
        point.is_open = is_open
        point.save(update_fields=["is_open"])
        audit.record(
            actor=by,
            action="meeting.point_open" if is_open else "meeting.point_close",
            target=point.meeting,
            changes={"point": point.title},
        )
    return point


@transaction.atomic
def meeting_decision_add(
    *,
    meeting: Meeting,
    by: User,
    text: str,
    action: Action | None = None,
    new_action: dict[str, Any] | None = None,
) -> MeetingDecision:
    """Record a decision, linked to the action it changes or to a new action it creates."""
    if not text.strip():
        raise ValidationError(_("Write the decision."))
    if action is not None and action.plan.taskforce_id != meeting.taskforce_id:
        raise ValidationError(_("The action belongs to another task force."))
    if new_action:
        action = action_create(plan=plan_ensure(taskforce=meeting.taskforce), by=by, **new_action)
    decision = MeetingDecision.objects.create(
        meeting=meeting, text=text.strip(), action=action, created_by=by
    )
    audit.record(
        actor=by,
        action="meeting.decision",
        target=meeting,
        changes={"decision": decision.text, "action": action.pk if action else None},
        police_judicial=bool(action and action.confidentiality == POLICE_JUDICIAL),
    )
    return decision


# --- Action plans ---------------------------------------------------------------------


@transaction.atomic
def plan_ensure(*, taskforce: TaskForce) -> ActionPlan:
    """The task force's one living plan, with its first draft version (idempotent)."""
    plan, created = ActionPlan.objects.get_or_create(taskforce=taskforce)
    if created or not plan.versions.exists():
        PlanVersion.objects.get_or_create(plan=plan, number=1)
    # Keep the caller's task force object: its cached access (permissions) comes along.
    plan.taskforce = taskforce
    return plan


def current_version(plan: ActionPlan) -> PlanVersion:
    return plan.versions.order_by("-number").first() or PlanVersion.objects.create(
        plan=plan, number=1
    )


def _version_for_change(plan: ActionPlan, *, by: User) -> PlanVersion:
    """The version a change to the plan's content goes into; the plan row must be locked.

    A validated version is frozen: the change opens the next draft. A submitted version
    waits for the CSIR's review and takes no changes.
    """
    version = current_version(plan)
    if version.state == State.SUBMITTED:
        raise ValidationError(
            _("The plan is with the CSIR for review; it can change again once reviewed.")
        )
    if version.state == State.VALIDATED:
        version = PlanVersion.objects.create(plan=plan, number=version.number + 1)
        audit.record(
            actor=by, action="plan.new_version", target=plan, changes={"version": version.number}
        )
    return version


def missing_fields(action: Action | dict[str, Any]) -> list[str]:
    """What an action still lacks to be submitted: lead, due date, horizon, a measure."""
    get = action.get if isinstance(action, dict) else lambda name: getattr(action, name)
    missing = []
    if not get("lead_agency_id"):
        missing.append(_("a lead agency"))
    if not get("due_on"):
        missing.append(_("a due date"))
    if not get("horizon"):
        missing.append(_("a horizon"))
    has_target = get("indicator_id") and get("indicator_target") is not None
    if not (get("deliverable") or "").strip() and not has_target:
        missing.append(_("a deliverable or an indicator target"))
    return missing


def plan_missing(plan: ActionPlan) -> list[str]:
    """Every reason the plan cannot be submitted yet, in the order the editor fixes them."""
    actions = list(plan.actions.exclude(status=Status.CANCELLED).order_by("axis", "due_on", "pk"))
    reasons = []
    covered = {action.axis for action in actions}
    for axis in Axis:
        if axis.value not in covered:
            reasons.append(
                _("No action on the %(axis)s axis: each of the three axes needs one.")
                % {"axis": axis.label}
            )
    for action in actions:
        missing = missing_fields(action)
        if missing:
            reasons.append(
                _("Action “%(title)s” needs %(missing)s.")
                % {"title": action.title, "missing": ", ".join(missing)}
            )
    return reasons


def _lock_plan(plan: ActionPlan) -> ActionPlan:
    return ActionPlan.objects.select_for_update().select_related("taskforce").get(pk=plan.pk)


@transaction.atomic
def plan_submit(*, version: PlanVersion, by: User) -> PlanVersion:
    """Send the current draft (or returned) version to the CSIR coordinator, if it is complete."""
    _lock_plan(version.plan)
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if version != current_version(version.plan):
        raise ValidationError(_("Only the current version of the plan can be submitted."))
    if version.state not in (State.DRAFT, State.RETURNED):
        raise ValidationError(_("This version has already been submitted."))
    reasons = plan_missing(version.plan)
    if reasons:
        raise PlanIncomplete(reasons)
    before = version.state
    version.state = State.SUBMITTED
    version.submitted_at = timezone.now()
    version.submitted_by = by
    version.save(update_fields=["state", "submitted_at", "submitted_by"])
    audit.record(
        actor=by,
        action="plan.submit",
        target=version.plan,
        changes={"version": version.number, "state": [before, State.SUBMITTED]},
    )
    notifications.plan_submitted(version)
    return version


def action_snapshot(action: Action) -> dict[str, Any]:
    """An action's plan fields as JSON: what a validated version freezes."""
    return {
        "id": action.pk,
        "title": action.title,
        "description": action.description,
        "axis": action.axis,
        "lead_agency": action.lead_agency_id,
        "partner_agencies": sorted(agency.pk for agency in action.partner_agencies.all()),
        "start_on": action.start_on.isoformat() if action.start_on else None,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "horizon": action.horizon,
        "deliverable": action.deliverable,
        "indicator": action.indicator_id,
        "indicator_target": (
            str(action.indicator_target) if action.indicator_target is not None else None
        ),
        "confidentiality": action.confidentiality,
        "status": action.status,
        "progress": action.progress,
    }


def _review(version: PlanVersion, by: User) -> PlanVersion:
    if not by.is_active or by.role != User.Role.CSIR_COORDINATOR:
        raise ValidationError(_("Only the CSIR coordinator reviews action plans."))
    _lock_plan(version.plan)
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != State.SUBMITTED:
        raise ValidationError(_("Only a submitted version can be reviewed."))
    return version


@transaction.atomic
def plan_validate(*, version: PlanVersion, by: User, comment: str = "") -> PlanVersion:
    """The CSIR validates the submitted version: its content is frozen in ``snapshot``."""
    version = _review(version, by)
    actions = version.plan.actions.prefetch_related("partner_agencies").order_by("pk")
    version.snapshot = {"actions": [action_snapshot(action) for action in actions]}
    version.state = State.VALIDATED
    version.reviewed_at = timezone.now()
    version.reviewed_by = by
    version.review_comment = comment.strip()
    version.save(
        update_fields=["snapshot", "state", "reviewed_at", "reviewed_by", "review_comment"]
    )
    audit.record(
        actor=by,
        action="plan.validate",
        target=version.plan,
        changes={
            "version": version.number,
            "state": [State.SUBMITTED, State.VALIDATED],
            "actions": len(version.snapshot["actions"]),
        },
    )
    notifications.plan_reviewed(version)
    return version


@transaction.atomic
def plan_return(*, version: PlanVersion, by: User, comment: str) -> PlanVersion:
    """The CSIR sends the version back with comments; the coordinator edits and resubmits."""
    if not comment.strip():
        raise ValidationError(_("Say what must change before the plan can be validated."))
    version = _review(version, by)
    version.state = State.RETURNED
    version.reviewed_at = timezone.now()
    version.reviewed_by = by
    version.review_comment = comment.strip()
    version.save(update_fields=["state", "reviewed_at", "reviewed_by", "review_comment"])
    audit.record(
        actor=by,
        action="plan.return",
        target=version.plan,
        changes={
            "version": version.number,
            "state": [State.SUBMITTED, State.RETURNED],
            "comment": version.review_comment,
        },
    )
    notifications.plan_reviewed(version)
    return version


# --- Actions --------------------------------------------------------------------------


def _check_action(fields: dict[str, Any]) -> None:
    """Rules on an action's plan fields, whoever writes them."""
    start, due = fields.get("start_on"), fields.get("due_on")
    if start and due and due < start:
        raise ValidationError(_("The due date cannot be before the start."))
    lead: Agency | None = fields.get("lead_agency")
    partners: list[Agency] = list(fields.get("partner_agencies") or [])
    if lead is not None and any(partner.pk == lead.pk for partner in partners):
        raise ValidationError(_("The lead agency cannot also be a partner."))
    target = fields.get("indicator_target")
    if target is not None and fields.get("indicator") is None:
        raise ValidationError(_("A target needs a linked indicator."))
    if fields.get("confidentiality") == POLICE_JUDICIAL:
        # Outside the circle nobody may learn the action exists: it must be led and
        # partnered within the circle, and complete from the start, so that no list of
        # what is missing ever has to name it to someone outside.
        agencies = [agency for agency in [lead, *partners] if agency is not None]
        if lead is None or any(not agency.is_police_judicial for agency in agencies):
            raise ValidationError(
                _(
                    "A police-judicial action is led by a police or prosecutor's office, "
                    "and only such agencies can be its partners."
                )
            )
        missing = missing_fields(
            {**fields, "lead_agency_id": lead.pk, "indicator_id": fields.get("indicator")}
        )
        if missing:
            raise ValidationError(
                _("A police-judicial action needs %(missing)s from the start.")
                % {"missing": ", ".join(missing)}
            )


def _plan_values(action: Action) -> dict[str, Any]:
    values = audit.snapshot(action, SCALAR_PLAN_FIELDS)
    values["partner_agencies"] = sorted(str(agency) for agency in action.partner_agencies.all())
    return values


@transaction.atomic
def action_create(
    *,
    plan: ActionPlan,
    by: User,
    axis: str,
    title: str,
    partner_agencies: Iterable[Agency] = (),
    **fields: Any,
) -> Action:
    """Add an action to the plan; in a validated plan, this opens the next draft version."""
    unknown = set(fields) - set(SCALAR_PLAN_FIELDS)
    assert not unknown, f"not an action's plan field: {unknown}"
    partners = list(partner_agencies)
    fields = {"axis": axis, "title": title, **fields}
    _check_action({**fields, "partner_agencies": partners})
    plan = _lock_plan(plan)
    version = _version_for_change(plan, by=by)
    action = Action.objects.create(plan=plan, **fields)
    action.partner_agencies.set(partners)
    audit.record(
        actor=by,
        action="action.create",
        target=action,
        changes={**_plan_values(action), "version": version.number},
        police_judicial=action.confidentiality == POLICE_JUDICIAL,
    )
    return action


@transaction.atomic
def action_update(*, action: Action, by: User, revision: int, **fields: Any) -> Action:
    """Change an action's plan fields, if nobody saved it since ``revision``.

    Raises ActionConflict when the action moved on; a change to a validated plan opens
    the next draft version.
    """
    unknown = set(fields) - set(PLAN_FIELDS)
    assert not unknown, f"not an action's plan field: {unknown}"
    # Lock order: the plan, then the action (action_set_status locks only the action).
    plan = _lock_plan(action.plan)
    # Compare-and-set on the revision: the UPDATE matches only the revision the form was
    # built on, and holds the row until commit, so two saves can never both succeed.
    claimed = Action.objects.filter(pk=action.pk, revision=revision).update(revision=revision + 1)
    current = Action.objects.select_related("lead_agency", "indicator").get(pk=action.pk)
    if not claimed:
        raise ActionConflict(current)
    partners = fields.pop("partner_agencies", None)
    merged = {name: getattr(current, name) for name in SCALAR_PLAN_FIELDS}
    merged.update(fields)
    merged["partner_agencies"] = (
        list(partners) if partners is not None else list(current.partner_agencies.all())
    )
    _check_action(merged)
    before = _plan_values(current)
    for name, value in fields.items():
        setattr(current, name, value)
    if partners is not None:
        current.partner_agencies.set(partners)
    current.save(update_fields=[*fields, "updated_at"])
    changes = audit.diff(before, _plan_values(current))
    if changes:
        version = _version_for_change(plan, by=by)
        audit.record(
            actor=by,
            action="action.update",
            target=current,
            changes={**changes, "version": version.number},
            police_judicial=POLICE_JUDICIAL in (current.confidentiality, before["confidentiality"]),
        )
    return current


@transaction.atomic
def action_set_status(
    *,
    action: Action,
    by: User,
    revision: int,
    status: str,
    progress: int,
    comment: str = "",
) -> ActionUpdate:
    """Move an action on (status, progress) with a dated entry on its timeline.

    Refused with ActionConflict when someone saved the action since ``revision``. A done
    action is at 100 %. This never opens a new plan version.
    """
    if status not in Status.values:
        raise ValidationError(_("Unknown status."))
    if not 0 <= progress <= 100:
        raise ValidationError(_("Progress is a percentage between 0 and 100."))
    comment = comment.strip()
    if status in (Status.BLOCKED, Status.CANCELLED) and not comment:
        raise ValidationError(_("Say why the action is blocked or cancelled."))
    if status == Status.DONE:
        progress = 100

    def conflict() -> ActionConflict:
        return ActionConflict(Action.objects.select_related("lead_agency").get(pk=action.pk))

    if action.revision != revision:
        raise conflict()
    old_status, old_progress = action.status, action.progress
    if status == old_status and progress == old_progress and not comment:
        raise ValidationError(_("Nothing changed: choose a new status or progress, or comment."))
    # Compare-and-set: the UPDATE only matches the revision the form was built on.
    updated = Action.objects.filter(pk=action.pk, revision=revision).update(
        status=status, progress=progress, revision=F("revision") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise conflict()
    action.status, action.progress, action.revision = status, progress, revision + 1
    update = ActionUpdate.objects.create(
        action=action,
        author=by,
        agency=by.agency,
        old_status=old_status if status != old_status else "",
        new_status=status if status != old_status else "",
        progress=progress if progress != old_progress else None,
        comment=comment,
        confidentiality=action.confidentiality,
    )
    audit.record(
        actor=by,
        action="action.status",
        target=action,
        changes={"status": [old_status, status], "progress": [old_progress, progress]},
        police_judicial=action.confidentiality == POLICE_JUDICIAL,
    )
    return update


@transaction.atomic
def action_comment(
    *, action: Action, by: User, comment: str, police_judicial: bool = False
) -> ActionUpdate:
    """A dated note on the action's timeline (lead agency or partner)."""
    comment = comment.strip()
    if not comment:
        raise ValidationError(_("Write the update."))
    if police_judicial and not by.agency.is_police_judicial:
        raise ValidationError(_("Only the police-judicial circle writes police-judicial notes."))
    confidential = police_judicial or action.confidentiality == POLICE_JUDICIAL
    update = ActionUpdate.objects.create(
        action=action,
        author=by,
        agency=by.agency,
        comment=comment,
        confidentiality=POLICE_JUDICIAL if confidential else Action.Confidentiality.TASKFORCE,
    )
    audit.record(
        actor=by,
        action="action.comment",
        target=action,
        changes={"update": update.pk},
        police_judicial=confidential,
    )
    return update


@transaction.atomic
def action_escalate(*, action: Action, by: User, reason: str) -> Escalation:
    """Put a blocked action before the CSIR, with the reason; one open escalation at a time.

    The CSIR is told; of a police-judicial action, only the CSIR coordinator.
    """
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status != Status.BLOCKED:
        raise ValidationError(_("Only a blocked action can be escalated."))
    if not reason.strip():
        raise ValidationError(_("Say what blocks the action and what the CSIR should do."))
    if action.escalations.filter(resolved_at__isnull=True).exists():
        raise ValidationError(_("This action is already escalated to the CSIR."))
    escalation = Escalation.objects.create(action=action, reason=reason.strip(), raised_by=by)
    audit.record(
        actor=by,
        action="action.escalate",
        target=action,
        changes={"reason": escalation.reason},
        police_judicial=action.confidentiality == POLICE_JUDICIAL,
    )
    notifications.action_escalated(escalation)
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, by: User, resolution: str) -> Escalation:
    """The CSIR records how it resolved an escalation (once); the lead agency is told."""
    escalation = (
        Escalation.objects.select_for_update().select_related("action").get(pk=escalation.pk)
    )
    if not policy.is_csir(by):
        raise ValidationError(_("Only the CSIR resolves escalations."))
    if escalation.resolved_at is not None:
        raise ValidationError(_("This escalation is already resolved."))
    if not resolution.strip():
        raise ValidationError(_("Describe the resolution."))
    escalation.resolution = resolution.strip()
    escalation.resolved_by = by
    escalation.resolved_at = timezone.now()
    escalation.save(update_fields=["resolution", "resolved_by", "resolved_at"])
    audit.record(
        actor=by,
        action="action.escalation_resolve",
        target=escalation.action,
        changes={"escalation": escalation.pk, "resolution": escalation.resolution},
        police_judicial=escalation.action.confidentiality == POLICE_JUDICIAL,
    )
    notifications.escalation_resolved(escalation)
    return escalation


def parse_target(value: str | Decimal | None) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value))


def indicator_by_code(code: str) -> IndicatorDefinition | None:
    return IndicatorDefinition.objects.filter(code=code).first()
