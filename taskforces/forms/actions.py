"""Forms of actions, their status, timeline and escalation."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core import bounds
from coordination.core.forms import (
    BoundedDateField,
    FilterForm,
    IdChoiceField,
    IdMultipleChoiceField,
    SafeForm,
)
from coordination.models import Agency, Axis
from hotspots.models import IndicatorDefinition
from taskforces.forms.bilingual import LanguageField
from taskforces.models import Action

Status = Action.Status
#: The revision counter is a 32-bit integer column; a larger posted one is junk.
MAX_REVISION = 2**31 - 1


# --- Actions --------------------------------------------------------------------------


class ActionForm(SafeForm):
    """An action's plan fields; ``revision`` guards against silent overwrites."""

    axis = forms.ChoiceField(label=_("Axis"), choices=Axis.choices)
    language = LanguageField()
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    lead_agency = IdChoiceField(
        label=_("Lead agency"), queryset=Agency.objects.order_by("name_fr"), required=False
    )
    partner_agencies = IdMultipleChoiceField(
        label=_("Partner agencies"),
        queryset=Agency.objects.order_by("name_fr"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their members post updates on the action's timeline."),
    )
    start_on = BoundedDateField(label=_("Start"), bounds=bounds.ACTION, required=False)
    due_on = BoundedDateField(label=_("Due"), bounds=bounds.ACTION, required=False)
    horizon = forms.ChoiceField(
        label=_("Horizon"), choices=[("", "—"), *Action.Horizon.choices], required=False
    )
    deliverable = forms.CharField(label=_("Deliverable"), max_length=300, required=False)
    indicator = IdChoiceField(
        label=_("Linked indicator"), queryset=IndicatorDefinition.objects.all(), required=False
    )
    indicator_target = forms.DecimalField(
        label=_("Indicator target"), max_digits=12, decimal_places=2, required=False
    )
    confidentiality = forms.ChoiceField(
        label=_("Confidentiality"),
        choices=Action.Confidentiality.choices,
        initial=Action.Confidentiality.TASKFORCE,
        help_text=_(
            "A police-judicial action is seen only by the police and the prosecutor's office "
            "in this task force, and by the CSIR coordinator."
        ),
    )
    revision = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=MAX_REVISION
    )

    def __init__(self, *args, police_judicial: str = "allowed", **kwargs):
        """``police_judicial``: "allowed", "forbidden" or "only" (the circle's own actions)."""
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["confidentiality"])
        if police_judicial == "forbidden":
            field.choices = [
                (Action.Confidentiality.TASKFORCE, Action.Confidentiality.TASKFORCE.label)
            ]
            field.help_text = ""
        elif police_judicial == "only":
            field.choices = [
                (
                    Action.Confidentiality.POLICE_JUDICIAL,
                    Action.Confidentiality.POLICE_JUDICIAL.label,
                )
            ]
            field.initial = Action.Confidentiality.POLICE_JUDICIAL

    def plan_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("revision", None)
        data["partner_agencies"] = list(data["partner_agencies"])
        return data


def action_initial(action: Action) -> dict:
    return {
        "axis": action.axis,
        "language": action.language,
        "title": action.title,
        "description": action.description,
        "lead_agency": action.lead_agency_id,
        "partner_agencies": [agency.pk for agency in action.partner_agencies.all()],
        "start_on": action.start_on,
        "due_on": action.due_on,
        "horizon": action.horizon,
        "deliverable": action.deliverable,
        "indicator": action.indicator_id,
        "indicator_target": action.indicator_target,
        "confidentiality": action.confidentiality,
        "revision": action.revision,
    }


class ActionStatusForm(SafeForm):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when the action is blocked or cancelled."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_REVISION)

    def __init__(self, *args, **kwargs):
        # The comment form sits on the same page: distinct ids keep the labels right.
        kwargs.setdefault("auto_id", "status_%s")
        super().__init__(*args, **kwargs)


class ActionCommentForm(SafeForm):
    comment = forms.CharField(label=_("Update"), widget=forms.Textarea(attrs={"rows": 3}))
    language = LanguageField()
    police_judicial = forms.BooleanField(
        label=_("Police-judicial note (seen only by the police-judicial circle)"), required=False
    )

    def __init__(self, *args, allow_police_judicial: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "update_%s")
        super().__init__(*args, **kwargs)
        if not allow_police_judicial:
            del self.fields["police_judicial"]


class EscalateForm(SafeForm):
    reason = forms.CharField(
        label=_("Why it is blocked and what you expect from the CSIR"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    language = LanguageField()


class ResolveForm(SafeForm):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))
    # The CSIR may write in another language than the reason's author: its own.
    language = LanguageField()


class MyActionsFilter(FilterForm):
    status = forms.ChoiceField(
        label=_("Show"),
        choices=[("", _("All")), ("late", _("Late")), *Status.choices],
        required=False,
    )
