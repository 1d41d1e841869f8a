"""Date arithmetic shared by every app, and dates and numbers as the reader reads them."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.formats import date_format, get_format, number_format
from django.utils.translation import get_language


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


# --- Dates and numbers as the reader reads them -------------------------------------------
#
# One way everywhere (pages, e-mails, PDFs): Europe/Brussels, the two date styles of
# ``coordination/formats`` (long and short), percentages and numbers through the locale.
# The template filters of ``coordination.core.templatetags.formatting`` call these.


def local_day(value: dt.date | dt.datetime) -> dt.date:
    """The calendar day of ``value`` in Brussels (an aware datetime converted first: 00:30
    in Brussels on 20 November is 23:30 UTC on the 19th, and it is the 20th)."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _french() -> bool:
    return (get_language() or "").startswith("fr")


def _first_day(fmt: str, day: int) -> str:
    # French writes the first day of a month as an ordinal: "1er décembre 2026".
    if day == 1 and _french():
        return fmt.replace("j", r"j\e\r", 1)
    return fmt


def long_date(value: dt.date | dt.datetime | None, weekday: bool = False) -> str:
    """The long style: "1er décembre 2026", "1 december 2026", "1 December 2026" (with the
    day of the week first if ``weekday``); "" for no date."""
    if value is None or value == "":
        return ""
    day = local_day(value)
    fmt = _first_day(str(get_format("DATE_FORMAT")), day.day)
    return date_format(day, ("l " if weekday else "") + fmt)


def long_datetime(value: dt.datetime | None, weekday: bool = False) -> str:
    """The long style with the time, in Brussels: "1er décembre 2026, 14:30"."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return long_date(value, weekday)
    local = _local(value)
    fmt = _first_day(str(get_format("DATETIME_FORMAT")), local.day)
    return date_format(local, ("l " if weekday else "") + fmt)


def short_date(value: dt.date | dt.datetime | None) -> str:
    """The short style: "01/12/2026"; "" for no date."""
    if value is None or value == "":
        return ""
    return date_format(local_day(value), "SHORT_DATE_FORMAT")


def short_datetime(value: dt.datetime | None) -> str:
    """The short style with the time, in Brussels: "01/12/2026 14:30"."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return short_date(value)
    return date_format(_local(value), "SHORT_DATETIME_FORMAT")


def month(value: dt.date | dt.datetime | None, abbreviated: bool = False) -> str:
    """A month: "juin 2026" (``YEAR_MONTH_FORMAT``), or the locale's unambiguous
    abbreviation ("juin", "juil.", "sept.") without the year."""
    if value is None or value == "":
        return ""
    return date_format(local_day(value), "N" if abbreviated else "YEAR_MONTH_FORMAT")


# French puts a narrow no-break space before the percent sign; Dutch and English none.
PERCENT_SIGN = {"fr": "\u202f%"}


def percent(value: float | int | Decimal | str | None, decimals: int = 0) -> str:
    """``value`` (already in percent) as the locale writes it: "90 %" in French (narrow
    no-break space), "90%" in Dutch and English; "12,5 %" with ``decimals=1``; "" for
    no value."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    # Whole numbers under 1000 have no separator in any locale: skip the formatter (the
    # overview shows thousands of them at 150 hotspots).
    if decimals == 0 and -1000 < number < 1000:
        shown = str(int(number))
    else:
        shown = number_format(number, decimal_pos=decimals, use_l10n=True)
    return shown + PERCENT_SIGN.get((get_language() or "")[:2], "%")
