"""The task forces' texts record their language and carry a translation (issue 12)."""

import csv
import io

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from coordination.audit.models import AuditEntry
from taskforces.forms.actions import ActionForm
from taskforces.models import Action, Escalation, Meeting, MeetingPoint, PlanVersion
from taskforces.selectors import plans as plan_selectors
from taskforces.services import actions as action_services
from taskforces.services import meetings as meeting_services
from taskforces.services.translations import TranslationConflict, content_translate
from tests.factories_taskforces import EscalationFactory, MeetingFactory, MeetingPointFactory

pytestmark = pytest.mark.django_db


def reads_in(client, user, language: str) -> None:
    """Sign ``user`` in, reading the portal in ``language``."""
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


# --- The model rule -------------------------------------------------------------------


def test_existing_rows_are_french_and_marked_for_a_dutch_reader(cast):
    action = Action.objects.get(pk=cast.security.pk)
    assert action.language == "fr"
    shown = action.shown("title", "nl")
    assert (shown.text, shown.language, shown.untranslated) == (action.title, "fr", True)
    action.title_translation = "Gemengde patrouilles rond het station"
    assert action.shown("title", "nl").text == "Gemengde patrouilles rond het station"
    assert action.shown("title", "fr").text == "Patrouilles mixtes autour de la gare"
    assert set(action.missing_translations()) == {"description", "deliverable"}


def test_an_escalation_resolution_keeps_its_own_language(cast, csir_analyst):
    escalation = EscalationFactory(action=cast.security, raised_by=cast.police)
    action_services.escalation_resolve(
        escalation=escalation, by=csir_analyst, resolution="Lokaal gevonden.", language="nl"
    )
    escalation = Escalation.objects.get(pk=escalation.pk)
    assert (escalation.language, escalation.resolution_language) == ("fr", "nl")
    # A Dutch reader reads the resolution as written, and the French reason marked.
    assert escalation.shown("resolution", "nl").untranslated is False
    assert escalation.shown("reason", "nl").untranslated is True
    # A French reader reads the Dutch resolution marked, until the CSIR translates it.
    assert escalation.shown("resolution", "fr").language == "nl"
    assert escalation.shown("resolution", "fr").untranslated is True
    content_translate(obj=escalation, by=csir_analyst, translations={"resolution": "Local trouvé."})
    escalation.refresh_from_db()
    assert escalation.shown("resolution", "fr").text == "Local trouvé."


# --- Authors write in their language -------------------------------------------------


def test_the_language_defaults_to_the_interface_language(cast):
    with translation.override("nl"):
        html = str(ActionForm()["language"])
        assert 'value="nl" selected' in html
        action = action_services.action_create(
            plan=cast.plan, by=cast.coordinator, axis="security", title="Camera's"
        )
        update = action_services.action_comment(action=cast.security, by=cast.police, comment="Ok")
    assert action.language == "nl"
    assert update.language == "nl"
    with translation.override("en"):
        assert 'value="fr" selected' in str(ActionForm()["language"])


def test_the_author_chooses_another_language(client, cast):
    reads_in(client, cast.police, "fr")
    response = client.post(
        reverse("taskforces:action_comment", args=[cast.security.pk]),
        {"comment": "Extra patrouilles op donderdag", "language": "nl"},
    )
    assert response.status_code == 302
    assert cast.security.updates.get().language == "nl"


def test_a_language_that_is_not_fr_or_nl_is_refused(client, cast):
    reads_in(client, cast.police, "fr")
    url = reverse("taskforces:action_comment", args=[cast.security.pk])
    response = client.post(url, {"comment": "Note", "language": "de"})
    assert response.status_code == 200
    assert not cast.security.updates.exists()


def test_a_meeting_keeps_its_language_and_carried_points_their_translation(cast):
    with translation.override("nl"):
        first = meeting_services.meeting_create(
            taskforce=cast.taskforce,
            by=cast.chair,
            starts_at=MeetingFactory.build().starts_at,
            place="Gemeentehuis",
        )
    assert first.language == "nl"
    MeetingPointFactory(
        meeting=first, title="Verlichting", title_translation="Éclairage", language="nl"
    )
    later = meeting_services.meeting_create(
        taskforce=cast.taskforce,
        by=cast.chair,
        starts_at=first.starts_at.replace(year=first.starts_at.year + 1),
        place="Maison communale",
        language="fr",
    )
    carried = MeetingPoint.objects.get(meeting=later)
    assert (carried.title, carried.title_translation, carried.language) == (
        "Verlichting",
        "Éclairage",
        "nl",
    )


# --- Translations on the edit forms ---------------------------------------------------


def _edit_data(action: Action, **extra) -> dict:
    data = {
        "axis": action.axis,
        "language": action.language,
        "title": action.title,
        "description": action.description,
        "lead_agency": action.lead_agency_id,
        "partner_agencies": [agency.pk for agency in action.partner_agencies.all()],
        "start_on": action.start_on.isoformat(),
        "due_on": action.due_on.isoformat(),
        "horizon": action.horizon,
        "deliverable": action.deliverable,
        "confidentiality": action.confidentiality,
        "revision": action.revision,
    }
    data.update(extra)
    return data


def test_the_edit_form_offers_the_translation_folded(client, cast):
    reads_in(client, cast.police, "en")
    response = client.get(reverse("taskforces:action_edit", args=[cast.security.pk]))
    html = response.content.decode()
    assert '<details class="translation-fields"' in html
    assert "<summary>Translation (Dutch)</summary>" in html
    assert 'name="translation-title"' in html
    assert 'lang="nl"' in html


def test_translating_on_the_edit_form_opens_no_new_version(client, cast, csir_coordinator):
    version = plan_selectors.current_version(cast.plan)
    version.state = PlanVersion.State.VALIDATED
    version.save(update_fields=["state"])
    reads_in(client, cast.police, "fr")
    action = cast.security
    data = _edit_data(action, **{"translation-title": "Gemengde patrouilles"})
    response = client.post(reverse("taskforces:action_edit", args=[action.pk]), data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title_translation == "Gemengde patrouilles"
    assert action.revision == data["revision"] + 1
    assert cast.plan.versions.count() == 1  # a translation is not a change of the plan
    entry = AuditEntry.objects.filter(action="action.update").latest("pk")
    assert entry.changes == {"title_translation": ["", "Gemengde patrouilles"]}


def test_a_stale_edit_form_is_refused_after_a_translation(client, cast, csir_analyst):
    action = cast.security
    stale = _edit_data(action, title="Patrouilles mixtes (modifié)")
    content_translate(obj=action, by=csir_analyst, translations={"title": "Patrouilles NL"})
    reads_in(client, cast.police, "fr")
    response = client.post(reverse("taskforces:action_edit", args=[action.pk]), stale)
    assert response.status_code == 409
    action.refresh_from_db()
    assert action.title == "Patrouilles mixtes autour de la gare"
    assert action.title_translation == "Patrouilles NL"


def test_the_meeting_edit_form_saves_translations(client, cast):
    meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
    reads_in(client, cast.chair, "fr")
    response = client.post(
        reverse("taskforces:meeting_edit", args=[meeting.pk]),
        {
            "starts_at": meeting.starts_at.astimezone().strftime("%Y-%m-%dT%H:%M"),
            "language": "fr",
            "place": meeting.place,
            "agenda": meeting.agenda,
            "minutes": "",
            "translation-place": "Gemeentehuis, raadzaal",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.place_translation == "Gemeentehuis, raadzaal"
    entry = AuditEntry.objects.filter(action="meeting.update").latest("pk")
    assert entry.changes["place_translation"] == ["", "Gemeentehuis, raadzaal"]


# --- The translate service -------------------------------------------------------------


def test_a_translation_is_audited_with_its_old_value(cast, csir_analyst):
    action = cast.prevention
    content_translate(obj=action, by=csir_analyst, translations={"title": "Straathoekwerk"})
    content_translate(
        obj=action,
        by=csir_analyst,
        translations={"title": "Straathoekwerk 's avonds"},
        expected={"title": "Straathoekwerk"},
    )
    entries = AuditEntry.objects.filter(action="content.translate").order_by("pk")
    assert [entry.changes for entry in entries] == [
        {"title_translation": ["", "Straathoekwerk"]},
        {"title_translation": ["Straathoekwerk", "Straathoekwerk 's avonds"]},
    ]
    assert not entries[0].police_judicial


def test_a_translation_saved_meanwhile_is_not_overwritten(cast, csir_analyst, csir_coordinator):
    action = cast.prevention
    content_translate(obj=action, by=csir_coordinator, translations={"title": "Eerste"})
    with pytest.raises(TranslationConflict) as clash:
        content_translate(
            obj=action, by=csir_analyst, translations={"title": "Tweede"}, expected={"title": ""}
        )
    assert clash.value.current.title_translation == "Eerste"
    action.refresh_from_db()
    assert action.title_translation == "Eerste"


def test_who_may_translate(cast, csir_analyst, csir_coordinator):
    # The lead agency translates its action; a partner does not (not its text).
    content_translate(obj=cast.security, by=cast.police, translations={"title": "Patrouilles"})
    with pytest.raises(PermissionDenied):
        content_translate(obj=cast.security, by=cast.association, translations={"title": "X"})
    # Police-judicial: the circle and the CSIR coordinator; not the CSIR analyst.
    with pytest.raises(PermissionDenied):
        content_translate(obj=cast.secret, by=csir_analyst, translations={"title": "X"})
    content_translate(obj=cast.secret, by=csir_coordinator, translations={"title": "Onderzoek"})
    assert AuditEntry.objects.filter(action="content.translate").latest("pk").police_judicial
    # The resolution is the CSIR's text: the author of the reason does not translate it.
    escalation = EscalationFactory(
        action=cast.security, raised_by=cast.police, resolution="Réglé", resolution_language="fr"
    )
    content_translate(obj=escalation, by=cast.police, translations={"reason": "Geen lokaal"})
    with pytest.raises(PermissionDenied):
        content_translate(obj=escalation, by=cast.police, translations={"resolution": "Opgelost"})


# --- Rendering ------------------------------------------------------------------------


def test_the_plan_shows_the_reader_language_or_the_marked_original(client, cast):
    Action.objects.filter(pk=cast.security.pk).update(
        title_translation="Gemengde patrouilles rond het station"
    )
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    reads_in(client, cast.association, "nl")
    html = client.get(url).content.decode()
    assert "Gemengde patrouilles rond het station" in html
    assert "Patrouilles mixtes autour de la gare" not in html
    # Untranslated: the French original, with its language and a visible tag.
    assert '<span lang="fr">Travail de rue en soirée</span> <abbr class="lang-tag"' in html

    reads_in(client, cast.association, "fr")
    html = client.get(url).content.decode()
    assert "Patrouilles mixtes autour de la gare" in html
    assert "Gemengde patrouilles" not in html
    # A French reader reads French originals as they are: nothing marked.
    assert '<span lang="fr">' not in html


def test_the_action_page_marks_untranslated_texts(client, cast):
    action_services.action_comment(
        action=cast.security, by=cast.police, comment="Eerste patrouille", language="nl"
    )
    reads_in(client, cast.association, "fr")
    html = client.get(reverse("taskforces:action", args=[cast.security.pk])).content.decode()
    assert '<span lang="nl">Eerste patrouille</span>' in html
    assert "<h1>Patrouilles mixtes autour de la gare</h1>" in html


def test_the_csv_export_has_the_translations(client, cast):
    Action.objects.filter(pk=cast.security.pk).update(title_translation="Gemengde patrouilles")
    reads_in(client, cast.association, "en")
    response = client.get(reverse("taskforces:plan_export", args=[cast.taskforce.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    header = rows[0]
    assert header[-4:] == [
        "Language of the text",
        "Title (translation)",
        "Description (translation)",
        "Deliverable (translation)",
    ]
    security = next(row for row in rows[1:] if row[1] == "Patrouilles mixtes autour de la gare")
    assert security[-4:] == ["fr", "Gemengde patrouilles", "", ""]


def test_two_forms_on_the_meeting_page_keep_distinct_ids(client, cast):
    meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
    reads_in(client, cast.chair, "fr")
    html = client.get(reverse("taskforces:meeting", args=[meeting.pk])).content.decode()
    assert html.count('id="id_language"') == 1  # the agenda point's
    assert html.count('id="decision_language"') == 1


def test_an_edit_without_a_language_keeps_the_texts_language(cast):
    action = cast.security
    with translation.override("nl"):
        action = action_services.action_update(
            action=action, by=cast.police, revision=action.revision, language="", title="Nouveau"
        )
    assert (action.title, action.language) == ("Nouveau", "fr")
    with translation.override("nl"):
        action = action_services.action_update(
            action=action, by=cast.police, revision=action.revision, language="nl"
        )
    assert Action.objects.get(pk=action.pk).language == "nl"
