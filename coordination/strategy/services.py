"""Writes of the strategy: adoption and extensions (CoReS decisions)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from coordination.audit import services as audit
from coordination.core.dates import add_months
from coordination.people.models import User
from coordination.strategy.models import Strategy, StrategyPeriod

PERIOD_MONTHS = 6


@transaction.atomic
def strategy_adopt(
    *, title_fr: str, title_nl: str, adopted_on: dt.date, by: User | None
) -> Strategy:
    """Adopt a strategy and open its first six-month period the day it is adopted."""
    strategy = Strategy.objects.create(title_fr=title_fr, title_nl=title_nl, adopted_on=adopted_on)
    StrategyPeriod.objects.create(
        strategy=strategy,
        number=1,
        starts_on=adopted_on,
        ends_on=add_months(adopted_on, PERIOD_MONTHS) - dt.timedelta(days=1),
        decided_on=adopted_on,
    )
    audit.record(actor=by, action="strategy.adopt", target=strategy)
    return strategy


@transaction.atomic
def strategy_extend(
    *, strategy: Strategy, decided_on: dt.date, by: User | None, months: int = PERIOD_MONTHS
) -> StrategyPeriod:
    """Extend the strategy by one period following the last one (a CoReS decision)."""
    last = strategy.periods.select_for_update().order_by("-number").first()
    assert last is not None, "an adopted strategy always has a first period"
    starts_on = last.ends_on + dt.timedelta(days=1)
    period = StrategyPeriod.objects.create(
        strategy=strategy,
        number=last.number + 1,
        starts_on=starts_on,
        ends_on=add_months(starts_on, months) - dt.timedelta(days=1),
        decided_on=decided_on,
    )
    audit.record(
        actor=by,
        action="strategy.extend",
        target=strategy,
        changes={"period": period.number, "ends_on": period.ends_on},
    )
    return period
