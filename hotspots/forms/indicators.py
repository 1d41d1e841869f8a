"""Forms of the indicator pages: one grid cell, and the CSV upload."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import cast

from django import forms
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from coordination.core.bounds import parse_id
from coordination.core.forms import BoundedDateField, DateInput, SafeForm
from hotspots.services.indicators import BASELINE_DATE, TARGET_DATE

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
ALLOWED_EXTENSIONS = (".csv", ".txt")
# Browsers label CSV files in many ways (Excel on Windows says vnd.ms-excel).
ALLOWED_CONTENT_TYPES = {
    "text/csv",
    "text/plain",
    "application/csv",
    "application/vnd.ms-excel",
    "application/octet-stream",
    "",
}
#: The largest value a cell holds (12 digits, 2 of them decimals).
MAX_ORIGINAL = Decimal("9999999999.99")
_CELL_NAME = re.compile(r"^c-(\d+)-(\d{4})-(\d{2})-value$")


def cell_prefix(indicator_id: int, month: dt.date) -> str:
    """The form prefix of one grid cell: its inputs are '<prefix>-value' and '-original'."""
    return f"c-{indicator_id}-{month:%Y-%m}"


def posted_cells(data: QueryDict) -> list[tuple[int, dt.date]]:
    """The (indicator id, month) of every cell present in posted data."""
    cells = []
    for name in data:
        match = _CELL_NAME.match(name)
        # Year 0000 or an id past 64 bits cannot be a cell: skip it rather than crash.
        if match and 1 <= int(match[3]) <= 12 and int(match[2]) >= dt.MINYEAR:
            indicator_id = parse_id(match[1])
            if indicator_id is not None:
                cells.append((indicator_id, dt.date(int(match[2]), int(match[3]), 1)))
    return cells


class CellForm(SafeForm):
    """One month of one indicator; empty removes the value.

    ``original`` is the value the page showed: a cell counts as changed only when the
    person changed it, so a stale page never overwrites what someone else saved since.
    """

    value = forms.DecimalField(
        label=_("Value"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "invalid": _("Enter a number."),
            "min_value": _("Enter a number of zero or more."),
            "max_digits": _("This number is too large."),
            "max_whole_digits": _("This number is too large."),
            "max_decimal_places": _("Use at most two decimals."),
        },
    )
    original = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    # Ticked when the person confirms a value that jumps from the previous month's.
    confirm = forms.BooleanField(label=_("I confirm this value"), required=False)

    def clean_original(self) -> str:
        text = (self.cleaned_data.get("original") or "").strip()
        try:
            number = Decimal(text) if text else None
        except ArithmeticError:
            number = Decimal("NaN")
        if number is not None and (not number.is_finite() or number < 0 or number > MAX_ORIGINAL):
            raise forms.ValidationError(_("The page was altered."), code="original")
        return text

    def clean(self) -> dict:
        data = cast(dict, super().clean())
        if "original" in self.errors:
            # The grid shows a cell's value errors only: say it there, and save nothing.
            self.add_error(
                "value", _("This cell's page was out of date or altered. Reload the page.")
            )
        return data

    def original_value(self) -> Decimal | None:
        text = (self.cleaned_data.get("original") or "").strip()
        try:
            return Decimal(text) if text else None
        except ArithmeticError:
            return None

    def has_new_value(self) -> bool:
        return self.cleaned_data.get("value") != self.original_value()


class ImportForm(SafeForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One line per value with the columns hotspot, indicator, month (YYYY-MM) and "
            "value (named in English, French or Dutch), separated by commas or semicolons; "
            "UTF-8; at most 5,000 lines and 2 MB."
        ),
        error_messages={
            "required": _("Choose the CSV file to import."),
            "empty": _("The file is empty."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    confirm_jumps = forms.BooleanField(
        label=_("I checked the values that jump from the previous month: import them too"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(ALLOWED_EXTENSIONS):
            raise forms.ValidationError(
                _("Choose a CSV file (a name ending in .csv or .txt)."), code="extension"
            )
        if (getattr(upload, "content_type", "") or "").split(";")[0] not in ALLOWED_CONTENT_TYPES:
            raise forms.ValidationError(_("This file is not a CSV text file."), code="content_type")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
                code="too_big",
            )
        return upload


def _goal_value(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "invalid": _("Enter a number."),
            "min_value": _("Enter a number of zero or more."),
            "max_digits": _("This number is too large."),
            "max_whole_digits": _("This number is too large."),
            "max_decimal_places": _("Use at most two decimals."),
        },
    )


class GoalForm(SafeForm):
    """The baseline and the target of one indicator for one hotspot, each with its date."""

    baseline_value = _goal_value(_("Baseline value"))
    baseline_on = BoundedDateField(
        label=_("Baseline date"), required=False, bounds=BASELINE_DATE, widget=DateInput()
    )
    target_value = _goal_value(_("Target value"))
    target_on = BoundedDateField(
        label=_("Target date"), required=False, bounds=TARGET_DATE, widget=DateInput()
    )

    def clean(self) -> dict:
        data = cast(dict, super().clean())
        for part in ("baseline", "target"):
            value, on = data.get(f"{part}_value"), data.get(f"{part}_on")
            if f"{part}_value" in self.errors or f"{part}_on" in self.errors:
                continue
            if value is not None and on is None:
                self.add_error(f"{part}_on", _("Give the date of this value."))
            elif value is None and on is not None:
                self.add_error(f"{part}_value", _("Give the value for this date."))
        return data
