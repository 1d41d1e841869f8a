"""Scheduled work: every run of a periodic job is recorded, and a heartbeat proves the
worker and the scheduler alive.

**Runs.** Each job of ``CELERY_BEAT_SCHEDULE`` (settings/base.py) is a Celery task whose
function carries ``@recorded`` under ``@shared_task``. When the function returns, one
``JobRun`` row is written: the job's name (the Celery task's name, as the beat schedule
names it), when it started and finished, ``ok`` and its return value shortened, and the
worker's node name. When it raises, the row says ``failed`` with the exception's class and
message, and the exception goes on up: Celery's retries and error handling are unchanged
(each attempt of a retried job is a row). A run stopped at its soft time limit is a
failure like any other; a run killed at its hard limit, or with its worker, writes nothing,
so the page shows the previous run and a next run that is late. Writing the row must never
change the job's outcome: if the database refuses it, the error is logged and the job's
own result or exception stands.

**Heartbeat.** ``coordination.heartbeat`` is in the beat schedule every minute and is run by
a worker: its last run is the last moment both beat (which sends it) and a worker (which runs
it) were seen. Older than ``HEARTBEAT_STALE_AFTER`` (3 minutes), one of them is down. The
scheduled-work page (``/jobs/``, CSIR only) then shows an alert, and ``/healthz`` reports it
in its ``detail`` without failing: see ``coordination.core.views.healthz``.

**Retention.** The heartbeat also deletes the runs older than ``RETENTION`` (14 days), but
never a job's last run (the monthly report runs once a month), so the table stays at
about 80,000 rows (the 30-second and one-minute jobs make most of them).

**The page** (``coordination/regional/jobs/``) lists every beat entry: its name, its schedule
in words in the reader's language, its last run and outcome (with the error of a failed
run), its next run computed from the schedule, and the outbox rows still pending per job.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import logging
import socket
from collections.abc import Callable
from typing import Any

from celery import current_task
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone

from coordination.jobs.models import JobRun

logger = logging.getLogger(__name__)

#: The heartbeat's task name, also its beat entry's.
HEARTBEAT = "coordination.heartbeat"
#: The heartbeat runs every minute: unseen for this long, the worker or beat is down.
HEARTBEAT_STALE_AFTER = dt.timedelta(minutes=3)
#: Runs older than this are deleted by the heartbeat, but each job's last one.
RETENTION = dt.timedelta(days=14)
DETAIL_LENGTH = 300


def record_run(
    *,
    job: str,
    started_at: dt.datetime,
    outcome: JobRun.Outcome,
    detail: str = "",
    worker: str = "",
    finished_at: dt.datetime | None = None,
) -> JobRun:
    """Write one run of ``job``. No actor and no audit entry: the system writes it."""
    return JobRun.objects.create(
        job=job,
        started_at=started_at,
        finished_at=finished_at or timezone.now(),
        outcome=outcome,
        detail=_shorten(detail),
        worker=worker[:200],
    )


def recorded[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """Record every run of a periodic job's function; put it under ``@shared_task``.

    The job is named after the Celery task that runs the function (outside Celery, after
    the function's own dotted path). Failures are recorded and re-raised.
    """

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        job, worker = _current_job(function)
        started_at = timezone.now()
        try:
            result = function(*args, **kwargs)
        except Exception as exc:
            _record_quietly(job, started_at, JobRun.Outcome.FAILED, _error_text(exc), worker)
            raise
        _record_quietly(job, started_at, JobRun.Outcome.OK, _result_text(result), worker)
        return result

    # Celery checks the arguments of a call against the function's signature, which it
    # reads without following ``__wrapped__``: give the wrapper the job's own.
    run.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
    return run


def prune_runs(*, now: dt.datetime | None = None) -> int:
    """Delete the runs older than ``RETENTION`` but each job's last one; how many went."""
    cutoff = (now or timezone.now()) - RETENTION
    last_of_each_job = JobRun.objects.values("job").annotate(last=Max("pk")).values("last")
    deleted, _ = (
        JobRun.objects.filter(started_at__lt=cutoff).exclude(pk__in=last_of_each_job).delete()
    )
    return deleted


def _current_job(function: Callable[..., Any]) -> tuple[str, str]:
    """The running task's name and its worker's node name (this host's outside a worker)."""
    # A proxy: its attributes are missing, not None, when no task runs.
    name = getattr(current_task, "name", None) or f"{function.__module__}.{function.__name__}"
    hostname = getattr(getattr(current_task, "request", None), "hostname", None)
    return name, hostname or socket.gethostname()


def _record_quietly(
    job: str, started_at: dt.datetime, outcome: JobRun.Outcome, detail: str, worker: str
) -> None:
    # A savepoint: a refused insert must not break a transaction the caller still uses.
    try:
        with transaction.atomic():
            record_run(
                job=job, started_at=started_at, outcome=outcome, detail=detail, worker=worker
            )
    except DatabaseError:
        logger.exception("jobs: the run of %s (%s) could not be recorded", job, outcome)


def _result_text(result: object) -> str:
    return "" if result is None else str(result)


def _error_text(exc: BaseException) -> str:
    message = str(exc)
    return f"{exc.__class__.__name__}: {message}" if message else exc.__class__.__name__


def _shorten(text: str) -> str:
    return text if len(text) <= DETAIL_LENGTH else text[: DETAIL_LENGTH - 1] + "…"
