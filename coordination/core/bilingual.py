"""Free text in French or Dutch, with its translation into the other language.

Brussels is bilingual: what one agency writes, the other language's readers must be able
to read. A model whose texts others read declares them::

    class Action(BilingualContent):
        TRANSLATED_FIELDS = ("title", "description")
        title = models.CharField(...)
        title_translation = models.CharField(..., blank=True)   # in the other language
        description = models.TextField(...)
        description_translation = models.TextField(blank=True)

``language`` (from ``BilingualContent``) is the language the author wrote in; each
``<field>_translation`` holds the same text in the other language, added by the author or
the CSIR from the "to translate" list. A reader gets their language when it exists, and
otherwise the original, marked with its language (``lang`` attribute and an FR/NL tag;
see the ``content`` template tag in ``coordination/core/templatetags/bilingual.py``).
English readers get the original: the portal's content languages are French and Dutch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

CONTENT_LANGUAGES = (("fr", _("French")), ("nl", _("Dutch")))
OTHER = {"fr": "nl", "nl": "fr"}


def reader_language(language: str | None = None) -> str:
    """The reader's language code (``fr``, ``nl`` or ``en``): the active one by default."""
    return (language or get_language() or "fr")[:2]


def default_language(language: str | None = None) -> str:
    """The content language an author writing in ``language`` (the UI's) writes in."""
    code = reader_language(language)
    return code if code in OTHER else "fr"


@dataclass(frozen=True)
class Shown:
    """A text as a reader gets it: in which language, and whether it is a translation."""

    text: str
    language: str
    # Not in the reader's language (no translation, or an English reader): mark it.
    untranslated: bool

    def __str__(self) -> str:
        return self.text


class BilingualContent(models.Model):
    """Abstract: the language of a model's free texts, and how a reader gets them."""

    TRANSLATED_FIELDS: ClassVar[tuple[str, ...]] = ()

    language = models.CharField(
        _("language of the text"),
        max_length=2,
        choices=CONTENT_LANGUAGES,
        default="fr",
        help_text=_("The language the text was written in."),
    )

    class Meta:
        abstract = True

    def shown(self, field: str, language: str | None = None) -> Shown:
        """``field`` for a reader of ``language`` (default: the active language)."""
        if field not in self.TRANSLATED_FIELDS:
            raise ValueError(f"{type(self).__name__}.{field} is not a translated field")
        original = getattr(self, field) or ""
        translation = getattr(self, f"{field}_translation", "") or ""
        wanted = reader_language(language)
        if wanted == self.language or not original:
            return Shown(original, self.language, untranslated=False)
        if wanted == OTHER.get(self.language) and translation:
            return Shown(translation, wanted, untranslated=False)
        # No translation (or an English reader): the original, marked with its language.
        return Shown(original, self.language, untranslated=True)

    def text_in(self, field: str, language: str | None = None) -> str:
        return self.shown(field, language).text

    def missing_translations(self) -> list[str]:
        """The translated fields with an original but no translation yet."""
        return [
            name
            for name in self.TRANSLATED_FIELDS
            if getattr(self, name) and not getattr(self, f"{name}_translation", "")
        ]

    @classmethod
    def needs_translation(cls) -> Q:
        """Rows with at least one original text and no translation of it."""
        condition = Q()
        for name in cls.TRANSLATED_FIELDS:
            condition |= ~Q(**{name: ""}) & Q(**{f"{name}_translation": ""})
        return condition


def shown(obj: Any, field: str, language: str | None = None) -> Shown:
    """``obj.shown(field)`` for bilingual content; any other object's attribute as is."""
    if isinstance(obj, BilingualContent) and field in obj.TRANSLATED_FIELDS:
        return obj.shown(field, language)
    value = getattr(obj, field, "")
    return Shown("" if value is None else str(value), reader_language(language), False)
