"""Reads of indicator values: the monthly grid, the trend charts and the CSV export.

Each read costs a fixed number of queries, whatever the number of indicators or months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

from coordination.core import charts
from coordination.models import Agency
from hotspots.models import Area, Hotspot, IndicatorDefinition, IndicatorGoal, IndicatorValue

EXPORT_HEADER = ["hotspot", "indicator", "month", "value"]


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months after (or before) ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_of(year: int) -> list[dt.date]:
    return [dt.date(year, number, 1) for number in range(1, 13)]


def definitions() -> list[IndicatorDefinition]:
    return list(IndicatorDefinition.objects.order_by("position", "code"))


def definitions_with_goals(
    hotspot: Hotspot,
) -> list[tuple[IndicatorDefinition, IndicatorGoal | None]]:
    """Every indicator with its baseline and target in force for ``hotspot`` (1 query: the
    goal is read through subqueries, so the grid and the charts keep their query count)."""
    in_force = IndicatorGoal.objects.filter(
        hotspot=hotspot, indicator=OuterRef("pk"), superseded_at__isnull=True
    )
    annotated = IndicatorDefinition.objects.order_by("position", "code").annotate(
        **{f"goal_{name}": Subquery(in_force.values(name)[:1]) for name in GOAL_PARTS},
        goal_exists=Exists(in_force),
    )
    result: list[tuple[IndicatorDefinition, IndicatorGoal | None]] = []
    for indicator in annotated:
        goal = None
        if indicator.goal_exists:
            goal = IndicatorGoal(
                hotspot=hotspot,
                indicator=indicator,
                **{name: getattr(indicator, f"goal_{name}") for name in GOAL_PARTS},
            )
        result.append((indicator, goal))
    return result


GOAL_PARTS = ("baseline_value", "baseline_on", "target_value", "target_on")


def goals(hotspot: Hotspot) -> dict[int, IndicatorGoal]:
    """The baseline and target in force of each indicator of ``hotspot``, by indicator id
    (1 query)."""
    return {
        goal.indicator_id: goal
        for goal in IndicatorGoal.objects.filter(hotspot=hotspot, superseded_at__isnull=True)
    }


def goal_history(hotspot: Hotspot, indicator: IndicatorDefinition) -> list[IndicatorGoal]:
    """Every baseline and target this indicator had for this hotspot, newest first."""
    return list(
        IndicatorGoal.objects.filter(hotspot=hotspot, indicator=indicator)
        .select_related("set_by")
        .order_by("-set_at", "-id")
    )


@dataclass
class GridRow:
    indicator: IndicatorDefinition
    values: dict[dt.date, Decimal]
    goal: IndicatorGoal | None = None

    def cells(self, months: list[dt.date]) -> list[tuple[dt.date, Decimal | None]]:
        return [(month, self.values.get(month)) for month in months]


def grid(hotspot: Hotspot, *, year: int, area: str = Area.HOTSPOT) -> list[GridRow]:
    """One row per indicator with its values of ``year`` by month in ``area`` (the hotspot,
    its buffer or its control area) and its baseline and target (2 queries)."""
    rows = {
        d.pk: GridRow(indicator=d, values={}, goal=goal)
        for d, goal in definitions_with_goals(hotspot)
    }
    for indicator_id, month, value in IndicatorValue.in_all_areas.filter(
        hotspot=hotspot, area=area, month__year=year
    ).values_list("indicator_id", "month", "value"):
        if indicator_id in rows:
            rows[indicator_id].values[month] = value
    return list(rows.values())


def last_complete_month() -> dt.date:
    return add_months(timezone.localdate().replace(day=1), -1)


def trend_charts(hotspot: Hotspot, *, months: int = 24, end: dt.date | None = None) -> list[dict]:
    """A small chart per indicator over ``months`` months ending with ``end`` (2 queries).

    ``end`` defaults to the last complete month. Each item: ``indicator``, ``svg`` (safe
    markup), ``latest`` and ``latest_month`` (the last known value, or None), ``trend``
    ('up', 'down', 'flat') and ``improving`` (True, False, or None when flat).
    """
    end = (end or last_complete_month()).replace(day=1)
    span = [add_months(end, offset) for offset in range(-(months - 1), 1)]
    with_goals = definitions_with_goals(hotspot)
    indicators = [indicator for indicator, _goal in with_goals]
    in_force = {indicator.pk: goal for indicator, goal in with_goals if goal is not None}
    values: dict[tuple[int, dt.date], Decimal] = {
        (indicator_id, month): value
        for indicator_id, month, value in IndicatorValue.objects.filter(
            hotspot=hotspot, month__gte=span[0], month__lte=end
        ).values_list("indicator_id", "month", "value")
    }
    items = []
    for indicator in indicators:
        series = [values.get((indicator.pk, month)) for month in span]
        points = [
            (date_format(month, "N Y"), None if value is None else float(value))
            for month, value in zip(span, series, strict=True)
        ]
        known = [
            (month, value) for month, value in zip(span, series, strict=True) if value is not None
        ]
        direction = charts.trend(series)
        goal = in_force.get(indicator.pk)
        svg = charts.line_chart_svg(
            points=points,
            title=indicator.name,
            unit=indicator.unit,
            lower_is_better=indicator.lower_is_better,
            baseline=_reference(goal.baseline_value, goal.baseline_on) if goal else None,
            target=_reference(goal.target_value, goal.target_on) if goal else None,
        )
        items.append(
            {
                "indicator": indicator,
                # Safe: line_chart_svg escapes every text it writes.
                "svg": mark_safe(svg),  # noqa: S308
                "latest": known[-1][1] if known else None,
                "latest_month": known[-1][0] if known else None,
                "trend": direction,
                "goal": goal,
                "improving": None
                if direction == "flat"
                else (direction == "down") == indicator.lower_is_better,
            }
        )
    return items


def _reference(value: Decimal | None, on: dt.date | None) -> charts.Reference | None:
    if value is None or on is None:
        return None
    return charts.Reference(value=float(value), when=date_format(on, "SHORT_DATE_FORMAT"))


def format_value(value: Decimal) -> str:
    """A stored value without useless zeros: 12.50 → '12.5', 3.00 → '3'."""
    text = format(value.normalize(), "f")
    return text


def export_rows(hotspots_qs: QuerySet[Hotspot]) -> Iterator[list[str]]:
    """The CSV rows (header first) of every value of these hotspots, in one query.

    The columns are those ``import_csv`` reads, so an export can be edited and re-imported.
    """
    yield EXPORT_HEADER
    rows = (
        IndicatorValue.objects.filter(hotspot__in=hotspots_qs)
        .order_by("hotspot__code", "indicator__position", "indicator__code", "month")
        .values_list("hotspot__code", "indicator__code", "month", "value")
    )
    for code, indicator_code, month, value in rows.iterator(chunk_size=2000):
        yield [code, indicator_code, f"{month:%Y-%m}", format_value(value)]


# --- Completeness -----------------------------------------------------------------------

#: The statuses in which a hotspot's values are expected every month.
EXPECTED_STATUSES = (Hotspot.Status.APPROVED, Hotspot.Status.ACTIVE)


def expected_hotspots(hotspots_qs: QuerySet[Hotspot]) -> QuerySet[Hotspot]:
    """Of ``hotspots_qs``, those whose values are expected (approved or active), with their
    communes (2 queries when read)."""
    return (
        hotspots_qs.filter(status__in=EXPECTED_STATUSES)
        .prefetch_related("communes")
        .order_by("code")
    )


def recent_months(count: int, end: dt.date | None = None) -> list[dt.date]:
    """``count`` months ending with ``end`` (the last complete month by default), oldest first."""
    end = (end or last_complete_month()).replace(day=1)
    return [add_months(end, offset) for offset in range(-(count - 1), 1)]


def cell_url(hotspot_id: int, indicator_id: int, month: dt.date) -> str:
    """The grid of the month's year, scrolled to the cell (its id is '<prefix>-cell')."""
    url = reverse("hotspots:indicator_grid", args=[hotspot_id])
    return f"{url}?year={month.year}#c-{indicator_id}-{month:%Y-%m}-cell"


def supplier_agencies(
    hotspot: Hotspot, indicator: IndicatorDefinition, agencies: Iterable[Agency]
) -> list[Agency]:
    """The agencies that supply ``indicator`` for ``hotspot``, among ``agencies``.

    ``IndicatorDefinition.supplier_kind`` names the kind: a police figure comes from the
    local police of the hotspot's zone(s) (the federal police if no local police is
    registered), a commune's from the hotspot's communes, any other kind from every
    agency of that kind (as ``can_enter_indicator`` lets them enter it).
    """
    communes = list(hotspot.communes.all())
    of_kind: list[Agency]
    if indicator.supplier_kind in Agency.POLICE_KINDS:
        zones = {c.police_zone_id for c in communes}
        of_kind = [
            a for a in agencies if a.kind == Agency.Kind.LOCAL_POLICE and a.police_zone_id in zones
        ]
        if not of_kind:
            of_kind = [a for a in agencies if a.kind == Agency.Kind.FEDERAL_POLICE]
    elif indicator.supplier_kind == Agency.Kind.COMMUNE:
        ids = {c.pk for c in communes}
        of_kind = [a for a in agencies if a.kind == Agency.Kind.COMMUNE and a.commune_id in ids]
    else:
        of_kind = [a for a in agencies if a.kind == indicator.supplier_kind]
    return of_kind


@dataclass
class CompletenessCell:
    hotspot: Hotspot
    month: dt.date
    expected: int = 0
    entered: int = 0

    @property
    def percent(self) -> int | None:
        """Rounded down, so that 99.9 % never reads as complete; None if nothing was due."""
        return None if not self.expected else self.entered * 100 // self.expected

    @property
    def missing(self) -> int:
        return self.expected - self.entered


@dataclass(frozen=True)
class Gap:
    """One value not entered: (hotspot, indicator, month) and who supplies it."""

    hotspot: Hotspot
    indicator: IndicatorDefinition
    month: dt.date
    agencies: list[Agency]

    @property
    def url(self) -> str:
        return cell_url(self.hotspot.pk, self.indicator.pk, self.month)


@dataclass
class Completeness:
    months: list[dt.date]
    rows: list[tuple[Hotspot, list[CompletenessCell]]] = field(default_factory=list)
    missing: list[Gap] = field(default_factory=list)

    def month_totals(self) -> list[CompletenessCell]:
        totals = []
        for index, month in enumerate(self.months):
            total = CompletenessCell(hotspot=None, month=month)  # type: ignore[arg-type]
            for _hotspot, cells in self.rows:
                total.expected += cells[index].expected
                total.entered += cells[index].entered
            totals.append(total)
        return totals

    def missing_in(self, month: dt.date) -> list[Gap]:
        return [gap for gap in self.missing if gap.month == month]


def _expected_from(hotspot: Hotspot) -> dt.date | None:
    """Values are due from the month the hotspot was approved (all months if unknown)."""
    if hotspot.approved_at is None:
        return None
    return timezone.localtime(hotspot.approved_at).date().replace(day=1)


def completeness(hotspots: list[Hotspot], months: list[dt.date]) -> Completeness:
    """Which values of ``hotspots`` (with their communes prefetched) were entered in
    ``months``: per hotspot and month the count due and entered, and every gap with its
    supplying agencies. Three queries, whatever the number of hotspots or months.
    """
    report = Completeness(months=months)
    if not hotspots or not months:
        return report
    indicators = definitions()
    entered = set(
        IndicatorValue.objects.filter(
            hotspot__in=[h.pk for h in hotspots], month__gte=min(months), month__lte=max(months)
        ).values_list("hotspot_id", "indicator_id", "month")
    )
    kinds = {i.supplier_kind for i in indicators}
    if kinds & Agency.POLICE_KINDS:
        kinds |= Agency.POLICE_KINDS
    agencies = list(Agency.objects.filter(kind__in=kinds).order_by("name_fr"))
    for hotspot in hotspots:
        start = _expected_from(hotspot)
        suppliers = {i.pk: supplier_agencies(hotspot, i, agencies) for i in indicators}
        cells = []
        for month in months:
            cell = CompletenessCell(hotspot=hotspot, month=month)
            if start is None or month >= start:
                for indicator in indicators:
                    cell.expected += 1
                    if (hotspot.pk, indicator.pk, month) in entered:
                        cell.entered += 1
                    else:
                        report.missing.append(
                            Gap(hotspot, indicator, month, suppliers[indicator.pk])
                        )
            cells.append(cell)
        report.rows.append((hotspot, cells))
    return report
