"""Reads of the displacement quotient: the overview of every visible hotspot and one
hotspot's inputs, trend and map. Each read costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coordination.core import charts, geo
from hotspots.models import DisplacementMeasure, DisplacementSetup, Hotspot, IndicatorDefinition
from hotspots.selectors.indicators import add_months

#: How many monthly computations the trend shows.
TREND_MONTHS = 12


def watched_indicators() -> list[IndicatorDefinition]:
    return list(
        IndicatorDefinition.objects.filter(displacement_relevant=True).order_by("position", "code")
    )


@dataclass
class OverviewRow:
    hotspot: Hotspot
    # The latest measure of each watched indicator (None when never computed).
    latest: list[tuple[IndicatorDefinition, DisplacementMeasure | None]] = field(
        default_factory=list
    )

    @property
    def warned(self) -> bool:
        return any(m is not None and m.warned_at is not None for _i, m in self.latest)


def overview(hotspots_qs: QuerySet[Hotspot]) -> list[OverviewRow]:
    """Per hotspot of ``hotspots_qs``, the latest quotient of each watched indicator
    (3 queries: the hotspots, the indicators and the latest measures)."""
    hotspots = list(hotspots_qs.order_by("code"))
    indicators = watched_indicators()
    latest: dict[tuple[int, int], DisplacementMeasure] = {}
    # Newest first: the first row met of each (hotspot, indicator) is its latest.
    for measure in DisplacementMeasure.objects.filter(
        hotspot__in=[h.pk for h in hotspots], indicator__in=[i.pk for i in indicators]
    ).order_by("-month"):
        latest.setdefault((measure.hotspot_id, measure.indicator_id), measure)
    return [
        OverviewRow(
            hotspot=hotspot,
            latest=[
                (indicator, latest.get((hotspot.pk, indicator.pk))) for indicator in indicators
            ],
        )
        for hotspot in hotspots
    ]


@dataclass
class Trend:
    indicator: IndicatorDefinition
    measures: list[DisplacementMeasure]  # newest first
    svg: SafeString | str = ""

    @property
    def latest(self) -> DisplacementMeasure | None:
        return self.measures[0] if self.measures else None

    @property
    def window(self) -> dict[str, dt.date] | None:
        return month_range(self.latest) if self.latest else None


def trends(hotspot: Hotspot) -> list[Trend]:
    """Each watched indicator's last ``TREND_MONTHS`` computations for ``hotspot``, newest
    first, with a chart of the quotient (2 queries)."""
    indicators = watched_indicators()
    by_indicator: dict[int, list[DisplacementMeasure]] = defaultdict(list)
    for measure in DisplacementMeasure.objects.filter(
        hotspot=hotspot, indicator__in=[i.pk for i in indicators]
    ).order_by("indicator_id", "-month"):
        if len(by_indicator[measure.indicator_id]) < TREND_MONTHS:
            by_indicator[measure.indicator_id].append(measure)
    items = []
    for indicator in indicators:
        measures = by_indicator.get(indicator.pk, [])
        points = [
            (date_format(m.month, "N Y"), None if m.wdq is None else float(m.wdq))
            for m in reversed(measures)
        ]
        svg = ""
        if any(value is not None for _label, value in points):
            # Safe: line_chart_svg escapes every text it writes.
            svg = mark_safe(  # noqa: S308
                charts.line_chart_svg(
                    points=points,
                    title=_("Weighted displacement quotient: %(indicator)s")
                    % {"indicator": indicator.name},
                    unit=_("quotient"),
                    # Above zero is diffusion of benefits: higher is better.
                    lower_is_better=False,
                )
            )
        items.append(Trend(indicator=indicator, measures=measures, svg=svg))
    return items


def setup_of(hotspot: Hotspot) -> DisplacementSetup | None:
    return DisplacementSetup.objects.filter(hotspot=hotspot).first()


def areas_map(hotspot: Hotspot, setup: DisplacementSetup | None) -> SafeString | None:
    """The hotspot with its buffer ring and its control area over its communes (none
    without a perimeter); ``hotspot.communes`` should be prefetched."""
    if not hotspot.perimeter:
        return None
    communes = [
        geo.MapArea(geometry=c.boundary, label=c.name) for c in hotspot.communes.all() if c.boundary
    ]
    areas = []
    if setup is not None and setup.control_geometry:
        areas.append(
            geo.MapArea(
                geometry=setup.control_geometry, label=_("Control area"), css_class="control-area"
            )
        )
    if setup is not None and setup.buffer_geometry:
        areas.append(
            geo.MapArea(
                geometry=setup.buffer_geometry,
                label=_("Buffer area (%(metres)s m)") % {"metres": setup.buffer_metres},
                css_class="buffer-ring",
            )
        )
    areas.append(
        geo.MapArea(
            geometry=hotspot.perimeter,
            label=f"{hotspot.code} {hotspot.name}",
            css_class=f"status-{hotspot.status}",
        )
    )
    svg = geo.render_map_svg(
        communes=communes,
        areas=areas,
        title=_("Hotspot %(code)s, its buffer and control areas") % {"code": hotspot.code},
    )
    # render_map_svg escapes every label and filters classes and links: its output is safe.
    return mark_safe(svg)  # noqa: S308


def month_range(measure: DisplacementMeasure) -> dict[str, dt.date] | None:
    """The first and last months of the before and after windows of ``measure``."""
    if measure.split_on is None:
        return None
    split = measure.split_on.replace(day=1)
    window = measure.window_months
    return {
        "before_from": add_months(split, -window),
        "before_to": add_months(split, -1),
        "after_from": add_months(measure.month, -(window - 1)),
        "after_to": measure.month,
    }
