"""Jobs of the reports: build one, the monthly and pre-CoReS schedules, the stuck sweep.

Thin on purpose: each takes ids or an ISO date and calls one service.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from coordination.jobs.services import recorded
from coordination.outbox import services as outbox
from reporting import services

MAX_RETRIES = 3


@shared_task(
    bind=True,
    name="reporting.build_report",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=services.TRANSIENT_ERRORS,
    retry_backoff=30,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    # A build killed at the hard limit stops beating and is re-queued by the sweeper; one
    # stopped at the soft limit is recorded as too slow. Shorter than the broker's
    # visibility timeout, so an unacknowledged message never comes back mid-build.
    soft_time_limit=240,
    time_limit=270,
)
def build_report(self, report_id: int, outbox_id: int | None = None) -> str | None:
    report = services.report_build(
        report_id=report_id, final_attempt=self.request.retries >= MAX_RETRIES
    )
    # Built, failed for good, or not "queued" any more (a duplicate delivery): nothing is
    # left for this message. A transient error raises above and is retried (and swept).
    outbox.complete(outbox_id)
    return report.status if report else None


@shared_task(name="reporting.queue_monthly", time_limit=120, soft_time_limit=100)
@recorded
def queue_monthly(on: str | None = None) -> list[int]:
    """Monthly (beat, the 1st at 06:00): the regional report of the period to date."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return [report.pk for report in services.queue_monthly(today=day)]


@shared_task(name="reporting.queue_before_cores", time_limit=120, soft_time_limit=100)
@recorded
def queue_before_cores(on: str | None = None) -> list[int]:
    """Daily (beat): the report for the CoReS meetings held in REPORT_DAYS_BEFORE_CORES days."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return [report.pk for report in services.queue_before_cores(today=day)]


@shared_task(name="reporting.requeue_stuck", time_limit=60, soft_time_limit=50)
@recorded
def requeue_stuck() -> dict[str, int]:
    """Every 30 seconds (beat): re-queue or fail the builds whose worker died."""
    return services.report_requeue_stuck()
