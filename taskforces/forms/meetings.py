"""Forms of task-force meetings."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core import bounds
from coordination.core.forms import (
    BoundedDateTimeField,
    IdChoiceField,
    IdMultipleChoiceField,
    SafeForm,
)
from coordination.models import Axis, User
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


class MeetingEditForm(MeetingForm):
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    attendees = IdMultipleChoiceField(
        label=_("Attendance"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick the members who attended."),
    )

    def __init__(self, *args, taskforce: TaskForce, **kwargs):
        super().__init__(*args, **kwargs)
        attendees = cast(forms.ModelMultipleChoiceField, self.fields["attendees"])
        attendees.queryset = (
            User.objects.filter(memberships__taskforce=taskforce)
            .select_related("agency")
            .order_by("last_name", "first_name")
        )
        attendees.label_from_instance = lambda person: f"{person} · {person.agency}"  # type: ignore[method-assign, assignment]


class MeetingPointForm(SafeForm):
    title = forms.CharField(label=_("New point"), max_length=300)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    language = LanguageField(help_text="")


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

    def __init__(self, *args, actions, can_create: bool, **kwargs):
        # The agenda point form is on the same page: distinct ids keep the labels right.
        kwargs.setdefault("auto_id", "decision_%s")
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["action"]).queryset = actions
        if not can_create:
            del self.fields["new_action_title"]
            del self.fields["new_action_axis"]

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
        return {"title": title, "axis": self.cleaned_data["new_action_axis"]}
