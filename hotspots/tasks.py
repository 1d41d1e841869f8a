"""Jobs of the hotspots app: notifications to mayors and the CSIR, reminders before police
orders expire. The e-mails themselves are sent by the notification centre's jobs
(coordination.tasks), with their own retries."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from hotspots import notifications

# No automatic retry here: these jobs only write notifications (a retry after a partial
# failure would tell people twice); the e-mail jobs retry on mail server errors.


@shared_task(name="hotspots.notify_decision_requested", time_limit=120, soft_time_limit=100)
def notify_decision_requested(hotspot_id: int) -> int:
    return notifications.decision_requested(hotspot_id)


@shared_task(name="hotspots.notify_hotspot_settled", time_limit=120, soft_time_limit=100)
def notify_hotspot_settled(hotspot_id: int) -> int:
    return notifications.hotspot_settled(hotspot_id)


@shared_task(name="hotspots.remind_expiring_orders", time_limit=300, soft_time_limit=270)
def remind_expiring_orders(on: str | None = None) -> int:
    """Daily (beat): reminders before police orders expire. ``on``: ISO date, today by default."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return notifications.remind_expiring_orders(day)
