"""Dates and numbers one way: ``{{ d|long_date }}``, ``{{ d|short_date }}``,
``{{ t|long_datetime }}``, ``{{ t|short_datetime }}``, ``{{ m|month }}``,
``{{ x|percent }}``. Built into every template (``TEMPLATES`` ``builtins``); the styles
are those of ``coordination/formats`` in the active language, in Europe/Brussels, with the
French "1er" (``coordination.core.dates``).
"""

from __future__ import annotations

from typing import Any

from django import template

from coordination.core import dates

register = template.Library()


@register.filter
def long_date(value: Any, arg: str = "") -> str:
    """``{{ d|long_date }}``: "1er décembre 2026"; ``|long_date:"weekday"``: "mardi 1er …"."""
    return dates.long_date(value, weekday=arg == "weekday")


@register.filter
def long_datetime(value: Any, arg: str = "") -> str:
    """``{{ t|long_datetime }}``: "1er décembre 2026, 14:30" (Brussels time)."""
    return dates.long_datetime(value, weekday=arg == "weekday")


@register.filter
def short_date(value: Any) -> str:
    """``{{ d|short_date }}``: "01/12/2026"."""
    return dates.short_date(value)


@register.filter
def short_datetime(value: Any) -> str:
    """``{{ t|short_datetime }}``: "01/12/2026 14:30" (Brussels time)."""
    return dates.short_datetime(value)


@register.filter
def month(value: Any, arg: str = "") -> str:
    """``{{ m|month }}``: "juin 2026"; ``|month:"short"``: "juin", "juil."."""
    return dates.month(value, abbreviated=arg == "short")


@register.filter
def percent(value: Any, decimals: int = 0) -> str:
    """``{{ x|percent }}``: "90 %" in French, "90%" in Dutch and English."""
    return dates.percent(value, int(decimals))
