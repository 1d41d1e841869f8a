"""Bilingual free texts in forms: the language written in, and the translations.

``add_bilingual_fields(form, model)`` adds to a form that already has the original text
fields of ``model.TRANSLATED_FIELDS``:

- ``language``: the language the author writes in, by default their interface's
  (``default_language()``: French for an English interface);
- ``<field>_translation``: the same text in the other language, optional, with the
  original's widget and length.

Templates render the originals and the translations apart, the translations in their own
fieldset (``hotspots/_bilingual_form.html``) through :func:`main_part` and
:func:`translation_part`, two views of the form that ``includes/form.html`` renders as it
renders any form. Used by the police orders, hotspots and bulletins.
"""

from __future__ import annotations

import copy
from typing import Any, cast

from django import forms
from django.db.models import Field
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coordination.core.bilingual import CONTENT_LANGUAGES, BilingualContent, default_language


def language_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Language of the text"),
        choices=CONTENT_LANGUAGES,
        initial=default_language,
        # Not sent (an older page, a script): the row's language, or the author's.
        required=False,
        help_text=_("The language you write in. The other language goes below."),
    )


def add_bilingual_fields(
    form: forms.BaseForm,
    model: type[BilingualContent],
    fields: tuple[str, ...] | None = None,
) -> None:
    """Add ``language`` and a ``<field>_translation`` for each original field of ``form``."""
    wanted = set(fields or model.TRANSLATED_FIELDS)
    names = [name for name in form.fields if name in wanted]
    # The language comes just before the first text written in it.
    ordered: dict[str, forms.Field] = {}
    for name, field in form.fields.items():
        if names and name == names[0]:
            ordered["language"] = language_field()
        ordered[name] = field
    ordered.setdefault("language", language_field())
    form.fields = ordered
    for name in names:
        original = form.fields.get(name)
        if original is None:
            continue
        model_field = cast(Field, model._meta.get_field(f"{name}_translation"))
        translation = copy.deepcopy(original)
        translation.required = False
        translation.label = capfirst(model_field.verbose_name)
        translation.help_text = ""
        translation.initial = None
        form.fields[f"{name}_translation"] = translation


def translation_names(form: forms.BaseForm) -> list[str]:
    return [name for name in form.fields if name.endswith("_translation")]


def bilingual_initial(obj: BilingualContent) -> dict[str, Any]:
    """The form's initial language and translations from an existing row."""
    return {
        "language": obj.language,
        **{
            f"{name}_translation": getattr(obj, f"{name}_translation")
            for name in obj.TRANSLATED_FIELDS
        },
    }


class _Part:
    """One part of a form, as ``includes/form.html`` reads a form."""

    def __init__(self, form: forms.BaseForm, names: set[str], *, first: bool):
        self._form = form
        self._names = names
        self._first = first

    def __getattr__(self, name: str) -> Any:
        return getattr(self._form, name)

    def non_field_errors(self) -> Any:
        return self._form.non_field_errors() if self._first else self._form.error_class()

    def hidden_fields(self) -> list[forms.BoundField]:
        return self._form.hidden_fields() if self._first else []

    def visible_fields(self) -> list[forms.BoundField]:
        return [field for field in self._form.visible_fields() if field.name in self._names]

    # The error summary (``includes/form.html``) is the first part's: it lists every
    # problem of the whole form, the translations' too, once.
    def __iter__(self):
        return iter(self._form) if self._first else iter(self.visible_fields())

    @property
    def errors(self) -> Any:
        return self._form.errors if self._first else {}


class BilingualFormMixin:
    """``clean_language`` (the form's initial language when none is sent) and, for the
    templates, ``form.main_part`` and ``form.translation_part``."""

    def clean_language(self) -> str:
        form = cast(forms.BaseForm, self)
        language = form.cleaned_data.get("language")
        return language or form.get_initial_for_field(form.fields["language"], "language")

    @property
    def main_part(self) -> _Part:
        return main_part(cast(forms.BaseForm, self))

    @property
    def translation_part(self) -> _Part:
        return translation_part(cast(forms.BaseForm, self))


def main_part(form: forms.BaseForm) -> _Part:
    """The form without its translations (with the errors that concern the whole form)."""
    translations = set(translation_names(form))
    return _Part(form, {name for name in form.fields if name not in translations}, first=True)


def translation_part(form: forms.BaseForm) -> _Part:
    return _Part(form, set(translation_names(form)), first=False)
