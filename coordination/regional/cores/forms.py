"""Forms of the CoReS pages: field checks only, the rules live in ``cores_services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core import bounds
from coordination.core.forms import BoundedDateField, IdChoiceField, SafeForm
from coordination.models import CoresDecision, CoresMeeting, Strategy


class CoresMeetingForm(SafeForm):
    held_on = BoundedDateField(label=_("Date"), bounds=bounds.CORES_MEETING)
    kind = forms.ChoiceField(
        label=_("Kind of meeting"),
        choices=CoresMeeting.Kind.choices,
        initial=CoresMeeting.Kind.ORDINARY,
        widget=forms.RadioSelect,
    )
    occasion = forms.CharField(
        label=_("Occasion"),
        max_length=300,
        required=False,
        help_text=_("For an extraordinary meeting, what occasioned it (for example: shootings)."),
    )
    attendees = forms.CharField(
        label=_("Attendees"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("One per line."),
    )
    agenda = forms.CharField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )


class CoresDecisionForm(SafeForm):
    kind = forms.ChoiceField(label=_("Kind of decision"), choices=CoresDecision.Kind.choices)
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 4}))
    strategy = IdChoiceField(
        label=_("Strategy"),
        queryset=Strategy.objects.order_by("-adopted_on"),
        required=False,
        empty_label=_("The latest strategy"),
        help_text=_("For an extension: the strategy extended by six months."),
    )
    title_fr = forms.CharField(
        label=_("Title of the new strategy (French)"),
        max_length=300,
        required=False,
        help_text=_("For an adoption only."),
    )
    title_nl = forms.CharField(
        label=_("Title of the new strategy (Dutch)"),
        max_length=300,
        required=False,
        help_text=_("For an adoption only."),
    )
