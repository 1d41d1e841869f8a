"""The beat schedule in words, and when each entry runs next.

Only the shapes the portal uses are put in words (a fixed interval; every minute or every
n minutes; every day, one weekday or one day of the month at a time); any other crontab is
shown as its cron expression. Each wording is one whole translatable sentence with its
values interpolated, so that every language can order it as it needs.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from celery.schedules import crontab, schedule
from django.conf import settings
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext, ngettext

#: What CELERY_BEAT_SCHEDULE accepts as an entry's "schedule".
Schedule = crontab | schedule | dt.timedelta | float | int

_MINUTES, _HOURS = set(range(60)), set(range(24))
_DAYS_OF_WEEK, _DAYS_OF_MONTH, _MONTHS = set(range(7)), set(range(1, 32)), set(range(1, 13))


def describe(value: Schedule) -> str:
    """The schedule as a sentence in the active language ("Every day at 07:00")."""
    if isinstance(value, crontab):
        return _describe_crontab(value)
    return _every(_interval(value))


def next_run(value: Schedule, *, after: dt.datetime) -> dt.datetime:
    """The first time the schedule is due after ``after`` (an aware datetime).

    Crontab times are in CELERY_TIMEZONE (Europe/Brussels), through summer time changes.
    """
    if isinstance(value, crontab):
        zone = ZoneInfo(settings.CELERY_TIMEZONE)
        start, delta, _now = value.remaining_delta(after, tz=zone)
        return start + delta
    return after + _interval(value)


def _interval(value: Schedule) -> dt.timedelta:
    if isinstance(value, crontab):
        raise TypeError("a crontab has no fixed interval")
    if isinstance(value, schedule):
        return dt.timedelta(seconds=value.seconds)
    if isinstance(value, dt.timedelta):
        return value
    return dt.timedelta(seconds=value)


def _field(cron: crontab, name: str) -> set[int]:
    """A parsed field of the crontab (``minute``: {0, 15, 30, 45}); the stubs lack them."""
    return set(getattr(cron, name))


def _every(interval: dt.timedelta) -> str:
    seconds = int(interval.total_seconds())
    if seconds % 3600 == 0:
        hours = seconds // 3600
        if hours == 1:
            return gettext("Every hour")
        return ngettext("Every %(count)d hour", "Every %(count)d hours", hours) % {"count": hours}
    if seconds % 60 == 0:
        return _every_minutes(seconds // 60)
    if seconds == 1:
        return gettext("Every second")
    return ngettext("Every %(count)d second", "Every %(count)d seconds", seconds) % {
        "count": seconds
    }


def _every_minutes(minutes: int) -> str:
    if minutes == 1:
        return gettext("Every minute")
    return ngettext("Every %(count)d minute", "Every %(count)d minutes", minutes) % {
        "count": minutes
    }


def _step(values: set[int], span: int) -> int | None:
    """n when ``values`` are 0, n, 2n… up to ``span`` (the "*/n" of a cron field)."""
    ordered = sorted(values)
    if len(ordered) < 2 or ordered[0] != 0 or span % ordered[1]:
        return None
    step = ordered[1]
    return step if ordered == list(range(0, span, step)) else None


def _describe_crontab(cron: crontab) -> str:
    minutes, hours = _field(cron, "minute"), _field(cron, "hour")
    days_of_week, days_of_month = _field(cron, "day_of_week"), _field(cron, "day_of_month")
    every_month = _field(cron, "month_of_year") == _MONTHS
    every_day = days_of_week == _DAYS_OF_WEEK and days_of_month == _DAYS_OF_MONTH
    if every_month and every_day and hours == _HOURS:
        step = _step(minutes, 60)
        if minutes == _MINUTES:
            return _every_minutes(1)
        if step is not None:
            return _every_minutes(step)
        if len(minutes) == 1:
            return gettext("Every hour at minute %(minute)d") % {"minute": min(minutes)}
    if every_month and len(minutes) == 1 and len(hours) == 1:
        time = f"{min(hours):02d}:{min(minutes):02d}"
        if every_day:
            return gettext("Every day at %(time)s") % {"time": time}
        if days_of_month == _DAYS_OF_MONTH and len(days_of_week) == 1:
            # Celery counts the days of the week from Sunday (0), Django from Monday (0).
            weekday = WEEKDAYS[(min(days_of_week) - 1) % 7]
            return gettext("Every %(weekday)s at %(time)s") % {"weekday": weekday, "time": time}
        if days_of_week == _DAYS_OF_WEEK and len(days_of_month) == 1:
            day = min(days_of_month)
            if day == 1:
                return gettext("The 1st of each month at %(time)s") % {"time": time}
            return gettext("Day %(day)d of each month at %(time)s") % {"day": day, "time": time}
    # As written in the settings, in cron's order: minute hour day month weekday.
    expression = " ".join(
        str(getattr(cron, f"_orig_{name}"))
        for name in ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    )
    return gettext("Cron schedule “%(expression)s”") % {"expression": expression}
