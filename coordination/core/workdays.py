"""Working days in Brussels: weekdays that are not a Belgian public holiday.

The demo dates its meetings, updates and decisions on working days; anything that
schedules office work can use it too. Holidays: the ten Belgian public holidays plus
8 May (Iris Day, the Brussels-Capital Region's holiday for its public services).
"""

from __future__ import annotations

import datetime as dt
from functools import cache


def _easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian calendar; the anonymous algorithm of Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


@cache
def holidays(year: int) -> frozenset[dt.date]:
    """The public holidays of ``year`` in the Brussels-Capital Region."""
    easter = _easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [easter + dt.timedelta(days=days) for days in (1, 39, 50)]
    return frozenset([dt.date(year, month, day) for month, day in fixed] + moving)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def on_or_before(day: dt.date) -> dt.date:
    """``day`` if it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def on_or_after(day: dt.date) -> dt.date:
    """``day`` if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day`` (before it when ``count`` is negative)."""
    step = dt.timedelta(days=1 if count >= 0 else -1)
    for _ in range(abs(count)):
        day += step
        while not is_working_day(day):
            day += step
    return day
