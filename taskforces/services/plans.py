"""Writes on action plans: versions, submission to the CSIR, validation and return."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.models import Axis, User
from taskforces import notifications
from taskforces.models import (
    Action,
    ActionPlan,
    PlanVersion,
    TaskForce,
)

State = PlanVersion.State
Status = Action.Status

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


class PlanIncomplete(ValidationError):
    """The plan cannot be submitted; ``reasons`` lists everything that is missing."""

    def __init__(self, reasons: list[str]):
        super().__init__(reasons)
        self.reasons = reasons


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
