"""Writes on indicator values: one cell at a time, or a whole CSV file at once."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coordination.audit import services as audit
from coordination.core import bounds
from coordination.models import Agency, User
from coordination.notifications.services import notify
from hotspots.models import (
    Area,
    Hotspot,
    IndicatorDefinition,
    IndicatorGoal,
    IndicatorReminder,
    IndicatorValue,
)
from hotspots.permissions import can_enter_indicator, visible_hotspots
from hotspots.selectors import indicators as selectors

MAX_IMPORT_LINES = 5_000
# The model stores 12 digits with 2 decimals.
MAX_VALUE = Decimal("9999999999.99")
COLUMNS = ("hotspot", "indicator", "month", "value")
#: The column names an import accepts, by language: a header may mix them. Compared
#: without case, accents, spaces or punctuation (``_header_key``).
COLUMN_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "hotspot": "hotspot",
        "indicator": "indicator",
        "month": "month",
        "value": "value",
        "area": "area",
    },
    "fr": {
        "hotspot": "hotspot",
        "indicator": "indicateur",
        "month": "mois",
        "value": "valeur",
        "area": "zone",
    },
    "nl": {
        "hotspot": "hotspot",
        "indicator": "indicator",
        "month": "maand",
        "value": "waarde",
        "area": "gebied",
    },
}
#: The optional column: the area the value was counted in (the hotspot when absent/empty).
OPTIONAL_COLUMNS = ("area",)
#: The names of the areas an import accepts (compared as ``_header_key`` writes them).
AREA_NAMES: dict[str, tuple[str, ...]] = {
    Area.HOTSPOT: ("hotspot", "zoneprioritaire", "cible", "target", "doel"),
    Area.BUFFER: ("buffer", "tampon", "zonetampon", "bufferzone", "buffergebied", "ring"),
    Area.CONTROL: (
        "control",
        "controle",
        "zonedecontrole",
        "zonecontrole",
        "controlegebied",
        "controlezone",
    ),
}
#: Other names people write for the same columns (the export's codes are the English ones).
_EXTRA_NAMES = {
    "hotspot": ("zoneprioritaire", "hotspotcode", "codehotspot"),
    "indicator": ("indicatorcode", "codeindicateur", "indicateurcode"),
    "month": ("periode", "period"),
    "value": ("valeurs", "waarden", "aantal", "nombre"),
    "area": ("typezone", "zonetype", "gebiedstype", "areatype"),
}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def current_month() -> dt.date:
    return timezone.localdate().replace(day=1)


# --- Implausible jumps ------------------------------------------------------------------


class JumpWarning(ValidationError):
    """The value jumps from the previous month's beyond INDICATOR_JUMP_FACTOR: it is saved
    only when the person confirms it (``confirmed=True``)."""

    def __init__(self, previous: Decimal, value: Decimal) -> None:
        self.previous, self.value = previous, value
        super().__init__(jump_message(previous, value), code="jump")


def jump_message(previous: Decimal, value: Decimal) -> str:
    return _(
        "%(value)s is far from last month's value (%(previous)s). Check it, then tick "
        "“I confirm this value” to save it."
    ) % {"value": selectors.format_value(value), "previous": selectors.format_value(previous)}


def is_jump(previous: Decimal | None, value: Decimal | None) -> bool:
    """Whether ``value`` after ``previous`` is implausible enough to ask for a confirmation.

    More than INDICATOR_JUMP_FACTOR times the previous month's value, or less than its
    1/factor; after a zero, more than INDICATOR_JUMP_FROM_ZERO. Nothing to compare with
    (no previous value, or a value being removed) is never a jump.
    """
    if previous is None or value is None:
        return False
    factor = Decimal(str(settings.INDICATOR_JUMP_FACTOR))
    if previous == 0:
        return value > Decimal(settings.INDICATOR_JUMP_FROM_ZERO)
    return value > previous * factor or value * factor < previous


def previous_value(
    *, hotspot: Hotspot, indicator: IndicatorDefinition, month: dt.date, area: str = Area.HOTSPOT
) -> Decimal | None:
    return (
        IndicatorValue.in_all_areas.filter(
            hotspot=hotspot,
            indicator=indicator,
            area=area,
            month=selectors.add_months(month, -1),
        )
        .values_list("value", flat=True)
        .first()
    )


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
    confirmed: bool = False,
    area: str = Area.HOTSPOT,
) -> IndicatorValue | None:
    """Record (or with None, remove) the value of one indicator for one month of a hotspot
    (or of its buffer or control ``area``, for the displacement quotient).

    Audited with the old and the new value; an unchanged value writes nothing. Whether
    ``by`` may enter this indicator here is the caller's check (``can_enter_indicator``).
    A value that jumps from the previous month's (``is_jump``) raises ``JumpWarning``
    unless ``confirmed``; the audit entry then says it was confirmed.
    """
    check_value(month=month, value=value)
    if area not in Area.values:
        raise ValidationError(_("Unknown area."))
    current = (
        IndicatorValue.in_all_areas.select_for_update()
        .filter(hotspot=hotspot, indicator=indicator, area=area, month=month)
        .first()
    )
    old = current.value if current else None
    if old == value:
        return current
    previous = previous_value(hotspot=hotspot, indicator=indicator, month=month, area=area)
    jump = is_jump(previous, value)
    if jump and not confirmed:
        assert previous is not None and value is not None
        raise JumpWarning(previous, value)
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
                result = IndicatorValue.in_all_areas.create(
                    hotspot=hotspot,
                    indicator=indicator,
                    area=area,
                    month=month,
                    value=value,
                    entered_by=by,
                )
        except IntegrityError:
            result = IndicatorValue.in_all_areas.select_for_update().get(
                hotspot=hotspot, indicator=indicator, area=area, month=month
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
            **({} if area == Area.HOTSPOT else {"area": area}),
            "month": f"{month:%Y-%m}",
            "value": [old, value],
            **({"jump_confirmed": True, "previous_month_value": previous} if jump else {}),
        },
    )
    return result


# --- CSV import -----------------------------------------------------------------------


@dataclass(frozen=True)
class LineError:
    line: int
    reasons: list[str]


@dataclass(frozen=True)
class JumpLine:
    """A line whose value jumps from the previous month's (``is_jump``)."""

    line: int
    hotspot: str
    indicator: str
    month: dt.date
    previous: Decimal
    value: Decimal
    area: str = Area.HOTSPOT


@dataclass
class ImportResult:
    """What an import did: nothing and the bad lines (or the jumps to confirm), or the
    counts of what it saved."""

    errors: list[LineError] = field(default_factory=list)
    jumps: list[JumpLine] = field(default_factory=list)
    # True when the file was saved after its jumps were confirmed.
    jumps_confirmed: bool = False
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and (not self.jumps or self.jumps_confirmed)

    @property
    def needs_confirmation(self) -> bool:
        return not self.errors and bool(self.jumps) and not self.jumps_confirmed

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
    area: str = Area.HOTSPOT


def parse_area(text: str) -> str | None:
    """The area a cell names (in English, French or Dutch; empty: the hotspot), or None."""
    key = _header_key(text)
    if not key:
        return Area.HOTSPOT
    for area, names in AREA_NAMES.items():
        if key in names:
            return str(area)
    return None


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


def _header_key(text: str) -> str:
    """A header cell compared without case, accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def _aliases() -> dict[str, str]:
    """Every accepted header (as ``_header_key`` writes it) → the column it names."""
    names = {
        _header_key(name): column
        for language in COLUMN_NAMES.values()
        for column, name in language.items()
    }
    for column, extra in _EXTRA_NAMES.items():
        names.update({_header_key(name): column for name in extra})
    return names


def column_names(language: str | None = None) -> list[str]:
    """The column names in ``language`` (the active one by default; English otherwise)."""
    code = (language or get_language() or "en")[:2]
    names = COLUMN_NAMES.get(code, COLUMN_NAMES["en"])
    return [names[column] for column in COLUMNS]


def _header(cells: list[str]) -> tuple[list[str], list[str]]:
    """The column each header cell names ("" for an unknown one), and the missing columns."""
    aliases = _aliases()
    header = [aliases.get(_header_key(cell), "") for cell in cells]
    missing = [column for column in COLUMNS if column not in header]
    return header, missing


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
                header, missing = _header(cells)
                if missing:
                    names = dict(zip(COLUMNS, column_names(), strict=True))
                    reason = _(
                        "The first line must name the columns %(columns)s (missing: "
                        "%(missing)s). Names in English, French or Dutch are accepted."
                    ) % {
                        "columns": ", ".join(names.values()),
                        "missing": ", ".join(names[column] for column in missing),
                    }
                    return [], [LineError(reader.line_num, [reason])]
                continue
            if len(rows) >= MAX_IMPORT_LINES:
                reason = _("The file has more than %(max)s lines; split it.") % {
                    "max": number_format(MAX_IMPORT_LINES, force_grouping=True)
                }
                return [], [LineError(reader.line_num, [reason])]
            padded = cells + [""] * (len(header) - len(cells))
            # The first cell of a column named twice wins; unknown columns are ignored.
            row: dict[str, str] = {}
            for column, cell in zip(header, padded, strict=False):
                if column and column not in row:
                    row[column] = cell
            rows.append((reader.line_num, row))
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
    seen: dict[tuple[int, int, str, dt.date], int] = {}
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
        area = parse_area(cells.get("area", ""))
        if area is None:
            reasons.append(
                _("Area “%(area)s” is not hotspot, buffer or control.")
                % {"area": _shown(cells.get("area", ""))}
            )
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
        if hotspot and indicator and month and area:
            key = (hotspot.pk, indicator.pk, area, month)
            if key in seen:
                reasons.append(
                    _("Same hotspot, indicator, area and month as line %(line)s.")
                    % {"line": seen[key]}
                )
            else:
                seen[key] = line
            if not can_enter_indicator(by, hotspot, indicator):
                reasons.append(_("You may not enter this indicator for this hotspot."))
        if reasons:
            errors.append(LineError(line, reasons))
        elif hotspot and indicator and month and area and value is not None:
            good.append(_Row(line, hotspot, indicator, month, value, area))
    return good, errors


def _jumps(rows: list[_Row]) -> list[JumpLine]:
    """The lines whose value jumps from the previous month's: that of the file when it
    holds the previous month too, else the stored one (one query)."""
    in_file = {(row.hotspot.pk, row.indicator.pk, row.area, row.month): row.value for row in rows}
    months = [row.month for row in rows]
    stored = {
        (hotspot_id, indicator_id, area, month): value
        for hotspot_id, indicator_id, area, month, value in IndicatorValue.in_all_areas.filter(
            hotspot__in={row.hotspot.pk for row in rows},
            indicator__in={row.indicator.pk for row in rows},
            month__gte=selectors.add_months(min(months), -1),
            month__lte=max(months),
        ).values_list("hotspot_id", "indicator_id", "area", "month", "value")
    }
    jumps = []
    for row in rows:
        key = (row.hotspot.pk, row.indicator.pk, row.area, selectors.add_months(row.month, -1))
        previous = in_file.get(key, stored.get(key))
        if stored.get((row.hotspot.pk, row.indicator.pk, row.area, row.month)) == row.value:
            continue  # unchanged: nothing to confirm
        if is_jump(previous, row.value):
            assert previous is not None
            jumps.append(
                JumpLine(
                    row.line,
                    row.hotspot.code,
                    row.indicator.code,
                    row.month,
                    previous,
                    row.value,
                    row.area,
                )
            )
    return jumps


def import_csv(
    *, file_bytes_or_text: bytes | str, by: User, confirm_jumps: bool = False
) -> ImportResult:
    """Import monthly values from CSV (hotspot,indicator,month,value), all or nothing.

    UTF-8 with or without BOM, separated by commas or semicolons, at most 5,000 lines,
    month as YYYY-MM, decimal point or comma; the column names in English, French or
    Dutch (``COLUMN_NAMES``). Every line is checked; one bad line saves nothing and the
    result lists each bad line with its reasons. Lines whose value jumps from the
    previous month's are listed and nothing is saved unless ``confirm_jumps`` (the whole
    file confirmed). A good file is saved in one transaction with one audit entry
    counting what changed.
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
    result.jumps = _jumps(good)
    if result.jumps and not confirm_jumps:
        return result
    result.jumps_confirmed = bool(result.jumps)
    _save(good, by=by, result=result)
    return result


@transaction.atomic
def _save(rows: list[_Row], *, by: User, result: ImportResult) -> None:
    months = [row.month for row in rows]
    existing = {
        (v.hotspot_id, v.indicator_id, v.area, v.month): v.value
        for v in IndicatorValue.in_all_areas.filter(
            hotspot__in={row.hotspot.pk for row in rows},
            indicator__in={row.indicator.pk for row in rows},
            month__gte=min(months),
            month__lte=max(months),
        ).only("hotspot_id", "indicator_id", "area", "month", "value")
    }
    now = timezone.now()
    to_write: list[IndicatorValue] = []
    replaced: list[list[str]] = []
    for row in rows:
        key = (row.hotspot.pk, row.indicator.pk, row.area, row.month)
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
                    *([] if row.area == Area.HOTSPOT else [row.area]),
                ]
            )
        to_write.append(
            IndicatorValue(
                hotspot=row.hotspot,
                indicator=row.indicator,
                area=row.area,
                month=row.month,
                value=row.value,
                entered_by=by,
                entered_at=now,
            )
        )
    # An upsert: a value someone saved since the check is replaced, not a crash.
    IndicatorValue.in_all_areas.bulk_create(
        to_write,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["hotspot", "indicator", "area", "month"],
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
            # The lines whose jump from the previous month the person confirmed.
            "jumps_confirmed": [
                [j.hotspot, j.indicator, f"{j.month:%Y-%m}", str(j.previous), str(j.value)]
                for j in result.jumps
            ],
        },
    )


# --- Baselines and targets --------------------------------------------------------------

#: A baseline describes a past situation; a target may lie up to ten years ahead.
BASELINE_DATE = bounds.DateBounds(
    "indicator_baseline",
    lambda: dt.date(2015, 1, 1),
    timezone.localdate,
    _lazy("A baseline must be dated between %(earliest)s and today (%(latest)s)."),
)
TARGET_DATE = bounds.DateBounds(
    "indicator_target",
    lambda: dt.date(2015, 1, 1),
    lambda: selectors.add_months(timezone.localdate(), 120),
    _lazy("A target must be dated between %(earliest)s and %(latest)s."),
)
GOAL_FIELDS = ["baseline_value", "baseline_on", "target_value", "target_on"]


def _check_goal_part(value: Decimal | None, on: dt.date | None, dates: bounds.DateBounds) -> None:
    if (value is None) != (on is None):
        raise ValidationError(_("A baseline or a target needs both its value and its date."))
    if value is None:
        return
    if not value.is_finite() or value < 0:
        raise ValidationError(_("Enter a number of zero or more."))
    if value > MAX_VALUE:
        raise ValidationError(_("This number is too large."))
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("Use at most two decimals."))
    bounds.check_date(on, dates)


@transaction.atomic
def goal_set(
    *,
    hotspot: Hotspot,
    indicator: IndicatorDefinition,
    baseline_value: Decimal | None,
    baseline_on: dt.date | None,
    target_value: Decimal | None,
    target_on: dt.date | None,
    by: User,
) -> IndicatorGoal | None:
    """Set the baseline and the target of ``indicator`` for ``hotspot`` (None clears a part).

    The version in force is superseded, never changed or deleted; a new version is added
    unless both parts are cleared. Unchanged values write nothing. Audited with the old
    and the new values. Whether ``by`` may do it is the caller's check
    (``can_enter_indicator``: whoever enters the values sets their goals).
    """
    _check_goal_part(baseline_value, baseline_on, BASELINE_DATE)
    _check_goal_part(target_value, target_on, TARGET_DATE)
    # Locks the hotspot row: two people saving at once serialise here, and the partial
    # unique constraint makes sure only one version is in force anyway.
    Hotspot.objects.select_for_update().filter(pk=hotspot.pk).first()
    current = (
        IndicatorGoal.objects.select_for_update()
        .filter(hotspot=hotspot, indicator=indicator, superseded_at__isnull=True)
        .first()
    )
    new = {
        "baseline_value": baseline_value,
        "baseline_on": baseline_on,
        "target_value": target_value,
        "target_on": target_on,
    }
    old = {name: getattr(current, name) if current else None for name in GOAL_FIELDS}
    if old == new:
        return current
    now = timezone.now()
    if current is not None:
        current.superseded_at = now
        current.save(update_fields=["superseded_at"])
    goal = None
    if any(value is not None for value in new.values()):
        goal = IndicatorGoal.objects.create(
            hotspot=hotspot, indicator=indicator, set_by=by, set_at=now, **new
        )
    audit.record(
        actor=by,
        action="indicator.goal_set",
        target=hotspot,
        changes={
            "indicator": indicator.code,
            **{name: [old[name], new[name]] for name in GOAL_FIELDS if old[name] != new[name]},
        },
    )
    return goal


# --- Reminders of missing values --------------------------------------------------------


@dataclass(frozen=True)
class RemindResult:
    reminders: int  # new (hotspot, indicator, month, agency) reminders
    already: int  # gaps whose agency had already been reminded
    told: int  # people notified


def _missing_params(gaps: dict[Hotspot, list[IndicatorDefinition]]) -> dict[str, str]:
    """'HS10 Gare du Midi (Fusillades, Saisies); …' in French and in Dutch (reference names
    known in both languages, so the reader's one is shown)."""

    def listed(name: str) -> str:
        return "; ".join(
            f"{hotspot.code} {getattr(hotspot, name)} "
            f"({', '.join(getattr(i, name) for i in indicators)})"
            for hotspot, indicators in gaps.items()
        )

    return {"missing": listed("name_fr"), "missing_nl": listed("name_nl")}


def _reminder_url(gaps: dict[Hotspot, list[IndicatorDefinition]], month: dt.date) -> str:
    """The grid of the one hotspot concerned, else the completeness page of the month."""
    if len(gaps) == 1:
        hotspot = next(iter(gaps))
        return f"{reverse('hotspots:indicator_grid', args=[hotspot.pk])}?year={month.year}"
    return f"{reverse('hotspots:indicator_completeness')}?month={month:%Y-%m}"


def remind_missing(*, month: dt.date, by: User | None = None) -> RemindResult:
    """Tell each supplying agency which of ``month``'s values it has not entered yet.

    One notification per agency, naming each hotspot and its missing indicators, to the
    agency's active people; each (hotspot, indicator, month, agency) is reminded once,
    whoever asks again (the monthly job or the CSIR's "remind now"). Returns the counts.
    """
    hotspots = list(selectors.expected_hotspots(Hotspot.objects.all()))
    report = selectors.completeness(hotspots, [month])
    groups: dict[int, dict[Hotspot, list[IndicatorDefinition]]] = defaultdict(
        lambda: defaultdict(list)
    )
    agencies: dict[int, Agency] = {}
    reminders = already = told = 0
    with transaction.atomic():
        sent = set(
            IndicatorReminder.objects.filter(month=month).values_list(
                "hotspot_id", "indicator_id", "agency_id"
            )
        )
        for gap in report.missing:
            for agency in gap.agencies:
                key = (gap.hotspot.pk, gap.indicator.pk, agency.pk)
                if key in sent:
                    already += 1
                    continue
                # A savepoint: a concurrent run may have sent the same reminder meanwhile.
                try:
                    with transaction.atomic():
                        IndicatorReminder.objects.create(
                            hotspot=gap.hotspot,
                            indicator=gap.indicator,
                            month=month,
                            agency=agency,
                            sent_by=by,
                        )
                except IntegrityError:
                    already += 1
                    continue
                sent.add(key)
                reminders += 1
                agencies[agency.pk] = agency
                groups[agency.pk][gap.hotspot].append(gap.indicator)
        people: dict[int, list[User]] = defaultdict(list)
        for person in User.objects.filter(agency__in=list(agencies), is_active=True):
            people[person.agency_id].append(person)
        for agency_id, gaps in groups.items():
            told += len(
                notify(
                    recipients=people[agency_id],
                    kind="indicator_missing",
                    params={"month": f"{month:%m/%Y}", **_missing_params(gaps)},
                    url=_reminder_url(gaps, month),
                )
            )
        if by is not None:
            audit.record(
                actor=by,
                action="indicator.remind",
                target=by,
                changes={"month": f"{month:%Y-%m}", "reminders": reminders, "people": told},
            )
    return RemindResult(reminders=reminders, already=already, told=told)
