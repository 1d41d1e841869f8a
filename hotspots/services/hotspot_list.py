"""Writes on the strategy's hotspot list: its changes (add, hold, close, reopen) and the
exit criteria of a hotspot in the hold phase with their reviews.

A hotspot's phase changes only here, each change with its source (a CoReS decision, a
regional police order or its amendment, the mayors' approval), audited, never deleted: a
mistaken change is followed by the change that puts it right.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core import bounds
from coordination.models import CoresDecision, CoresMeeting, User
from coordination.people import permissions as policy
from hotspots.models import (
    ExitCriterion,
    ExitCriterionReview,
    Hotspot,
    HotspotListChange,
    HotspotPhase,
    PoliceOrder,
)
from hotspots.services.hotspots import content_language

Change = HotspotListChange.Change
Source = HotspotListChange.Source
Phase = HotspotPhase

#: The phases a hotspot may be in before each change (``None``: never on the list).
ALLOWED_FROM: dict[str, tuple[str | None, ...]] = {
    Change.ADD: (None,),
    Change.HOLD: (Phase.INTENSIVE,),
    Change.CLOSE: (Phase.INTENSIVE, Phase.HOLD),
    Change.REOPEN: (Phase.HOLD, Phase.EXITED),
}
#: A hotspot enters the list once its mayors approved it.
LISTABLE_STATUSES = (Hotspot.Status.APPROVED, Hotspot.Status.ACTIVE, Hotspot.Status.CLOSED)


def can_record(user: User) -> bool:
    """Only the CSIR keeps the list's history and the exit criteria."""
    return policy.is_csir(user)


def _check_recorder(by: User) -> None:
    if not can_record(by):
        raise PermissionDenied


def _check_source(
    source_kind: str, cores_decision: CoresDecision | None, police_order: PoliceOrder | None
) -> None:
    """A change names the decision or the order behind it: never a change without one."""
    if source_kind == Source.CORES_DECISION and cores_decision is None:
        raise ValidationError(
            {"cores_decision": _("Name the CoReS decision that changed the list.")}
        )
    if source_kind == Source.ORDER_AMENDMENT and police_order is None:
        raise ValidationError({"police_order": _("Name the police order that changed the list.")})
    if source_kind not in Source.values:
        raise ValidationError({"source_kind": _("Say what changed the list.")})
    if police_order is not None and police_order.scope != PoliceOrder.Scope.REGIONAL:
        raise ValidationError({"police_order": _("The list is set by the regional order.")})


def _last_change(hotspot: Hotspot) -> HotspotListChange | None:
    return hotspot.list_changes.order_by("-in_force_on", "-id").first()


@transaction.atomic
def list_change_record(
    *,
    hotspot: Hotspot,
    by: User,
    change: str,
    source_kind: str,
    in_force_on: dt.date,
    decided_on: dt.date | None = None,
    cores_decision: CoresDecision | None = None,
    police_order: PoliceOrder | None = None,
    note: str = "",
    language: str | None = None,
    note_translation: str = "",
) -> HotspotListChange:
    """Record one change of the hotspot list, in force from ``in_force_on``.

    ``decided_on`` defaults to the date of the source (the CoReS meeting, the order's
    signature), else to ``in_force_on``. Changes are recorded in the order they came into
    force: a change dated before the hotspot's last one is refused (the history is never
    rewritten), as is a change its current phase does not allow (holding a hotspot that
    is not on the list)."""
    _check_recorder(by)
    hotspot = Hotspot.objects.select_for_update().get(pk=hotspot.pk)
    if change not in Change.values:
        raise ValidationError({"change": _("Choose the change.")})
    _check_source(source_kind, cores_decision, police_order)
    # Only the reference that matches the kind is kept: a form may send both.
    if source_kind != Source.CORES_DECISION:
        cores_decision = None
    if source_kind != Source.ORDER_AMENDMENT:
        police_order = None
    if decided_on is None:
        if cores_decision is not None:
            decided_on = cores_decision.meeting.held_on
        elif police_order is not None:
            decided_on = police_order.signed_on
        else:
            decided_on = in_force_on
    for name, day in (("decided_on", decided_on), ("in_force_on", in_force_on)):
        try:
            bounds.check_date(day, bounds.POLICE_ORDER)
        except ValidationError as error:
            raise ValidationError({name: error.messages}) from None
    if in_force_on < decided_on:
        raise ValidationError(
            {"in_force_on": _("A change comes into force on or after the day it was decided.")}
        )
    if hotspot.status not in LISTABLE_STATUSES:
        raise ValidationError(_("Only a hotspot its mayors approved can be on the list."))
    if source_kind == Source.MAYORS_APPROVAL and change != Change.ADD:
        raise ValidationError(
            {"source_kind": _("The mayors' approval only puts a hotspot on the list.")}
        )
    last = _last_change(hotspot)
    if last is not None and in_force_on <= last.in_force_on:
        raise ValidationError(
            {
                "in_force_on": _(
                    "The hotspot's last change came into force on %(date)s: a new change "
                    "comes into force after it."
                )
                % {"date": last.in_force_on.strftime("%d/%m/%Y")}
            }
        )
    before = last.phase if last is not None else None
    if before not in ALLOWED_FROM[change]:
        raise ValidationError({"change": _("This change does not fit the hotspot's phase.")})
    row = HotspotListChange.objects.create(
        hotspot=hotspot,
        change=change,
        decided_on=decided_on,
        in_force_on=in_force_on,
        source_kind=source_kind,
        cores_decision=cores_decision,
        police_order=police_order,
        note=note.strip(),
        note_translation=note_translation.strip(),
        language=content_language(language),
        recorded_by=by,
    )
    audit.record(
        actor=by,
        action="hotspot.list_change",
        target=hotspot,
        changes={
            "change": change,
            "phase": [before, row.phase],
            "decided_on": decided_on,
            "in_force_on": in_force_on,
            "source_kind": source_kind,
            "cores_decision": cores_decision.pk if cores_decision else None,
            "police_order": police_order.pk if police_order else None,
            "note": row.note,
        },
    )
    return row


@transaction.atomic
def exit_criterion_add(
    *,
    hotspot: Hotspot,
    by: User,
    text: str,
    language: str | None = None,
    text_translation: str = "",
) -> ExitCriterion:
    """Add an exit criterion to a hotspot (the CSIR, for the CoReS to review)."""
    _check_recorder(by)
    if not text.strip():
        raise ValidationError({"text": _("Write the criterion.")})
    last = hotspot.exit_criteria.order_by("-position").values_list("position", flat=True).first()
    criterion = ExitCriterion.objects.create(
        hotspot=hotspot,
        position=(last or 0) + 1,
        text=text.strip(),
        text_translation=text_translation.strip(),
        language=content_language(language),
        created_by=by,
    )
    audit.record(
        actor=by,
        action="hotspot.exit_criterion_add",
        target=hotspot,
        changes={"criterion": criterion.position, "text": criterion.text},
    )
    return criterion


@transaction.atomic
def exit_criterion_review(
    *,
    criterion: ExitCriterion,
    by: User,
    met: bool,
    reviewed_on: dt.date | None = None,
    meeting: CoresMeeting | None = None,
    note: str = "",
    language: str | None = None,
    note_translation: str = "",
) -> ExitCriterionReview:
    """Record whether a criterion is met, reviewed at ``meeting`` (its date) or on
    ``reviewed_on`` (default: today). Earlier reviews stay: the latest is the status."""
    _check_recorder(by)
    if meeting is not None:
        reviewed_on = meeting.held_on
    reviewed_on = reviewed_on or timezone.localdate()
    bounds.check_date(reviewed_on, bounds.CORES_MEETING)
    review = ExitCriterionReview.objects.create(
        criterion=criterion,
        met=met,
        reviewed_on=reviewed_on,
        meeting=meeting,
        note=note.strip(),
        note_translation=note_translation.strip(),
        language=content_language(language),
        reviewed_by=by,
    )
    changes: dict[str, Any] = {
        "criterion": criterion.position,
        "met": met,
        "reviewed_on": reviewed_on,
        "meeting": meeting.pk if meeting else None,
    }
    audit.record(
        actor=by, action="hotspot.exit_criterion_review", target=criterion.hotspot, changes=changes
    )
    return review
