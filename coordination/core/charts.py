"""Small inline SVG charts for HTML pages and WeasyPrint PDFs.

Pure functions: no database, no script, no external resource, presentation attributes
inline (the page CSS may override them, a PDF needs none). Every text that reaches the
markup is escaped here, so callers may ``mark_safe`` the result and nothing else.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _

__all__ = ["Reference", "Trend", "line_chart_svg", "nice_max", "trend"]

Trend = Literal["up", "down", "flat"]

_SVG_NS = "http://www.w3.org/2000/svg"
# Characters XML 1.0 does not allow; one would make the whole SVG unparsable.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A change of the three-month mean smaller than this share counts as flat: monthly
# figures are noisy and a 5 % wobble is not a trend anyone should act on.
TREND_THRESHOLD = 0.10

_FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
_LINE_COLOUR = "#0b4f8a"
_GOOD_COLOUR = "#1d6b35"
_BAD_COLOUR = "#a4161a"
_GRID_COLOUR = "#c9d1db"
_TEXT_COLOUR = "#4a5563"
_TARGET_COLOUR = "#1d6b35"
_BASELINE_COLOUR = "#6b4c9a"


@dataclass(frozen=True)
class Reference:
    """A level drawn across a chart (a baseline or a target) and its date as shown."""

    value: float
    when: str


def _text(value: object) -> str:
    return escape(_XML_INVALID.sub("", str(value)))


def _coord(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _number(value: float) -> str:
    """A value as people read it in the current language (decimal comma in French)."""
    if value == int(value):
        return number_format(int(value))
    return number_format(round(value, 2))


def _float(value: float | Decimal | None) -> float | None:
    return None if value is None else float(value)


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above ``value`` (1 for nothing)."""
    if not value or value <= 0 or not math.isfinite(value):
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10.0**exponent
        if candidate >= value * (1 - 1e-9):
            return candidate
    return 10.0 ** (exponent + 1)  # pragma: no cover - the loop always returns


def trend(values: Sequence[float | Decimal | None]) -> Trend:
    """'up', 'down' or 'flat': the mean of the last 3 months against the 3 before.

    ``values`` are monthly values in chronological order; missing months (None) are left
    out of the means. Without a value in both windows the trend is 'flat'.
    """
    series = [_float(v) for v in values]
    last = [v for v in series[-3:] if v is not None]
    before = [v for v in series[-6:-3] if v is not None]
    if not last or not before:
        return "flat"
    last_mean, before_mean = sum(last) / len(last), sum(before) / len(before)
    if before_mean == 0:
        return "up" if last_mean > 0 else "flat"
    change = (last_mean - before_mean) / before_mean
    if change > TREND_THRESHOLD:
        return "up"
    if change < -TREND_THRESHOLD:
        return "down"
    return "flat"


def _summary(
    points: Sequence[tuple[str, float | None]], unit: str, lower_is_better: bool, direction: Trend
) -> str:
    known = [(label, v) for label, v in points if v is not None]
    if not known:
        return _("No values for this period.")
    values = [v for _label, v in known]
    latest_label, latest = known[-1]
    direction_text = {"up": _("rising"), "down": _("falling"), "flat": _("stable")}[direction]
    summary = _(
        # The unit is a label, not a noun after the number: "faits" cannot agree with 1.
        "%(first)s to %(last)s (%(unit)s): minimum %(min)s, maximum %(max)s, latest value "
        "%(latest)s (%(latest_month)s). Trend over the last three months: %(trend)s."
    ) % {
        "first": points[0][0],
        "last": points[-1][0],
        "min": _number(min(values)),
        "max": _number(max(values)),
        "latest": _number(latest),
        "unit": unit,
        "latest_month": latest_label,
        "trend": direction_text,
    }
    better = _("Lower is better.") if lower_is_better else _("Higher is better.")
    return f"{summary} {better}"


def line_chart_svg(
    *,
    points: list[tuple[str, float | None]],
    title: str,
    unit: str = "",
    width: int = 320,
    height: int = 140,
    lower_is_better: bool = True,
    summary_in_title: bool = False,
    baseline: Reference | None = None,
    target: Reference | None = None,
) -> str:
    """A line chart of monthly values as self-contained inline SVG markup.

    ``points`` are (x label, value) in order; a None value leaves a gap in the line. The
    y axis starts at 0 and ends at a rounded maximum; only a few x labels are written so
    they never overlap; the last known value is marked and labelled. The <title> and
    <desc> together are the accessible name on the web: the series, then a summary
    (minimum, maximum, latest value and trend).

    ``summary_in_title`` puts that summary in the <title> too, for renderers that read
    only the title: WeasyPrint makes the <title> the /Alt text of the chart's Figure in a
    tagged PDF. The SVG is then named by its <title> alone (which holds both) and the
    <desc> stays as its description.

    ``baseline`` and ``target`` are drawn as labelled horizontal lines (dotted and dashed,
    each named in words beside it, so not by colour alone) and stated in the <desc>.
    """
    values = [_float(v) for _label, v in points]
    direction = trend(values)
    known = [v for v in values if v is not None]
    levels = [ref.value for ref in (baseline, target) if ref is not None]
    top_value = nice_max(max([*known, *levels]) if known or levels else 0)

    left, right, top, bottom = 34, 12, 16, 20
    plot_w = max(width - left - right, 10)
    plot_h = max(height - top - bottom, 10)
    count = len(points)

    def x_at(index: int) -> float:
        if count <= 1:
            return left + plot_w / 2
        return left + plot_w * index / (count - 1)

    def y_at(value: float) -> float:
        return top + plot_h * (1 - min(value, top_value) / top_value)

    fingerprint = repr((points, title, unit, width, height, lower_is_better, baseline, target))
    uid = "chart-" + hashlib.blake2s(fingerprint.encode(), digest_size=5).hexdigest()
    body: list[str] = []

    # Horizontal grid and y labels: 0, half and the rounded maximum.
    for share in (0, 0.5, 1):
        y = y_at(top_value * share)
        body.append(
            f'<line x1="{left}" y1="{_coord(y)}" x2="{left + plot_w}" y2="{_coord(y)}" '
            f'stroke="{_GRID_COLOUR}" stroke-width="1"/>'
        )
        body.append(
            f'<text x="{left - 4}" y="{_coord(y + 3)}" text-anchor="end" {_FONT} '
            f'font-size="9" fill="{_TEXT_COLOUR}">{_text(_number(top_value * share))}</text>'
        )
    if unit:
        body.append(
            f'<text x="{left}" y="{top - 5}" {_FONT} font-size="9" '
            f'fill="{_TEXT_COLOUR}">{_text(unit)}</text>'
        )

    # Sparse x labels, counted back from the last month so the latest is always named.
    step = max(1, math.ceil(count / 4))
    for index, (label, _value) in enumerate(points):
        if (count - 1 - index) % step:
            continue
        anchor = "end" if index == count - 1 and count > 1 else "middle"
        if index == 0 and count > 1:
            anchor = "start"
        body.append(
            f'<text x="{_coord(x_at(index))}" y="{height - 6}" text-anchor="{anchor}" '
            f'{_FONT} font-size="9" fill="{_TEXT_COLOUR}">{_text(label)}</text>'
        )

    # The baseline (dotted) and the target (dashed), each named in words at its left end.
    for ref, name, colour, dash in (
        (baseline, _("Baseline"), _BASELINE_COLOUR, "2 3"),
        (target, _("Target"), _TARGET_COLOUR, "6 3"),
    ):
        if ref is None:
            continue
        y = y_at(ref.value)
        body.append(
            f'<line x1="{left}" y1="{_coord(y)}" x2="{left + plot_w}" y2="{_coord(y)}" '
            f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="{dash}" '
            f'class="chart-{"target" if ref is target else "baseline"}"/>'
        )
        label_y = y - 3 if y - 12 > top else y + 10
        body.append(
            f'<text x="{left + 3}" y="{_coord(label_y)}" {_FONT} font-size="8" '
            f'fill="{colour}">{_text(f"{name} {_number(ref.value)}")}</text>'
        )

    # The series: one polyline per run of known values, a dot for a lone value.
    runs: list[list[tuple[float, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((x_at(index), y_at(value)))
    for run in runs:
        if len(run) == 1:
            x, y = run[0]
            body.append(f'<circle cx="{_coord(x)}" cy="{_coord(y)}" r="2" fill="{_LINE_COLOUR}"/>')
        elif run:
            coords = " ".join(f"{_coord(x)},{_coord(y)}" for x, y in run)
            body.append(
                f'<polyline points="{coords}" fill="none" stroke="{_LINE_COLOUR}" '
                'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>'
            )

    # The last known value, marked in the colour of the trend's meaning.
    last_index = max((i for i, v in enumerate(values) if v is not None), default=None)
    if last_index is not None:
        last_value = values[last_index]
        assert last_value is not None
        improving = (direction == "down") == lower_is_better
        colour = (
            _LINE_COLOUR if direction == "flat" else (_GOOD_COLOUR if improving else _BAD_COLOUR)
        )
        x, y = x_at(last_index), y_at(last_value)
        body.append(
            f'<circle cx="{_coord(x)}" cy="{_coord(y)}" r="4" fill="{colour}" '
            'stroke="#ffffff" stroke-width="1.5"/>'
        )
        label_y = y - 7 if y - 7 > top else y + 14
        anchor = "end" if x > left + plot_w * 0.7 else "start"
        body.append(
            f'<text x="{_coord(x)}" y="{_coord(label_y)}" text-anchor="{anchor}" {_FONT} '
            f'font-size="10" font-weight="bold" fill="{colour}">{_text(_number(last_value))}'
            "</text>"
        )
    else:
        no_data = _("No data")
        body.append(
            f'<text x="{_coord(left + plot_w / 2)}" y="{_coord(top + plot_h / 2)}" '
            f'text-anchor="middle" {_FONT} font-size="10" fill="{_TEXT_COLOUR}">'
            f"{_text(no_data)}</text>"
        )

    description = _summary(points, unit, lower_is_better, direction)
    if baseline is not None:
        description += " " + _("Baseline: %(value)s (%(date)s).") % {
            "value": _number(baseline.value),
            "date": baseline.when,
        }
    if target is not None:
        description += " " + _("Target: %(value)s by %(date)s.") % {
            "value": _number(target.value),
            "date": target.when,
        }
    if summary_in_title:
        name = f"{title}. {description}" if title else description
        labelling = f'aria-labelledby="{uid}-title"'
    else:
        name, labelling = title, f'aria-labelledby="{uid}-title {uid}-desc"'
    return (
        f'<svg xmlns="{_SVG_NS}" class="line-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" {labelling}>'
        f'<title id="{uid}-title">{_text(name)}</title>'
        f'<desc id="{uid}-desc">{_text(description)}</desc>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
        f"{''.join(body)}</svg>"
    )
