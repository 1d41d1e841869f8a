"""Demo strategy: adopted on 12 March 2024, extended by the CoReS every six months."""

from __future__ import annotations

import datetime as dt

from coordination.people.models import User
from coordination.strategy import selectors, services
from coordination.strategy.models import Strategy

STRATEGY_ADOPTED = dt.date(2024, 3, 12)
# Dates of the CoReS meetings that extended the strategy by six months each time.
EXTENSIONS = [
    dt.date(2024, 9, 5),
    dt.date(2025, 3, 6),
    dt.date(2025, 9, 4),
    dt.date(2026, 3, 5),
    dt.date(2026, 9, 3),
    dt.date(2027, 3, 4),
]


def seed_strategy(*, by: User) -> Strategy:
    strategy = Strategy.objects.filter(adopted_on=STRATEGY_ADOPTED).first()
    if strategy is None:
        strategy = services.strategy_adopt(
            title_fr="Stratégie régionale de lutte contre le trafic de drogues et son impact "
            "sur la sécurité",
            title_nl="Gewestelijke strategie tegen drugshandel en de impact ervan op de veiligheid",
            adopted_on=STRATEGY_ADOPTED,
            by=by,
        )
    # Extend, as the CoReS did, with each decision taken by today.
    decided = set(strategy.periods.values_list("decided_on", flat=True))
    for decided_on in EXTENSIONS:
        if decided_on > selectors.today():
            break
        if decided_on not in decided:
            services.strategy_extend(strategy=strategy, decided_on=decided_on, by=by)
    return strategy
