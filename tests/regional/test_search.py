"""The search (issue 14, item 6): what it finds, for whom, in how many queries.

Runs on SQLite (the fallback: every word in a text) and on PostgreSQL (full-text search in
French and Dutch): the assertions hold on both.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.audit import viewlog
from coordination.audit.models import AuditEntry
from coordination.regional.bulletins import services as bulletin_services
from coordination.regional.search import selectors
from hotspots.models import Hotspot, PoliceOrder
from reporting.models import Report
from taskforces.models import Action
from taskforces.services.taskforces import taskforce_open
from tests.factories import HotspotFactory, UserFactory
from tests.factories_taskforces import (
    ActionFactory,
    ActionUpdateFactory,
    Cast,
    MeetingFactory,
    MeetingPointFactory,
    member,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:page")


@pytest.fixture
def cast(hotspot_midi, mayor_anderlecht, police_member, association_member, csir_analyst) -> Cast:
    """The Midi task force and its plan (as in tests/taskforces/conftest.py), plus an
    action written in French, one in Dutch and a police-judicial one."""
    cast = Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )
    cast.french = ActionFactory(
        plan=cast.plan,
        title="Contrôle d'identité systématique sur le parvis",
        description="Opérations conjointes avec la zone Midi.",
        lead_agency=police_member.agency,
    )
    cast.dutch = ActionFactory(
        plan=cast.plan,
        language="nl",
        title="Controle van de wijken door straatwerkers",
        description="Samen met de vzw's van de buurt.",
        lead_agency=association_member.agency,
    )
    # The police-judicial action of the cast: "Enquête sur le réseau du square".
    cast.secret.description = "Filature du réseau de revendeurs."
    cast.secret.save(update_fields=["description"])
    return cast


@pytest.fixture
def outsider(hotspot_molenbeek, csir_analyst):
    """A member of another task force (Molenbeek), who sees nothing of Midi's."""
    other = taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)
    user = UserFactory(username="molenbeek-member")
    member(other, user)
    return user


def results(client, user, text: str, **params) -> dict[str, list[str]]:
    """The titles found, by kind, for ``user`` searching ``text`` through the page."""
    client.force_login(user)
    response = client.get(SEARCH, {"q": text, **params})
    assert response.status_code == 200
    return {group.key: [hit.title for hit in group.hits] for group in response.context["groups"]}


def action_titles(client, user, text: str) -> list[str]:
    return results(client, user, text).get("action", [])


# --- What it finds ----------------------------------------------------------------------


def test_a_member_finds_an_action_by_a_french_word_and_its_plural(client, cast):
    title = cast.french.title
    assert title in action_titles(client, cast.association, "parvis")
    assert title in action_titles(client, cast.association, "contrôle")
    # Stemming on PostgreSQL, a dropped plural "s" on SQLite: the plural finds the singular.
    assert title in action_titles(client, cast.association, "contrôles")
    assert title in action_titles(client, cast.association, "Contrôles systématiques")
    assert title in action_titles(client, cast.association, "contrôle du parvis")
    assert title not in action_titles(client, cast.association, "fermeture")


def test_a_member_finds_an_action_written_in_dutch(client, cast):
    title = cast.dutch.title
    assert title in action_titles(client, cast.association, "wijk")
    assert title in action_titles(client, cast.association, "straatwerkers")
    assert title in action_titles(client, cast.association, "controles")
    assert title in action_titles(client, cast.association, "controle")


def test_a_translation_is_searched_too(client, cast):
    cast.french.title_translation = "Systematische identiteitscontrole op het voorplein"
    cast.french.save(update_fields=["title_translation"])
    assert cast.french.title in action_titles(client, cast.association, "voorplein")


def test_every_kind_is_found(
    client, cast, csir_coordinator, hotspot_midi, mayor_anderlecht, police_member
):
    meeting = MeetingFactory(
        taskforce=cast.taskforce,
        created_by=mayor_anderlecht,
        agenda="Point sur la vidéosurveillance",
        minutes="La vidéosurveillance du tunnel est installée.",
    )
    MeetingPointFactory(meeting=meeting, title="Vidéosurveillance du tunnel")
    meeting.decisions.create(text="Étendre la vidéosurveillance.", created_by=mayor_anderlecht)
    ActionUpdateFactory(
        action=cast.security, author=police_member, comment="Vidéosurveillance testée."
    )
    bulletin_services.bulletin_publish(
        by=csir_coordinator,
        title="Vidéosurveillance: bonnes pratiques",
        body="Un retour d'expérience.",
        to_all=True,
        taskforces=[],
    )
    found = results(client, police_member, "vidéosurveillance")
    assert found["meeting"] == [meeting.place]
    assert found["meeting-point"] == ["Vidéosurveillance du tunnel"]
    assert found["meeting-decision"] == ["Étendre la vidéosurveillance."]
    assert found["action-update"] == [cast.security.title]
    assert found["bulletin"] == ["Vidéosurveillance: bonnes pratiques"]
    # A hotspot by its code or its name in either language.
    assert results(client, police_member, "HS10")["hotspot"] == [str(hotspot_midi)]
    assert results(client, police_member, "Zuidstation")["hotspot"] == [str(hotspot_midi)]


def test_each_result_links_to_its_page(client, cast):
    client.force_login(cast.association)
    response = client.get(SEARCH, {"q": "conjointe"})
    assert reverse("taskforces:action", args=[cast.french.pk]) in response.text
    # The excerpt of the description, the word found marked.
    assert "Opérations <mark>conjointe</mark>s avec la zone Midi." in response.text


# --- Who finds what -----------------------------------------------------------------------


def test_a_police_judicial_action_is_never_found_outside_the_circle(
    client, cast, csir_analyst, csir_coordinator
):
    secret = cast.secret.title
    for word in ("réseau", "filature", "enquête"):
        assert secret not in action_titles(client, cast.association, word)
        assert secret not in action_titles(client, cast.chair, word)  # the mayor who chairs
        assert secret not in action_titles(client, csir_analyst, word)
    assert secret in action_titles(client, cast.police, "réseau")
    assert secret in action_titles(client, cast.prosecutor, "filature")
    assert secret in action_titles(client, csir_coordinator, "réseau")


def test_police_judicial_notes_are_never_found_outside_the_circle(client, cast):
    # A note of the confidential action, and a confidential note on an open action.
    ActionUpdateFactory(action=cast.secret, author=cast.police, comment="Perquisition prévue.")
    ActionUpdateFactory(
        action=cast.security,
        author=cast.police,
        comment="Perquisition au numéro 12.",
        confidentiality=Action.Confidentiality.POLICE_JUDICIAL,
    )
    ActionUpdateFactory(action=cast.security, author=cast.police, comment="Perquisition évitée.")
    outside = results(client, cast.association, "perquisition")
    assert outside["action-update"] == [cast.security.title]
    assert len(results(client, cast.police, "perquisition")["action-update"]) == 3


def test_an_item_of_another_task_force_is_never_found(client, cast, outsider):
    assert results(client, outsider, "parvis").get("action") == []
    meeting = MeetingFactory(taskforce=cast.taskforce, agenda="Budget de l'éclairage")
    assert results(client, outsider, "éclairage")["meeting"] == []
    assert results(client, cast.association, "éclairage")["meeting"] == [meeting.place]


def test_a_bulletin_is_found_only_by_its_readers(client, cast, csir_coordinator, outsider):
    bulletin_services.bulletin_publish(
        by=csir_coordinator,
        title="Note confidentielle aux partenaires du Midi",
        body="Rien à signaler.",
        to_all=False,
        taskforces=[cast.taskforce],
    )
    assert results(client, cast.association, "partenaires")["bulletin"] != []
    assert results(client, outsider, "partenaires")["bulletin"] == []


def test_an_order_of_a_hotspot_one_may_not_see_is_never_found(client, cast, csir_analyst):
    proposed = HotspotFactory(
        code="HS99",
        name_fr="Place cachée",
        status=Hotspot.Status.PROPOSED,
        proposed_by=csir_analyst,
    )
    today = timezone.localdate()
    PoliceOrder.objects.create(
        scope=PoliceOrder.Scope.LOCAL,
        hotspot=proposed,
        title_fr="Interdiction de rassemblement nocturne",
        title_nl="Verbod op nachtelijke samenscholing",
        legal_reference="NGW art. 134ter",
        signatory="Le bourgmestre",
        signed_on=today,
        valid_from=today,
        valid_until=today + dt.timedelta(days=30),
        created_by=csir_analyst,
    )
    assert results(client, cast.association, "rassemblement")["police-order"] == []
    assert results(client, cast.association, "HS99")["hotspot"] == []
    assert results(client, csir_analyst, "samenscholing")["police-order"] == [
        "Interdiction de rassemblement nocturne"
    ]


def test_a_police_judicial_report_is_found_only_by_its_circle(client, cast, hotspot_midi):
    def report(audience: str, version: int) -> Report:
        return Report.objects.create(
            kind=Report.Kind.TASKFORCE,
            hotspot=hotspot_midi,
            scope=f"hotspot-{hotspot_midi.pk}",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 3, 31),
            language="fr",
            audience=audience,
            version=version,
            status=Report.Status.READY,
            published=True,
        )

    cores = report(Report.Audience.CORES, 1)
    secret = report(Report.Audience.POLICE_JUDICIAL, 1)
    assert results(client, cast.association, "Midi")["report"] == [str(cores)]
    inside = results(client, cast.police, "Zuidstation")["report"]
    assert sorted(inside) == sorted([str(cores), str(secret)])
    # The circle member's view of the police-judicial version is recorded.
    assert AuditEntry.objects.filter(
        action=viewlog.VIEW_ACTION, actor=cast.police, target_id=str(secret.pk)
    ).exists()


def test_a_circle_members_view_of_a_police_judicial_result_is_recorded(client, cast):
    results(client, cast.police, "réseau")
    entry = AuditEntry.objects.get(action=viewlog.VIEW_ACTION, actor=cast.police)
    assert entry.target_id == str(cast.secret.pk) and entry.police_judicial
    assert entry.changes == {"via": viewlog.VIA_SEARCH}
    # The outsider's search showed nothing confidential: nothing recorded.
    results(client, cast.association, "réseau")
    assert not AuditEntry.objects.filter(action=viewlog.VIEW_ACTION, actor=cast.association)


# --- Pages, htmx and queries ----------------------------------------------------------


def _more_actions(cast, count: int) -> None:
    for number in range(count):
        ActionFactory(
            plan=cast.plan,
            title=f"Contrôle de nuit numéro {number}",
            lead_agency=cast.police.agency,
        )


def test_a_kind_shows_ten_results_then_has_its_own_pages(client, cast):
    _more_actions(cast, selectors.PAGE_SIZE + 5)
    client.force_login(cast.association)
    response = client.get(SEARCH, {"q": "nuit"})
    (actions,) = [group for group in response.context["groups"] if group.key == "action"]
    assert len(actions.hits) == selectors.PER_KIND and actions.has_more
    assert "kind=action" in response.text
    first = client.get(SEARCH, {"q": "nuit", "kind": "action"}).context["groups"]
    assert [group.key for group in first] == ["action"]
    assert len(first[0].hits) == selectors.PAGE_SIZE and first[0].has_more
    second = client.get(SEARCH, {"q": "nuit", "kind": "action", "page": 2}).context["groups"]
    assert len(second[0].hits) == 5 and not second[0].has_more
    seen = {hit.obj.pk for hit in first[0].hits} | {hit.obj.pk for hit in second[0].hits}
    assert len(seen) == selectors.PAGE_SIZE + 5


def test_htmx_gets_the_results_fragment_and_the_response_varies(client, cast):
    client.force_login(cast.association)
    response = client.get(SEARCH, {"q": "parvis", "kind": "action"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert "<html" not in response.text and 'id="search-results"' in response.text
    assert "systématique sur le parvis" in response.text
    page = client.get(SEARCH, {"q": "parvis", "kind": "action"})
    assert "<html" in page.text and "HX-Request" in page["Vary"]


def test_the_query_count_does_not_grow_with_the_data(
    client, cast, csir_coordinator, django_assert_num_queries
):
    client.force_login(cast.police)  # a circle member: confidential results are logged too
    ActionFactory(
        plan=cast.plan,
        title="Contrôle confidentiel",
        lead_agency=cast.police.agency,
        confidentiality=Action.Confidentiality.POLICE_JUDICIAL,
    )
    url = f"{SEARCH}?q=contr%C3%B4le"
    client.get(url)  # warm the caches (content types) once
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _more_actions(cast, 30)
    for number in range(15):
        ActionFactory(
            plan=cast.plan,
            title=f"Contrôle confidentiel {number}",
            lead_agency=cast.police.agency,
            confidentiality=Action.Confidentiality.POLICE_JUDICIAL,
        )
        ActionUpdateFactory(action=cast.security, author=cast.police, comment="Contrôle fait.")
        MeetingFactory(taskforce=cast.taskforce, agenda=f"Contrôles, point {number}")
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    assert sum(len(group.hits) for group in response.context["groups"]) > 20


# --- Hostile and empty input ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "contrôle " * 100,  # far beyond 200 characters
        "contr\x00le",  # a NUL byte (PostgreSQL refuses it outright)
        "!!! ??? ... ---",  # only punctuation
        "«»—–…",
    ],
)
def test_hostile_input_gets_a_message_not_an_error(client, cast, text):
    client.force_login(cast.association)
    response = client.get(SEARCH, {"q": text})
    assert response.status_code == 200
    assert response.context["form"].errors["q"]
    assert response.context["groups"] == []
    assert 'role="alert"' in response.text


@pytest.mark.parametrize(
    "params",
    [
        {"q": "parvis", "kind": "nothing-like-this"},
        {"q": "parvis", "kind": "action", "page": "99999999999999999999999"},
        {"q": "parvis", "page": "-3"},
        {"q": "parvis", "page": "x"},
        {"q": '"parvis'},  # an unclosed quote
        {"q": "-parvis"},  # only a negation
        {"q": "parvis or or and"},
        {"q": "le la les de"},  # only stop words (PostgreSQL ignores them)
        {"q": "a" * 200},
    ],
)
def test_junk_parameters_never_give_a_server_error(client, cast, params):
    client.force_login(cast.association)
    assert client.get(SEARCH, params).status_code == 200


def test_an_empty_search_shows_the_form(client, cast):
    client.force_login(cast.association)
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get(SEARCH, params)
        assert response.status_code == 200 and response.context["groups"] == []
        assert not response.context["form"].errors


def test_the_search_needs_a_login_and_a_get(client, cast):
    response = client.get(SEARCH, {"q": "parvis"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(cast.association)
    assert client.post(SEARCH, {"q": "parvis"}).status_code == 405


def test_the_navigation_bar_has_a_labelled_search_box(client, cast):
    client.force_login(cast.association)
    page = client.get(reverse("home:index")).text
    assert 'role="search"' in page and 'for="nav-search-q"' in page
    assert 'id="nav-search-q" name="q" maxlength="200"' in page
    assert f'action="{SEARCH}"' in page
