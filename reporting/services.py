"""Writes on reports: request, build, retry, publish, link to a CoReS meeting, sweep.

A report is asked for (one row per language, sharing a ``batch``), queued on commit,
built by a worker (snapshot first, then the PDF from the snapshot only) and then never
changes: a published report is never rebuilt or overwritten; building again makes a new
version. Every change is audited.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    transaction,
)
from django.db import connection as db_connection
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core import bounds
from coordination.core.dates import long_date
from coordination.core.files import STORAGE_ERRORS
from coordination.models import CoresMeeting, User
from coordination.notifications.services import notify, ref
from coordination.outbox import services as outbox
from coordination.people import permissions as policy
from coordination.strategy import selectors as regional
from hotspots.models import Hotspot
from reporting import render, snapshot
from reporting.briefings import snapshot as briefing_snapshot
from reporting.models import REGION_SCOPE, Report
from reporting.permissions import requestable_audiences
from reporting.selectors import language_siblings

logger = logging.getLogger(__name__)

Kind, Audience, Status, Stage = Report.Kind, Report.Audience, Report.Status, Report.Stage
Failure, Trigger = Report.Failure, Report.Trigger

#: A running build that gave no sign of life for this long is presumed dead. A live build
#: beats at every step and every TICK seconds during the PDF layout, its longest step.
STUCK_AFTER = dt.timedelta(seconds=45)
TICK = 5.0
#: Starts of a build (including restarts after a dead worker) before giving up.
MAX_ATTEMPTS = 3
#: Errors worth another try later: the database or the file storage was unavailable.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    *STORAGE_ERRORS,
)
#: Without a strategy period, scheduled reports cover this many months.
FALLBACK_MONTHS = 6
LANGUAGES = (Report.Language.FR, Report.Language.NL)


class BuildSuperseded(Exception):
    """The report was re-queued (its build presumed dead) or changed under this build."""


def _scope(kind: str, hotspot: Hotspot | None) -> str:
    return REGION_SCOPE if kind == Kind.REGIONAL else f"hotspot-{cast(Hotspot, hotspot).pk}"


def _identity(report: Report) -> Q:
    """Reports of the same kind, scope, period, language and audience (the version line)."""
    return Q(
        kind=report.kind,
        scope=report.scope,
        period_start=report.period_start,
        period_end=report.period_end,
        language=report.language,
        audience=report.audience,
    )


def _enqueue(report_id: int) -> None:
    """The build is follow-up work of the request: recorded in its transaction."""
    outbox.enqueue("reporting.build_report", report_id=report_id)


# --- Asking for a report -----------------------------------------------------------------


def report_request(
    *,
    by: User | None,
    kind: str,
    period_start: dt.date,
    period_end: dt.date,
    hotspot: Hotspot | None = None,
    languages: Iterable[str] = LANGUAGES,
    audience: str = Audience.CORES,
    trigger: str = Trigger.ON_DEMAND,
    prepared_for: CoresMeeting | None = None,
    enqueue: bool = True,
) -> list[Report]:
    """Queue one report per language (one batch); return them in the languages' order.

    ``by`` is None for the scheduled jobs. When a build of the same kind, scope, period,
    language and audience is already queued or running, that report is returned instead
    of starting a second one. With ``enqueue=False`` nothing is sent to Celery (the demo
    builds synchronously with :func:`report_build`).
    """
    languages = [code for code in LANGUAGES if code in set(languages)]
    if not languages:
        raise ValidationError(_("Choose at least one language."))
    if by is not None and audience not in requestable_audiences(by):
        raise ValidationError(_("You may not ask for this version of the report."))
    if kind == Kind.BRIEFING:
        raise ValidationError(_("A CoReS briefing is prepared and frozen on its own page."))
    if kind == Kind.TASKFORCE and hotspot is None:
        raise ValidationError(_("A task force report is about one hotspot: choose it."))
    if kind == Kind.REGIONAL:
        hotspot = None
    if period_end < period_start:
        raise ValidationError(_("The period must end after it starts."))
    bounds.check_date(period_start, bounds.REPORT_PERIOD)
    bounds.check_date(period_end, bounds.REPORT_PERIOD)
    batch = uuid.uuid4()
    reports: list[Report] = []
    with transaction.atomic():
        for language in languages:
            candidate = Report(
                kind=kind,
                hotspot=hotspot,
                scope=_scope(kind, hotspot),
                period_start=period_start,
                period_end=period_end,
                language=language,
                audience=audience,
                batch=batch,
                trigger=trigger,
                prepared_for=prepared_for,
                requested_by=by,
            )
            reports.append(_create_or_join(candidate, by=by, enqueue=enqueue))
    return reports


def _active_twin(report: Report) -> Report | None:
    return (
        Report.objects.filter(_identity(report), status__in=Report.ACTIVE_STATUSES)
        .exclude(pk=report.pk)
        .first()
    )


def _create_or_join(candidate: Report, *, by: User | None, enqueue: bool) -> Report:
    existing = _active_twin(candidate)
    if existing is not None:
        return existing
    latest = Report.objects.filter(_identity(candidate)).aggregate(Max("version"))
    candidate.version = (latest["version__max"] or 0) + 1
    try:
        # The conditional unique constraint is the real guard: two requests racing past
        # the check above cannot both insert an active build.
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        existing = _active_twin(candidate)
        if existing is None:
            raise ValidationError(
                _("Another request for this report was just recorded. Try again.")
            ) from None
        return existing
    audit.record(
        actor=by,
        action="report.request",
        target=candidate,
        changes={
            "kind": candidate.kind,
            "scope": candidate.scope,
            "period": [candidate.period_start, candidate.period_end],
            "language": candidate.language,
            "audience": candidate.audience,
            "version": candidate.version,
            "trigger": candidate.trigger,
        },
        police_judicial=candidate.is_police_judicial,
    )
    if enqueue:
        _enqueue(candidate.pk)
    return candidate


def report_regenerate(*, report: Report, by: User) -> Report:
    """Build the same report again as a new version (a published one stays as it is)."""
    return report_request(
        by=by,
        kind=report.kind,
        hotspot=report.hotspot,
        period_start=report.period_start,
        period_end=report.period_end,
        languages=[report.language],
        audience=report.audience,
    )[0]


def report_retry(*, report: Report, by: User) -> Report:
    """Queue a failed report again (same version); returns the build that will run.

    A retry starts a fresh count of attempts. If the same report is meanwhile being
    built under another version, that build is returned and this one stays failed.
    """
    if not policy.is_csir(by):
        raise ValidationError(_("Only the CSIR can retry a report."))
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != Status.FAILED:
            raise ValidationError(_("Only a failed report can be retried."))
        twin = _active_twin(locked)
        if twin is not None:
            return twin
        locked.status = Status.QUEUED
        locked.attempts = 0
        locked.build_token = None
        locked.stage = Stage.WAITING
        locked.progress = 0
        locked.failure_reason = ""
        locked.failure_detail = ""
        locked.finished_at = None
        try:
            with transaction.atomic():
                locked.save(
                    update_fields=[
                        "status",
                        "attempts",
                        "build_token",
                        "stage",
                        "progress",
                        "failure_reason",
                        "failure_detail",
                        "finished_at",
                    ]
                )
        except IntegrityError:
            twin = _active_twin(locked)
            if twin is None:
                raise
            return twin
        audit.record(
            actor=by,
            action="report.retry",
            target=locked,
            police_judicial=locked.is_police_judicial,
        )
        _enqueue(locked.pk)
    return locked


# --- Building -------------------------------------------------------------------------


class _Heartbeat:
    """Tells the database the build is alive (and how far it got), or stops a stale one."""

    def __init__(self, report_id: int, token: uuid.UUID):
        self.report_id, self.token = report_id, token

    def __call__(self, percent: int, stage: str) -> None:
        # Autocommit, outside any transaction: the sweeper and the web page must see it.
        updated = Report.objects.filter(
            pk=self.report_id, build_token=self.token, status=Status.RUNNING
        ).update(heartbeat_at=timezone.now(), progress=min(int(percent), 99), stage=stage)
        if not updated:
            raise BuildSuperseded

    def alive(self) -> None:
        """A sign of life that changes nothing else (from the ticking thread)."""
        Report.objects.filter(
            pk=self.report_id, build_token=self.token, status=Status.RUNNING
        ).update(heartbeat_at=timezone.now())


@contextlib.contextmanager
def _ticking(beat: _Heartbeat, every: float = TICK) -> Iterator[None]:
    """Keep beating from a thread while the caller works in one long call (the layout).

    The thread only says the build is alive: whether the build may still store its result
    is decided by its token when it stores. It has its own database connection, closed
    at the end; a database error there is left to the next tick.
    """
    if db_connection.in_atomic_block:
        # Inside an outer transaction (the demo builds synchronously) nobody else could
        # see the beats, and SQLite would refuse the second writer.
        yield
        return
    stop = threading.Event()

    def tick() -> None:
        try:
            while not stop.wait(every):
                try:
                    beat.alive()
                except DatabaseError:
                    logger.warning("report %s: heartbeat not written", beat.report_id)
        finally:
            db_connection.close()

    thread = threading.Thread(target=tick, name=f"heartbeat-{beat.report_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


def _start(report_id: int) -> tuple[Report, uuid.UUID] | None:
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status != Status.QUEUED:
            # Already built, being built by another worker, or failed: a duplicate message
            # (broker redelivery, sweep) must not start a second build. A published report
            # is ready, so it is never rebuilt.
            return None
        token = uuid.uuid4()
        now = timezone.now()
        report.status = Status.RUNNING
        report.build_token = token
        report.attempts += 1
        report.started_at = report.heartbeat_at = now
        report.stage = Stage.COLLECTING
        report.progress = 2
        report.save(
            update_fields=[
                "status",
                "build_token",
                "attempts",
                "started_at",
                "heartbeat_at",
                "stage",
                "progress",
            ]
        )
    return report, token


def _previous(report: Report) -> Report | None:
    """The last ready report of the same kind, scope, language and audience before this one."""
    return (
        Report.objects.filter(
            kind=report.kind,
            scope=report.scope,
            language=report.language,
            audience=report.audience,
            status=Status.READY,
            period_end__lte=report.period_end,
        )
        .exclude(pk=report.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )


def collect(report: Report, *, beat: _Heartbeat | None = None) -> dict:
    """The report's snapshot: its period's data, then the changes since the previous one.

    The reports of one batch (the same request in other languages) share their data: a
    sibling's snapshot is reused so that the French and Dutch versions say the same.
    """
    if report.kind == Kind.BRIEFING:
        # A CoReS briefing was frozen by its preparer: its PDFs render that data only.
        return briefing_snapshot.for_report(report)
    tick = (lambda percent: beat(5 + percent // 2, Stage.COLLECTING)) if beat else None
    sibling = (
        Report.objects.filter(batch=report.batch, audience=report.audience)
        .exclude(pk=report.pk)
        .exclude(snapshot__isnull=True)
        .only("snapshot")
        .first()
    )
    if sibling is not None:
        data = {**cast(dict, sibling.snapshot), "changes": None}
    else:
        data = snapshot.build(
            kind=report.kind,
            hotspot_id=report.hotspot_id,
            period_start=report.period_start,
            period_end=report.period_end,
            audience=report.audience,
            progress=tick,
        )
    previous = _previous(report)
    data["changes"] = snapshot.compare(
        previous.snapshot if previous else None,
        data,
        # A Report is always truthy: a dict, or None with no previous report.
        report=cast(
            "dict | None",
            previous
            and {
                "id": previous.pk,
                "version": previous.version,
                "start": previous.period_start.isoformat(),
                "end": previous.period_end.isoformat(),
                "generated_at": cast(dict, previous.snapshot).get("generated_at"),
            },
        ),
    )
    return data


def render_meta(report: Report) -> dict:
    """What the PDF says about the report itself, beside the snapshot's data."""
    return {"version": report.version}


def _store(report: Report, token: uuid.UUID, data: dict, pdf: bytes, pages: int) -> Report:
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.build_token != token or locked.status != Status.RUNNING:
            raise BuildSuperseded
        if locked.published or locked.pdf:
            raise ValidationError("a published or rendered report is never overwritten")
        locked.snapshot = data
        locked.sha256 = hashlib.sha256(pdf).hexdigest()
        locked.pages = pages
        # The file is written before the row commits; if the commit fails the file is an
        # orphan, never a PDF that a ready report points to but does not match.
        locked.pdf.save("report.pdf", ContentFile(pdf), save=False)
        locked.status = Status.READY
        locked.stage = Stage.WAITING
        locked.progress = 100
        locked.finished_at = locked.heartbeat_at = timezone.now()
        locked.failure_reason = ""
        locked.failure_detail = ""
        locked.save(
            update_fields=[
                "snapshot",
                "sha256",
                "pages",
                "pdf",
                "status",
                "stage",
                "progress",
                "finished_at",
                "heartbeat_at",
                "failure_reason",
                "failure_detail",
            ]
        )
        audit.record(
            actor=None,
            action="report.ready",
            target=locked,
            changes={"sha256": locked.sha256, "pages": pages, "attempts": locked.attempts},
            police_judicial=locked.is_police_judicial,
        )
        _tell(locked, "report_ready", [locked.requested_by] if locked.requested_by else [])
    return locked


def _failure(exc: BaseException) -> str:
    if isinstance(exc, SoftTimeLimitExceeded):
        return Failure.TIMEOUT
    if isinstance(exc, OperationalError | InterfaceError | DatabaseError):
        return Failure.DATABASE
    if isinstance(exc, STORAGE_ERRORS):
        return Failure.STORAGE
    return Failure.ERROR


def _record_failure(report: Report, token: uuid.UUID, exc: BaseException, *, final: bool) -> None:
    reason = _failure(exc)
    detail = f"{exc.__class__.__name__}: {exc}"[:2000]
    values: dict[str, Any] = {
        "failure_reason": reason,
        "failure_detail": detail,
        "stage": Stage.WAITING,
    }
    if final:
        values |= {"status": Status.FAILED, "finished_at": timezone.now(), "build_token": None}
    else:
        # Celery will try again: back in the queue, the reason kept for the page.
        values |= {"status": Status.QUEUED, "build_token": None, "progress": 0}
    with transaction.atomic():
        updated = Report.objects.filter(pk=report.pk, build_token=token).update(**values)
        if updated and final:
            report.refresh_from_db()
            audit.record(
                actor=None,
                action="report.fail",
                target=report,
                changes={"reason": reason, "detail": detail, "attempts": report.attempts},
                police_judicial=report.is_police_judicial,
            )
            _tell(report, "report_failed", [report.requested_by] if report.requested_by else [])


def report_build(*, report_id: int, final_attempt: bool = True) -> Report | None:
    """Build a queued report: snapshot, PDF, checksum. None when there was nothing to do.

    A failure is recorded with a reason the user can read. A transient one (database or
    storage unavailable) is re-raised while ``final_attempt`` is False, for the task to
    retry later; otherwise the report is marked failed and returned.
    """
    started = _start(report_id)
    if started is None:
        return None
    report, token = started
    beat = _Heartbeat(report.pk, token)
    try:
        data = collect(report, beat=beat)
        beat(60, Stage.RENDERING)
        with _ticking(beat):
            pdf, pages = render.render_pdf(data, language=report.language, meta=render_meta(report))
        beat(92, Stage.STORING)
        return _store(report, token, data, pdf, pages)
    except BuildSuperseded:
        logger.warning("report %s: build superseded, result dropped", report_id)
        return None
    except Exception as exc:
        transient = isinstance(exc, TRANSIENT_ERRORS)
        final = final_attempt or not transient
        logger.exception("report %s: build failed (final: %s)", report_id, final)
        if not db_connection.in_atomic_block:
            # A session the server ended (restart, pg_terminate_backend) stays broken until
            # closed: without this the failure could not be recorded, and the retry would
            # find the report still "running" and leave it to the stuck sweep.
            db_connection.close_if_unusable_or_obsolete()
        _record_failure(report, token, exc, final=final)
        if not final:
            raise
        report.refresh_from_db()
        return report


# --- Publishing -----------------------------------------------------------------------


def _check_meeting(report: Report, meeting: CoresMeeting | None) -> None:
    """A report on a period is presented once the period is over: at a CoReS meeting held
    on or after its last day, never at an earlier one."""
    if meeting is not None and meeting.held_on < report.period_end:
        raise ValidationError(
            _(
                "This report covers a period ending on %(end)s: it cannot have been "
                "presented at the CoReS meeting of %(held)s, held before."
            )
            % {"end": long_date(report.period_end), "held": long_date(meeting.held_on)}
        )


def _publish(locked: Report, *, by: User, meeting: CoresMeeting | None) -> None:
    """Publish one locked, ready, unpublished report: its own audit entry and notices."""
    locked.published = True
    locked.published_at = timezone.now()
    locked.published_by = by
    fields = ["published", "published_at", "published_by"]
    if meeting is not None:
        locked.presented_at = meeting
        fields.append("presented_at")
    locked.save(update_fields=fields)
    audit.record(
        actor=by,
        action="report.publish",
        target=locked,
        changes={"presented_at": meeting},
        police_judicial=locked.is_police_judicial,
    )
    _tell(locked, "report_published", _readers(locked))


def _check_publishable(locked: Report, by: User, meeting: CoresMeeting | None) -> None:
    if locked.status != Status.READY:
        raise ValidationError(_("Only a ready report can be published."))
    if locked.published:
        raise ValidationError(_("This report is already published."))
    _check_meeting(locked, meeting)


def report_publish(*, report: Report, by: User, meeting: CoresMeeting | None = None) -> Report:
    """Publish a ready report (the coordinator), optionally as presented at a CoReS meeting.

    From now on its readers (CoReS members, mayors, task-force members) may download it.
    """
    if not policy.is_csir_coordinator(by):
        raise ValidationError(_("Only the CSIR coordinator publishes reports."))
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        _check_publishable(locked, by, meeting)
        _publish(locked, by=by, meeting=meeting)
    return locked


@dataclass(frozen=True)
class Publication:
    """What "Publish FR and NL" did: the versions published (the one asked for first)
    and the other language versions left as they were (not built yet, or failed)."""

    published: list[Report]
    waiting: list[Report]


def report_publish_languages(
    *, report: Report, by: User, meeting: CoresMeeting | None = None
) -> Publication:
    """Publish a ready report together with its versions in the other languages (the
    current version of the same kind, scope, period and audience), in one transaction,
    each with its own audit entry and notices, all presented at the same meeting.

    A version in another language that is not built yet (queued, being built, failed) is
    left as it is and returned in ``waiting``: it is published on its own page once ready.
    One already published stays as it is.
    """
    if not policy.is_csir_coordinator(by):
        raise ValidationError(_("Only the CSIR coordinator publishes reports."))
    with transaction.atomic():
        siblings = language_siblings(report)
        # Locked in one order (by id) so that two coordinators publishing the FR and the
        # NL page at the same moment cannot deadlock; the second one finds them published.
        ids = sorted([report.pk, *(other.pk for other in siblings)])
        locked = {
            r.pk: r for r in Report.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        main = locked[report.pk]
        _check_publishable(main, by, meeting)
        published, waiting = [main], []
        for other in siblings:
            current = locked[other.pk]
            if current.published:
                continue
            if current.status != Status.READY:
                waiting.append(current)
                continue
            _check_meeting(current, meeting)
            published.append(current)
        for each in published:
            _publish(each, by=by, meeting=meeting)
    return Publication(published=published, waiting=waiting)


def _readers(report: Report) -> list[User]:
    """Who is told of a publication: the CoReS version's readers, in the report's language.

    Each language is its own report; a reader hears of the one in their language (French
    for English readers). Police-judicial versions are not announced.
    """
    if report.is_police_judicial:
        return []
    languages = ["nl"] if report.language == "nl" else ["fr", "en"]
    people = User.objects.filter(is_active=True, preferred_language__in=languages)
    if report.kind in (Report.Kind.REGIONAL, Report.Kind.BRIEFING):
        return list(people.filter(role__in=[User.Role.CORES_MEMBER, User.Role.MAYOR]))
    return list(people.filter(memberships__taskforce__hotspot=report.hotspot_id).distinct())


def _tell(report: Report, kind: str, recipients: list[User]) -> None:
    notify(
        recipients=recipients,
        kind=kind,
        # Named when read, in the reader's language (not the requester's).
        params={"report": ref(report)},
        url=reverse("reporting:detail", args=[report.pk]),
    )


def report_link_meeting(*, report: Report, by: User, meeting: CoresMeeting | None) -> Report:
    """Record at which CoReS meeting a ready report was presented (None to unlink).

    Only this link changes: the report's data, PDF and checksum stay as they are.
    """
    if not policy.is_csir_coordinator(by):
        raise ValidationError(_("Only the CSIR coordinator links reports to CoReS meetings."))
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != Status.READY:
            raise ValidationError(_("Only a ready report can be linked to a meeting."))
        _check_meeting(locked, meeting)
        before = locked.presented_at
        locked.presented_at = meeting
        locked.save(update_fields=["presented_at"])
        audit.record(
            actor=by,
            action="report.present",
            target=locked,
            changes={"presented_at": [before, meeting]},
            police_judicial=locked.is_police_judicial,
        )
    return locked


# --- Scheduled jobs and the sweeper ---------------------------------------------------


def _months_back(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_to_date(end: dt.date) -> tuple[dt.date, dt.date]:
    """The strategy period in force on ``end`` up to ``end``; else the 6 months before."""
    period = regional.current_period(on=end)
    if period is not None:
        return period.starts_on, end
    return _months_back(end, FALLBACK_MONTHS - 1), end


def default_period(*, on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The request form's default: the current strategy period to date, or the last 6
    months (a report period cannot end in the future: see coordination.core.bounds)."""
    on = on or regional.today()
    period = regional.current_period(on=on)
    if period is not None:
        return period.starts_on, min(period.ends_on, on)
    return period_to_date(on)


def queue_monthly(*, today: dt.date | None = None) -> list[Report]:
    """The monthly regional report (beat, 1st of the month): the strategy period to date.

    It covers the strategy period in force on the last day of the previous month, from
    its start to that day (or the 6 months up to that day between periods), in French
    and Dutch, CoReS version. Run twice, it queues nothing more.
    """
    today = today or regional.today()
    end = today.replace(day=1) - dt.timedelta(days=1)
    start, end = period_to_date(end)
    done = Report.objects.filter(
        kind=Kind.REGIONAL,
        trigger=Trigger.MONTHLY,
        period_start=start,
        period_end=end,
        audience=Audience.CORES,
    ).exclude(status=Status.FAILED)
    if done.exists():
        return []
    return report_request(
        by=None, kind=Kind.REGIONAL, period_start=start, period_end=end, trigger=Trigger.MONTHLY
    )


def days_before_cores() -> int:
    return settings.REPORT_DAYS_BEFORE_CORES


def queue_before_cores(*, today: dt.date | None = None) -> list[Report]:
    """Daily (beat): a regional report for each CoReS meeting held in N days (setting).

    The report covers the strategy period up to yesterday. A meeting gets one scheduled
    report (both languages) whatever the number of runs.
    """
    today = today or regional.today()
    held_on = today + dt.timedelta(days=days_before_cores())
    reports: list[Report] = []
    for meeting in CoresMeeting.objects.filter(held_on=held_on).order_by("pk"):
        if Report.objects.filter(prepared_for=meeting).exists():
            continue
        start, end = period_to_date(today - dt.timedelta(days=1))
        reports += report_request(
            by=None,
            kind=Kind.REGIONAL,
            period_start=min(start, end),
            period_end=end,
            trigger=Trigger.BEFORE_CORES,
            prepared_for=meeting,
        )
    return reports


def _stale(now: dt.datetime) -> Q:
    limit = now - STUCK_AFTER
    return Q(status=Status.RUNNING) & (
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit)
    )


def report_requeue_stuck(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Reports left 'running' by a dead worker: queued again, or failed after 3 attempts.

    A build whose heartbeat is older than STUCK_AFTER is presumed dead (a live one beats
    every TICK seconds even during the layout). Its token is cleared, so if it was only
    slow it can no longer write anything.
    """
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0}
    for pk in list(Report.objects.filter(_stale(now)).values_list("pk", flat=True)):
        with transaction.atomic():
            report = (
                Report.objects.select_for_update(skip_locked=True)
                .filter(_stale(now), pk=pk)
                .first()
            )
            if report is None:
                continue
            # Technical detail for the CSIR; the reader sees the translated reason.
            last_sign = report.heartbeat_at or report.started_at
            detail = (
                f"no sign of life since {last_sign:%Y-%m-%d %H:%M:%S%z} (attempt {report.attempts})"
            )
            report.build_token = None
            report.stage = Stage.WAITING
            report.failure_reason = Failure.STUCK
            report.failure_detail = detail
            if report.attempts >= MAX_ATTEMPTS:
                report.status = Status.FAILED
                report.finished_at = now
                counts["failed"] += 1
                action = "report.fail"
            else:
                report.status = Status.QUEUED
                report.progress = 0
                counts["requeued"] += 1
                action = "report.requeue"
                _enqueue(report.pk)
            report.save(
                update_fields=[
                    "build_token",
                    "stage",
                    "failure_reason",
                    "failure_detail",
                    "status",
                    "finished_at",
                    "progress",
                ]
            )
            audit.record(
                actor=None,
                action=action,
                target=report,
                changes={"attempts": report.attempts, "reason": Failure.STUCK},
                police_judicial=report.is_police_judicial,
            )
    return counts
