"""Writes on the register of police orders: record an amendment (with its publication
checklist), tick a publication step, remind the owners of pending steps.

Orders are legal acts: amendments and steps are never deleted nor undone, and every
write is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core import bounds, workdays
from coordination.core.dates import long_date
from coordination.models import Agency, Commune, User
from coordination.notifications.services import notify, ref
from hotspots.models import (
    Hotspot,
    MeasureType,
    OrderAmendment,
    PoliceOrder,
    PublicationStep,
    PublicationStepReminder,
)
from hotspots.permissions import can_amend_order, can_tick_step
from hotspots.selectors.order_register import pending_steps
from hotspots.services.hotspots import content_language

Kind = OrderAmendment.Kind
Step = PublicationStep.Kind

# Working days after the signature by which each step is due (posting: the day the
# amendment comes into force, or these days after the signature if that is later).
DUE_WORKING_DAYS: dict[str, int] = {
    Step.MAYORS: 2,
    Step.CRISIS_CENTRE: 2,
    Step.POSTED: 3,
    Step.MONITEUR: 10,
}

AMENDMENT_FIELDS = [
    "kind",
    "signed_on",
    "valid_from",
    "valid_until",
    "measures",
    "measure_details",
    "summary",
    "language",
    "summary_translation",
    "measure_details_translation",
]


def _validate(amendment: OrderAmendment, previous: OrderAmendment | None, covered: int) -> None:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in ("signed_on", "valid_from", "valid_until"):
        if not bounds.POLICE_ORDER.contains(getattr(amendment, name)):
            errors.setdefault(name, []).extend(bounds.POLICE_ORDER.error().messages)
    if amendment.valid_until < amendment.valid_from:
        add("valid_until", _("An order cannot end before it starts."))
    if amendment.signed_on > amendment.valid_until:
        add("signed_on", _("An amendment is signed before the end of the period it sets."))
    if amendment.kind not in Kind.values:
        add("kind", _("Choose the kind of change."))
    elif (amendment.number == 0) != (amendment.kind == Kind.ORIGINAL):
        if amendment.number == 0:
            add("kind", _("The first entry of an order's register is its original text."))
        else:
            add("kind", _("The original text is already recorded: this is an amendment."))
    if not amendment.measures:
        add("measures", _("Choose at least one measure."))
    elif set(amendment.measures) - set(MeasureType.values):
        add("measures", _("Unknown measure."))
    if covered == 0:
        add("hotspots", _("Choose the hotspots the order covers."))
    if previous is not None and amendment.signed_on < previous.signed_on:
        add(
            "signed_on",
            _("An amendment is signed on or after the previous one (%(date)s).")
            % {"date": long_date(previous.signed_on)},
        )
    if errors:
        raise ValidationError(errors)


def _commune_owner(commune: Commune, fallback: Agency) -> dict[str, Any]:
    """Who posts the order in ``commune``: the commune's own agency, else its mayor."""
    agency = Agency.objects.filter(kind=Agency.Kind.COMMUNE, commune=commune).order_by("pk").first()
    if agency is not None:
        return {"owner_agency": agency}
    mayor = (
        User.objects.filter(role=User.Role.MAYOR, commune=commune, is_active=True)
        .order_by("pk")
        .first()
    )
    return {"owner_user": mayor} if mayor is not None else {"owner_agency": fallback}


def _checklist(amendment: OrderAmendment, hotspots: list[Hotspot], *, by: User) -> int:
    """Create the amendment's publication steps; returns how many.

    A regional order is published in the Moniteur belge and e-mailed to the mayors; a
    local one is published by its posting. Every commune of a covered hotspot posts it;
    the National Crisis Centre receives every order.
    """
    signed = amendment.signed_on

    def due(kind: str) -> dt.date:
        return workdays.add_working_days(signed, DUE_WORKING_DAYS[kind])

    own = {"owner_agency": by.agency}
    steps = []
    if amendment.order.scope == PoliceOrder.Scope.REGIONAL:
        steps.append(PublicationStep(kind=Step.MONITEUR, due_on=due(Step.MONITEUR), **own))
        steps.append(PublicationStep(kind=Step.MAYORS, due_on=due(Step.MAYORS), **own))
    communes = {c.pk: c for hotspot in hotspots for c in hotspot.communes.all()}
    for commune in sorted(communes.values(), key=lambda c: c.name_fr):
        steps.append(
            PublicationStep(
                kind=Step.POSTED,
                commune=commune,
                due_on=max(amendment.valid_from, due(Step.POSTED)),
                **_commune_owner(commune, by.agency),
            )
        )
    steps.append(PublicationStep(kind=Step.CRISIS_CENTRE, due_on=due(Step.CRISIS_CENTRE), **own))
    for step in steps:
        step.amendment = amendment
    PublicationStep.objects.bulk_create(steps)
    return len(steps)


@transaction.atomic
def amendment_record(
    *,
    order: PoliceOrder,
    by: User,
    kind: str,
    signed_on: dt.date,
    valid_from: dt.date,
    valid_until: dt.date,
    measures: Iterable[str],
    hotspots: Iterable[Hotspot] = (),
    summary: str = "",
    measure_details: str = "",
    language: str | None = None,
    summary_translation: str = "",
    measure_details_translation: str = "",
) -> OrderAmendment:
    """Record the original text (first entry) or an amendment or extension of ``order``, as
    the full state it sets (period, measures, hotspots covered), with its publication
    checklist. A local order covers its own hotspot whatever ``hotspots`` says.

    Raises ValidationError (by field) when a rule is broken, PermissionDenied when ``by``
    may not amend the order.
    """
    # The lock numbers the amendments one after the other when two are recorded at once.
    order = (
        PoliceOrder.objects.select_for_update(of=("self",))
        .select_related("hotspot")
        .get(pk=order.pk)
    )
    if not can_amend_order(by, order):
        raise PermissionDenied
    previous = order.amendments.order_by("-number").first()
    covered = (
        [order.hotspot]
        if order.hotspot is not None
        else sorted(set(hotspots), key=lambda hotspot: hotspot.code)
    )
    covered_ids = [hotspot.pk for hotspot in covered]
    covered = list(
        Hotspot.objects.filter(pk__in=covered_ids).prefetch_related("communes").order_by("code")
    )
    amendment = OrderAmendment(
        order=order,
        number=previous.number + 1 if previous else 0,
        kind=kind,
        signed_on=signed_on,
        valid_from=valid_from,
        valid_until=valid_until,
        measures=list(measures),
        measure_details=measure_details.strip(),
        summary=summary.strip(),
        language=content_language(language),
        summary_translation=summary_translation.strip(),
        measure_details_translation=measure_details_translation.strip(),
        created_by=by,
    )
    _validate(amendment, previous, len(covered))
    amendment.save()
    amendment.hotspots.set(covered)
    count = _checklist(amendment, covered, by=by)
    changes: dict[str, Any] = audit.snapshot(amendment, AMENDMENT_FIELDS)
    changes.update(
        amendment=amendment.number,
        hotspots=[hotspot.code for hotspot in covered],
        publication_steps=count,
    )
    audit.record(actor=by, action="order.amend", target=order, changes=changes)
    return amendment


@transaction.atomic
def step_mark_done(*, step: PublicationStep, by: User, done_on: dt.date) -> PublicationStep:
    """Record that a publication step was done on ``done_on`` (not in the future, not
    before the amendment was signed). Once only: a step done is never undone.

    Raises PermissionDenied when ``by`` may not tick this step (a commune ticks only its
    own posting) and ValidationError when it is already done or the date is wrong.
    """
    step = (
        PublicationStep.objects.select_for_update(of=("self",))
        .select_related("amendment__order__hotspot", "commune")
        .get(pk=step.pk)
    )
    order = step.amendment.order
    if not can_tick_step(by, step, order):
        raise PermissionDenied
    if step.done_on is not None:
        raise ValidationError(
            _("This step is already done (%(date)s).") % {"date": long_date(step.done_on)},
            code="done",
        )
    today = timezone.localdate()
    if done_on > today:
        raise ValidationError({"done_on": [_("A step cannot be done in the future.")]})
    if done_on < step.amendment.signed_on:
        raise ValidationError(
            {
                "done_on": [
                    _("A step is done on or after the day the text was signed (%(date)s).")
                    % {"date": long_date(step.amendment.signed_on)}
                ]
            }
        )
    step.done_on = done_on
    step.done_by = by
    step.done_at = timezone.now()
    step.save(update_fields=["done_on", "done_by", "done_at"])
    audit.record(
        actor=by,
        action="order.publication_step",
        target=order,
        changes={
            "amendment": step.amendment.number,
            "step": step.kind,
            "commune": str(step.commune) if step.commune else None,
            "done_on": [None, done_on.isoformat()],
        },
    )
    return step


# --- Reminders --------------------------------------------------------------------------


def step_owners(step: PublicationStep) -> list[User]:
    """Who is reminded of ``step``: its named owner, its owning agency's people and, for a
    posting, the commune's mayors."""
    condition = Q()
    if step.owner_user_id is not None:
        condition |= Q(pk=step.owner_user_id)
    if step.owner_agency_id is not None:
        condition |= Q(agency_id=step.owner_agency_id)
    if step.kind == Step.POSTED and step.commune_id is not None:
        condition |= Q(role=User.Role.MAYOR, commune_id=step.commune_id)
    if not condition:
        return []
    return list(User.objects.filter(condition, is_active=True).order_by("pk"))


def week_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week: a pending step is reminded at most once a week."""
    return day - dt.timedelta(days=day.weekday())


def remind_pending_steps(*, on: dt.date) -> int:
    """Remind the owners of every step due by ``on`` and not done; returns how many people
    were told. Idempotent per step and week: the reminder row is created in the same
    transaction as the notifications, so a re-run tells nobody twice."""
    told = 0
    week = week_of(on)
    for step in pending_steps(on):
        with transaction.atomic():
            _, created = PublicationStepReminder.objects.get_or_create(step=step, week=week)
            if not created:
                continue
            order = step.amendment.order
            told += len(
                notify(
                    recipients=step_owners(step),
                    kind="order_step_pending",
                    params={
                        "order": order.title_fr,
                        "order_nl": order.title_nl,
                        "step": ref(step),
                        "date": step.due_on.isoformat(),
                    },
                    url=f"{reverse('hotspots:order_register')}#step-{step.pk}",
                )
            )
    return told
