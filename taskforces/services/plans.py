"""Writes on action plans: versions, submission to the CSIR, validation and return."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.models import User
from taskforces import notifications
from taskforces.models import (
    Action,
    ActionPlan,
    AnnexVersion,
    PlanVersion,
    TaskForce,
)
from taskforces.permissions import access_for
from taskforces.selectors.plans import (
    action_snapshot,
    annex_actions,
    annex_missing,
    current_annex,
    current_version,
    main_actions,
    plan_missing,
)

State = PlanVersion.State
Status = Action.Status


class PlanIncomplete(ValidationError):
    """The plan cannot be submitted; ``reasons`` lists everything that is missing."""

    def __init__(self, reasons: list[str]):
        super().__init__(reasons)
        self.reasons = reasons


# --- Action plans ---------------------------------------------------------------------


@transaction.atomic
def plan_open(*, taskforce: TaskForce) -> ActionPlan:
    """Open the task force's one living plan with its first draft version (idempotent);
    called when the task force opens, so that reads never have to create it."""
    plan, created = ActionPlan.objects.get_or_create(taskforce=taskforce)
    if created or not plan.versions.exists():
        PlanVersion.objects.get_or_create(plan=plan, number=1)
    # Keep the caller's task force object: its cached access (permissions) comes along.
    plan.taskforce = taskforce
    return plan


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


def _lock_plan(plan: ActionPlan) -> ActionPlan:
    return ActionPlan.objects.select_for_update().select_related("taskforce").get(pk=plan.pk)


@transaction.atomic
def plan_submit(*, version: PlanVersion, by: User) -> PlanVersion:
    """Send the current draft (or returned) version to the CSIR coordinator, if it is complete."""
    if not access_for(by, version.plan.taskforce).can_edit_plan:
        raise PermissionDenied
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


def _review[V: (PlanVersion, AnnexVersion)](version: V, by: User) -> V:
    """The submitted ``version`` (of the plan or of its annex), locked for its review."""
    if not by.is_active or by.role != User.Role.CSIR_COORDINATOR:
        raise ValidationError(_("Only the CSIR coordinator reviews action plans."))
    _lock_plan(version.plan)
    model = type(version)
    version = model.objects.select_for_update().select_related("plan").get(pk=version.pk)
    if version.state != State.SUBMITTED:
        raise ValidationError(_("Only a submitted version can be reviewed."))
    return version


def _reviewed(
    version: PlanVersion | AnnexVersion,
    *,
    by: User,
    state: str,
    comment: str,
    actions: QuerySet[Action] | None = None,
) -> int:
    """Record the review's outcome; a validation freezes ``actions`` in the snapshot.

    Returns how many actions were frozen."""
    fields = ["state", "reviewed_at", "reviewed_by", "review_comment"]
    frozen: list[dict] = []
    if actions is not None:
        ordered = actions.prefetch_related("partner_agencies").order_by("pk")
        frozen = [action_snapshot(action) for action in ordered]
        version.snapshot = {"actions": frozen}
        fields.insert(0, "snapshot")
    version.state = state
    version.reviewed_at = timezone.now()
    version.reviewed_by = by
    version.review_comment = comment.strip()
    version.save(update_fields=fields)
    return len(frozen)


@transaction.atomic
def plan_validate(*, version: PlanVersion, by: User, comment: str = "") -> PlanVersion:
    """The CSIR validates the submitted version: its content is frozen in ``snapshot``."""
    version = _review(version, by)
    # The plan proper only: the annex freezes its own actions when it is validated.
    frozen = _reviewed(
        version, by=by, state=State.VALIDATED, comment=comment, actions=main_actions(version.plan)
    )
    audit.record(
        actor=by,
        action="plan.validate",
        target=version.plan,
        changes={
            "version": version.number,
            "state": [State.SUBMITTED, State.VALIDATED],
            "actions": frozen,
        },
    )
    notifications.plan_reviewed(version)
    _pending_actions(version)
    return version


@transaction.atomic
def plan_return(*, version: PlanVersion, by: User, comment: str) -> PlanVersion:
    """The CSIR sends the version back with comments; the coordinator edits and resubmits."""
    if not comment.strip():
        raise ValidationError(_("Say what must change before the plan can be validated."))
    version = _review(version, by)
    _reviewed(version, by=by, state=State.RETURNED, comment=comment)
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
    _pending_actions(version)
    return version


def _pending_actions(version: PlanVersion) -> None:
    """The plan takes changes again: create the actions meeting decisions proposed while
    it was under review (in the same transaction as the review)."""
    # Imported here: the meeting services build on the action services, which build on
    # these plan services.
    from taskforces.services.meetings import pending_actions_create

    pending_actions_create(plan=version.plan)


# --- The police-judicial annex --------------------------------------------------------
#
# Police-judicial actions form a confidential annex of the plan with its own versions
# (DESIGN.md §8): a change to them goes here and never into the plan everyone else sees
# (its number, state, change list and snapshot). Every audit entry is police-judicial.


def _annex_version_for_change(plan: ActionPlan, *, by: User) -> AnnexVersion:
    """The annex version a change to a police-judicial action goes into (plan row locked).

    The annex opens with its first change; a validated version is frozen and the change
    opens the next draft; a submitted version waits for the CSIR coordinator's review.
    """
    version = current_annex(plan)
    if version is not None and version.state == State.SUBMITTED:
        raise ValidationError(
            _(
                "The police-judicial annex is with the CSIR for review; "
                "it can change again once reviewed."
            )
        )
    if version is None or version.state == State.VALIDATED:
        number = 1 if version is None else version.number + 1
        version = AnnexVersion.objects.create(plan=plan, number=number)
        audit.record(
            actor=by,
            action="plan.annex_new_version",
            target=plan,
            changes={"annex_version": number},
            police_judicial=True,
        )
    return version


def _require_annex_editor(plan: ActionPlan, by: User) -> None:
    if not access_for(by, plan.taskforce).can_edit_annex:
        raise PermissionDenied


@transaction.atomic
def annex_submit(*, plan: ActionPlan, by: User) -> AnnexVersion:
    """Send the annex's current draft (or returned) version to the CSIR coordinator.

    Kept by the circle: its active members (and the CSIR coordinator) submit it. An annex
    whose actions predate its versions is submitted as its first version.
    """
    _require_annex_editor(plan, by)
    plan = _lock_plan(plan)
    version = current_annex(plan) or _annex_version_for_change(plan, by=by)
    if version.state not in (State.DRAFT, State.RETURNED):
        raise ValidationError(_("This version of the annex has already been submitted."))
    reasons = annex_missing(plan)
    if reasons:
        raise PlanIncomplete(reasons)
    before = version.state
    version.state = State.SUBMITTED
    version.submitted_at = timezone.now()
    version.submitted_by = by
    version.save(update_fields=["state", "submitted_at", "submitted_by"])
    audit.record(
        actor=by,
        action="plan.annex_submit",
        target=plan,
        changes={"annex_version": version.number, "state": [before, State.SUBMITTED]},
        police_judicial=True,
    )
    # The CSIR coordinator (in every circle) is told; nobody else learns of the annex.
    notifications.annex_submitted(version)
    return version


@transaction.atomic
def annex_validate(*, version: AnnexVersion, by: User, comment: str = "") -> AnnexVersion:
    """The CSIR coordinator validates the submitted annex: its actions are frozen."""
    version = _review(version, by)
    frozen = _reviewed(
        version, by=by, state=State.VALIDATED, comment=comment, actions=annex_actions(version.plan)
    )
    audit.record(
        actor=by,
        action="plan.annex_validate",
        target=version.plan,
        changes={
            "annex_version": version.number,
            "state": [State.SUBMITTED, State.VALIDATED],
            "actions": frozen,
        },
        police_judicial=True,
    )
    notifications.annex_reviewed(version)
    return version


@transaction.atomic
def annex_return(*, version: AnnexVersion, by: User, comment: str) -> AnnexVersion:
    """The CSIR coordinator sends the annex back to the circle with comments."""
    if not comment.strip():
        raise ValidationError(_("Say what must change before the plan can be validated."))
    version = _review(version, by)
    _reviewed(version, by=by, state=State.RETURNED, comment=comment)
    audit.record(
        actor=by,
        action="plan.annex_return",
        target=version.plan,
        changes={
            "annex_version": version.number,
            "state": [State.SUBMITTED, State.RETURNED],
            "comment": version.review_comment,
        },
        police_judicial=True,
    )
    notifications.annex_reviewed(version)
    return version
