"""Nothing governed loses its history: versioned perimeters that go back to the mayors once
a hotspot is approved, and versioned signed documents of police orders, checked on
download."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import get_perms

from coordination.core import geo
from coordination.models import AuditEntry, Notification
from hotspots.models import (
    Hotspot,
    MeasureType,
    OrderDocument,
    PerimeterDecision,
    PerimeterVersion,
    PoliceOrder,
)
from hotspots.selectors import hotspots as selectors
from hotspots.services import hotspots as services
from hotspots.services.orders import order_create, order_update
from tests.factories import HotspotFactory, commune

pytestmark = pytest.mark.django_db
Status = Hotspot.Status
Version = PerimeterVersion.State
Decision = PerimeterDecision.Decision

MIDI_CIRCLE = geo.circle_area(4.3352, 50.8352, 250)
MIDI_WIDER = geo.circle_area(4.3352, 50.8352, 320)
MIDI_SHIFTED = geo.circle_area(4.3362, 50.8355, 260)
PDF_1 = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PDF_2 = b"%PDF-1.7\n1 0 obj<</Type/Catalog/Lang(fr)>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
MIGRATION = importlib.import_module("hotspots.migrations.0003_history")


@pytest.fixture
def active_midi(csir_analyst, mayor_anderlecht, mayor_saint_gilles) -> Hotspot:
    """Gare du Midi as it really comes to be: proposed, approved by both mayors, active."""
    hotspot = services.hotspot_propose(
        by=csir_analyst,
        code="HS10",
        name_fr="Gare du Midi",
        name_nl="Zuidstation",
        communes=[commune("21013"), commune("21001")],
        perimeter=MIDI_CIRCLE,
    )
    services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)
    services.hotspot_decide(hotspot=hotspot, by=mayor_anderlecht, approve=True)
    services.hotspot_decide(hotspot=hotspot, by=mayor_saint_gilles, approve=True)
    return services.hotspot_activate(hotspot=hotspot, by=csir_analyst)


def propose(hotspot: Hotspot, by, geometry=MIDI_WIDER, reason="Extension vers la rue de France."):
    return services.hotspot_set_perimeter(hotspot=hotspot, by=by, perimeter=geometry, reason=reason)


def versions(hotspot: Hotspot) -> dict[int, str]:
    return dict(hotspot.perimeter_versions.values_list("number", "state"))


# --- A change of an approved perimeter -------------------------------------------------


def test_approval_makes_the_draft_the_perimeter_in_force(active_midi):
    version = active_midi.perimeter_versions.get()
    assert (version.number, version.state) == (1, Version.IN_FORCE)
    assert version.in_force_from == active_midi.approved_at
    assert version.geometry == active_midi.perimeter
    assert version.area_m2 == pytest.approx(geo.area_m2(MIDI_CIRCLE), rel=0.01)


def test_a_change_goes_back_to_the_mayors_and_the_old_perimeter_stays(
    active_midi, csir_analyst, mayor_anderlecht, mayor_saint_gilles
):
    in_force = active_midi.perimeter
    proposal = propose(active_midi, csir_analyst)

    active_midi.refresh_from_db()
    assert active_midi.perimeter == in_force  # maps, reports, routing read the old one still
    assert active_midi.status == Status.ACTIVE
    assert versions(active_midi) == {1: Version.IN_FORCE, 2: Version.PROPOSED}
    assert proposal.reason == "Extension vers la rue de France."
    decisions = proposal.decisions.order_by("commune__nis_code")
    assert [(d.commune.nis_code, d.decision) for d in decisions] == [
        ("21001", Decision.PENDING),
        ("21013", Decision.PENDING),
    ]
    for mayor in (mayor_anderlecht, mayor_saint_gilles):
        assert "decide_hotspot" in get_perms(mayor, active_midi)
        assert [d.version for d in selectors.awaiting_decision(mayor)] == [proposal]
    told = Notification.objects.filter(kind="perimeter_change_requested")
    assert {n.recipient for n in told} == {mayor_anderlecht, mayor_saint_gilles}
    # The old perimeter stays readable, as a version.
    assert active_midi.perimeter_versions.get(number=1).geometry == in_force


def test_the_audit_entry_names_the_versions_and_what_changes(active_midi, csir_analyst):
    propose(active_midi, csir_analyst)
    entry = AuditEntry.objects.get(action="hotspot.perimeter_propose")
    assert entry.actor == csir_analyst
    changes = entry.changes
    assert changes["perimeter_version"] == [1, 2] and changes["in_force"] == 1
    old_area, new_area = changes["area_m2"]
    assert new_area > old_area > 150_000
    assert changes["centroid"][0] and changes["centroid"][1]
    assert set(changes["communes"]) == {"21013", "21001"}
    assert "replaced" not in json.dumps(changes)


def test_approved_by_every_mayor_the_new_perimeter_is_in_force(
    active_midi, csir_analyst, mayor_anderlecht, mayor_saint_gilles
):
    proposal = propose(active_midi, csir_analyst)
    services.perimeter_decide(version=proposal, by=mayor_anderlecht, approve=True)
    active_midi.refresh_from_db()
    assert versions(active_midi) == {1: Version.IN_FORCE, 2: Version.PROPOSED}
    assert active_midi.perimeter == active_midi.perimeter_versions.get(number=1).geometry

    services.perimeter_decide(version=proposal, by=mayor_saint_gilles, approve=True)
    active_midi.refresh_from_db()
    assert versions(active_midi) == {1: Version.SUPERSEDED, 2: Version.IN_FORCE}
    assert active_midi.perimeter == active_midi.perimeter_versions.get(number=2).geometry
    old = active_midi.perimeter_versions.get(number=1)
    new = active_midi.perimeter_versions.get(number=2)
    assert old.ended_at and new.in_force_from and old.ended_at <= new.in_force_from
    entry = AuditEntry.objects.get(action="hotspot.perimeter_in_force")
    assert entry.changes["perimeter_version"] == [1, 2] and entry.changes["superseded"] == 1
    assert "centroid_shift_m" in entry.changes
    assert not get_perms(mayor_anderlecht, active_midi)
    assert not get_perms(mayor_saint_gilles, active_midi)
    assert Notification.objects.filter(kind="perimeter_in_force", recipient=csir_analyst).exists()


def test_one_rejection_keeps_the_old_perimeter(
    active_midi, csir_analyst, mayor_anderlecht, mayor_saint_gilles
):
    in_force = active_midi.perimeter
    proposal = propose(active_midi, csir_analyst)
    with pytest.raises(ValidationError):
        services.perimeter_decide(version=proposal, by=mayor_anderlecht, approve=False)
    services.perimeter_decide(
        version=proposal, by=mayor_anderlecht, approve=False, reason="Déborde sur le parc."
    )
    active_midi.refresh_from_db()
    assert active_midi.perimeter == in_force
    assert versions(active_midi) == {1: Version.IN_FORCE, 2: Version.REJECTED}
    # Saint-Gilles had not decided: its decision is no longer needed, nor its right to.
    lapsed = proposal.decisions.get(commune__nis_code="21013")
    assert lapsed.decision == Decision.LAPSED and lapsed.decided_by is None
    assert not get_perms(mayor_saint_gilles, active_midi)
    with pytest.raises(ValidationError):
        services.perimeter_decide(version=proposal, by=mayor_saint_gilles, approve=True)
    entry = AuditEntry.objects.get(action="hotspot.perimeter_rejected")
    assert entry.changes == {
        "perimeter_version": 2,
        "state": ["proposed", "rejected"],
        "in_force": 1,
    }
    assert Notification.objects.filter(kind="perimeter_rejected", recipient=csir_analyst).exists()


def test_a_decision_is_once_and_for_a_concerned_mayor(
    active_midi, csir_analyst, mayor_anderlecht, mayor_other
):
    proposal = propose(active_midi, csir_analyst)
    with pytest.raises(ValidationError):
        services.perimeter_decide(version=proposal, by=mayor_other, approve=True)
    services.perimeter_decide(version=proposal, by=mayor_anderlecht, approve=True)
    with pytest.raises(ValidationError):
        services.perimeter_decide(version=proposal, by=mayor_anderlecht, approve=True)


def test_one_pending_change_at_a_time(
    active_midi, csir_analyst, csir_coordinator, mayor_anderlecht
):
    first = propose(active_midi, csir_analyst)
    services.perimeter_decide(version=first, by=mayor_anderlecht, approve=True)
    second = propose(active_midi, csir_coordinator, geometry=MIDI_SHIFTED, reason="Autre tracé.")
    assert versions(active_midi) == {
        1: Version.IN_FORCE,
        2: Version.WITHDRAWN,
        3: Version.PROPOSED,
    }
    # Anderlecht approved version 2, not version 3: it decides again.
    assert dict(first.decisions.values_list("commune__nis_code", "decision")) == {
        "21001": Decision.APPROVE,
        "21013": Decision.LAPSED,
    }
    assert set(second.decisions.values_list("decision", flat=True)) == {Decision.PENDING}
    assert "decide_hotspot" in get_perms(mayor_anderlecht, active_midi)
    withdrawn = AuditEntry.objects.get(action="hotspot.perimeter_withdraw")
    assert withdrawn.changes == {"perimeter_version": 2, "state": ["proposed", "withdrawn"]}
    proposed = AuditEntry.objects.filter(action="hotspot.perimeter_propose").latest("pk")
    assert proposed.changes["withdrawn"] == 2 and proposed.changes["perimeter_version"] == [1, 3]
    with pytest.raises(ValidationError):
        services.perimeter_decide(version=first, by=mayor_anderlecht, approve=True)


def test_proposing_the_same_perimeter_again_is_refused(active_midi, csir_analyst):
    with pytest.raises(ValidationError, match="Say why"):
        propose(active_midi, csir_analyst, reason="  ")
    with pytest.raises(ValidationError, match="in force already"):
        propose(active_midi, csir_analyst, geometry=MIDI_CIRCLE)
    propose(active_midi, csir_analyst)
    with pytest.raises(ValidationError, match="already awaiting"):
        propose(active_midi, csir_analyst)
    assert versions(active_midi) == {1: Version.IN_FORCE, 2: Version.PROPOSED}


def test_an_invalid_change_records_nothing(active_midi, csir_analyst):
    with pytest.raises(geo.GeometryError):
        propose(active_midi, csir_analyst, geometry=geo.circle_area(4.2997, 50.8414, 200))
    assert versions(active_midi) == {1: Version.IN_FORCE}
    assert not PerimeterDecision.objects.exists()


def test_closing_withdraws_the_pending_change(
    active_midi, csir_analyst, csir_coordinator, mayor_anderlecht
):
    propose(active_midi, csir_analyst)
    services.hotspot_close(hotspot=active_midi, by=csir_coordinator, reason="Situation apaisée")
    assert versions(active_midi) == {1: Version.IN_FORCE, 2: Version.WITHDRAWN}
    assert not get_perms(mayor_anderlecht, active_midi)
    assert selectors.awaiting_decision(mayor_anderlecht) == []


def test_the_grants_follow_the_pending_perimeter_decisions(
    active_midi, csir_analyst, mayor_anderlecht
):
    propose(active_midi, csir_analyst)
    assert services.decide_grants_drift(repair=False) == []
    # A mayor leaving office loses the right to decide; coming back, gets it again.
    mayor_anderlecht.is_active = False
    services.decide_grants_sync(person=mayor_anderlecht)
    assert not get_perms(mayor_anderlecht, active_midi)
    mayor_anderlecht.is_active = True
    services.decide_grants_sync(person=mayor_anderlecht)
    assert "decide_hotspot" in get_perms(mayor_anderlecht, active_midi)
    assert services.decide_grants_drift(repair=False) == []


def test_a_perimeter_written_before_versions_is_kept_when_changed(csir_analyst, mayor_anderlecht):
    hotspot = HotspotFactory(
        code="HS11", communes=["21013", "21001"], proposed_by=csir_analyst, perimeter=MIDI_CIRCLE
    )
    proposal = propose(hotspot, csir_analyst)
    assert proposal.number == 2
    baseline = hotspot.perimeter_versions.get(number=1)
    assert baseline.state == Version.IN_FORCE and baseline.geometry == MIDI_CIRCLE
    assert baseline.proposed_by == csir_analyst and baseline.proposed_at == hotspot.proposed_at
    assert AuditEntry.objects.filter(action="hotspot.perimeter_recorded").exists()


# --- Before approval: the working draft -------------------------------------------------


def test_the_draft_of_a_proposed_hotspot_is_still_edited_at_once(
    csir_analyst, mayor_anderlecht, mayor_saint_gilles
):
    hotspot = services.hotspot_propose(
        by=csir_analyst,
        code="HS99",
        name_fr="Gare du Midi",
        name_nl="Zuidstation",
        communes=[commune("21013"), commune("21001")],
        perimeter=MIDI_CIRCLE,
    )
    draft = services.hotspot_set_perimeter(hotspot=hotspot, by=csir_analyst, perimeter=MIDI_WIDER)
    hotspot.refresh_from_db()
    assert draft.state == Version.DRAFT and hotspot.perimeter == draft.geometry
    assert versions(hotspot) == {1: Version.SUPERSEDED, 2: Version.DRAFT}
    assert not PerimeterDecision.objects.exists()
    entry = AuditEntry.objects.get(action="hotspot.perimeter")
    assert entry.changes["perimeter_version"] == [1, 2] and entry.changes["state"] == "draft"
    # The same drawing again changes nothing.
    services.hotspot_set_perimeter(hotspot=hotspot, by=csir_analyst, perimeter=MIDI_WIDER)
    assert versions(hotspot) == {1: Version.SUPERSEDED, 2: Version.DRAFT}

    services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)
    services.hotspot_decide(hotspot=hotspot, by=mayor_anderlecht, approve=True)
    services.hotspot_decide(hotspot=hotspot, by=mayor_saint_gilles, approve=True)
    assert versions(hotspot) == {1: Version.SUPERSEDED, 2: Version.IN_FORCE}


def test_a_rejected_hotspot_leaves_its_draft_rejected(
    csir_analyst, mayor_anderlecht, mayor_saint_gilles
):
    hotspot = services.hotspot_propose(
        by=csir_analyst,
        code="HS99",
        name_fr="Gare du Midi",
        name_nl="Zuidstation",
        communes=[commune("21013"), commune("21001")],
        perimeter=MIDI_CIRCLE,
    )
    services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)
    services.hotspot_decide(hotspot=hotspot, by=mayor_anderlecht, approve=False, reason="Non.")
    assert versions(hotspot) == {1: Version.REJECTED}
    # The mayor who had not decided may decide no more (the hotspot is settled).
    assert not get_perms(mayor_saint_gilles, hotspot)
    assert services.decide_grants_drift(repair=False) == []


# --- Pages ------------------------------------------------------------------------------


def test_the_mayor_decides_on_the_change_through_the_pages(
    client, active_midi, csir_analyst, mayor_anderlecht
):
    propose(active_midi, csir_analyst)
    client.force_login(mayor_anderlecht)
    client.cookies.load({"django_language": "en"})
    home = client.get("/").content.decode()
    assert "A new perimeter (version 2)" in home
    page = client.get(reverse("hotspots:decide", args=[active_midi.pk])).content.decode()
    assert "New perimeter of hotspot HS10" in page
    assert "Extension vers la rue de France." in page
    assert page.count('class="map-area ') == 2  # both perimeters on the map
    assert "I approve the new perimeter" in page
    response = client.post(
        reverse("hotspots:decide", args=[active_midi.pk]),
        {"decision": "approve", "reason": "", "version": "2"},
    )
    assert response.status_code == 302
    decision = PerimeterDecision.objects.get(commune__nis_code="21001")
    assert decision.decision == Decision.APPROVE and decision.decided_by == mayor_anderlecht
    again = client.get(reverse("hotspots:decide", args=[active_midi.pk]))  # already decided
    assert again.status_code == 200 and "You have already decided" in again.content.decode()


def test_a_mayor_decides_only_on_the_version_they_read(
    client, active_midi, csir_analyst, mayor_anderlecht
):
    propose(active_midi, csir_analyst)
    client.force_login(mayor_anderlecht)
    client.cookies.load({"django_language": "en"})
    # While the mayor reads version 2, the CSIR replaces it with version 3.
    propose(active_midi, csir_analyst, geometry=MIDI_SHIFTED)
    response = client.post(
        reverse("hotspots:decide", args=[active_midi.pk]),
        {"decision": "approve", "reason": "", "version": "2"},
    )
    assert response.status_code == 200
    assert "The proposal changed while you were reading it" in response.content.decode()
    assert not PerimeterDecision.objects.filter(decision=Decision.APPROVE).exists()


def test_the_csir_proposes_through_the_perimeter_page(client, active_midi, csir_analyst):
    client.force_login(csir_analyst)
    client.cookies.load({"django_language": "en"})
    url = reverse("hotspots:perimeter", args=[active_midi.pk])
    page = client.get(url).content.decode()
    assert "goes back to the mayors" in page
    # No reason, no proposal: the input stays on the page.
    response = client.post(url, {"geojson": json.dumps(MIDI_WIDER)})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert versions(active_midi) == {1: Version.IN_FORCE}
    same = client.post(url, {"geojson": json.dumps(MIDI_CIRCLE), "reason": "Rien."})
    assert "in force already" in same.content.decode()
    response = client.post(url, {"geojson": json.dumps(MIDI_WIDER), "reason": "Rue de France."})
    assert response.status_code == 302
    assert versions(active_midi) == {1: Version.IN_FORCE, 2: Version.PROPOSED}


def test_the_hotspot_page_shows_in_force_pending_and_history(
    client, active_midi, csir_analyst, mayor_anderlecht
):
    propose(active_midi, csir_analyst)
    client.force_login(mayor_anderlecht)
    client.cookies.load({"django_language": "en"})
    page = client.get(reverse("hotspots:detail", args=[active_midi.pk])).content.decode()
    assert "In force: version 1" in page
    assert "Proposed change: version 2, awaiting the mayors" in page
    assert "Decide on the new perimeter" in page
    assert "Perimeter history" in page
    assert page.count('class="map-area ') == 2
    assert reverse("hotspots:perimeter_version", args=[active_midi.pk, 1]) in page


def test_outside_the_circle_only_what_was_in_force_is_shown(
    client, active_midi, csir_analyst, police_member
):
    propose(active_midi, csir_analyst)
    client.force_login(police_member)
    client.cookies.load({"django_language": "en"})
    page = client.get(reverse("hotspots:detail", args=[active_midi.pk])).content.decode()
    assert "In force: version 1" in page and "Perimeter history" in page
    assert "Proposed change" not in page
    assert page.count('class="map-area ') == 1
    v1 = client.get(reverse("hotspots:perimeter_version", args=[active_midi.pk, 1]))
    assert v1.status_code == 200 and v1["Content-Type"] == "application/geo+json"
    feature = json.loads(v1.content)
    assert feature["geometry"] == active_midi.perimeter_versions.get(number=1).geometry
    assert feature["properties"]["state"] == "in_force"
    assert (
        client.get(reverse("hotspots:perimeter_version", args=[active_midi.pk, 2])).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["mayor_anderlecht", "cores_member", "csir_coordinator"])
def test_the_circle_reads_the_proposal(client, request, active_midi, csir_analyst, who):
    propose(active_midi, csir_analyst)
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("hotspots:perimeter_version", args=[active_midi.pk, 2]))
    assert response.status_code == 200
    assert json.loads(response.content)["properties"]["state"] == "proposed"


def test_versions_of_an_unseen_hotspot_are_not_found(client, csir_analyst, police_member):
    hidden = services.hotspot_propose(
        by=csir_analyst,
        code="HS99",
        name_fr="Étangs Noirs",
        name_nl="Zwarte Vijvers",
        communes=[commune("21012")],
        perimeter=geo.circle_area(4.3300, 50.8560, 150),
    )
    client.force_login(police_member)
    for number in (1, 7):
        url = reverse("hotspots:perimeter_version", args=[hidden.pk, number])
        assert client.get(url).status_code == 404
    client.force_login(csir_analyst)
    assert client.get(reverse("hotspots:perimeter_version", args=[hidden.pk, 7])).status_code == 404
    url = reverse("hotspots:perimeter_version", args=[hidden.pk, 1])
    assert client.post(url).status_code == 405


def test_the_perimeter_history_costs_the_same_whatever_its_length(
    client, active_midi, csir_analyst, csir_coordinator
):
    client.force_login(csir_coordinator)
    url = reverse("hotspots:detail", args=[active_midi.pk])
    propose(active_midi, csir_analyst)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for radius in range(300, 340, 4):
        propose(active_midi, csir_analyst, geometry=geo.circle_area(4.3352, 50.8352, radius))
    assert active_midi.perimeter_versions.count() == 12
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_awaiting_decision_costs_the_same_whatever_its_length(
    csir_analyst, mayor_anderlecht, django_assert_num_queries
):
    for number in range(3):
        hotspot = HotspotFactory(
            code=f"HP{number}",
            communes=["21013", "21001"],
            proposed_by=csir_analyst,
            perimeter=MIDI_CIRCLE,
        )
        propose(hotspot, csir_analyst)
    with django_assert_num_queries(2):
        decisions = selectors.awaiting_decision(mayor_anderlecht)
        assert [d.version.number for d in decisions] == [2, 2, 2]
        assert [d.hotspot.code for d in decisions] == ["HP0", "HP1", "HP2"]


# --- The data migration ---------------------------------------------------------------


def test_the_migration_makes_each_perimeter_version_1(csir_analyst):
    active = HotspotFactory(code="M1", proposed_by=csir_analyst, perimeter=MIDI_CIRCLE)
    proposed = HotspotFactory(
        code="M2", status=Status.PROPOSED, proposed_by=csir_analyst, perimeter=MIDI_CIRCLE
    )
    HotspotFactory(code="M3", proposed_by=csir_analyst, perimeter=None)
    MIGRATION.perimeters_forward(apps, None)
    MIGRATION.perimeters_forward(apps, None)  # a second run adds nothing
    assert versions(active) == {1: Version.IN_FORCE}
    assert versions(proposed) == {1: Version.DRAFT}
    assert PerimeterVersion.objects.count() == 2
    assert active.perimeter_versions.get().geometry == MIDI_CIRCLE


# --- Police-order documents -------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_order(by, *, hotspot=None, document: bytes | None = PDF_1) -> PoliceOrder:
    today = dt.date(2025, 6, 15)
    return order_create(
        by=by,
        scope=PoliceOrder.Scope.LOCAL if hotspot else PoliceOrder.Scope.REGIONAL,
        hotspot=hotspot,
        title_fr="Arrêté de test",
        title_nl="Testverordening",
        measures=[MeasureType.PLACE_BAN],
        legal_reference="NLC art. 134sexies",
        signatory="Le bourgmestre",
        signed_on=today - dt.timedelta(days=2),
        valid_from=today,
        valid_until=today + dt.timedelta(days=30),
        document=ContentFile(document, "arrete.pdf") if document else None,
    )


def test_replacing_the_signed_pdf_keeps_the_first_version(csir_coordinator, settings):
    order = make_order(csir_coordinator)
    first = order.documents.get()
    assert (first.number, first.sha256, first.size) == (
        1,
        hashlib.sha256(PDF_1).hexdigest(),
        len(PDF_1),
    )
    order_update(order=order, by=csir_coordinator, document=ContentFile(PDF_2, "v2.pdf"))
    order.refresh_from_db()
    first, second = order.documents.order_by("number")
    assert second.number == 2 and second.sha256 == hashlib.sha256(PDF_2).hexdigest()
    assert order.document.name == second.file.name != first.file.name
    assert (Path(settings.MEDIA_ROOT) / first.file.name).read_bytes() == PDF_1
    assert second.uploaded_by == csir_coordinator
    entry = AuditEntry.objects.get(action="order.update")
    assert entry.changes["document_version"] == [1, 2]
    assert entry.changes["document_sha256"] == [first.sha256, second.sha256]
    created = AuditEntry.objects.get(action="order.create")
    assert created.changes["document_version"] == [None, 1]


def test_every_version_is_downloaded_checked(client, csir_coordinator, association_member):
    order = make_order(csir_coordinator)
    order_update(order=order, by=csir_coordinator, document=ContentFile(PDF_2, "v2.pdf"))
    client.force_login(association_member)
    for number, content in ((1, PDF_1), (2, PDF_2)):
        response = client.get(reverse("hotspots:order_document_version", args=[order.pk, number]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == content
    current = client.get(reverse("hotspots:order_document", args=[order.pk]))
    assert b"".join(current.streaming_content) == PDF_2
    page = client.get(reverse("hotspots:order_detail", args=[order.pk])).content.decode()
    for number in (1, 2):
        assert reverse("hotspots:order_document_version", args=[order.pk, number]) in page


def test_a_tampered_file_is_refused(client, csir_coordinator, settings):
    order = make_order(csir_coordinator)
    order_update(order=order, by=csir_coordinator, document=ContentFile(PDF_2, "v2.pdf"))
    first, second = order.documents.order_by("number")
    (Path(settings.MEDIA_ROOT) / first.file.name).write_bytes(PDF_1.replace(b"1.4", b"1.5"))
    (Path(settings.MEDIA_ROOT) / second.file.name).write_bytes(PDF_2 + b"% appended\n")
    client.force_login(csir_coordinator)
    client.cookies.load({"django_language": "en"})
    for url in (
        reverse("hotspots:order_document_version", args=[order.pk, 1]),
        reverse("hotspots:order_document", args=[order.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 409
        assert response["Content-Type"].startswith("text/html")
        body = response.content.decode()
        assert "does not match the fingerprint (SHA-256)" in body and "%PDF" not in body


def test_a_missing_file_is_not_found(client, csir_coordinator, settings):
    order = make_order(csir_coordinator)
    (Path(settings.MEDIA_ROOT) / order.documents.get().file.name).unlink()
    client.force_login(csir_coordinator)
    url = reverse("hotspots:order_document_version", args=[order.pk, 1])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["association_member", "police_member", "mayor_other"])
def test_versions_of_an_unseen_order_are_not_found(client, request, csir_coordinator, who):
    hidden_hotspot = HotspotFactory(
        code="HS98", status=Status.PROPOSED, communes=["21012"], proposed_by=csir_coordinator
    )
    order = make_order(csir_coordinator, hotspot=hidden_hotspot)
    client.force_login(request.getfixturevalue(who))
    for number in (1, 2):
        url = reverse("hotspots:order_document_version", args=[order.pk, number])
        assert client.get(url).status_code == 404


def test_version_downloads_need_a_login_and_a_get(client, csir_coordinator):
    order = make_order(csir_coordinator)
    url = reverse("hotspots:order_document_version", args=[order.pk, 1])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(csir_coordinator)
    assert client.post(url).status_code == 405
    assert (
        client.get(reverse("hotspots:order_document_version", args=[order.pk, 9])).status_code
        == 404
    )


def test_a_document_attached_before_versions_is_kept(csir_coordinator, settings):
    order = make_order(csir_coordinator, document=None)
    order.document.save("legacy.pdf", ContentFile(PDF_1), save=True)
    MIGRATION.documents_forward(apps, None)
    legacy = order.documents.get()
    assert legacy.sha256 == hashlib.sha256(PDF_1).hexdigest() and legacy.size == len(PDF_1)
    assert legacy.uploaded_by == csir_coordinator
    MIGRATION.documents_forward(apps, None)
    assert order.documents.count() == 1
    order_update(order=order, by=csir_coordinator, document=ContentFile(PDF_2, "v2.pdf"))
    assert list(order.documents.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert (Path(settings.MEDIA_ROOT) / legacy.file.name).read_bytes() == PDF_1


def test_replacing_a_document_written_outside_the_services_keeps_it(csir_coordinator):
    order = make_order(csir_coordinator, document=None)
    order.document.save("legacy.pdf", ContentFile(PDF_1), save=True)
    assert not OrderDocument.objects.exists()
    order_update(order=order, by=csir_coordinator, document=ContentFile(PDF_2, "v2.pdf"))
    first, second = order.documents.order_by("number")
    assert first.sha256 == hashlib.sha256(PDF_1).hexdigest()
    assert second.sha256 == hashlib.sha256(PDF_2).hexdigest()


def test_the_order_page_costs_the_same_whatever_its_versions(client, csir_coordinator):
    order = make_order(csir_coordinator)
    client.force_login(csir_coordinator)
    url = reverse("hotspots:order_detail", args=[order.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(4):
        order_update(order=order, by=csir_coordinator, document=ContentFile(PDF_2, "v.pdf"))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count(f"/hotspots/orders/{order.pk}/documents/") == 5
    assert len(many.captured_queries) == len(few.captured_queries)
