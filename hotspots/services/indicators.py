"""Writes on indicator values: one cell at a time, or a whole CSV file at once."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core import bounds
from coordination.models import User
from hotspots.models import Hotspot, IndicatorDefinition, IndicatorValue
from hotspots.permissions import can_enter_indicator, visible_hotspots

MAX_IMPORT_LINES = 5_000
# The model stores 12 digits with 2 decimals.
MAX_VALUE = Decimal("9999999999.99")
COLUMNS = ("hotspot", "indicator", "month", "value")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def current_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def check_value(*, month: dt.date, value: Decimal | None) -> None:
    """Raise ValidationError unless ``month``/``value`` can be stored (None deletes)."""
    if month.day != 1:
        raise ValidationError(_("A monthly value is stored on the first day of its month."))
    if month > current_month():
        raise ValidationError(_("This month has not begun yet."))
    bounds.check_date(month, bounds.INDICATOR_MONTH)
    if value is None:
        return
    if not value.is_finite() or value < 0:
        raise ValidationError(_("Enter a number of zero or more."))
    if value > MAX_VALUE:
        raise ValidationError(_("This number is too large."))
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("Use at most two decimals."))


@transaction.atomic
def value_set(
    *,
    hotspot: Hotspot,
    indicator: IndicatorDefinition,
    month: dt.date,
    value: Decimal | None,
    by: User,
) -> IndicatorValue | None:
    """Record (or with None, remove) the value of one indicator for one month of a hotspot.

    Audited with the old and the new value; an unchanged value writes nothing. Whether
    ``by`` may enter this indicator here is the caller's check (``can_enter_indicator``).
    """
    check_value(month=month, value=value)
    current = (
        IndicatorValue.objects.select_for_update()
        .filter(hotspot=hotspot, indicator=indicator, month=month)
        .first()
    )
    old = current.value if current else None
    if old == value:
        return current
    if value is None:
        assert current is not None
        current.delete()
        result = None
    elif current is not None:
        current.value, current.entered_by = value, by
        current.save(update_fields=["value", "entered_by", "entered_at"])
        result = current
    else:
        try:
            # A savepoint: another person may have created the same cell a moment ago.
            with transaction.atomic():
                result = IndicatorValue.objects.create(
                    hotspot=hotspot, indicator=indicator, month=month, value=value, entered_by=by
                )
        except IntegrityError:
            result = IndicatorValue.objects.select_for_update().get(
                hotspot=hotspot, indicator=indicator, month=month
            )
            old = result.value
            result.value, result.entered_by = value, by
            result.save(update_fields=["value", "entered_by", "entered_at"])
    audit.record(
        actor=by,
        action="indicator.value_delete" if value is None else "indicator.value_set",
        target=hotspot,
        changes={
            "indicator": indicator.code,
            "month": f"{month:%Y-%m}",
            "value": [old, value],
        },
    )
    return result


# --- CSV import -----------------------------------------------------------------------


@dataclass(frozen=True)
class LineError:
    line: int
    reasons: list[str]


@dataclass
class ImportResult:
    """What an import did: nothing and the bad lines, or the counts of what it saved."""

    errors: list[LineError] = field(default_factory=list)
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> int:
        return self.created + self.updated


@dataclass(frozen=True)
class _Row:
    line: int
    hotspot: Hotspot
    indicator: IndicatorDefinition
    month: dt.date
    value: Decimal


def parse_month(text: str) -> dt.date | None:
    """'2025-01' as the first day of that month, or None."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        return None
    return dt.date(int(match[1]), int(match[2]), 1)


def parse_value(text: str) -> Decimal | None:
    """A non-negative number with a decimal point or comma, or None."""
    text = re.sub(r"[\s\u00a0\u202f]", "", text)
    if "," in text:
        if "." in text:
            return None
        text = text.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        return None


def _shown(text: str) -> str:
    """A cell as quoted back in an error message: trimmed, and never a whole novel."""
    text = text.strip()
    return text if len(text) <= 40 else text[:39] + "…"


def _decode(file_bytes_or_text: bytes | str) -> str | None:
    if isinstance(file_bytes_or_text, bytes):
        try:
            return file_bytes_or_text.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
    return file_bytes_or_text.removeprefix("\ufeff")


def _read_rows(text: str) -> tuple[list[tuple[int, dict[str, str]]], list[LineError]]:
    """The data lines as (line number, {column: text}), or the file's fatal error."""
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                missing = [name for name in COLUMNS if name not in header]
                if missing:
                    reason = _("The first line must name the columns %(columns)s.") % {
                        "columns": ", ".join(COLUMNS)
                    }
                    return [], [LineError(reader.line_num, [reason])]
                continue
            if len(rows) >= MAX_IMPORT_LINES:
                reason = _("The file has more than %(max)s lines; split it.") % {
                    "max": number_format(MAX_IMPORT_LINES, force_grouping=True)
                }
                return [], [LineError(reader.line_num, [reason])]
            padded = cells + [""] * (len(header) - len(cells))
            rows.append((reader.line_num, dict(zip(header, padded, strict=False))))
    except csv.Error:
        return [], [LineError(reader.line_num, [_("This line cannot be read as CSV.")])]
    if not rows:
        return [], [LineError(1, [_("The file holds no values.")])]
    return rows, []


def _check_rows(
    rows: list[tuple[int, dict[str, str]]], by: User
) -> tuple[list[_Row], list[LineError]]:
    # Hotspots the user may not see are "unknown": an import must not reveal them. There
    # are a few dozen hotspots at most, so all visible ones are read at once.
    hotspots = {
        h.code.upper(): h for h in visible_hotspots(by).prefetch_related("communes__police_zone")
    }
    indicators = {i.code.lower(): i for i in IndicatorDefinition.objects.all()}
    this_month = current_month()
    seen: dict[tuple[int, int, dt.date], int] = {}
    good: list[_Row] = []
    errors: list[LineError] = []
    for line, cells in rows:
        reasons: list[str] = []
        hotspot = hotspots.get(cells["hotspot"].strip().upper())
        if hotspot is None:
            reasons.append(
                _("Unknown hotspot code “%(code)s”.") % {"code": _shown(cells["hotspot"])}
            )
        indicator = indicators.get(cells["indicator"].strip().lower())
        if indicator is None:
            reasons.append(
                _("Unknown indicator code “%(code)s”.") % {"code": _shown(cells["indicator"])}
            )
        month = parse_month(cells["month"])
        if month is None:
            reasons.append(
                _("Month “%(month)s” is not written YYYY-MM.") % {"month": _shown(cells["month"])}
            )
        elif month > this_month:
            reasons.append(_("Month %(month)s is in the future.") % {"month": f"{month:%Y-%m}"})
        elif not bounds.INDICATOR_MONTH.contains(month):
            reasons.extend(bounds.INDICATOR_MONTH.error().messages)
        value = parse_value(cells["value"])
        if value is None:
            reasons.append(
                _("Value “%(value)s” is not a number of zero or more.")
                % {"value": _shown(cells["value"])}
            )
        elif value > MAX_VALUE:
            reasons.append(_("Value %(value)s is too large.") % {"value": _shown(cells["value"])})
        elif value != value.quantize(Decimal("0.01")):
            reasons.append(_("Value %(value)s has more than two decimals.") % {"value": value})
        if hotspot and indicator and month:
            key = (hotspot.pk, indicator.pk, month)
            if key in seen:
                reasons.append(
                    _("Same hotspot, indicator and month as line %(line)s.") % {"line": seen[key]}
                )
            else:
                seen[key] = line
            if not can_enter_indicator(by, hotspot, indicator):
                reasons.append(_("You may not enter this indicator for this hotspot."))
        if reasons:
            errors.append(LineError(line, reasons))
        elif hotspot and indicator and month and value is not None:
            good.append(_Row(line, hotspot, indicator, month, value))
    return good, errors


def import_csv(*, file_bytes_or_text: bytes | str, by: User) -> ImportResult:
    """Import monthly values from CSV (hotspot,indicator,month,value), all or nothing.

    UTF-8 with or without BOM, separated by commas or semicolons, at most 5,000 lines,
    month as YYYY-MM, decimal point or comma. Every line is checked; one bad line saves
    nothing and the result lists each bad line with its reasons. A good file is saved in
    one transaction with one audit entry counting what changed.
    """
    text = _decode(file_bytes_or_text)
    if text is None:
        return ImportResult(errors=[LineError(1, [_("The file is not UTF-8 text.")])])
    rows, errors = _read_rows(text)
    if errors:
        return ImportResult(errors=errors)
    good, errors = _check_rows(rows, by)
    result = ImportResult(errors=errors, lines=len(rows))
    if errors:
        return result
    _save(good, by=by, result=result)
    return result


@transaction.atomic
def _save(rows: list[_Row], *, by: User, result: ImportResult) -> None:
    months = [row.month for row in rows]
    existing = {
        (v.hotspot_id, v.indicator_id, v.month): v.value
        for v in IndicatorValue.objects.filter(
            hotspot__in={row.hotspot.pk for row in rows},
            indicator__in={row.indicator.pk for row in rows},
            month__gte=min(months),
            month__lte=max(months),
        ).only("hotspot_id", "indicator_id", "month", "value")
    }
    now = timezone.now()
    to_write: list[IndicatorValue] = []
    replaced: list[list[str]] = []
    for row in rows:
        key = (row.hotspot.pk, row.indicator.pk, row.month)
        old = existing.get(key)
        if old == row.value:
            result.unchanged += 1
            continue
        if old is None:
            result.created += 1
        else:
            result.updated += 1
            replaced.append(
                [
                    row.hotspot.code,
                    row.indicator.code,
                    f"{row.month:%Y-%m}",
                    str(old),
                    str(row.value),
                ]
            )
        to_write.append(
            IndicatorValue(
                hotspot=row.hotspot,
                indicator=row.indicator,
                month=row.month,
                value=row.value,
                entered_by=by,
                entered_at=now,
            )
        )
    # An upsert: a value someone saved since the check is replaced, not a crash.
    IndicatorValue.objects.bulk_create(
        to_write,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["hotspot", "indicator", "month"],
        update_fields=["value", "entered_by", "entered_at"],
    )
    audit.record(
        actor=by,
        action="indicator.import",
        target=by,
        changes={
            "lines": result.lines,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "hotspots": sorted({row.hotspot.code for row in rows}),
            "months": [f"{min(months):%Y-%m}", f"{max(months):%Y-%m}"],
            # Old and new value of every replaced figure: the trail keeps what was lost.
            "replaced": replaced,
        },
    )
