"""The one rule for plausible input: dates per kind, ids, text.

A hostile or mistyped value (a meeting in year 9999, a police order signed in 0001, an id
of 2**70, a NUL byte) must be refused with a message before it reaches the database: a
far date saves and then breaks every page and feed that does arithmetic on it, PostgreSQL
stores year 1 BC but Python cannot read it back, SQLite cannot bind integers past 64 bits
and PostgreSQL refuses NUL in text. Forms use these through the fields in
``coordination.core.forms``; services that take input without a form (CSV imports, demo
data, commands) call :func:`check_date` themselves. The bounds are not model validators
on purpose: rows stored before these checks still load and can be corrected or removed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coordination.core.dates import add_months

if TYPE_CHECKING:  # the lazy-string type exists in django-stubs only
    from django.utils.functional import _StrPromise

__all__ = [
    "ACTION",
    "CORES_MEETING",
    "DISPLACEMENT",
    "FILTER",
    "INDICATOR_MONTH",
    "MAX_DB_ID",
    "MEETING",
    "POLICE_ORDER",
    "REPORT_PERIOD",
    "STRATEGY_START",
    "DateBounds",
    "check_date",
    "check_id",
    "clean_text",
    "has_control_characters",
    "parse_id",
]

#: The regional strategy was adopted on 12 March 2024; its preparation started with the
#: year. Nothing the portal coordinates happened before.
STRATEGY_START = dt.date(2024, 1, 1)

#: Largest primary key any database we run on accepts (a signed 64-bit bigint).
MAX_DB_ID = 2**63 - 1

# C0 controls and DEL, except tab, line feed and carriage return that text areas carry.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _today() -> dt.date:
    return timezone.localdate()


def _years_ahead(years: int) -> Callable[[], dt.date]:
    return lambda: add_months(_today(), 12 * years)


def _fixed(day: dt.date) -> Callable[[], dt.date]:
    return lambda: day


def _current_month_end() -> dt.date:
    return add_months(_today().replace(day=1), 1) - dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DateBounds:
    """The plausible range of one kind of date. ``earliest``/``latest`` are callables so
    that "today" and "five years ahead" move with the calendar."""

    code: str
    earliest: Callable[[], dt.date]
    latest: Callable[[], dt.date]
    #: Said when the value is out of range; receives ``earliest`` and ``latest``.
    message: _StrPromise

    def range(self) -> tuple[dt.date, dt.date]:
        return self.earliest(), self.latest()

    def error(self) -> ValidationError:
        earliest, latest = self.range()
        return ValidationError(
            self.message,
            code=f"date_out_of_range.{self.code}",
            params={
                "earliest": date_format(earliest, "SHORT_DATE_FORMAT"),
                "latest": date_format(latest, "SHORT_DATE_FORMAT"),
            },
        )

    def contains(self, value: dt.date | dt.datetime) -> bool:
        day = value.date() if isinstance(value, dt.datetime) else value
        earliest, latest = self.range()
        return earliest <= day <= latest


_RANGE = _("Enter a date between %(earliest)s and %(latest)s.")

#: A task-force meeting: from the strategy's start to five years ahead.
MEETING = DateBounds(
    "meeting",
    _fixed(STRATEGY_START),
    _years_ahead(5),
    _("A meeting must be dated between %(earliest)s and %(latest)s."),
)
#: A CoReS meeting (the council met before adopting the strategy, but not before 2020).
CORES_MEETING = DateBounds(
    "cores_meeting",
    _fixed(dt.date(2020, 1, 1)),
    _years_ahead(5),
    _("A CoReS meeting must be dated between %(earliest)s and %(latest)s."),
)
#: A police order's signature and validity dates.
POLICE_ORDER = DateBounds(
    "police_order",
    _fixed(STRATEGY_START),
    _years_ahead(5),
    _("The dates of a police order must lie between %(earliest)s and %(latest)s."),
)
#: A report period: not before the strategy, and not ending in the future.
REPORT_PERIOD = DateBounds(
    "report_period",
    _fixed(STRATEGY_START),
    _today,
    _("A report period cannot end in the future, nor start before %(earliest)s."),
)
#: A month of indicator values (older series may be entered for comparison).
INDICATOR_MONTH = DateBounds(
    "indicator_month",
    _fixed(dt.date(2015, 1, 1)),
    _current_month_end,
    _("An indicator month must lie between %(earliest)s and the current month (%(latest)s)."),
)
#: The day a displacement was observed: not in the future.
DISPLACEMENT = DateBounds(
    "displacement",
    _fixed(STRATEGY_START),
    _today,
    _("The observation date cannot be in the future, nor before %(earliest)s."),
)
#: An action's start and due dates.
ACTION = DateBounds(
    "action",
    _fixed(STRATEGY_START),
    _years_ahead(10),
    _("An action's dates must lie between %(earliest)s and %(latest)s."),
)


#: A date typed in a list's filter (the audit trail's from/until).
FILTER = DateBounds(
    "filter",
    _fixed(dt.date(2000, 1, 1)),
    _years_ahead(20),
    _RANGE,
)


def check_date(value: dt.date | dt.datetime | None, bounds: DateBounds) -> None:
    """Raise a ValidationError naming the allowed range when ``value`` is out of it."""
    if value is not None and not bounds.contains(value):
        raise bounds.error()


# --------------------------------------------------------------------------------- ids


def check_id(value: object) -> None:
    """Refuse a primary key outside the 64-bit range before a query binds it."""
    if isinstance(value, int) and not 1 <= value <= MAX_DB_ID:
        raise ValidationError(_("This identifier does not exist."), code="invalid_pk_value")


def parse_id(value: object) -> int | None:
    """An id from a URL query or a posted field: a positive 64-bit integer, or None.

    ``str.isdigit`` is not enough: it accepts superscripts and other scripts' digits that
    ``int`` refuses, and any length.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdecimal() and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_DB_ID else None


# -------------------------------------------------------------------------------- text


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text))


def clean_text(value: object, *, max_length: int = 200) -> str:
    """A free-text filter value fit for a query: control characters (PostgreSQL refuses
    NUL) dropped, surrounding space stripped, length capped."""
    if not isinstance(value, str):
        return ""
    return _CONTROL.sub("", value).strip()[:max_length]
