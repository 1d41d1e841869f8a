"""Writes of the CoReS record: meetings and the decisions taken there.

Decisions are never changed or deleted once recorded (the record of decisions, DESIGN.md
§5); a wrong decision is corrected by a later one. A decision to extend the strategy opens
its next period through ``coordination.services.strategy_extend``, so recording it changes
the period in force.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core import bounds
from coordination.models import CoresDecision, CoresMeeting, Strategy, StrategyPeriod, User
from coordination.regional.cores import permissions as cores_permissions
from coordination.strategy import selectors, services

Kind = CoresDecision.Kind
MEETING_FIELDS = ["held_on", "kind", "occasion", "attendees", "agenda"]


def _check_recorder(by: User) -> None:
    if not cores_permissions.can_record_cores(by):
        raise PermissionDenied


def _check_meeting(kind: str, occasion: str) -> None:
    if kind not in CoresMeeting.Kind.values:
        raise ValidationError(_("Unknown kind of meeting."))
    if kind == CoresMeeting.Kind.EXTRAORDINARY and not occasion.strip():
        raise ValidationError(_("Say what occasioned the extraordinary meeting."))


@transaction.atomic
def cores_meeting_create(
    *,
    by: User,
    held_on: dt.date,
    kind: str = CoresMeeting.Kind.ORDINARY,
    occasion: str = "",
    attendees: str = "",
    agenda: str = "",
) -> CoresMeeting:
    """Record a CoReS meeting (held or planned); only the CSIR records them."""
    _check_recorder(by)
    _check_meeting(kind, occasion)
    bounds.check_date(held_on, bounds.CORES_MEETING)
    meeting = CoresMeeting.objects.create(
        held_on=held_on,
        kind=kind,
        occasion=occasion.strip(),
        attendees=attendees.strip(),
        agenda=agenda.strip(),
        created_by=by,
    )
    audit.record(
        actor=by,
        action="cores.meeting_create",
        target=meeting,
        changes=audit.snapshot(meeting, MEETING_FIELDS),
    )
    return meeting


@transaction.atomic
def cores_meeting_update(
    *,
    meeting: CoresMeeting,
    by: User,
    held_on: dt.date,
    kind: str,
    occasion: str = "",
    attendees: str = "",
    agenda: str = "",
) -> CoresMeeting:
    """Correct a meeting's date, kind, attendees or agenda; its decisions stay as they are."""
    _check_recorder(by)
    _check_meeting(kind, occasion)
    meeting = CoresMeeting.objects.select_for_update().get(pk=meeting.pk)
    if held_on != meeting.held_on:
        bounds.check_date(held_on, bounds.CORES_MEETING)
    if held_on != meeting.held_on and meeting.decisions.filter(period__isnull=False).exists():
        # The period's decision date is that of the meeting: moving one would rewrite it.
        raise ValidationError(
            _("This meeting opened a strategy period: its date can no longer change.")
        )
    before = audit.snapshot(meeting, MEETING_FIELDS)
    meeting.held_on, meeting.kind = held_on, kind
    meeting.occasion, meeting.attendees = occasion.strip(), attendees.strip()
    meeting.agenda = agenda.strip()
    changes = audit.diff(before, audit.snapshot(meeting, MEETING_FIELDS))
    if changes:
        meeting.save(update_fields=list(changes))
        audit.record(actor=by, action="cores.meeting_update", target=meeting, changes=changes)
    return meeting


def _latest_strategy() -> Strategy | None:
    return Strategy.objects.order_by("-adopted_on", "-id").first()


def _check_existing_period(period: StrategyPeriod, meeting: CoresMeeting, kind: str) -> None:
    if kind not in (Kind.ADOPT, Kind.EXTEND):
        raise ValidationError(_("Only an adoption or an extension opens a strategy period."))
    if (kind == Kind.ADOPT) != (period.number == 1):
        raise ValidationError(_("An adoption opens the first period, an extension a later one."))
    if period.decided_on != meeting.held_on:
        raise ValidationError(_("The period was not decided on the date of this meeting."))
    if CoresDecision.objects.filter(period=period).exists():
        raise ValidationError(_("Another decision already opened this period."))


def _open_period(
    *,
    meeting: CoresMeeting,
    by: User,
    kind: str,
    strategy: Strategy | None,
    title_fr: str,
    title_nl: str,
) -> StrategyPeriod | None:
    """The period the decision opens: a new strategy's first one, or the next one."""
    if kind == Kind.ADOPT:
        if not (title_fr.strip() and title_nl.strip()):
            raise ValidationError(_("Give the strategy's title in French and in Dutch."))
        adopted = services.strategy_adopt(
            title_fr=title_fr.strip(), title_nl=title_nl.strip(), adopted_on=meeting.held_on, by=by
        )
        return adopted.periods.get(number=1)
    if kind == Kind.EXTEND:
        strategy = strategy or _latest_strategy()
        if strategy is None:
            raise ValidationError(_("No strategy has been adopted: it cannot be extended."))
        if CoresDecision.objects.filter(
            meeting=meeting, kind=Kind.EXTEND, period__strategy=strategy
        ).exists():
            raise ValidationError(_("This meeting already extended the strategy."))
        return services.strategy_extend(strategy=strategy, decided_on=meeting.held_on, by=by)
    return None


@transaction.atomic
def cores_decision_record(
    *,
    meeting: CoresMeeting,
    by: User,
    kind: str,
    text: str,
    strategy: Strategy | None = None,
    title_fr: str = "",
    title_nl: str = "",
    period: StrategyPeriod | None = None,
) -> CoresDecision:
    """Record a decision of ``meeting``; never changed afterwards.

    - ``adopt`` adopts a new strategy titled ``title_fr``/``title_nl`` on the meeting date;
    - ``extend`` extends ``strategy`` (the latest one by default) by six months, which
      opens its next period and so changes the period in force;
    - ``period``: for a decision taken before the portal recorded it, the period already
      entered that it opened (decided on the meeting date, not linked yet); nothing new
      is adopted or extended then.
    """
    _check_recorder(by)
    if kind not in Kind.values:
        raise ValidationError(_("Unknown kind of decision."))
    if not text.strip():
        raise ValidationError(_("Write the decision."))
    if meeting.held_on > selectors.today():
        raise ValidationError(_("Decisions are recorded once the meeting has been held."))
    if period is not None:
        _check_existing_period(period, meeting, kind)
    else:
        period = _open_period(
            meeting=meeting,
            by=by,
            kind=kind,
            strategy=strategy,
            title_fr=title_fr,
            title_nl=title_nl,
        )
    decision = CoresDecision.objects.create(
        meeting=meeting, kind=kind, text=text.strip(), period=period, created_by=by
    )
    changes = {"meeting": meeting.held_on, "kind": kind, "text": decision.text}
    if period is not None:
        changes |= {"period": period.number, "ends_on": period.ends_on}
    audit.record(actor=by, action="cores.decision", target=decision, changes=changes)
    return decision
