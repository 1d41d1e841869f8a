"""Demo indicator values: 24 months per indicator and hotspot, ending last month.

Deterministic (one random generator per hotspot and indicator, seeded by their codes),
plausible (a magnitude and a gentle trend per indicator) and idempotent (a hotspot and
indicator that already have values are left alone). Seed data, not a user's write: the
values are bulk-created, with one audit entry per hotspot.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from coordination.audit import services as audit
from coordination.models import User
from hotspots.models import Hotspot, IndicatorDefinition, IndicatorValue

MONTHS = 24
# code: (monthly level at the start, change over the 24 months as a share of it)
PROFILES: dict[str, tuple[float, float]] = {
    "shootings": (3.0, -0.5),
    "drug_arrests": (22.0, 0.15),
    "seizures": (14.0, 0.25),
    "identity_checks": (160.0, 0.1),
    "outreach_contacts": (55.0, 0.45),
    "care_referrals": (7.0, 0.6),
    "resident_complaints": (28.0, -0.35),
    "neighbourhood_activities": (3.0, 0.8),
}
DEFAULT_PROFILE = (20.0, 0.0)


def _months(end: dt.date) -> list[dt.date]:
    index = end.year * 12 + end.month - 1
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(index - MONTHS + 1, index + 1)]


def series(hotspot_code: str, indicator_code: str, months: int = MONTHS) -> list[int]:
    """The demo values of one indicator at one hotspot, oldest first."""
    rng = random.Random(f"{hotspot_code}:{indicator_code}")
    level, change = PROFILES.get(indicator_code, DEFAULT_PROFILE)
    scale = rng.uniform(0.6, 1.4)  # hotspots differ in size
    values = []
    for step in range(months):
        expected = level * scale * (1 + change * step / max(months - 1, 1))
        # Small counts vary a lot from month to month, big ones relatively less.
        spread = max(expected**0.5, expected * 0.08)
        values.append(max(0, round(rng.gauss(expected, spread))))
    return values


@transaction.atomic
def seed(*, people: dict[str, User], hotspots: dict[str, Hotspot]) -> None:
    by = people["csir.analyst"]
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    months = _months(last_month.replace(day=1))
    indicators = list(IndicatorDefinition.objects.order_by("position", "code"))
    filled = set(
        IndicatorValue.objects.filter(hotspot__in=list(hotspots.values()))
        .values_list("hotspot_id", "indicator_id")
        .distinct()
    )
    for hotspot in hotspots.values():
        new = [
            IndicatorValue(
                hotspot=hotspot,
                indicator=indicator,
                month=month,
                value=Decimal(value),
                entered_by=by,
            )
            for indicator in indicators
            if (hotspot.pk, indicator.pk) not in filled
            for month, value in zip(months, series(hotspot.code, indicator.code), strict=True)
        ]
        if not new:
            continue
        IndicatorValue.objects.bulk_create(new, batch_size=1000)
        audit.record(
            actor=by,
            action="indicator.demo",
            target=hotspot,
            changes={
                "values": len(new),
                "months": [f"{months[0]:%Y-%m}", f"{months[-1]:%Y-%m}"],
            },
        )
