"""Forms of the task-force pages: field checks only, the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.models import Agency, Axis, User
from hotspots.models import IndicatorDefinition
from taskforces.models import Action, Membership, TaskForce

Status = Action.Status


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# --- Members --------------------------------------------------------------------------


class MembershipAddForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        help_text=_("Active portal users who are not members yet; their agency comes with them."),
    )
    role = forms.ChoiceField(
        label=_("Role in the task force"),
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
    )

    def __init__(self, *args, taskforce: TaskForce, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(memberships__taskforce=taskforce)
            .select_related("agency")
            .order_by("agency__name_fr", "last_name", "first_name")
        )
        self.fields["user"].label_from_instance = lambda person: f"{person} · {person.agency}"


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role in the task force"), choices=Membership.Role.choices)


# --- Meetings -------------------------------------------------------------------------


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    agenda = forms.CharField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


class MeetingEditForm(MeetingForm):
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendance"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick the members who attended."),
    )

    def __init__(self, *args, taskforce: TaskForce, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = (
            User.objects.filter(memberships__taskforce=taskforce)
            .select_related("agency")
            .order_by("last_name", "first_name")
        )
        self.fields["attendees"].label_from_instance = lambda person: f"{person} · {person.agency}"


class MeetingPointForm(forms.Form):
    title = forms.CharField(label=_("New point"), max_length=300)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class MeetingDecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    action = forms.ModelChoiceField(
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
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = actions
        if not can_create:
            del self.fields["new_action_title"]
            del self.fields["new_action_axis"]

    def clean(self) -> dict:
        data = super().clean()
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


# --- Plans ----------------------------------------------------------------------------


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("validate", _("Validate this version")),
            ("return", _("Return it with comments")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comments"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Required when returning the plan: say what must change."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "return" and not data.get("comment", "").strip():
            self.add_error("comment", _("Say what must change before the plan can be validated."))
        return data


# --- Actions --------------------------------------------------------------------------


class ActionForm(forms.Form):
    """An action's plan fields; ``revision`` guards against silent overwrites."""

    axis = forms.ChoiceField(label=_("Axis"), choices=Axis.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    lead_agency = forms.ModelChoiceField(
        label=_("Lead agency"), queryset=Agency.objects.order_by("name_fr"), required=False
    )
    partner_agencies = forms.ModelMultipleChoiceField(
        label=_("Partner agencies"),
        queryset=Agency.objects.order_by("name_fr"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their members post updates on the action's timeline."),
    )
    start_on = forms.DateField(label=_("Start"), widget=DateInput(), required=False)
    due_on = forms.DateField(label=_("Due"), widget=DateInput(), required=False)
    horizon = forms.ChoiceField(
        label=_("Horizon"), choices=[("", "—"), *Action.Horizon.choices], required=False
    )
    deliverable = forms.CharField(label=_("Deliverable"), max_length=300, required=False)
    indicator = forms.ModelChoiceField(
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
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, police_judicial: str = "allowed", **kwargs):
        """``police_judicial``: "allowed", "forbidden" or "only" (the circle's own actions)."""
        super().__init__(*args, **kwargs)
        field = self.fields["confidentiality"]
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


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when the action is blocked or cancelled."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        # The comment form sits on the same page: distinct ids keep the labels right.
        kwargs.setdefault("auto_id", "status_%s")
        super().__init__(*args, **kwargs)


class ActionCommentForm(forms.Form):
    comment = forms.CharField(label=_("Update"), widget=forms.Textarea(attrs={"rows": 3}))
    police_judicial = forms.BooleanField(
        label=_("Police-judicial note (seen only by the police-judicial circle)"), required=False
    )

    def __init__(self, *args, allow_police_judicial: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "update_%s")
        super().__init__(*args, **kwargs)
        if not allow_police_judicial:
            del self.fields["police_judicial"]


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is blocked and what you expect from the CSIR"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))


class MyActionsFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        choices=[("", _("All")), ("late", _("Late")), *Status.choices],
        required=False,
    )
