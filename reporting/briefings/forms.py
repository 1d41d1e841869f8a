"""Forms of the briefing pages: field checks only, the rules live in the services."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core import bounds
from coordination.core.bilingual import CONTENT_LANGUAGES, default_language
from coordination.core.forms import BoundedDateField, IdChoiceField, SafeForm
from coordination.models import CoresMeeting
from hotspots.models import Hotspot, PoliceOrder
from reporting.models import BriefingDecisionAsked

Decision = BriefingDecisionAsked


class BriefingForm(SafeForm):
    period_start = BoundedDateField(label=_("Period from"), bounds=bounds.REPORT_PERIOD)
    period_end = BoundedDateField(label=_("to"), bounds=bounds.REPORT_PERIOD)
    meeting = IdChoiceField(
        label=_("For the CoReS meeting"),
        queryset=CoresMeeting.objects.order_by("-held_on", "-pk"),
        required=False,
        empty_label=_("— no meeting —"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end after it starts."))
        return data


class DecisionForm(SafeForm):
    kind = forms.ChoiceField(label=_("Decision asked"), choices=Decision.Kind.choices)
    hotspot = IdChoiceField(
        label=_("Hotspot"),
        queryset=Hotspot.objects.none(),
        required=False,
        empty_label=_("— the whole region —"),
        help_text=_("Required to add, hold or close a hotspot; none for the strategy."),
    )
    order = IdChoiceField(
        label=_("Police order"),
        queryset=PoliceOrder.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("Required to renew a police order."),
    )
    language = forms.ChoiceField(label=_("Written in"), choices=CONTENT_LANGUAGES)
    proposal = forms.CharField(
        label=_("Proposal"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    proposal_translation = forms.CharField(
        label=_("Proposal in the other language"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rationale_translation = forms.CharField(
        label=_("Rationale in the other language"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("language", default_language())
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["hotspot"]).queryset = Hotspot.objects.order_by(
            "code"
        )
        cast(forms.ModelChoiceField, self.fields["order"]).queryset = PoliceOrder.objects.order_by(
            "valid_until", "pk"
        )

    def clean(self):
        data = super().clean()
        kind, hotspot = data.get("kind"), data.get("hotspot")
        if kind in Decision.HOTSPOT_KINDS and not hotspot:
            self.add_error("hotspot", _("This decision is about one hotspot: choose it."))
        if kind in Decision.REGION_KINDS and hotspot:
            self.add_error("hotspot", _("The strategy is decided for the region: choose none."))
        if kind == Decision.Kind.RENEW_ORDER and not data.get("order"):
            self.add_error("order", _("Choose the police order to renew."))
        return data
