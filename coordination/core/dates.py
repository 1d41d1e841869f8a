"""Date arithmetic shared by every app."""

from __future__ import annotations

import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` (clamped to the month's end); OverflowError past the
    years Python represents (1 to 9999), as ``date + timedelta`` does."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise OverflowError(f"year {year} is out of range")
    # Clamp to the month's last day (31 August + 6 months is the end of February).
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def shift[T: (dt.date, dt.datetime)](value: T, delta: dt.timedelta) -> T | None:
    """``value + delta``, or None when that leaves the representable years.

    Rows stored before the plausible-date bounds (coordination.core.bounds) existed may
    sit at 9999-12-31 or in year 1: a page or feed that adds a duration, converts to UTC
    or steps a month must skip such a row, not fail for everybody.
    """
    try:
        return value + delta
    except OverflowError:
        return None


def to_utc(value: dt.datetime) -> dt.datetime | None:
    """``value`` in UTC, or None when the conversion leaves the representable years."""
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None
