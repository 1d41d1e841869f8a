"""Free text in French or Dutch with its translation: what each reader gets."""

from __future__ import annotations

from django.db import models
from django.template import Context, Template
from django.utils import translation

from coordination.core.bilingual import BilingualContent


class Note(BilingualContent):
    TRANSLATED_FIELDS = ("title",)
    title = models.CharField(max_length=50)
    title_translation = models.CharField(max_length=50, blank=True)

    class Meta:
        app_label = "coordination"
        managed = False


def render(note: Note, language: str) -> str:
    with translation.override(language):
        template = Template('{% load bilingual %}{% content note "title" %}')
        return template.render(Context({"note": note}))


def test_each_reader_gets_their_language_or_the_marked_original():
    note = Note(language="fr", title="Contrôles <ciblés>", title_translation="")
    assert render(note, "fr") == "Contrôles &lt;ciblés&gt;"
    marked = render(note, "nl")
    assert marked.startswith('<span lang="fr">Contrôles &lt;ciblés&gt;</span>')
    assert ">FR</abbr>" in marked
    assert note.missing_translations() == ["title"]

    note.title_translation = "Gerichte <controles>"
    assert render(note, "nl") == "Gerichte &lt;controles&gt;"
    assert render(note, "fr") == "Contrôles &lt;ciblés&gt;"
    # English readers get the original, marked with its language.
    assert 'lang="fr"' in render(note, "en")
    assert note.missing_translations() == []


def test_a_dutch_original():
    note = Note(language="nl", title="Buurtwerk", title_translation="Travail de quartier")
    assert note.shown("title", "fr").text == "Travail de quartier"
    assert note.shown("title", "nl").text == "Buurtwerk"
    assert not note.shown("title", "nl").untranslated
