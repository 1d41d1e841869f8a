"""The language of a text, and its translation into the other language, in forms.

The author writes in their language: the "Language of the text" select defaults to their
interface language and may be changed. Translations are a separate, optional form
(``TranslationForm``), shown folded under the main one on edit pages and alone on the
translate page of the "to translate" list, so that the create forms stay simple.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coordination.core.bilingual import CONTENT_LANGUAGES, OTHER, BilingualContent, default_language
from coordination.core.forms import MAX_TEXT_LENGTH, SafeForm, validate_no_control_characters

LANGUAGE_NAMES = dict(CONTENT_LANGUAGES)


class LanguageField(forms.ChoiceField):
    """ "Language of the text": French or Dutch, the author's interface language by default."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Language of the text"))
        kwargs.setdefault(
            "help_text",
            _(
                "The language you write in. Readers of the other language see a "
                "translation once one is added."
            ),
        )
        # A callable: worked out for each form, in the author's interface language.
        kwargs.setdefault("initial", default_language)
        # Not sent (an old page, a script): the services take the interface language.
        kwargs.setdefault("required", False)
        super().__init__(choices=CONTENT_LANGUAGES, **kwargs)


def other_language_name(language: str) -> str:
    """The name of the language a text written in ``language`` is translated into."""
    return str(LANGUAGE_NAMES.get(OTHER.get(language, "nl"), ""))


class TranslationForm(SafeForm):
    """The translations of ``fields`` of ``obj`` (or of a new ``model`` row) into the other
    language; ``expected_<field>`` keeps the translation the page showed, so that a
    translation saved meanwhile by someone else is not silently overwritten."""

    prefix = "translation"

    def __init__(
        self,
        *args: Any,
        model: type[BilingualContent],
        fields: Iterable[str],
        language: str,
        obj: BilingualContent | None = None,
        with_expected: bool = False,
        languages: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``language``: that of the originals; ``languages`` overrides it per field (a
        resolution written in the other language than the reason)."""
        fields = list(fields)
        if obj is not None:
            initial = kwargs.setdefault("initial", {})
            for name in fields:
                initial.setdefault(name, getattr(obj, f"{name}_translation"))
                initial.setdefault(f"expected_{name}", getattr(obj, f"{name}_translation"))
        super().__init__(*args, **kwargs)
        self.languages = {name: (languages or {}).get(name, language) for name in fields}
        self.language = language if len(set(self.languages.values())) <= 1 else ""
        self.names = list(fields)
        for name in self.names:
            source = cast(models.Field, model._meta.get_field(name))
            written = self.languages[name]
            label = _("%(field)s in %(language)s") % {
                "field": capfirst(source.verbose_name),
                "language": other_language_name(written),
            }
            attrs = {"lang": OTHER.get(written, "nl")}
            if isinstance(source, models.TextField):
                widget: forms.Widget = forms.Textarea(attrs={"rows": 4, **attrs})
            else:
                widget = forms.TextInput(attrs=attrs)
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=source.max_length or MAX_TEXT_LENGTH,
                widget=widget,
            )
            if with_expected:
                self.fields[f"expected_{name}"] = forms.CharField(
                    required=False,
                    widget=forms.HiddenInput,
                    max_length=source.max_length or MAX_TEXT_LENGTH,
                )
            # SafeForm's checks, for fields added after its own __init__.
            limit = source.max_length or MAX_TEXT_LENGTH
            for added in (self.fields[name], self.fields.get(f"expected_{name}")):
                if added is not None:
                    added.validators.append(validate_no_control_characters)
                    added.validators.append(MaxLengthValidator(limit))

    @property
    def legend(self) -> str:
        if not self.language:
            return str(_("Translation"))
        name = other_language_name(self.language)
        return str(_("Translation (%(language)s)") % {"language": name})

    def translations(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in self.names}

    def expected(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(f"expected_{name}", "")
            for name in self.names
            if f"expected_{name}" in self.fields
        }

    def translation_fields(self) -> dict[str, str]:
        """As keyword arguments of a service that saves ``<field>_translation`` columns."""
        return {f"{name}_translation": value for name, value in self.translations().items()}
