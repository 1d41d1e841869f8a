"""The outbox's own job: hand over again what did not leave or did not finish."""

from __future__ import annotations

from celery import shared_task

from coordination.jobs.services import recorded
from coordination.outbox import services


@shared_task(name="coordination.outbox_sweep", time_limit=120, soft_time_limit=100)
@recorded
def outbox_sweep() -> int:
    """Every minute (beat)."""
    return services.sweep()
