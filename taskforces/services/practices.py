"""Writes on the evaluations of ended actions ("what worked where"): record, revise,
submit to the CSIR, validate or return. Each checks its actor, runs in a transaction and
writes its audit entry (police-judicial when the action is)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.models import User
from coordination.notifications.services import notify, ref
from coordination.people import confidentiality
from hotspots.models import IndicatorDefinition, Phenomenon
from taskforces import notifications, permissions
from taskforces.models import (
    Action,
    ActionEvaluation,
    DrugMarket,
    EvaluationPhenomenon,
    EvaluationVersion,
)
from taskforces.services.translations import content_language

State = EvaluationVersion.State
OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.RETURNED)
# The fields of a version the task force writes (audited as a diff).
CONTENT_FIELDS = [
    "effect",
    "mechanism",
    "market",
    "context_notes",
    "implementation_notes",
    "cost_eur",
    "person_days",
    "language",
    "mechanism_translation",
    "context_notes_translation",
    "implementation_notes_translation",
]
MAX_COST = Decimal("9999999999.99")
MAX_PERSON_DAYS = Decimal("9999999.9")


def _pj(action: Action) -> bool:
    return confidentiality.is_confidential(action)


def _tell(action: Action, kind: str, recipients: Iterable[User]) -> None:
    """A notification stored as references (the title is read in each reader's language)."""
    notify(
        recipients=recipients,
        kind=kind,
        params={
            **notifications.taskforce_params(action.plan.taskforce),
            "action": ref(action, "title"),
        },
        url=reverse("taskforces:evaluation", args=[action.pk]),
    )


def _tell_authors(action: Action, version: EvaluationVersion, kind: str) -> None:
    """The review reaches the members of the lead agency (within the circle, for a
    police-judicial action) and whoever wrote or submitted the version."""
    authors = [person for person in (version.written_by, version.submitted_by) if person]
    _tell(action, kind, [*notifications.lead_agency_members(action), *authors])


def _check(
    *,
    effect: str,
    mechanism: str,
    market: str,
    cost_eur: Decimal | None,
    person_days: Decimal | None,
    phenomena: Iterable[str],
) -> None:
    if effect not in EvaluationVersion.Effect.values:
        raise ValidationError(_("Choose the effect observed from the list."))
    if market not in DrugMarket.values:
        raise ValidationError(_("Choose the kind of drug market from the list."))
    if not mechanism.strip():
        raise ValidationError(_("Say why the action worked, or why it did not."))
    if cost_eur is not None and not Decimal(0) <= cost_eur <= MAX_COST:
        raise ValidationError(_("The cost is an amount in euros, zero or more."))
    if person_days is not None and not Decimal(0) <= person_days <= MAX_PERSON_DAYS:
        raise ValidationError(_("The person-days are a number, zero or more."))
    if any(code not in Phenomenon.values for code in phenomena):
        raise ValidationError(_("Choose the phenomena from the list."))


def _lock(action: Action) -> ActionEvaluation | None:
    """The action's evaluation, locked (two authors of one evaluation wait here)."""
    Action.objects.select_for_update().filter(pk=action.pk).first()
    return ActionEvaluation.objects.select_for_update().filter(action=action).first()


@transaction.atomic
def evaluation_save(
    *,
    action: Action,
    by: User,
    effect: str,
    mechanism: str,
    market: str,
    context_notes: str = "",
    implementation_notes: str = "",
    cost_eur: Decimal | None = None,
    person_days: Decimal | None = None,
    phenomena: Iterable[str] = (),
    indicators: Iterable[IndicatorDefinition] = (),
    language: str | None = None,
    translations: Mapping[str, str] | None = None,
) -> EvaluationVersion:
    """Record the evaluation of an ended action, or revise it.

    The open version (a draft, or one the CSIR returned) takes the change; a validated
    version is frozen, so revising it opens the next version (the validated one stays in
    the library until the CSIR validates the new one). A version with the CSIR takes none.
    The action's own indicator is always among the indicators behind it.
    """
    access = permissions.access_for(by, action.plan.taskforce)
    if not permissions.can_see_action(access, action) or not permissions.can_edit_action(
        access, action
    ):
        raise PermissionDenied
    action = Action.objects.select_related("plan__taskforce", "indicator").get(pk=action.pk)
    if action.status not in permissions.ENDED_STATUSES:
        raise ValidationError(_("An action is evaluated once it is done or cancelled."))
    phenomena = sorted(set(phenomena))
    _check(
        effect=effect,
        mechanism=mechanism,
        market=market,
        cost_eur=cost_eur,
        person_days=person_days,
        phenomena=phenomena,
    )
    evaluation = _lock(action)
    created = evaluation is None
    if evaluation is None:
        evaluation = ActionEvaluation.objects.create(action=action, created_by=by)
    version = evaluation.versions.filter(state__in=OPEN_STATES).first()
    if version is not None and version.state == State.SUBMITTED:
        raise ValidationError(
            _("The evaluation is with the CSIR for review; it can change again once reviewed.")
        )
    before: dict[str, Any] = {}
    if version is None:
        number = (evaluation.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = EvaluationVersion(evaluation=evaluation, number=number, written_by=by)
    else:
        before = audit.snapshot(version, CONTENT_FIELDS)
        before["phenomena"] = list(version.phenomena.values_list("phenomenon", flat=True))
        before["indicators"] = sorted(version.indicators.values_list("code", flat=True))
    version.effect = effect
    version.mechanism = mechanism.strip()
    version.market = market
    version.context_notes = context_notes.strip()
    version.implementation_notes = implementation_notes.strip()
    version.cost_eur = cost_eur
    version.person_days = person_days
    version.language = content_language(language)
    for name in ("mechanism", "context_notes", "implementation_notes"):
        key = f"{name}_translation"
        if translations is not None and key in translations:
            setattr(version, key, (translations[key] or "").strip())
    version.written_by = by
    version.save()
    version.phenomena.all().delete()
    EvaluationPhenomenon.objects.bulk_create(
        EvaluationPhenomenon(version=version, phenomenon=code) for code in phenomena
    )
    chosen = {indicator.pk: indicator for indicator in indicators}
    if action.indicator is not None:
        chosen.setdefault(action.indicator.pk, action.indicator)
    version.indicators.set(list(chosen.values()))
    after = audit.snapshot(version, CONTENT_FIELDS)
    after["phenomena"] = phenomena
    after["indicators"] = sorted(indicator.code for indicator in chosen.values())
    audit.record(
        actor=by,
        action="evaluation.record" if created else "evaluation.revise",
        target=evaluation,
        changes={"version": version.number, **audit.diff(before, after)},
        police_judicial=_pj(action),
    )
    return version


@transaction.atomic
def evaluation_submit(*, action: Action, by: User) -> EvaluationVersion:
    """Send the open version (a draft, or one returned) to the CSIR coordinator."""
    access = permissions.access_for(by, action.plan.taskforce)
    if not permissions.can_record_evaluation(access, action):
        raise PermissionDenied
    evaluation = _lock(action)
    version = (
        evaluation.versions.filter(state__in=(State.DRAFT, State.RETURNED)).first()
        if evaluation is not None
        else None
    )
    if version is None:
        raise ValidationError(_("There is no draft of the evaluation to submit."))
    before = version.state
    version.state = State.SUBMITTED
    version.submitted_at = timezone.now()
    version.submitted_by = by
    version.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
    audit.record(
        actor=by,
        action="evaluation.submit",
        target=version.evaluation,
        changes={"version": version.number, "state": [before, State.SUBMITTED]},
        police_judicial=_pj(action),
    )
    # The CSIR coordinator validates (and sees every circle's items).
    _tell(action, "evaluation_submitted", notifications.csir_coordinators())
    return version


def _submitted(action: Action, by: User) -> EvaluationVersion:
    if not permissions.can_review_evaluation(by):
        raise ValidationError(_("Only the CSIR coordinator validates evaluations."))
    evaluation = _lock(action)
    version = (
        evaluation.versions.filter(state=State.SUBMITTED).first()
        if evaluation is not None
        else None
    )
    if version is None:
        raise ValidationError(_("Only a submitted evaluation can be reviewed."))
    return version


def _reviewed(
    version: EvaluationVersion, *, by: User, state: str, comment: str, language: str | None
) -> None:
    version.state = state
    version.reviewed_at = timezone.now()
    version.reviewed_by = by
    version.review_comment = comment.strip()
    version.review_comment_language = content_language(language)
    version.save(
        update_fields=[
            "state",
            "reviewed_at",
            "reviewed_by",
            "review_comment",
            "review_comment_language",
            "updated_at",
        ]
    )


@transaction.atomic
def evaluation_validate(
    *, action: Action, by: User, comment: str = "", language: str | None = None
) -> EvaluationVersion:
    """The CSIR coordinator validates the submitted version: it enters the shared library
    in place of the version validated before (kept, marked superseded)."""
    version = _submitted(action, by)
    now = timezone.now()
    previous = list(
        EvaluationVersion.objects.filter(
            evaluation=version.evaluation, state=State.VALIDATED, superseded_at__isnull=True
        ).values_list("number", flat=True)
    )
    EvaluationVersion.objects.filter(
        evaluation=version.evaluation, state=State.VALIDATED, superseded_at__isnull=True
    ).update(superseded_at=now)
    _reviewed(version, by=by, state=State.VALIDATED, comment=comment, language=language)
    audit.record(
        actor=by,
        action="evaluation.validate",
        target=version.evaluation,
        changes={
            "version": version.number,
            "state": [State.SUBMITTED, State.VALIDATED],
            **({"superseded": previous} if previous else {}),
        },
        police_judicial=_pj(action),
    )
    _tell_authors(action, version, "evaluation_validated")
    return version


@transaction.atomic
def evaluation_return(
    *, action: Action, by: User, comment: str, language: str | None = None
) -> EvaluationVersion:
    """The CSIR coordinator sends the version back with a comment; the task force revises
    it and submits it again."""
    if not comment.strip():
        raise ValidationError(_("Say what must change before the evaluation can be validated."))
    version = _submitted(action, by)
    _reviewed(version, by=by, state=State.RETURNED, comment=comment, language=language)
    audit.record(
        actor=by,
        action="evaluation.return",
        target=version.evaluation,
        changes={
            "version": version.number,
            "state": [State.SUBMITTED, State.RETURNED],
            "comment": version.review_comment,
        },
        police_judicial=_pj(action),
    )
    _tell_authors(action, version, "evaluation_returned")
    return version
