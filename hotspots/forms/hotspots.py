"""Forms of the hotspot pages: field checks only, the rules live in the services."""

from __future__ import annotations

from typing import cast

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from coordination.core import geo
from coordination.core.forms import FilterForm, IdMultipleChoiceField, SafeForm
from coordination.models import Commune, User
from hotspots.forms.bilingual import BilingualFormMixin, add_bilingual_fields
from hotspots.models import Hotspot, Phenomenon

MAX_GEOJSON_BYTES = geo.MAX_GEOJSON_BYTES


class PerimeterField(forms.CharField):
    """GeoJSON pasted, drawn on the map (the drawing fills the text) or uploaded as a file."""

    widget = forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "geojson"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_GEOJSON_BYTES)
        super().__init__(**kwargs)


class HotspotForm(BilingualFormMixin, SafeForm):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^[A-Z0-9-]{2,12}$",
        max_length=12,
        help_text=_("Capital letters and digits, for example HS16."),
        error_messages={"invalid": _("Use 2 to 12 capital letters, digits or dashes.")},
    )
    name_fr = forms.CharField(label=_("Name in French"), max_length=200)
    name_nl = forms.CharField(label=_("Name in Dutch"), max_length=200)
    communes = IdMultipleChoiceField(
        label=_("Communes"),
        queryset=Commune.objects.order_by("name_fr"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every commune the hotspot lies in: each one's mayor will decide."),
    )
    phenomena = forms.MultipleChoiceField(
        label=_("Phenomena observed"),
        choices=Phenomenon.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(self, *args, user: User, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == User.Role.MAYOR:
            # A mayor proposes hotspots in their own commune only.
            cast(forms.ModelChoiceField, self.fields["communes"]).queryset = Commune.objects.filter(
                pk=cast(int, user.commune_id)
            )
            self.fields["communes"].help_text = _("A mayor proposes hotspots in their own commune.")
        if editing:
            for name in ("code", "communes"):
                del self.fields[name]
        add_bilingual_fields(self, Hotspot, ("description",))

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if Hotspot.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Another hotspot already has this code."))
        return code


class PerimeterForm(SafeForm):
    geojson = PerimeterField(
        label=_("Perimeter (GeoJSON)"),
        required=False,
        help_text=_(
            "Draw the perimeter on the map, paste a GeoJSON polygon in WGS84 longitude/latitude, "
            "or upload a .geojson file."
        ),
    )
    upload = forms.FileField(label=_("GeoJSON file"), required=False)

    def clean(self) -> dict:
        data = cast(dict, super().clean())
        upload = data.get("upload")
        text = data.get("geojson", "")
        if upload:
            if not upload.name.lower().endswith((".geojson", ".json")):
                raise forms.ValidationError(_("Upload a .geojson or .json file."))
            if upload.size > MAX_GEOJSON_BYTES:
                raise forms.ValidationError(
                    _("The file is larger than %(size)d MB.")
                    % {"size": MAX_GEOJSON_BYTES // (1024 * 1024)}
                )
            text = upload.read()
        if not text:
            raise forms.ValidationError(_("Draw, paste or upload a perimeter."))
        # The geometry itself is checked by the service, which saves nothing if it is bad.
        data["perimeter"] = text
        return data


class DecisionForm(SafeForm):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[("approve", _("I approve this hotspot")), ("reject", _("I reject this hotspot"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Required when you reject. It is kept with your decision."),
    )

    def clean(self) -> dict:
        data = cast(dict, super().clean())
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", _("Give the reason for rejecting the hotspot."))
        return data


class CloseForm(SafeForm):
    reason = forms.CharField(
        label=_("Reason for closing"), widget=forms.Textarea(attrs={"rows": 4})
    )


class HotspotFilterForm(FilterForm):
    """The filters above the hotspot list (GET); junk values are ignored with a message."""

    status = forms.ChoiceField(label=_("Status"), choices=Hotspot.Status.choices, required=False)
    commune = forms.RegexField(label=_("Commune"), regex=r"^\d{5}$", required=False)
    zone = forms.IntegerField(label=_("Police zone"), min_value=1, max_value=99_999, required=False)

    def filters(self, request: HttpRequest) -> dict[str, str]:
        """The valid filters as the text the list and its template compare."""
        values = self.values(request)
        return {name: "" if values.get(name) is None else str(values[name]) for name in self.fields}


class PerimeterChangeForm(PerimeterForm):
    """A new perimeter for an approved hotspot: the mayors decide on it, reading why."""

    reason = forms.CharField(
        label=_("Why the perimeter changes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The mayors of the concerned communes read it with the proposal."),
    )


class PerimeterDecisionForm(DecisionForm):
    """A mayor's decision on a proposed perimeter; ``version`` is the one they read."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["decision"]).choices = [
            ("approve", _("I approve the new perimeter")),
            ("reject", _("I reject the new perimeter")),
        ]
