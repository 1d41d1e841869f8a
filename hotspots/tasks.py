"""Jobs of the hotspots app: e-mails to mayors and the CSIR, reminders before orders expire."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from hotspots import notifications


@shared_task(
    name="hotspots.notify_decision_requested",
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
    time_limit=120,
    soft_time_limit=100,
)
def notify_decision_requested(hotspot_id: int) -> int:
    return notifications.decision_requested(hotspot_id)


@shared_task(
    name="hotspots.notify_hotspot_settled",
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
    time_limit=120,
    soft_time_limit=100,
)
def notify_hotspot_settled(hotspot_id: int) -> int:
    return notifications.hotspot_settled(hotspot_id)


@shared_task(
    name="hotspots.remind_expiring_orders",
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
    time_limit=300,
    soft_time_limit=270,
)
def remind_expiring_orders(on: str | None = None) -> int:
    """Daily (beat): reminders before police orders expire. ``on``: ISO date, today by default."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return notifications.remind_expiring_orders(day)
