"""The displacement early warning: buffer and control areas, and the monthly weighted
displacement quotient (WDQ) and total net effect (TNE) of Bowers & Johnson (2003).

A = the hotspot (target area), B = its buffer, C = its control area; t0 = before the
split, t1 = after it, each window ``window_months`` long::

    WDQ = (Bt1/Ct1 − Bt0/Ct0) / (At1/Ct1 − At0/Ct0)
    TNE = (At0·Ct1/Ct0 − At1) − (Bt1 − Bt0·Ct1/Ct0)

The denominator measures the success in the hotspot (negative when its count fell
relative to the control area); only then does the quotient mean anything: above zero
the buffer improved too (diffusion of benefits), below zero it worsened (displacement).
Every case where a figure cannot be computed is stored as a code, never a division by
zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from coordination.audit import services as audit
from coordination.core import bounds, geo
from coordination.models import Commune, User
from coordination.notifications.services import notify
from coordination.people.selectors import csir_people
from hotspots.models import (
    Area,
    DisplacementMeasure,
    DisplacementSetup,
    Hotspot,
    IndicatorDefinition,
    IndicatorValue,
)
from hotspots.selectors.indicators import add_months

Code = DisplacementMeasure.Code
#: The hotspots whose quotient is computed every month.
WATCHED_STATUSES = (Hotspot.Status.ACTIVE, Hotspot.Status.APPROVED)
MIN_BUFFER_METRES, MAX_BUFFER_METRES = 50, 5000
MIN_WINDOW, MAX_WINDOW = 1, 24
#: A split is a month of the strategy's life: not before 2015, not in the future.
SPLIT_DATE = bounds.DateBounds(
    "displacement_split",
    lambda: dt.date(2015, 1, 1),
    timezone.localdate,
    _lazy("The split must lie between %(earliest)s and today (%(latest)s)."),
)
QUOTIENT_PLACES = Decimal("0.0001")
TNE_PLACES = Decimal("0.01")
#: What the measure's columns hold (14 digits with 4 decimals; 16 with 2).
MAX_WDQ = Decimal("1e9")
MAX_TNE = Decimal("1e13")

# --- The people of a hotspot's task force ------------------------------------------------
#
# The task forces live in the layer above: they register who belongs to a hotspot's task
# force (``set_taskforce_people``, from ``TaskforcesConfig.ready()``), so that this layer
# never imports them.

_taskforce_people: Callable[[list[int]], Iterable[User]] | None = None


def set_taskforce_people(provider: Callable[[list[int]], Iterable[User]]) -> None:
    """Register who is told for the task forces of the given hotspot ids."""
    global _taskforce_people
    _taskforce_people = provider


def taskforce_people(hotspot_ids: list[int]) -> list[User]:
    if _taskforce_people is None or not hotspot_ids:
        return []
    return list(_taskforce_people(hotspot_ids))


# --- The computation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """The six counts of one computation (None where a window is not complete)."""

    target_before: Decimal | None
    target_after: Decimal | None
    buffer_before: Decimal | None
    buffer_after: Decimal | None
    control_before: Decimal | None
    control_after: Decimal | None


@dataclass(frozen=True)
class Outcome:
    code: str
    wdq: Decimal | None = None
    tne: Decimal | None = None


def quotient(counts: Counts, *, missing_months: int = 0) -> Outcome:
    """The WDQ, the TNE and what they mean, for six counts (see the module's docstring).

    Missing months, a zero control count (before or after) or no success in the hotspot
    give their code; the TNE is still given when only the quotient is meaningless.
    """
    a0, a1 = counts.target_before, counts.target_after
    b0, b1 = counts.buffer_before, counts.buffer_after
    c0, c1 = counts.control_before, counts.control_after
    if missing_months or None in (a0, a1, b0, b1, c0, c1):
        return Outcome(Code.MISSING_MONTHS)
    assert a0 is not None and a1 is not None and b0 is not None and b1 is not None
    assert c0 is not None and c1 is not None
    if c0 == 0 or c1 == 0:
        # Every ratio is taken to the control area: with no count there, nothing compares.
        return Outcome(Code.CONTROL_ZERO)
    net = (a0 * c1 / c0 - a1) - (b1 - b0 * c1 / c0)
    # Absurd ratios (a control area of 1 before and millions after) cannot be stored.
    tne = net.quantize(TNE_PLACES) if abs(net) < MAX_TNE else None
    denominator = a1 / c1 - a0 / c0
    if denominator == 0:
        return Outcome(Code.NO_CHANGE, tne=tne)
    if denominator > 0:
        return Outcome(Code.NO_SUCCESS, tne=tne)
    raw = (b1 / c1 - b0 / c0) / denominator
    if abs(raw) >= MAX_WDQ:
        # The hotspot's change is negligible next to the buffer's: no meaningful quotient.
        return Outcome(Code.NO_CHANGE, tne=tne)
    wdq = raw.quantize(QUOTIENT_PLACES)
    if wdq > 0:
        code = Code.DIFFUSION
    elif wdq < 0:
        code = Code.DISPLACEMENT
    else:
        code = Code.NEUTRAL
    return Outcome(code, wdq=wdq, tne=tne)


def split_month(hotspot: Hotspot, setup: DisplacementSetup | None) -> dt.date | None:
    """The first month of the "after" window: the set-up's split, else the activation."""
    if setup is not None and setup.split_on is not None:
        return setup.split_on.replace(day=1)
    if hotspot.activated_at is None:
        return None
    return timezone.localtime(hotspot.activated_at).date().replace(day=1)


def windows(split: dt.date, window: int, month: dt.date) -> tuple[list[dt.date], list[dt.date]]:
    """The months before the split and the ``window`` months ending with ``month``."""
    before = [add_months(split, offset) for offset in range(-window, 0)]
    after = [add_months(month, offset) for offset in range(-(window - 1), 1)]
    return before, after


def is_warning(outcome: Outcome, counts: Counts) -> bool:
    """Displacement beyond DISPLACEMENT_WDQ_WARNING, with the buffer's count up."""
    if outcome.code != Code.DISPLACEMENT or outcome.wdq is None:
        return False
    b0, b1 = counts.buffer_before, counts.buffer_after
    c0, c1 = counts.control_before, counts.control_after
    assert b0 is not None and b1 is not None and c0 is not None and c1 is not None
    threshold = Decimal(str(settings.DISPLACEMENT_WDQ_WARNING))
    return outcome.wdq < threshold and b1 / c1 > b0 / c0


@dataclass
class RunResult:
    computed: int = 0  # measures written (new or recomputed)
    warnings: int = 0  # new warnings sent
    told: int = 0  # people notified


def _values(
    hotspots: list[Hotspot], indicators: list[IndicatorDefinition], first: dt.date, last: dt.date
) -> dict[tuple[int, int, str, dt.date], Decimal]:
    return {
        (hotspot_id, indicator_id, area, month): value
        for hotspot_id, indicator_id, area, month, value in IndicatorValue.in_all_areas.filter(
            hotspot__in=[h.pk for h in hotspots],
            indicator__in=[i.pk for i in indicators],
            month__gte=first,
            month__lte=last,
        ).values_list("hotspot_id", "indicator_id", "area", "month", "value")
    }


def _sum(
    values: dict[tuple[int, int, str, dt.date], Decimal],
    key: tuple[int, int, str],
    months: list[dt.date],
) -> tuple[Decimal | None, int]:
    """The sum over ``months`` and how many of them have no value (None if any is missing)."""
    found = [values.get((*key, month)) for month in months]
    missing = sum(1 for value in found if value is None)
    if missing:
        return None, missing
    return sum((value for value in found if value is not None), Decimal(0)), 0


def measure(
    hotspot: Hotspot,
    indicator: IndicatorDefinition,
    setup: DisplacementSetup | None,
    month: dt.date,
    values: dict[tuple[int, int, str, dt.date], Decimal],
) -> tuple[DisplacementMeasure, Counts, Outcome]:
    """The (unsaved) measure of ``indicator`` for ``hotspot`` whose after window ends with
    ``month``, from ``values`` read beforehand."""
    window = setup.window_months if setup else settings.DISPLACEMENT_WINDOW_MONTHS
    split = split_month(hotspot, setup)
    row = DisplacementMeasure(
        hotspot=hotspot,
        indicator=indicator,
        month=month,
        split_on=split,
        window_months=window,
        buffer_metres=setup.buffer_metres if setup else settings.DISPLACEMENT_BUFFER_METRES,
    )
    empty = Counts(None, None, None, None, None, None)
    if split is None:
        row.code = Code.NO_SPLIT
        return row, empty, Outcome(Code.NO_SPLIT)
    if add_months(month, -(window - 1)) < split:
        row.code = Code.TOO_EARLY
        return row, empty, Outcome(Code.TOO_EARLY)
    before, after = windows(split, window, month)
    sums: dict[str, Decimal | None] = {}
    missing = 0
    for area, name in (
        (Area.HOTSPOT, "target"),
        (Area.BUFFER, "buffer"),
        (Area.CONTROL, "control"),
    ):
        key = (hotspot.pk, indicator.pk, str(area))
        sums[f"{name}_before"], gap_before = _sum(values, key, before)
        sums[f"{name}_after"], gap_after = _sum(values, key, after)
        missing += gap_before + gap_after
    counts = Counts(**sums)
    outcome = quotient(counts, missing_months=missing)
    for name, value in sums.items():
        setattr(row, name, value)
    row.missing_months = missing
    row.code, row.wdq, row.tne = outcome.code, outcome.wdq, outcome.tne
    return row, counts, outcome


MEASURE_FIELDS = [
    "split_on",
    "window_months",
    "buffer_metres",
    "target_before",
    "target_after",
    "buffer_before",
    "buffer_after",
    "control_before",
    "control_after",
    "missing_months",
    "wdq",
    "tne",
    "code",
    "computed_at",
]


def compute_month(*, month: dt.date, hotspot_ids: list[int] | None = None) -> RunResult:
    """Compute (or recompute) every watched hotspot's quotients whose after window ends
    with ``month``, one row per hotspot, indicator and month; warn once of displacement.

    Idempotent: a run again rewrites the same rows with the figures of the day (a late
    value counts) and never warns twice for the same hotspot, indicator and month.
    A fixed number of queries for the reads; one upsert per measure.
    """
    month = month.replace(day=1)
    hotspots_qs = Hotspot.objects.filter(status__in=WATCHED_STATUSES).select_related(
        "displacement_setup"
    )
    if hotspot_ids is not None:
        hotspots_qs = hotspots_qs.filter(pk__in=hotspot_ids)
    hotspots = list(hotspots_qs.order_by("code"))
    indicators = list(IndicatorDefinition.objects.filter(displacement_relevant=True))
    result = RunResult()
    if not hotspots or not indicators:
        return result
    setups = {h.pk: getattr(h, "displacement_setup", None) for h in hotspots}
    longest = max([s.window_months for s in setups.values() if s] or [0])
    longest = max(longest, settings.DISPLACEMENT_WINDOW_MONTHS)
    splits = [split_month(h, setups[h.pk]) for h in hotspots]
    earliest = min([s for s in splits if s] or [month])
    values = _values(hotspots, indicators, add_months(min(earliest, month), -longest), month)
    now = timezone.now()
    with transaction.atomic():
        for hotspot in hotspots:
            for indicator in indicators:
                row, counts, outcome = measure(
                    hotspot, indicator, setups[hotspot.pk], month, values
                )
                row.computed_at = now
                stored, created = DisplacementMeasure.objects.select_for_update().get_or_create(
                    hotspot=hotspot,
                    indicator=indicator,
                    month=month,
                    defaults={name: getattr(row, name) for name in MEASURE_FIELDS},
                )
                if not created:
                    for name in MEASURE_FIELDS:
                        setattr(stored, name, getattr(row, name))
                    stored.save(update_fields=MEASURE_FIELDS)
                result.computed += 1
                if stored.warned_at is None and is_warning(outcome, counts):
                    result.told += _warn(stored, hotspots=hotspots)
                    stored.warned_at = now
                    stored.save(update_fields=["warned_at"])
                    result.warnings += 1
    return result


def _neighbours(hotspot: Hotspot, candidates: list[Hotspot]) -> list[int]:
    """The other watched hotspots whose perimeter lies within ``hotspot``'s buffer."""
    setup = getattr(hotspot, "displacement_setup", None)
    ring = setup.buffer_geometry if setup else None
    if not ring:
        return []
    try:
        area = shape(ring)
    except (ValueError, TypeError, AttributeError):
        return []
    found = []
    for other in candidates:
        if other.pk == hotspot.pk or not other.perimeter:
            continue
        try:
            if area.intersects(shape(other.perimeter)):
                found.append(other.pk)
        except (ValueError, TypeError, AttributeError):
            continue
    return found


def _warn(row: DisplacementMeasure, *, hotspots: list[Hotspot]) -> int:
    """Tell the CSIR and the task forces concerned, with the figures (references only)."""
    hotspot, indicator = row.hotspot, row.indicator
    people = [
        *csir_people(),
        *taskforce_people([hotspot.pk, *_neighbours(hotspot, hotspots)]),
    ]
    told = notify(
        recipients=people,
        kind="displacement_quotient_warning",
        params={
            "hotspot": f"{hotspot.code} {hotspot.name_fr}",
            "hotspot_nl": f"{hotspot.code} {hotspot.name_nl}",
            "indicator": indicator.name_fr,
            "indicator_nl": indicator.name_nl,
            "wdq": f"{row.wdq}",
            "buffer_before": f"{row.buffer_before}",
            "buffer_after": f"{row.buffer_after}",
            "month": row.month.isoformat(),
        },
        url=reverse("hotspots:displacement_hotspot", args=[hotspot.pk]),
    )
    return len(told)


# --- Buffer and control areas -----------------------------------------------------------


def _to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    def back(coords: Any) -> Any:
        return [geo.from_lambert2008(float(x), float(y)) for x, y in coords]

    return shapely.transform(geom, back)


def buffer_ring(perimeter: dict, metres: int) -> dict:
    """The ring of ``metres`` around ``perimeter`` (GeoJSON, WGS84), computed in Lambert
    2008 so that the width is true in metres; the hotspot itself is cut out."""
    area = geo.project_lambert2008(perimeter)
    ring = area.buffer(metres, quad_segs=8).difference(area)
    return mapping(_to_wgs84(ring))


def default_control_area(hotspot: Hotspot, perimeter: dict, metres: int) -> dict | None:
    """The rest of the hotspot's police zone(s): their communes without the hotspot and its
    buffer (GeoJSON, WGS84), or None when the communes have no boundary."""
    zones = {c.police_zone_id for c in hotspot.communes.all()}
    boundaries = [c.boundary for c in Commune.objects.filter(police_zone__in=zones) if c.boundary]
    if not boundaries:
        return None
    zone = shapely.union_all([geo.project_lambert2008(b) for b in boundaries])
    taken = geo.project_lambert2008(perimeter).buffer(metres, quad_segs=8)
    rest = zone.difference(taken)
    if rest.is_empty:
        return None
    # Simplified to a metre: commune boundaries are detailed and the map only draws it.
    return mapping(_to_wgs84(rest.simplify(1.0)))


def setup_for(hotspot: Hotspot) -> DisplacementSetup:
    """The hotspot's set-up, or an unsaved one with the defaults."""
    setup = DisplacementSetup.objects.filter(hotspot=hotspot).first()
    if setup is None:
        setup = DisplacementSetup(
            hotspot=hotspot,
            buffer_metres=settings.DISPLACEMENT_BUFFER_METRES,
            window_months=settings.DISPLACEMENT_WINDOW_MONTHS,
        )
    return setup


@transaction.atomic
def setup_set(
    *,
    hotspot: Hotspot,
    buffer_metres: int,
    window_months: int,
    split_on: dt.date | None,
    by: User | None,
    control_geometry: dict | None = None,
) -> DisplacementSetup:
    """Set the buffer width, the split and the windows of ``hotspot``; recompute the buffer
    ring and (unless ``control_geometry`` is given) the default control area. Audited.
    Whether ``by`` may do it is the caller's check (the CSIR)."""
    if not MIN_BUFFER_METRES <= buffer_metres <= MAX_BUFFER_METRES:
        raise ValidationError(
            _("The buffer is between %(min)s and %(max)s metres wide.")
            % {"min": MIN_BUFFER_METRES, "max": MAX_BUFFER_METRES}
        )
    if not MIN_WINDOW <= window_months <= MAX_WINDOW:
        raise ValidationError(
            _("The windows are between %(min)s and %(max)s months long.")
            % {"min": MIN_WINDOW, "max": MAX_WINDOW}
        )
    if split_on is not None:
        bounds.check_date(split_on, SPLIT_DATE)
    setup = setup_for(hotspot)
    old = {
        "buffer_metres": setup.buffer_metres if setup.pk else None,
        "window_months": setup.window_months if setup.pk else None,
        "split_on": setup.split_on,
        "control_is_custom": setup.control_is_custom,
    }
    setup.buffer_metres, setup.window_months, setup.split_on = (
        buffer_metres,
        window_months,
        split_on,
    )
    if hotspot.perimeter:
        setup.buffer_geometry = buffer_ring(hotspot.perimeter, buffer_metres)
    if control_geometry is not None:
        setup.control_geometry, setup.control_is_custom = control_geometry, True
    elif hotspot.perimeter and not setup.control_is_custom:
        setup.control_geometry = default_control_area(hotspot, hotspot.perimeter, buffer_metres)
    setup.updated_by, setup.updated_at = by, timezone.now()
    setup.save()
    new = {
        "buffer_metres": buffer_metres,
        "window_months": window_months,
        "split_on": split_on,
        "control_is_custom": setup.control_is_custom,
    }
    audit.record(
        actor=by,
        action="displacement.setup_set",
        target=hotspot,
        changes={name: [old[name], new[name]] for name in new if old[name] != new[name]},
    )
    return setup
