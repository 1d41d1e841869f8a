"""Forms of the hotspot list over time: the "as of" date, a change of the list (with its
source), an exit criterion and its review."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core import bounds
from coordination.core.forms import BoundedDateField, FilterForm, IdChoiceField, SafeForm
from coordination.models import CoresDecision, CoresMeeting
from hotspots.forms.bilingual import BilingualFormMixin, add_bilingual_fields
from hotspots.models import ExitCriterion, Hotspot, HotspotListChange, PoliceOrder
from hotspots.services.hotspot_list import LISTABLE_STATUSES

Change = HotspotListChange.Change
Source = HotspotListChange.Source


class AsOfForm(FilterForm):
    """The date the list is shown for (GET; a date out of range is ignored, with a word)."""

    on = BoundedDateField(label=_("As of"), required=False, bounds=bounds.FILTER)


class ListChangeForm(BilingualFormMixin, SafeForm):
    hotspot = IdChoiceField(label=_("Hotspot"), queryset=Hotspot.objects.none())
    change = forms.ChoiceField(label=_("Change"), choices=Change.choices)
    source_kind = forms.ChoiceField(
        label=_("Source"), choices=Source.choices, help_text=_("What changed the list.")
    )
    cores_decision = IdChoiceField(
        label=_("CoReS decision"),
        queryset=CoresDecision.objects.none(),
        required=False,
        help_text=_("When the source is a CoReS decision."),
    )
    police_order = IdChoiceField(
        label=_("Regional police order"),
        queryset=PoliceOrder.objects.none(),
        required=False,
        help_text=_("When the source is the regional order or its amendment."),
    )
    decided_on = BoundedDateField(
        label=_("Decided on"),
        required=False,
        bounds=bounds.POLICE_ORDER,
        help_text=_("Empty: the date of the decision or the order's signature."),
    )
    in_force_on = BoundedDateField(label=_("In force from"), bounds=bounds.POLICE_ORDER)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_bilingual_fields(self, HotspotListChange)
        cast(forms.ModelChoiceField, self.fields["hotspot"]).queryset = Hotspot.objects.filter(
            status__in=LISTABLE_STATUSES
        ).order_by("code")
        cast(
            forms.ModelChoiceField, self.fields["cores_decision"]
        ).queryset = CoresDecision.objects.select_related("meeting").order_by(
            "-meeting__held_on", "id"
        )
        cast(
            forms.ModelChoiceField, self.fields["police_order"]
        ).queryset = PoliceOrder.objects.filter(scope=PoliceOrder.Scope.REGIONAL).order_by(
            "-valid_from", "-id"
        )


class ExitCriterionForm(BilingualFormMixin, SafeForm):
    text = forms.CharField(label=_("Exit criterion"), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_bilingual_fields(self, ExitCriterion)


class ReviewForm(SafeForm):
    met = forms.TypedChoiceField(
        label=_("Status"),
        choices=[("yes", _("Met")), ("no", _("Not met"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    meeting = IdChoiceField(
        label=_("Reviewed at the CoReS meeting"),
        queryset=CoresMeeting.objects.none(),
        required=False,
    )
    reviewed_on = BoundedDateField(
        label=_("Reviewed on"),
        required=False,
        bounds=bounds.CORES_MEETING,
        help_text=_("Empty: the meeting's date, or today."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["meeting"]
        ).queryset = CoresMeeting.objects.order_by("-held_on")
