"""Forms of the report pages: field checks only, the rules live in the services."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core import bounds
from coordination.core.forms import BoundedDateField, FilterForm, IdChoiceField, SafeForm
from coordination.models import User
from hotspots.models import Hotspot
from reporting.models import Report
from reporting.permissions import requestable_audiences
from reporting.selectors import cores_meetings


class ReportRequestForm(SafeForm):
    kind = forms.ChoiceField(
        label=_("Kind of report"),
        # A CoReS briefing is prepared on its own pages (reporting.briefings), not asked for.
        choices=[(c, label) for c, label in Report.Kind.choices if c != Report.Kind.BRIEFING],
        initial=Report.Kind.REGIONAL,
        widget=forms.RadioSelect,
    )
    hotspot = IdChoiceField(
        label=_("Hotspot"),
        queryset=Hotspot.objects.none(),
        required=False,
        help_text=_("Only for a task force report."),
    )
    period_start = BoundedDateField(label=_("Period from"), bounds=bounds.REPORT_PERIOD)
    period_end = BoundedDateField(label=_("to"), bounds=bounds.REPORT_PERIOD)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Report.Language.choices,
        initial=[Report.Language.FR, Report.Language.NL],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One PDF per language, built together."),
    )
    audience = forms.ChoiceField(
        label=_("Intended readers"),
        choices=Report.Audience.choices,
        initial=Report.Audience.CORES,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["hotspot"]).queryset = Hotspot.objects.filter(
            taskforce__isnull=False
        ).order_by("code")
        allowed = requestable_audiences(user)
        cast(forms.ChoiceField, self.fields["audience"]).choices = [
            (code, label) for code, label in Report.Audience.choices if code in allowed
        ]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Report.Kind.TASKFORCE and not data.get("hotspot"):
            self.add_error("hotspot", _("Choose the hotspot of the task force report."))
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end after it starts."))
        return data


class MeetingForm(SafeForm):
    meeting = IdChoiceField(
        label=_("Presented at the CoReS meeting"),
        queryset=cores_meetings(),
        required=False,
        empty_label=_("— no meeting —"),
        help_text=_("Only the meetings held on or after the last day of the report's period."),
    )

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        # A meeting held before the period ended cannot have seen the report (the
        # service refuses it too).
        cast(forms.ModelChoiceField, self.fields["meeting"]).queryset = cores_meetings(
            report=report
        )


class ReportFilterForm(FilterForm):
    """The filters above the report list (GET); junk values are ignored with a message."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Report.Kind.choices, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Report.Status.choices, required=False)
