"""Forms of displacement reports. Field checks only; the rules are in services/displacement.py."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coordination.core import bounds
from coordination.core.forms import BoundedDateField, FilterForm, IdChoiceField, SafeForm
from coordination.models import Commune
from hotspots.models import Hotspot, Phenomenon
from taskforces.forms.bilingual import LanguageField
from taskforces.models import DisplacementFollowUp, DisplacementReport
from taskforces.selectors.displacement import reportable_hotspots

Status = DisplacementReport.Status


def _label(name: str, model: type[Model] = DisplacementReport):
    """The model's own (translated) label, so the form and the admin say the same."""
    return capfirst(cast(Field, model._meta.get_field(name)).verbose_name)


class HotspotChoiceField(IdChoiceField):
    def label_from_instance(self, obj: Hotspot) -> str:
        return f"{obj.code} {obj.name}"


class CommuneChoiceField(IdChoiceField):
    def label_from_instance(self, obj: Commune) -> str:
        return obj.name


def _communes():
    # The boundaries are heavy and not needed to fill a drop-down.
    return Commune.objects.defer("boundary").order_by("name_fr")


class CoordinateInput(forms.NumberInput):
    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"step": "any", "inputmode": "decimal", **(attrs or {})})


class DisplacementForm(SafeForm):
    from_hotspot = HotspotChoiceField(label=_label("from_hotspot"), queryset=None)
    phenomenon = forms.ChoiceField(label=_label("phenomenon"), choices=Phenomenon.choices)
    commune = CommuneChoiceField(label=_label("commune"), queryset=None)
    place = forms.CharField(
        label=_label("place"),
        max_length=DisplacementReport._meta.get_field("place").max_length,
        help_text=_("Street, square, station entrance: as precisely as you can."),
    )
    language = LanguageField()
    lon = forms.FloatField(
        label=_label("lon"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=CoordinateInput(),
        help_text=_(
            "Optional. Click the place on the map, or type its longitude (about 4.35 in "
            "Brussels) and latitude (about 50.85)."
        ),
    )
    lat = forms.FloatField(
        label=_label("lat"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=CoordinateInput(),
    )
    observed_on = BoundedDateField(label=_label("observed_on"), bounds=bounds.DISPLACEMENT)
    severity = forms.ChoiceField(
        label=_label("severity"),
        choices=DisplacementReport.Severity.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["from_hotspot"]).queryset = reportable_hotspots()
        cast(forms.ModelChoiceField, self.fields["commune"]).queryset = _communes()
        today = timezone.localdate()
        self.fields["observed_on"].widget.attrs["max"] = today.isoformat()
        self.fields["observed_on"].initial = today


class FollowUpForm(SafeForm):
    text = forms.CharField(
        label=_label("text", DisplacementFollowUp),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done or seen since the report."),
    )
    language = LanguageField(help_text="")


class CloseForm(SafeForm):
    closure_note = forms.CharField(
        label=_label("closure_note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the displacement was dealt with. Everyone involved is told."),
    )
    language = LanguageField(help_text="")

    def __init__(self, *args, **kwargs) -> None:
        # The follow-up form is on the same page: distinct ids keep the labels right.
        kwargs.setdefault("auto_id", "close_%s")
        super().__init__(*args, **kwargs)


class DisplacementFilterForm(FilterForm):
    """The filters above the list, sent with GET so they work without JavaScript."""

    status = forms.ChoiceField(
        label=_label("status"), required=False, choices=[("", _("Any status")), *Status.choices]
    )
    commune = CommuneChoiceField(
        label=_label("commune"),
        queryset=None,
        required=False,
        to_field_name="nis_code",
        empty_label=_("Any commune"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["commune"]).queryset = _communes()
