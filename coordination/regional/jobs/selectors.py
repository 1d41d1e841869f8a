"""The scheduled-work page: every beat entry with its last and next run, and the outbox.

Here in the regional layer because it reads both the job runs (``coordination.jobs``,
below the outbox so that the outbox's own job can record its runs) and the outbox.
Two queries whatever the number of runs and outbox rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coordination.jobs import leader as leader_lock
from coordination.jobs import schedules
from coordination.jobs import selectors as job_selectors
from coordination.jobs.models import JobRun
from coordination.jobs.services import HEARTBEAT, HEARTBEAT_STALE_AFTER
from coordination.outbox.selectors import pending_summary

#: What each job does, by Celery task name: the beat entries and the outbox's jobs.
JOB_NAMES: dict[str, Promise] = {
    "hotspots.remind_expiring_orders": _("Reminders before police orders expire"),
    "hotspots.remind_order_publication_steps": _(
        "Reminders of pending police-order publication steps"
    ),
    "hotspots.remind_missing_indicators": _("Reminders of missing indicator values"),
    "hotspots.compute_displacement_quotients": _("Monthly displacement quotients"),
    "taskforces.remind_no_meeting": _("Reminders to task forces that have not met"),
    "reporting.queue_monthly": _("Monthly regional report"),
    "reporting.queue_before_cores": _("Reports before the CoReS meetings"),
    "reporting.requeue_stuck": _("Restart of interrupted report builds"),
    "reporting.build_report": _("Report builds"),
    "coordination.outbox_sweep": _("Hand-over of follow-up work (outbox)"),
    "coordination.send_notification_digests": _("Daily notification digests"),
    "coordination.sweep_unsent_notifications": _("Retry of unsent notification e-mails"),
    "coordination.email_notifications": _("Notification e-mails"),
    HEARTBEAT: _("Heartbeat of the worker and the scheduler"),
}


@dataclass(frozen=True)
class ScheduledJob:
    """One entry of the beat schedule, as the page shows it."""

    entry: str
    task: str
    name: str | Promise
    schedule: str
    last_run: JobRun | None
    next_run: dt.datetime
    # The next run should have happened a while ago: the job (or beat) did not run.
    late: bool

    @property
    def task_words(self) -> list[str]:
        return task_words(self.task)


@dataclass(frozen=True)
class PendingJob:
    """Follow-up work of one job waiting in the outbox."""

    task: str
    name: str | Promise
    count: int
    oldest: dt.datetime

    @property
    def task_words(self) -> list[str]:
        return task_words(self.task)


def task_words(task: str) -> list[str]:
    """The task name cut after its dots and underscores, where a narrow screen may wrap it."""
    return re.findall(r"[^._]+[._]?|[._]", task)


def job_name(task: str) -> str | Promise:
    """The job's name in the reader's language; its task name when it has none yet."""
    return JOB_NAMES.get(task, task)


def scheduled_work(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The page's context: the beat entries, the heartbeat, the outbox (two queries)."""
    now = now or timezone.now()
    entries: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    runs = job_selectors.last_runs({entry["task"] for entry in entries.values()} | {HEARTBEAT})
    jobs = []
    for key, entry in entries.items():
        last_run = runs.get(entry["task"])
        next_run = schedules.next_run(
            entry["schedule"], after=last_run.started_at if last_run else now
        )
        jobs.append(
            ScheduledJob(
                entry=key,
                task=entry["task"],
                name=job_name(entry["task"]),
                schedule=schedules.describe(entry["schedule"]),
                last_run=last_run,
                next_run=next_run,
                late=next_run < now - HEARTBEAT_STALE_AFTER,
            )
        )
    outbox = pending_summary()
    pending = [
        PendingJob(row["task"], job_name(row["task"]), row["count"], row["oldest"])
        for row in outbox["by_task"]
    ]
    return {
        "jobs": jobs,
        "heartbeat": job_selectors.heartbeat_from(runs.get(HEARTBEAT), now=now),
        "pending": pending,
        "pending_total": outbox["total"],
        "now": now,
    }


def scheduler_leader() -> leader_lock.Holder | None:
    """Which beat process sends the periodic jobs (``host:pid``) and since when; None when
    none does. Read from the leader lock (Redis, or the database's advisory lock)."""
    return leader_lock.current_holder()
