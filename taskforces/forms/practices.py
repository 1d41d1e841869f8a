"""Forms of the evaluations of ended actions and of the library's filters. Field checks
only; the rules are in services/practices.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Field
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import FilterForm, IdMultipleChoiceField, SafeForm
from coordination.models import Axis
from hotspots.models import IndicatorDefinition, Phenomenon
from taskforces.forms.bilingual import LanguageField, TranslationForm
from taskforces.models import Action, DrugMarket, EvaluationVersion

MAX_COST = Decimal("9999999999.99")
MAX_PERSON_DAYS = Decimal("9999999.9")
# The texts the task force writes (the CSIR's comment is translated on its own).
WRITTEN_FIELDS = ("mechanism", "context_notes", "implementation_notes")


def _label(name: str):
    return capfirst(cast(Field, EvaluationVersion._meta.get_field(name)).verbose_name)


class IndicatorsField(IdMultipleChoiceField):
    def label_from_instance(self, obj: IndicatorDefinition) -> str:
        return f"{obj.name} ({obj.unit})"


class EvaluationForm(SafeForm):
    effect = forms.ChoiceField(
        label=_label("effect"), choices=EvaluationVersion.Effect.choices, widget=forms.RadioSelect
    )
    mechanism = forms.CharField(
        label=_label("mechanism"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why it worked, or why it did not: what made the difference on the ground."),
    )
    market = forms.ChoiceField(
        label=_label("market"),
        choices=[("", "—"), *DrugMarket.choices],
        help_text=_("The kind of drug market the action worked in."),
    )
    context_notes = forms.CharField(
        label=_label("context_notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything else about the place and the people that a reader should know."),
    )
    implementation_notes = forms.CharField(
        label=_label("implementation_notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What it took to carry it out: partners, steps, pitfalls."),
    )
    phenomena = forms.MultipleChoiceField(
        label=_("Phenomena addressed"),
        choices=Phenomenon.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    indicators = IndicatorsField(
        label=_("Other indicators behind it"),
        queryset=IndicatorDefinition.objects.order_by("position", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The action's own indicator is always included."),
    )
    cost_eur = forms.DecimalField(
        label=_label("cost_eur"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_COST,
        max_digits=12,
        decimal_places=2,
    )
    person_days = forms.DecimalField(
        label=_label("person_days"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_PERSON_DAYS,
        max_digits=8,
        decimal_places=1,
    )
    language = LanguageField()

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if action.indicator_id is not None:
            field = cast(IndicatorsField, self.fields["indicators"])
            field.queryset = field.queryset.exclude(pk=action.indicator_id)  # type: ignore[union-attr]


def evaluation_initial(version: EvaluationVersion | None) -> dict[str, Any]:
    """The form's values from the version being revised (or the validated one)."""
    if version is None:
        return {}
    return {
        "effect": version.effect,
        "mechanism": version.mechanism,
        "market": version.market,
        "context_notes": version.context_notes,
        "implementation_notes": version.implementation_notes,
        "phenomena": [row.phenomenon for row in version.phenomena.all()],
        "indicators": [indicator.pk for indicator in version.indicators.all()],
        "cost_eur": version.cost_eur,
        "person_days": version.person_days,
        "language": version.language,
    }


def translation_form(
    version: EvaluationVersion | None, language: str, data: Any = None
) -> TranslationForm:
    return TranslationForm(
        data, model=EvaluationVersion, fields=WRITTEN_FIELDS, language=language, obj=version
    )


class ReviewForm(SafeForm):
    """The CSIR coordinator's decision on a submitted evaluation."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("validate", _("Validate: add it to the shared library")),
            ("return", _("Return it with comments")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return the evaluation."),
    )
    language = LanguageField()


class PracticeFilterForm(FilterForm):
    phenomenon = forms.ChoiceField(
        label=_("Phenomenon"), choices=[("", _("All")), *Phenomenon.choices], required=False
    )
    axis = forms.ChoiceField(
        label=_("Axis"), choices=[("", _("All")), *Axis.choices], required=False
    )
    market = forms.ChoiceField(
        label=_("Kind of drug market"),
        choices=[("", _("All")), *DrugMarket.choices],
        required=False,
    )
    effect = forms.ChoiceField(
        label=_("Effect observed"),
        choices=[("", _("All")), *EvaluationVersion.Effect.choices],
        required=False,
    )
