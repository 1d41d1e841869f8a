"""Forms of police orders. Field validation only; the rules are in services/orders.py."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Field
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coordination.core import bounds
from coordination.core.forms import BoundedDateField, FilterForm, IdChoiceField, SafeForm
from coordination.models import User
from coordination.people import permissions as policy
from hotspots.forms.bilingual import BilingualFormMixin, add_bilingual_fields, bilingual_initial
from hotspots.models import MeasureType, PoliceOrder
from hotspots.permissions import creatable_hotspots, visible_orders
from hotspots.services.orders import MAX_DOCUMENT_SIZE, check_pdf

Scope = PoliceOrder.Scope
State = PoliceOrder.State


def _label(name: str):
    """The model's own (translated) label, so the form and the admin say the same."""
    return capfirst(cast(Field, PoliceOrder._meta.get_field(name)).verbose_name)


def _help(name: str):
    return cast(Field, PoliceOrder._meta.get_field(name)).help_text


def _max_length(name: str) -> int | None:
    return cast(Field, PoliceOrder._meta.get_field(name)).max_length


class OrderChoiceField(IdChoiceField):
    def label_from_instance(self, obj: PoliceOrder) -> str:
        start = date_format(obj.valid_from, "SHORT_DATE_FORMAT")
        end = date_format(obj.valid_until, "SHORT_DATE_FORMAT")
        return f"{obj.title} ({start} – {end})"


class SignerChoiceField(IdChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} · {obj.get_role_display()}"


class OrderForm(BilingualFormMixin, SafeForm):
    scope = forms.ChoiceField(
        label=_label("scope"), choices=Scope.choices, widget=forms.RadioSelect
    )
    hotspot: forms.ModelChoiceField = IdChoiceField(
        label=_label("hotspot"), queryset=None, required=False, help_text=_help("hotspot")
    )
    title_fr = forms.CharField(label=_label("title_fr"), max_length=_max_length("title_fr"))
    title_nl = forms.CharField(label=_label("title_nl"), max_length=_max_length("title_nl"))
    measures = forms.MultipleChoiceField(
        label=_label("measures"), choices=MeasureType.choices, widget=forms.CheckboxSelectMultiple
    )
    measure_details = forms.CharField(
        label=_label("measure_details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Hours, places, exceptions: what the order says about each measure."),
    )
    legal_reference = forms.CharField(
        label=_label("legal_reference"),
        max_length=_max_length("legal_reference"),
        help_text=_("For example: New Municipal Law, art. 134ter; the order's own reference."),
    )
    signatory = forms.CharField(
        label=_label("signatory"), max_length=_max_length("signatory"), help_text=_help("signatory")
    )
    signer = SignerChoiceField(
        label=_label("signer"), queryset=None, required=False, help_text=_help("signer")
    )
    signed_on = BoundedDateField(label=_label("signed_on"), bounds=bounds.POLICE_ORDER)
    valid_from = BoundedDateField(label=_label("valid_from"), bounds=bounds.POLICE_ORDER)
    valid_until = BoundedDateField(label=_label("valid_until"), bounds=bounds.POLICE_ORDER)
    extends = OrderChoiceField(
        label=_label("extends"),
        queryset=None,
        required=False,
        help_text=_("When this order extends an earlier one, choose it."),
    )
    document = forms.FileField(
        label=_label("document"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def __init__(self, *args: Any, user: User, order: PoliceOrder | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        add_bilingual_fields(self, PoliceOrder)
        cast(forms.ModelChoiceField, self.fields["hotspot"]).queryset = creatable_hotspots(user)
        if not policy.is_csir(user):
            # A mayor signs local orders only; regional ones are the CSIR's to record.
            cast(forms.ChoiceField, self.fields["scope"]).choices = [
                (Scope.LOCAL, Scope.LOCAL.label)
            ]
            self.fields["scope"].initial = Scope.LOCAL
            cast(forms.ModelChoiceField, self.fields["signer"]).queryset = User.objects.filter(
                role=User.Role.MAYOR, commune_id=cast(int, user.commune_id), is_active=True
            )
            self.fields["signer"].initial = user.pk
        else:
            cast(forms.ModelChoiceField, self.fields["signer"]).queryset = User.objects.filter(
                role__in=[User.Role.MAYOR, User.Role.CSIR_COORDINATOR, User.Role.CSIR_ANALYST],
                is_active=True,
            ).order_by("role", "last_name", "first_name")
        extendable = visible_orders(user).select_related("hotspot").order_by("-valid_from")
        size = {"size": MAX_DOCUMENT_SIZE // (1024 * 1024)}
        self.fields["document"].help_text = _("PDF, at most %(size)s MB.") % size
        if order is not None:
            extendable = extendable.exclude(pk=order.pk)
            self.fields["document"].help_text = (
                _("Leave empty to keep the current document. PDF, at most %(size)s MB.") % size
            )
        cast(forms.ModelChoiceField, self.fields["extends"]).queryset = extendable

    def clean_document(self) -> UploadedFile | None:
        document = self.cleaned_data.get("document")
        if document:
            check_pdf(document)
        return document or None

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as keyword arguments for order_create / order_update."""
        return dict(self.cleaned_data)


def order_initial(order: PoliceOrder) -> dict[str, Any]:
    """The form's initial values from an existing order."""
    return {
        "scope": order.scope,
        "hotspot": order.hotspot_id,
        "title_fr": order.title_fr,
        "title_nl": order.title_nl,
        "measures": list(order.measures),
        "measure_details": order.measure_details,
        "legal_reference": order.legal_reference,
        "signatory": order.signatory,
        "signer": order.signer_id,
        "signed_on": order.signed_on,
        "valid_from": order.valid_from,
        "valid_until": order.valid_until,
        "extends": order.extends_id,
        **bilingual_initial(order),
    }


class OrderFilterForm(FilterForm):
    """The filters above the list, sent with GET so they work without JavaScript."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *State.choices]
    )
    scope = forms.ChoiceField(
        label=_("Scope"), required=False, choices=[("", _("Any scope")), *Scope.choices]
    )
