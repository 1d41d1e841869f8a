"""Writes of the strategy: adoption and extensions (CoReS decisions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

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


# What the administrator may change in the Django admin: the titles and the range of active
# hotspots the strategy sets (the overview warns outside it). The adoption date and the
# periods are CoReS decisions, recorded on the CoReS pages.
STRATEGY_ADMIN_FIELDS = ["title_fr", "title_nl", "target_min_hotspots", "target_max_hotspots"]


def check_hotspot_range(*, minimum: int, maximum: int) -> None:
    """The range of active hotspots must hold at least one hotspot and not be upside down."""
    if minimum < 1:
        raise ValidationError(
            {"target_min_hotspots": _("The strategy needs at least one active hotspot.")}
        )
    if maximum < minimum:
        raise ValidationError(
            {"target_max_hotspots": _("The maximum cannot be below the minimum.")}
        )


@transaction.atomic
def strategy_change(*, strategy: Strategy, by: User | None, **fields: Any) -> Strategy:
    """Change the strategy's titles or its hotspot range; audited with the old values."""
    unknown = set(fields) - set(STRATEGY_ADMIN_FIELDS)
    if unknown:
        raise ValueError(f"not a field the admin changes: {sorted(unknown)}")
    current = Strategy.objects.select_for_update().get(pk=strategy.pk)
    before = audit.snapshot(current, STRATEGY_ADMIN_FIELDS)
    for name, value in fields.items():
        setattr(current, name, value)
    check_hotspot_range(minimum=current.target_min_hotspots, maximum=current.target_max_hotspots)
    changes = audit.diff(before, audit.snapshot(current, STRATEGY_ADMIN_FIELDS))
    if changes:
        current.save(update_fields=list(changes))
        audit.record(actor=by, action="strategy.change", target=current, changes=changes)
    return current
