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

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coordination.audit import services as audit
from coordination.models import User
from hotspots.models import Area, DisplacementSetup, Hotspot, IndicatorDefinition, IndicatorValue
from hotspots.services import displacement_quotient

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
    seed_displacement(people=people, hotspots=hotspots)


# --- Buffer and control areas (displacement quotient) ----------------------------------

#: Hotspots given buffer and control values: how much the buffer's level changes after
#: the split. Clemenceau shows displacement (its buffer rises as it falls, as the press
#: reported towards Parc Rauter and rue Brogniez); Gare du Midi and Peterbos diffusion.
DISPLACEMENT_DEMO: dict[str, float] = {"HS07": 0.8, "HS10": -0.25, "HS08": -0.1}
#: The split is the 7th of the 24 demo months: six months before, up to 18 after.
SPLIT_INDEX = 6


def area_series(hotspot_code: str, indicator_code: str, area: str, change: float) -> list[int]:
    """The demo values of one indicator in a hotspot's buffer or control area, oldest first:
    the control area steady and larger, the buffer changing by ``change`` after the split."""
    rng = random.Random(f"{hotspot_code}:{indicator_code}:{area}")
    level = PROFILES.get(indicator_code, DEFAULT_PROFILE)[0]
    base, shift = (level * 8, 0.0) if area == Area.CONTROL else (level * 1.2, change)
    values = []
    for step in range(MONTHS):
        after = max(0, step - SPLIT_INDEX + 1) / (MONTHS - SPLIT_INDEX)
        expected = base * (1 + shift * after)
        values.append(max(0, round(rng.gauss(expected, max(expected**0.5 * 0.4, 0.4)))))
    return values


def seed_displacement(*, people: dict[str, User], hotspots: dict[str, Hotspot]) -> None:
    """Buffer and control values of a few hotspots, their set-up (split at the 7th demo
    month) and the monthly quotients of the months since. Idempotent, additive."""
    by = people["csir.analyst"]
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    months = _months(last_month.replace(day=1))
    indicators = list(IndicatorDefinition.objects.filter(displacement_relevant=True))
    chosen = [hotspots[code] for code in DISPLACEMENT_DEMO if code in hotspots]
    if not chosen or not indicators:
        return
    filled = set(
        IndicatorValue.in_all_areas.filter(hotspot__in=chosen)
        .exclude(area=Area.HOTSPOT)
        .values_list("hotspot_id", "indicator_id", "area")
        .distinct()
    )
    for hotspot in chosen:
        change = DISPLACEMENT_DEMO[hotspot.code]
        new = [
            IndicatorValue(
                hotspot=hotspot,
                indicator=indicator,
                area=area,
                month=month,
                value=Decimal(value),
                entered_by=by,
            )
            for indicator in indicators
            for area in (Area.BUFFER, Area.CONTROL)
            if (hotspot.pk, indicator.pk, area) not in filled
            for month, value in zip(
                months, area_series(hotspot.code, indicator.code, area, change), strict=True
            )
        ]
        if new:
            IndicatorValue.in_all_areas.bulk_create(new, batch_size=1000)
            audit.record(
                actor=by,
                action="displacement.demo",
                target=hotspot,
                changes={"values": len(new), "areas": ["buffer", "control"]},
            )
        if not DisplacementSetup.objects.filter(hotspot=hotspot).exists():
            displacement_quotient.setup_set(
                hotspot=hotspot,
                buffer_metres=settings.DISPLACEMENT_BUFFER_METRES,
                window_months=6,
                split_on=months[SPLIT_INDEX],
                by=by,
            )
    for month in months[SPLIT_INDEX + 5 :]:
        displacement_quotient.compute_month(month=month, hotspot_ids=[h.pk for h in chosen])
