"""The form of a hotspot's displacement set-up: buffer width, split and windows."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import BoundedDateField, DateInput, SafeForm
from hotspots.services.displacement_quotient import (
    MAX_BUFFER_METRES,
    MAX_WINDOW,
    MIN_BUFFER_METRES,
    MIN_WINDOW,
    SPLIT_DATE,
)


class SetupForm(SafeForm):
    buffer_metres = forms.IntegerField(
        label=_("Width of the buffer ring (metres)"),
        min_value=MIN_BUFFER_METRES,
        max_value=MAX_BUFFER_METRES,
        error_messages={"invalid": _("Enter a whole number of metres.")},
    )
    window_months = forms.IntegerField(
        label=_("Months before and after the split"),
        min_value=MIN_WINDOW,
        max_value=MAX_WINDOW,
        error_messages={"invalid": _("Enter a whole number of months.")},
    )
    split_on = BoundedDateField(
        label=_("Before/after split"),
        required=False,
        bounds=SPLIT_DATE,
        widget=DateInput(),
        help_text=_("Empty: the month the hotspot was activated."),
    )
