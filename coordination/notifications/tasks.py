"""Jobs of the notification centre: e-mails now, the daily digest, the sweep of unsent ones."""

import datetime as dt
import smtplib

from celery import shared_task
from django.utils import timezone

from coordination.jobs.services import recorded
from coordination.notifications import mailing
from coordination.outbox import services as outbox

# A mail server that refuses or drops the connection: worth trying again later.
MAIL_ERRORS = (OSError, smtplib.SMTPException)


def _when(now: str | None) -> dt.datetime:
    if not now:
        return timezone.now()
    moment = dt.datetime.fromisoformat(now)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@shared_task(name="coordination.ping", time_limit=30, soft_time_limit=20)
def ping() -> str:
    """A trivial job that proves the broker and a worker answer (used by health tests)."""
    return "pong"


@shared_task(
    name="coordination.email_notifications",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
    time_limit=120,
    soft_time_limit=100,
)
def email_notifications(notification_ids: list[int], outbox_id: int | None = None) -> int:
    """E-mail these notifications now (the 'immediate' choice); see coordination.mailing.

    After the last retry, coordination.sweep_unsent_notifications queues them again.
    """
    sent = mailing.send_immediate(notification_ids)
    outbox.complete(outbox_id)
    return sent


@shared_task(
    name="coordination.send_notification_digests",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=300,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
    time_limit=1800,
    soft_time_limit=1700,
)
@recorded
def send_notification_digests(now: str | None = None) -> int:
    """Daily (beat): the digest e-mail of each 'digest' person. ``now``: ISO datetime."""
    return mailing.send_digests(_when(now))


@shared_task(name="coordination.sweep_unsent_notifications", time_limit=120, soft_time_limit=100)
@recorded
def sweep_unsent_notifications(now: str | None = None) -> int:
    """Every 15 minutes (beat): queue again the immediate e-mails still unsent."""
    return mailing.sweep_unsent(_when(now))
