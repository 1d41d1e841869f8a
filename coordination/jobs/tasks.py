"""The jobs package's own job: the heartbeat that proves a worker and beat alive."""

from __future__ import annotations

from celery import shared_task

from coordination.jobs import services


@shared_task(name=services.HEARTBEAT, time_limit=50, soft_time_limit=40)
@services.recorded
def heartbeat() -> int:
    """Every minute (beat): its recorded run is the proof. Also prunes the old runs."""
    return services.prune_runs()
