"""Reads of the strategy: its periods and the one in force."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coordination.strategy.models import Strategy, StrategyPeriod

# From this many days before a period ends, the CoReS must decide to extend or stop.
DECISION_WARNING_DAYS = 60


def today() -> dt.date:
    return timezone.localdate()


def current_period(*, on: dt.date | None = None) -> StrategyPeriod | None:
    """The strategy period in force on ``on`` (today by default), or None between periods."""
    on = on or today()
    return (
        StrategyPeriod.objects.select_related("strategy")
        .filter(starts_on__lte=on, ends_on__gte=on)
        .order_by("-strategy__adopted_on", "-number")
        .first()
    )


def strategy_summary(*, on: dt.date | None = None) -> dict:
    """The strategies with their periods, the one in force and how long it has left."""
    on = on or today()
    strategies = list(
        Strategy.objects.prefetch_related("periods__decision__meeting").order_by("-adopted_on")
    )
    period = current_period(on=on)
    days_left = (period.ends_on - on).days if period else None
    return {
        "strategies": strategies,
        "period": period,
        "days_left": days_left,
        "decision_due": days_left is not None and days_left <= DECISION_WARNING_DAYS,
        "today": on,
    }
