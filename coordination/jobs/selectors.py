"""Reads of the job runs: the last run of each job and the heartbeat (one query each)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from coordination.jobs.models import JobRun
from coordination.jobs.services import HEARTBEAT, HEARTBEAT_STALE_AFTER


@dataclass(frozen=True)
class Heartbeat:
    """When the worker and the scheduler were last seen together, and whether it is too long."""

    last_seen: dt.datetime | None
    age: dt.timedelta | None
    stale: bool


def last_runs(jobs: Iterable[str]) -> dict[str, JobRun]:
    """The last run of each of ``jobs`` that ever ran, by job name (one query)."""
    latest = JobRun.objects.filter(job__in=list(jobs)).values("job").annotate(last=Max("pk"))
    return {run.job: run for run in JobRun.objects.filter(pk__in=latest.values("last"))}


def heartbeat_from(run: JobRun | None, *, now: dt.datetime | None = None) -> Heartbeat:
    """The heartbeat as its last run shows it (no query); never seen is stale."""
    if run is None:
        return Heartbeat(last_seen=None, age=None, stale=True)
    age = max((now or timezone.now()) - run.started_at, dt.timedelta(0))
    return Heartbeat(last_seen=run.started_at, age=age, stale=age > HEARTBEAT_STALE_AFTER)


def heartbeat(*, now: dt.datetime | None = None) -> Heartbeat:
    """The heartbeat's last run (one query)."""
    run = JobRun.objects.filter(job=HEARTBEAT).order_by("-pk").first()
    return heartbeat_from(run, now=now)


def heartbeat_health(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """For ``/healthz``: the heartbeat's age in seconds and whether it is stale (one query)."""
    beat = heartbeat(now=now)
    return {
        "last_run_age_seconds": None if beat.age is None else int(beat.age.total_seconds()),
        "stale": beat.stale,
    }
