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
from coordination.models import Agency, Axis, User
from hotspots.models import IndicatorDefinition
from taskforces.forms.bilingual import LanguageField
from taskforces.models import Action
from taskforces.services import actions as action_services

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
    owner = IdChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text=_(
            "The person of the lead agency who answers for the action. Changing the lead "
            "agency? Save it first to choose among its members."
        ),
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
        self._limit_owners()

    def _lead_agency(self) -> Agency | None:
        """The lead agency the form is about: the posted one, else the action's."""
        raw = self.data.get(self.add_prefix("lead_agency")) if self.is_bound else None
        if raw is None:
            raw = self.get_initial_for_field(self.fields["lead_agency"], "lead_agency")
        pk = bounds.parse_id(str(raw)) if raw not in (None, "") else None
        return Agency.objects.filter(pk=pk).first() if pk is not None else None

    def _limit_owners(self) -> None:
        """Offer the active members of the lead agency; any other choice gets a clear
        message from ``clean`` (and the action services refuse it too)."""
        field = cast(IdChoiceField, self.fields["owner"])
        candidates = list(action_services.owner_candidates(self._lead_agency()))
        current = self.get_initial_for_field(field, "owner")
        choices: list[tuple[object, str]] = [("", "—")]
        choices += [(user.pk, _owner_label(user)) for user in candidates]
        if current and all(user.pk != current for user in candidates):
            # The owner saved before the lead agency changed: shown, so nothing is lost
            # silently, and refused on save until a member of the lead agency is chosen.
            owner = User.objects.filter(pk=current).first()
            if owner is not None:
                choices.append((owner.pk, _owner_label(owner)))
        field.choices = choices

    def clean(self) -> dict:
        data = super().clean() or {}
        owner, lead = data.get("owner"), data.get("lead_agency")
        if "owner" in data and not action_services.owner_fits(owner, lead):
            message = str(_("Choose the lead agency first: the owner is one of its members."))
            if lead is not None:
                message = str(
                    _(
                        "%(person)s is not an active member of the lead agency (%(agency)s): "
                        "choose one of its members, or nobody."
                    )
                    % {"person": owner, "agency": lead}
                )
            self.add_error("owner", message)
        return data

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
        "owner": action.owner_id,
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


def _owner_label(user: User) -> str:
    return str(user)


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
