"""Reads of indicator values: the monthly grid, the trend charts and the CSV export.

Each read costs a fixed number of queries, whatever the number of indicators or months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

from coordination.core import charts
from hotspots.models import Hotspot, IndicatorDefinition, IndicatorValue

EXPORT_HEADER = ["hotspot", "indicator", "month", "value"]


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months after (or before) ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_of(year: int) -> list[dt.date]:
    return [dt.date(year, number, 1) for number in range(1, 13)]


def definitions() -> list[IndicatorDefinition]:
    return list(IndicatorDefinition.objects.order_by("position", "code"))


@dataclass
class GridRow:
    indicator: IndicatorDefinition
    values: dict[dt.date, Decimal]

    def cells(self, months: list[dt.date]) -> list[tuple[dt.date, Decimal | None]]:
        return [(month, self.values.get(month)) for month in months]


def grid(hotspot: Hotspot, *, year: int) -> list[GridRow]:
    """One row per indicator with its values of ``year`` by month (2 queries)."""
    rows = {d.pk: GridRow(indicator=d, values={}) for d in definitions()}
    for indicator_id, month, value in IndicatorValue.objects.filter(
        hotspot=hotspot, month__year=year
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
    indicators = definitions()
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
        svg = charts.line_chart_svg(
            points=points,
            title=indicator.name,
            unit=indicator.unit,
            lower_is_better=indicator.lower_is_better,
        )
        items.append(
            {
                "indicator": indicator,
                # Safe: line_chart_svg escapes every text it writes.
                "svg": mark_safe(svg),  # noqa: S308
                "latest": known[-1][1] if known else None,
                "latest_month": known[-1][0] if known else None,
                "trend": direction,
                "improving": None
                if direction == "flat"
                else (direction == "down") == indicator.lower_is_better,
            }
        )
    return items


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
