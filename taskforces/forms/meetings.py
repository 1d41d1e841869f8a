"""Forms of task-force meetings."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core import bounds
from coordination.core.forms import (
    BoundedDateField,
    BoundedDateTimeField,
    IdChoiceField,
    IdMultipleChoiceField,
    SafeForm,
)
from coordination.models import Agency, Axis, User
from taskforces.forms.bilingual import LanguageField
from taskforces.models import Action, TaskForce

# --- Meetings -------------------------------------------------------------------------


class MeetingForm(SafeForm):
    starts_at = BoundedDateTimeField(label=_("Date and time"), bounds=bounds.MEETING)
    language = LanguageField()
    place = forms.CharField(label=_("Place"), max_length=200)
    agenda = forms.CharField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


def _members(taskforce: TaskForce):
    return (
        User.objects.filter(is_active=True, memberships__taskforce=taskforce)
        .select_related("agency")
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def _people_field(field: forms.Field, people) -> None:
    field = cast(forms.ModelMultipleChoiceField, field)
    field.queryset = people
    field.label_from_instance = lambda person: f"{person} · {person.agency}"  # type: ignore[method-assign, assignment]


class MeetingNewForm(MeetingForm):
    invitees = IdMultipleChoiceField(
        label=_("Invite"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Each person ticked gets the invitation by e-mail, with a calendar file. "
            "All active members are ticked by default."
        ),
    )

    def __init__(self, *args, taskforce: TaskForce, **kwargs):
        super().__init__(*args, **kwargs)
        people = _members(taskforce)
        _people_field(self.fields["invitees"], people)
        if not self.is_bound:
            self.initial.setdefault("invitees", [person.pk for person in people])


class MeetingEditForm(MeetingForm):
    minutes = forms.CharField(
        label=_("Minutes (draft)"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    attendees = IdMultipleChoiceField(
        label=_("Attendance"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick the members who attended (once the meeting has taken place)."),
    )

    def __init__(self, *args, taskforce: TaskForce, minutes_final: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        _people_field(self.fields["attendees"], _members(taskforce))
        if minutes_final:
            # Final minutes are locked (the service refuses too): a correction is started
            # from the meeting page.
            self.fields["minutes"].disabled = True
            self.fields["minutes"].label = _("Minutes (final)")
            self.fields["minutes"].help_text = _(
                "The minutes are final and locked; start a correction on the meeting page."
            )


class MeetingCancelForm(SafeForm):
    reason = forms.CharField(
        label=_("Reason for the cancellation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The participants receive it with the cancellation."),
    )


class MeetingMinutesForm(SafeForm):
    text = forms.CharField(
        label=_("Minutes (draft)"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "minutes_%s")
        super().__init__(*args, **kwargs)


class MeetingPointForm(SafeForm):
    title = forms.CharField(label=_("New point"), max_length=300)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    language = LanguageField(help_text="")


NEW_ACTION_FIELDS = (
    "new_action_title",
    "new_action_axis",
    "new_action_lead_agency",
    "new_action_due_on",
)


class MeetingDecisionForm(SafeForm):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    language = LanguageField(help_text="")
    action = IdChoiceField(
        label=_("Action it changes"),
        queryset=Action.objects.none(),
        required=False,
        help_text=_("Leave empty if the decision does not concern an existing action."),
    )
    new_action_title = forms.CharField(
        label=_("Or: title of the action it creates"), max_length=300, required=False
    )
    new_action_axis = forms.ChoiceField(
        label=_("Axis of the new action"), choices=[("", "—"), *Axis.choices], required=False
    )
    new_action_lead_agency = IdChoiceField(
        label=_("Lead agency of the new action"),
        queryset=Agency.objects.order_by("name_fr"),
        required=False,
    )
    new_action_due_on = BoundedDateField(
        label=_("Due date of the new action"), bounds=bounds.ACTION, required=False
    )

    def __init__(self, *args, actions, can_create: bool, **kwargs):
        # The agenda point form is on the same page: distinct ids keep the labels right.
        kwargs.setdefault("auto_id", "decision_%s")
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["action"]).queryset = actions
        if not can_create:
            for name in NEW_ACTION_FIELDS:
                del self.fields[name]

    def clean(self) -> dict:
        data = cast(dict, super().clean())
        title = data.get("new_action_title", "").strip()
        if title and data.get("action"):
            raise forms.ValidationError(_("Link an existing action or create a new one, not both."))
        if title and not data.get("new_action_axis"):
            self.add_error("new_action_axis", _("Choose the axis of the new action."))
        return data

    def new_action(self) -> dict | None:
        title = self.cleaned_data.get("new_action_title", "").strip()
        if not title:
            return None
        fields = {"title": title, "axis": self.cleaned_data["new_action_axis"]}
        if self.cleaned_data.get("new_action_lead_agency"):
            fields["lead_agency"] = self.cleaned_data["new_action_lead_agency"]
        if self.cleaned_data.get("new_action_due_on"):
            fields["due_on"] = self.cleaned_data["new_action_due_on"]
        return fields
