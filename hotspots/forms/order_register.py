"""Forms of the register of police orders. Field validation only; the rules are in
services/order_register.py."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Field
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coordination.core import bounds
from coordination.core.forms import BoundedDateField, FilterForm, IdMultipleChoiceField, SafeForm
from coordination.models import User
from hotspots.forms.bilingual import BilingualFormMixin, add_bilingual_fields
from hotspots.models import Hotspot, MeasureType, OrderAmendment, PoliceOrder
from hotspots.permissions import visible_hotspots

Kind = OrderAmendment.Kind


def _label(name: str):
    return capfirst(cast(Field, OrderAmendment._meta.get_field(name)).verbose_name)


class RegisterDateForm(FilterForm):
    """The day the register is read for ("as of"), sent with GET; today by default."""

    on = BoundedDateField(label=_("In force on"), bounds=bounds.FILTER, required=False)


class HotspotChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, obj: Hotspot) -> str:
        return str(obj)


class AmendmentForm(BilingualFormMixin, SafeForm):
    kind = forms.ChoiceField(label=_label("kind"), choices=Kind.choices, widget=forms.RadioSelect)
    signed_on = BoundedDateField(label=_label("signed_on"), bounds=bounds.POLICE_ORDER)
    valid_from = BoundedDateField(label=_label("valid_from"), bounds=bounds.POLICE_ORDER)
    valid_until = BoundedDateField(label=_label("valid_until"), bounds=bounds.POLICE_ORDER)
    summary = forms.CharField(
        label=_label("summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: extended until 3 September 2025; two hotspots added."),
    )
    measures = forms.MultipleChoiceField(
        label=_label("measures"), choices=MeasureType.choices, widget=forms.CheckboxSelectMultiple
    )
    measure_details = forms.CharField(
        label=_label("measure_details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Hours, places, exceptions, as the amended order reads in full."),
    )
    hotspots: forms.ModelMultipleChoiceField = HotspotChoiceField(
        label=_label("hotspots"),
        queryset=Hotspot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every hotspot the order covers after this change (not only those added)."),
    )

    def __init__(self, *args: Any, user: User, order: PoliceOrder, first: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        add_bilingual_fields(self, OrderAmendment)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        if first:
            kind.choices = [(Kind.ORIGINAL, Kind.ORIGINAL.label)]
            kind.initial = Kind.ORIGINAL
        else:
            kind.choices = [(k, label) for k, label in Kind.choices if k != Kind.ORIGINAL]
        if order.scope == PoliceOrder.Scope.LOCAL:
            # A local order covers its own hotspot: nothing to choose.
            del self.fields["hotspots"]
        else:
            cast(forms.ModelMultipleChoiceField, self.fields["hotspots"]).queryset = (
                visible_hotspots(user)
                .filter(status__in=[Hotspot.Status.APPROVED, Hotspot.Status.ACTIVE])
                .order_by("code")
            )

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as keyword arguments for amendment_record."""
        return dict(self.cleaned_data)


def amendment_initial(order: PoliceOrder, latest: OrderAmendment | None) -> dict[str, Any]:
    """A new entry starts from the state in force: the latest amendment, or the order."""
    source: OrderAmendment | PoliceOrder = latest if latest is not None else order
    initial: dict[str, Any] = {
        "signed_on": timezone.localdate(),
        "valid_from": source.valid_from,
        "valid_until": source.valid_until,
        "measures": list(source.measures),
        "measure_details": source.measure_details,
        "language": source.language,
    }
    if latest is None:
        initial["signed_on"] = order.signed_on
    else:
        initial["hotspots"] = [hotspot.pk for hotspot in latest.hotspots.all()]
    return initial


class StepDoneForm(SafeForm):
    done_on = BoundedDateField(label=_("Done on"), bounds=bounds.POLICE_ORDER)
