"""The whole demo (DEBUG only), app by app from the bottom layer up.

Idempotent: running it twice changes nothing. Each app keeps its own ``demo.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zlib

from django.utils import timezone

from coordination.core import workdays
from coordination.models import User
from coordination.notifications.models import Notification
from coordination.people.demo import seed_agencies, seed_people, seed_two_factor
from coordination.regional.cores import demo as cores_demo
from coordination.strategy.demo import seed_strategy
from hotspots import demo as hotspot_demo
from hotspots import demo_indicators, demo_orders
from reporting import demo as reporting_demo
from taskforces import demo as taskforce_demo
from taskforces import demo_displacement
from taskforces.models import TaskForce


def seed() -> dict[str, User]:
    """The whole demo, app by app (the regional layer sits on top of every app)."""
    started = timezone.now()
    agencies = seed_agencies()
    people = seed_people(agencies)
    seed_strategy(by=people["csir.coordinator"])
    hotspots = hotspot_demo.seed(people=people)
    demo_orders.seed(people=people, hotspots=hotspots)
    demo_indicators.seed(people=people, hotspots=hotspots)
    taskforce_demo.seed(people=people, hotspots=hotspots, agencies=agencies)
    cores_demo.seed(people=people, taskforces=list(TaskForce.objects.order_by("hotspot__code")))
    # The list's history names CoReS decisions and regional orders as its sources.
    hotspot_demo.seed_list_history(people=people)
    demo_displacement.seed(people=people, hotspots=hotspots)
    reporting_demo.seed(people=people)
    # Last: the task forces have put the police and prosecutors in their circles.
    seed_two_factor()
    spread_notifications(since=started)
    return people


# The notifications the demo's services wrote all carry the moment of the seeding; a
# reader's centre should read as weeks of work instead.
SPREAD_WORKING_DAYS = 20


def _office_time(day: dt.date, key: int) -> dt.datetime:
    """A time between 08:30 and 17:30 on ``day`` (Brussels), drawn from ``key``."""
    minutes = 8 * 60 + 30 + key % (9 * 60)
    moment = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
    return timezone.make_aware(moment, timezone.get_default_timezone())


def spread_notifications(*, since: dt.datetime) -> int:
    """Date the notifications written since ``since`` on working days at office hours in
    the past SPREAD_WORKING_DAYS working days, deterministically (a hash of the row's
    kind, recipient and link). A meeting's notice is dated a week before its meeting, and
    the notices older than a week are read, as a person at work would have. Returns how
    many notifications were dated; a second seeding writes none and dates none."""
    now = timezone.now()
    today = timezone.localdate()
    changed = []
    for notification in Notification.objects.filter(created_at__gte=since).select_related(
        "recipient"
    ):
        key = zlib.crc32(
            f"{notification.kind}|{notification.recipient.username}|{notification.url}".encode()
        )
        day = workdays.add_working_days(today, -(1 + key % SPREAD_WORKING_DAYS))
        meeting_day = (
            notification.params.get("date") if notification.kind == "meeting_scheduled" else None
        )
        if isinstance(meeting_day, str):
            with contextlib.suppress(ValueError):
                day = min(day, workdays.add_working_days(dt.date.fromisoformat(meeting_day), -5))
        # Always a working day before today: never in the future, whatever the hour.
        created = _office_time(day, key)
        notification.created_at = created
        if (now - created).days > 7:
            notification.read_at = created + dt.timedelta(minutes=10 + key % 110)
        changed.append(notification)
    Notification.objects.bulk_update(changed, ["created_at", "read_at"], batch_size=500)
    return len(changed)
