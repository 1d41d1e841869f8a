"""Jobs of the hotspots app: the reminders before police orders expire and those of missing
indicator values. The decisions' notifications are written in the deciding transaction;
the e-mails leave through the outbox and the notification centre's jobs, with their own
retries."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from coordination.jobs.services import recorded
from hotspots import notifications
from hotspots.selectors.indicators import last_complete_month
from hotspots.services import displacement_quotient, order_register
from hotspots.services import indicators as indicator_services

# No automatic retry here: these jobs only write notifications (a retry after a partial
# failure would tell people twice); the e-mail jobs retry on mail server errors.


@shared_task(name="hotspots.remind_expiring_orders", time_limit=300, soft_time_limit=270)
@recorded
def remind_expiring_orders(on: str | None = None) -> int:
    """Daily (beat): reminders before police orders expire. ``on``: ISO date, today by default."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return notifications.remind_expiring_orders(day)


@shared_task(name="hotspots.remind_missing_indicators", time_limit=300, soft_time_limit=270)
@recorded
def remind_missing_indicators(month: str | None = None) -> int:
    """Monthly (beat): tell the supplying agencies which of last month's values are missing.

    ``month``: 'YYYY-MM', last month by default. Idempotent per hotspot, indicator, month
    and agency; returns how many people were told.
    """
    chosen = indicator_services.parse_month(month) if month else None
    return indicator_services.remind_missing(month=chosen or last_complete_month()).told


@shared_task(name="hotspots.compute_displacement_quotients", time_limit=600, soft_time_limit=570)
@recorded
def compute_displacement_quotients(month: str | None = None) -> int:
    """Monthly (beat): the weighted displacement quotient of every watched hotspot.

    ``month``: 'YYYY-MM', the last month of the after window (last month by default).
    Idempotent per hotspot, indicator and month; a warning is sent once. Returns how many
    new warnings were sent.
    """
    chosen = indicator_services.parse_month(month) if month else None
    result = displacement_quotient.compute_month(month=chosen or last_complete_month())
    return result.warnings


@shared_task(name="hotspots.remind_order_publication_steps", time_limit=300, soft_time_limit=270)
@recorded
def remind_order_publication_steps(on: str | None = None) -> int:
    """Daily (beat): remind the owners of police-order publication steps due and not done.

    ``on``: ISO date, today by default. Idempotent per step and week (a pending step is
    reminded at most once a week); returns how many people were told.
    """
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return order_register.remind_pending_steps(on=day)
