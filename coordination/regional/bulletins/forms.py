"""Forms of the information exchange: field checks only, the rules live in the services."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import FilterForm, IdChoiceField, IdMultipleChoiceField, SafeForm
from coordination.core.once import OnceField
from coordination.regional.bulletins.models import Bulletin
from hotspots.forms.bilingual import BilingualFormMixin, add_bilingual_fields
from taskforces.models import TaskForce


def _taskforce_label(taskforce: TaskForce) -> str:
    return str(taskforce.hotspot)


class BulletinForm(BilingualFormMixin, SafeForm):
    once = OnceField()
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))
    to_all = forms.TypedChoiceField(
        label=_("Send to"),
        choices=[
            ("1", _("Every task force (and the CoReS members and mayors)")),
            ("0", _("The task forces chosen below")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    taskforces = IdMultipleChoiceField(
        label=_("Task forces"),
        queryset=TaskForce.objects.select_related("hotspot").order_by("hotspot__code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Their members and the CSIR receive the bulletin."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taskforces"].label_from_instance = _taskforce_label
        add_bilingual_fields(self, Bulletin)

    def clean(self) -> dict:
        data = cast(dict, super().clean())
        if data.get("to_all") is False and not data.get("taskforces"):
            self.add_error("taskforces", _("Choose at least one task force."))
        return data


class GoodPracticeForm(BilingualFormMixin, SafeForm):
    once = OnceField()
    taskforce = IdChoiceField(
        label=_("Shared by the task force"), queryset=TaskForce.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(
        label=_("The practice"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What was done, with whom, and what it changed. Every task force reads it."),
    )

    def __init__(self, *args, taskforces: QuerySet[TaskForce], **kwargs):
        super().__init__(*args, **kwargs)
        taskforce = cast(forms.ModelChoiceField, self.fields["taskforce"])
        taskforce.queryset = taskforces
        taskforce.label_from_instance = _taskforce_label  # type: ignore[method-assign, assignment]
        add_bilingual_fields(self, Bulletin)


class BulletinCorrectionForm(BilingualFormMixin, SafeForm):
    """The next version of a bulletin: its texts as they should have been."""

    once = OnceField()
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))
    note = forms.CharField(
        label=_("What was corrected"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the new version, so that those who read it know what changed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_bilingual_fields(self, Bulletin)


class BulletinWithdrawForm(SafeForm):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Those who read the bulletin are told, and see this reason with it."),
    )


class BulletinFilterForm(FilterForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All")), *Bulletin.Kind.choices],
        required=False,
    )
    unread = forms.BooleanField(label=_("Unread only"), required=False)
