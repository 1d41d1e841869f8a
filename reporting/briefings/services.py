"""Writes on CoReS briefings: prepare (draft), write the decisions asked, freeze.

The CSIR coordinator prepares a briefing and the decisions the CoReS is asked to take;
freezing is final: the data and the decisions are frozen into the briefing's snapshot
and its PDFs are queued, in the same transaction (through the outbox), as reports of
kind "briefing" — in French and Dutch, CoReS version and police-judicial version. They
are then built, downloaded and published exactly like reports (``reporting.services``).
Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core import bounds
from coordination.models import CoresMeeting, User
from coordination.people import permissions as policy
from hotspots.models import Hotspot, PoliceOrder
from reporting import services as reports
from reporting.briefings import snapshot
from reporting.models import Briefing, BriefingDecisionAsked, Report

Decision = BriefingDecisionAsked
TEXT_FIELDS = ("proposal", "proposal_translation", "rationale", "rationale_translation")


def _check_preparer(by: User) -> None:
    if not policy.is_csir_coordinator(by):
        raise ValidationError(_("Only the CSIR coordinator prepares the CoReS briefing."))


def _check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError(_("The period must end after it starts."))
    bounds.check_date(start, bounds.REPORT_PERIOD)
    bounds.check_date(end, bounds.REPORT_PERIOD)


def _locked_draft(briefing: Briefing) -> Briefing:
    locked = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if locked.is_frozen:
        raise ValidationError(_("This briefing is frozen: it can no longer be changed."))
    return locked


def briefing_create(
    *,
    by: User,
    period_start: dt.date,
    period_end: dt.date,
    meeting: CoresMeeting | None = None,
) -> Briefing:
    """Open a draft briefing on a period, optionally for a CoReS meeting."""
    _check_preparer(by)
    _check_period(period_start, period_end)
    with transaction.atomic():
        briefing = Briefing.objects.create(
            period_start=period_start, period_end=period_end, meeting=meeting, created_by=by
        )
        audit.record(
            actor=by,
            action="briefing.create",
            target=briefing,
            changes={"period": [period_start, period_end], "meeting": meeting},
        )
    return briefing


def briefing_update(
    *,
    briefing: Briefing,
    by: User,
    period_start: dt.date,
    period_end: dt.date,
    meeting: CoresMeeting | None = None,
) -> Briefing:
    """Change a draft's period or meeting (a frozen briefing is refused)."""
    _check_preparer(by)
    _check_period(period_start, period_end)
    with transaction.atomic():
        locked = _locked_draft(briefing)
        before = {
            "period": [locked.period_start, locked.period_end],
            "meeting": locked.meeting,
        }
        locked.period_start, locked.period_end, locked.meeting = period_start, period_end, meeting
        locked.save(update_fields=["period_start", "period_end", "meeting"])
        audit.record(
            actor=by,
            action="briefing.update",
            target=locked,
            changes={
                "period": [before["period"], [period_start, period_end]],
                "meeting": [before["meeting"], meeting],
            },
        )
    return locked


def _check_decision(kind: str, hotspot: Hotspot | None, order: PoliceOrder | None) -> None:
    if kind in Decision.HOTSPOT_KINDS and hotspot is None:
        raise ValidationError(_("This decision is about one hotspot: choose it."))
    if kind in Decision.REGION_KINDS and hotspot is not None:
        raise ValidationError(_("The strategy is decided for the region: choose no hotspot."))
    if kind == Decision.Kind.RENEW_ORDER and order is None:
        raise ValidationError(_("Choose the police order to renew."))
    if order is not None and hotspot is not None and order.hotspot_id not in (None, hotspot.pk):
        raise ValidationError(_("This police order is about another hotspot."))


def decision_add(
    *,
    briefing: Briefing,
    by: User,
    kind: str,
    language: str,
    proposal: str,
    proposal_translation: str = "",
    rationale: str = "",
    rationale_translation: str = "",
    hotspot: Hotspot | None = None,
    order: PoliceOrder | None = None,
) -> BriefingDecisionAsked:
    """Add a decision asked of the CoReS to a draft, for the region or for ``hotspot``."""
    _check_preparer(by)
    _check_decision(kind, hotspot, order)
    with transaction.atomic():
        locked = _locked_draft(briefing)
        last = locked.decisions.aggregate(Max("position"))["position__max"]
        decision = Decision.objects.create(
            briefing=locked,
            scope=Decision.Scope.HOTSPOT if hotspot else Decision.Scope.REGION,
            hotspot=hotspot,
            kind=kind,
            language=language,
            proposal=proposal,
            proposal_translation=proposal_translation,
            rationale=rationale,
            rationale_translation=rationale_translation,
            order=order,
            position=(last or 0) + 1,
            created_by=by,
        )
        audit.record(
            actor=by,
            action="briefing.decision_add",
            target=locked,
            changes={"decision": decision.pk, "kind": kind, "hotspot": hotspot, "order": order},
        )
    return decision


def decision_update(
    *,
    decision: BriefingDecisionAsked,
    by: User,
    kind: str,
    language: str,
    proposal: str,
    proposal_translation: str = "",
    rationale: str = "",
    rationale_translation: str = "",
    hotspot: Hotspot | None = None,
    order: PoliceOrder | None = None,
) -> BriefingDecisionAsked:
    """Change a decision asked while its briefing is a draft."""
    _check_preparer(by)
    _check_decision(kind, hotspot, order)
    with transaction.atomic():
        _locked_draft(decision.briefing)
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        values: dict[str, Any] = {
            "kind": kind,
            "language": language,
            "proposal": proposal,
            "proposal_translation": proposal_translation,
            "rationale": rationale,
            "rationale_translation": rationale_translation,
            "hotspot": hotspot,
            "order": order,
            "scope": Decision.Scope.HOTSPOT if hotspot else Decision.Scope.REGION,
        }
        changes = {
            name: [getattr(locked, name), value]
            for name, value in values.items()
            if getattr(locked, name) != value
        }
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*values])
        audit.record(
            actor=by,
            action="briefing.decision_change",
            target=locked.briefing,
            changes={"decision": locked.pk, **changes},
        )
    return locked


def decision_remove(*, decision: BriefingDecisionAsked, by: User) -> None:
    """Take a decision out of a draft (the audit keeps what it said)."""
    _check_preparer(by)
    with transaction.atomic():
        briefing = _locked_draft(decision.briefing)
        audit.record(
            actor=by,
            action="briefing.decision_remove",
            target=briefing,
            changes={
                "decision": decision.pk,
                "kind": decision.kind,
                "hotspot": decision.hotspot,
                **{name: getattr(decision, name) for name in TEXT_FIELDS},
            },
        )
        Decision.objects.filter(pk=decision.pk, briefing=briefing).delete()


def briefing_freeze(*, briefing: Briefing, by: User, enqueue: bool = True) -> list[Report]:
    """Freeze a draft for good and queue its PDFs (FR and NL, CoReS and police-judicial).

    The data of both audiences and the decisions are frozen now, in the briefing; each
    PDF is a report of kind "briefing" built from that frozen data by a worker (through
    the outbox, in this transaction). With ``enqueue=False`` nothing is sent to Celery
    (tests and the demo build synchronously with ``reporting.services.report_build``).
    """
    _check_preparer(by)
    with transaction.atomic():
        locked = _locked_draft(briefing)
        if not locked.decisions.exists():
            raise ValidationError(
                _("A briefing ends in decisions: add at least one decision asked first.")
            )
        locked.snapshot = snapshot.freeze(locked)
        locked.status = Briefing.Status.FROZEN
        locked.frozen_at = timezone.now()
        locked.frozen_by = by
        locked.save(update_fields=["snapshot", "status", "frozen_at", "frozen_by"])
        audit.record(
            actor=by,
            action="briefing.freeze",
            target=locked,
            changes={"decisions": locked.decisions.count()},
        )
        built = []
        for audience in (Report.Audience.CORES, Report.Audience.POLICE_JUDICIAL):
            batch = uuid.uuid4()  # one request per audience: its FR and NL share their data
            for language in reports.LANGUAGES:
                candidate = Report(
                    kind=Report.Kind.BRIEFING,
                    briefing=locked,
                    scope=f"briefing-{locked.pk}",
                    period_start=locked.period_start,
                    period_end=locked.period_end,
                    language=language,
                    audience=audience,
                    batch=batch,
                    requested_by=by,
                )
                built.append(reports._create_or_join(candidate, by=by, enqueue=enqueue))
    return built
