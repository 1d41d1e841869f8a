"""Bilingual bulletins and good practices: written in the author's language, translated
on publication or later, read in the reader's language or marked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from coordination.models import AuditEntry, CoresMeeting
from coordination.regional.bulletins import services
from coordination.regional.bulletins.forms import BulletinForm, GoodPracticeForm
from coordination.regional.bulletins.models import Bulletin
from coordination.regional.translations.selectors import provider
from taskforces.services.taskforces import membership_add, taskforce_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def midi(hotspot_midi, csir_analyst, csir_coordinator, police_member):
    taskforce = taskforce_open(hotspot=hotspot_midi, by=csir_analyst)
    membership_add(taskforce=taskforce, user=police_member, role="member", by=csir_coordinator)
    return taskforce


def reads_in(client, user, language: str) -> None:
    type(user).objects.filter(pk=user.pk).update(preferred_language=language)
    user.refresh_from_db()
    client.force_login(user)
    client.cookies["django_language"] = language


@pytest.mark.parametrize(("interface", "expected"), [("nl", "nl"), ("fr", "fr"), ("en", "fr")])
def test_the_forms_start_in_the_authors_language(midi, interface, expected):
    with translation.override(interface):
        forms = [BulletinForm(), GoodPracticeForm(taskforces=type(midi).objects.all())]
        for form in forms:
            assert form.get_initial_for_field(form.fields["language"], "language") == expected
    for form in forms:
        assert [f.name for f in form.translation_part.visible_fields()] == [
            "title_translation",
            "body_translation",
        ]


def test_the_csir_publishes_a_translated_bulletin(client, midi, csir_coordinator):
    reads_in(client, csir_coordinator, "nl")
    page = client.get(reverse("bulletins:new")).content.decode()
    assert '<fieldset class="translations">' in page and "<legend>" in page
    response = client.post(
        reverse("bulletins:new"),
        {
            "language": "nl",
            "title": "Nieuw plaatsverbod",
            "body": "Rond het station.",
            "title_translation": "Nouvelle interdiction de lieu",
            "body_translation": "Autour de la gare.",
            "to_all": "1",
        },
    )
    assert response.status_code == 302
    bulletin = Bulletin.objects.get()
    assert bulletin.language == "nl"
    assert (bulletin.title_translation, bulletin.body_translation) == (
        "Nouvelle interdiction de lieu",
        "Autour de la gare.",
    )
    changes = AuditEntry.objects.get(action="bulletin.publish").changes
    assert changes["language"] == "nl"
    assert changes["title_translation"] == "Nouvelle interdiction de lieu"
    # A French reader reads the French translation, unmarked; the Dutch one the original.
    reads_in(client, csir_coordinator, "fr")
    detail = client.get(reverse("bulletins:detail", args=[bulletin.pk])).content.decode()
    assert "Nouvelle interdiction de lieu" in detail and "Autour de la gare." in detail
    assert "Nieuw plaatsverbod" not in detail and 'class="lang-tag"' not in detail
    listing = client.get(reverse("bulletins:list")).content.decode()
    assert "Nouvelle interdiction de lieu" in listing


def test_an_untranslated_bulletin_is_marked_with_its_language(client, midi, police_member):
    bulletin = services.good_practice_share(
        by=police_member,
        taskforce=midi,
        title="Patrouilles à vélo",
        body="Deux agents\nle soir.",
        language="fr",
    )
    assert bulletin.missing_translations() == ["title", "body"]
    assert Bulletin.objects.filter(Bulletin.needs_translation()).get() == bulletin
    reads_in(client, police_member, "nl")
    detail = client.get(reverse("bulletins:detail", args=[bulletin.pk])).content.decode()
    assert '<h1><span lang="fr">Patrouilles à vélo</span> <abbr class="lang-tag"' in detail
    assert '<span lang="fr">Deux agents<br>le soir.</span>' in detail
    # The readers page (its author's and the CSIR's) names it in the title, as text.
    response = client.get(reverse("bulletins:readers", args=[bulletin.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Patrouilles à vélo" in page[page.index("<h1>") : page.index("</h1>")]
    assert "&lt;span" not in page


def test_half_a_translation_is_refused_and_nothing_is_lost(client, midi, csir_coordinator):
    reads_in(client, csir_coordinator, "fr")
    data = {
        "language": "fr",
        "title": "Nouvel arrêté",
        "body": "Texte complet.",
        "title_translation": "Nieuw besluit",
        "body_translation": "",
        "to_all": "1",
    }
    response = client.post(reverse("bulletins:new"), data)
    assert response.status_code == 200 and not Bulletin.objects.exists()
    page = response.content.decode()
    assert "Nieuw besluit" in page and "Texte complet." in page
    with pytest.raises(ValidationError):
        services.bulletin_publish(
            by=csir_coordinator, title="x", body="y", body_translation="alleen tekst"
        )


def test_a_bulletin_without_language_takes_the_authors(midi, csir_coordinator):
    with translation.override("nl"):
        bulletin = services.bulletin_publish(by=csir_coordinator, title="Titel", body="Tekst")
    assert bulletin.language == "nl"
    with translation.override("fr"):
        shown = bulletin.shown("title")
    assert shown.untranslated and shown.text == "Titel" and shown.language == "nl"


def test_the_author_and_the_csir_translate_a_bulletin_from_the_list(
    midi, police_member, csir_analyst, mayor_anderlecht
):
    bulletins = provider("bulletin")
    practice = services.good_practice_share(
        by=police_member, taskforce=midi, title="Patrouilles", body="Le soir.", language="fr"
    )
    assert list(bulletins.rows(police_member)) == [practice]
    assert list(bulletins.rows(csir_analyst)) == [practice]
    assert list(bulletins.rows(mayor_anderlecht)) == []
    with pytest.raises(PermissionDenied):
        bulletins.get(mayor_anderlecht, practice.pk)
    services.bulletin_translate(
        obj=practice, by=police_member, translations={"title": "Patrouilles", "body": "'s Avonds."}
    )
    practice.refresh_from_db()
    assert practice.body_translation == "'s Avonds." and not practice.missing_translations()
    assert list(bulletins.rows(csir_analyst)) == []
    entry = AuditEntry.objects.get(action="content.translate")
    assert entry.actor == police_member
    assert entry.changes["body_translation"] == ["", "'s Avonds."]
    with pytest.raises(PermissionDenied):
        services.bulletin_translate(
            obj=practice, by=mayor_anderlecht, translations={"title": "Iets anders"}
        )


def test_the_csir_translates_the_cores_record(client, csir_coordinator, cores_member):
    meeting = CoresMeeting.objects.create(
        held_on=dt.date(2026, 3, 2),
        agenda="Prolongation de la stratégie",
        created_by=csir_coordinator,
    )
    meetings = provider("cores-meeting")
    assert list(meetings.rows(csir_coordinator)) == [meeting]
    assert list(meetings.rows(cores_member)) == []
    with pytest.raises(PermissionDenied):
        meetings.get(cores_member, meeting.pk)
    obj, fields = meetings.get(csir_coordinator, meeting.pk)
    assert fields == ("agenda",)
    meetings.save(
        obj=obj, by=csir_coordinator, translations={"agenda": "Verlenging van de strategie"}
    )
    reads_in(client, cores_member, "nl")
    page = client.get(reverse("cores:detail", args=[meeting.pk])).content.decode()
    assert "Verlenging van de strategie" in page and "Prolongation" not in page
