"""Jobs of the hotspots app: e-mails to mayors and the CSIR, reminders before orders expire."""

from celery import shared_task

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
