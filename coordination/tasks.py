"""Jobs of the regional layer."""

from celery import shared_task


@shared_task(name="coordination.ping", time_limit=30, soft_time_limit=20)
def ping() -> str:
    """A trivial job that proves the broker and a worker answer (used by health tests)."""
    return "pong"


@shared_task(name="coordination.email_notifications", time_limit=120, soft_time_limit=100)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail these notifications now (the 'immediate' choice); see coordination.mailing."""
    from coordination import mailing

    return mailing.send_immediate(notification_ids)
