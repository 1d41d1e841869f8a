"""The "to translate" list and the translate page (issue 12)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.audit.models import AuditEntry
from coordination.regional.translations import selectors
from taskforces.models import Action, ActionUpdate
from taskforces.services import actions as action_services
from tests.factories_taskforces import (
    ActionFactory,
    ActionUpdateFactory,
    Cast,
    EscalationFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(hotspot_midi, mayor_anderlecht, police_member, association_member, csir_analyst) -> Cast:
    """The Midi task force and its plan (as in tests/taskforces/conftest.py)."""
    return Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )


LIST = reverse("translations:list")


def translate_url(kind: str, pk: int) -> str:
    return reverse("translations:translate", args=[kind, pk])


def listed(user) -> set[tuple[str, int]]:
    return {(row.provider.key, row.obj.pk) for row in selectors.to_translate(user)}


# --- Who sees what on the list --------------------------------------------------------


def test_the_csir_analyst_lists_everything_but_police_judicial_items(cast, csir_analyst):
    rows = listed(csir_analyst)
    assert {
        ("action", cast.security.pk),
        ("action", cast.prevention.pk),
        ("action", cast.neighbourhood.pk),
    } <= rows
    assert ("action", cast.secret.pk) not in rows


def test_the_csir_coordinator_also_lists_police_judicial_items(cast, csir_coordinator):
    assert ("action", cast.secret.pk) in listed(csir_coordinator)


def test_an_author_lists_their_own_texts_only(cast):
    note = action_services.action_comment(action=cast.security, by=cast.association, comment="Vu")
    police = listed(cast.police)
    # The police leads the security actions (one of them police-judicial, in its circle).
    assert {("action", cast.security.pk), ("action", cast.secret.pk)} <= police
    assert ("action", cast.prevention.pk) not in police
    assert ("action-update", note.pk) not in police
    association = listed(cast.association)
    assert ("action-update", note.pk) in association
    assert ("action", cast.security.pk) not in association
    assert ("action", cast.prevention.pk) in association  # it leads prevention


def test_a_police_judicial_note_leaves_the_list_of_one_who_left_the_circle(cast):
    note = ActionUpdateFactory(
        action=cast.security,
        author=cast.association,
        confidentiality=Action.Confidentiality.POLICE_JUDICIAL,
    )
    assert ("action-update", note.pk) not in listed(cast.association)


def test_a_translated_item_leaves_the_list(cast, csir_analyst):
    Action.objects.filter(pk=cast.prevention.pk).update(
        title_translation="Straathoekwerk", description_translation="Een actie", deliverable=""
    )
    assert ("action", cast.prevention.pk) not in listed(csir_analyst)


def test_the_resolution_is_listed_for_the_csir_not_for_the_reason_author(cast, csir_analyst):
    escalation = EscalationFactory(
        action=cast.security,
        raised_by=cast.police,
        reason="Pas de local",
        reason_translation="Geen lokaal",
        resolution="Réglé",
    )
    assert ("escalation", escalation.pk) in listed(csir_analyst)
    assert ("escalation", escalation.pk) not in listed(cast.police)


def test_the_list_page(client, cast, csir_analyst):
    client.force_login(csir_analyst)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span lang="fr">Travail de rue en soirée</span>' in html
    assert translate_url("action", cast.prevention.pk) in html
    assert "Enquête sur le réseau du square" not in html


def test_cores_members_do_not_get_the_list(client, cores_member):
    client.force_login(cores_member)
    assert client.get(LIST).status_code == 403


def test_the_list_asks_a_fixed_number_of_queries(
    client, cast, csir_analyst, django_assert_num_queries
):
    def count_for(extra: int) -> int:
        for index in range(extra):
            ActionFactory(plan=cast.plan, title=f"Action supplémentaire {index}")
            MeetingFactory(taskforce=cast.taskforce, created_by=cast.chair)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(queries)

    client.force_login(csir_analyst)
    client.get(LIST)  # warm the session, content types and the providers
    small = count_for(2)
    large = count_for(18)
    assert len(selectors.to_translate(csir_analyst)) >= 40  # 20 actions, 20 meetings
    assert small == large
    with django_assert_num_queries(large):
        client.get(LIST)


# --- The translate page ---------------------------------------------------------------


def test_the_analyst_translates_an_action(client, cast, csir_analyst):
    client.force_login(csir_analyst)
    url = translate_url("action", cast.prevention.pk)
    page = client.get(url).content.decode()
    assert '<dd lang="fr">Travail de rue en soirée</dd>' in page
    assert 'name="translation-title"' in page
    response = client.post(
        url,
        {
            "translation-title": "Straathoekwerk 's avonds",
            "translation-expected_title": "",
            "translation-description": "",
            "translation-expected_description": "",
            "translation-deliverable": "Verslag",
            "translation-expected_deliverable": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == LIST
    action = Action.objects.get(pk=cast.prevention.pk)
    assert (action.title_translation, action.deliverable_translation) == (
        "Straathoekwerk 's avonds",
        "Verslag",
    )
    entry = AuditEntry.objects.get(action="content.translate")
    assert entry.actor == csir_analyst
    assert entry.changes == {
        "title_translation": ["", "Straathoekwerk 's avonds"],
        "deliverable_translation": ["", "Verslag"],
    }


def test_a_translation_saved_meanwhile_keeps_the_input(client, cast, csir_analyst):
    Action.objects.filter(pk=cast.prevention.pk).update(title_translation="Van iemand anders")
    client.force_login(csir_analyst)
    response = client.post(
        translate_url("action", cast.prevention.pk),
        {"translation-title": "Mijn vertaling", "translation-expected_title": ""},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Van iemand anders" in html and "Mijn vertaling" in html
    assert Action.objects.get(pk=cast.prevention.pk).title_translation == "Van iemand anders"


def test_a_police_judicial_item_is_404_outside_and_403_for_a_reader(client, cast, csir_analyst):
    client.force_login(csir_analyst)
    assert client.get(translate_url("action", cast.secret.pk)).status_code == 404
    client.force_login(cast.association)  # sees the security action, does not lead it
    assert client.get(translate_url("action", cast.security.pk)).status_code == 403
    assert client.get(translate_url("action", cast.secret.pk)).status_code == 404
    assert client.get(translate_url("no-such-kind", cast.security.pk)).status_code == 404
    assert client.get(translate_url("action", 999_999)).status_code == 404


def test_an_author_translates_their_note(client, cast):
    note = ActionUpdateFactory(action=cast.security, author=cast.police, comment="Patrouille")
    client.force_login(cast.police)
    url = translate_url("action-update", note.pk)
    response = client.post(url, {"translation-comment": "Patrouille NL"})
    assert response.status_code == 302
    assert ActionUpdate.objects.get(pk=note.pk).comment_translation == "Patrouille NL"
    client.force_login(cast.association)
    assert client.get(url).status_code == 403


def test_bad_input_gets_a_message(client, cast, csir_analyst):
    client.force_login(csir_analyst)
    response = client.post(
        translate_url("action", cast.prevention.pk), {"translation-title": "x" * 301}
    )
    assert response.status_code == 200
    assert Action.objects.get(pk=cast.prevention.pk).title_translation == ""
