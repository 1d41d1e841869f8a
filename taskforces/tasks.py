"""Jobs of the task forces: the reminder when a task force has not met for 30 days."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from coordination.jobs.services import recorded
from taskforces import notifications


@shared_task(
    name="taskforces.remind_no_meeting",
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
    time_limit=300,
    soft_time_limit=270,
)
@recorded
def remind_no_meeting(at: str | None = None) -> int:
    """Daily (beat). ``at``: ISO date-time to evaluate at, now by default."""
    moment = dt.datetime.fromisoformat(at) if at else timezone.now()
    return notifications.remind_no_meeting(moment)
