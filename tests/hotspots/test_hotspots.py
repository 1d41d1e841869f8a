"""Hotspots: the mayors' approval, perimeters, the list and map, and who may do what."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.core import geo
from coordination.models import AuditEntry
from hotspots.models import Hotspot, MayorDecision
from hotspots.selectors.hotspots import LIST_PAGE, forget_drawn_maps
from hotspots.services import hotspots as services
from taskforces.models import Membership, TaskForce
from tests.factories import HotspotFactory, commune

pytestmark = pytest.mark.django_db
Status = Hotspot.Status

MIDI_CIRCLE = geo.circle_area(4.3352, 50.8352, 250)


@pytest.fixture
def proposal(csir_analyst, django_capture_on_commit_callbacks) -> Hotspot:
    """Gare du Midi proposed on Saint-Gilles and Anderlecht, sent to both mayors."""
    hotspot = services.hotspot_propose(
        by=csir_analyst,
        code="HS99",
        name_fr="Gare du Midi",
        name_nl="Zuidstation",
        communes=[commune("21013"), commune("21001")],
        perimeter=MIDI_CIRCLE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        return services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)


# --- The approval rules ---------------------------------------------------------------


def test_approved_only_when_every_mayor_approved(
    mayor_anderlecht, mayor_saint_gilles, mailoutbox, proposal
):
    assert {m.to[0] for m in mailoutbox} == {mayor_anderlecht.email, mayor_saint_gilles.email}
    services.hotspot_decide(hotspot=proposal, by=mayor_anderlecht, approve=True)
    proposal.refresh_from_db()
    assert proposal.status == Status.AWAITING_APPROVAL
    assert not TaskForce.objects.filter(hotspot=proposal).exists()

    services.hotspot_decide(hotspot=proposal, by=mayor_saint_gilles, approve=True)
    proposal.refresh_from_db()
    assert proposal.status == Status.APPROVED and proposal.approved_at
    # Approval is the moment the task force comes to exist, chaired by both mayors.
    taskforce = TaskForce.objects.get(hotspot=proposal)
    chairs = set(
        taskforce.memberships.filter(role=Membership.Role.CHAIR).values_list("user", flat=True)
    )
    assert chairs == {mayor_anderlecht.pk, mayor_saint_gilles.pk}


def test_one_rejection_rejects(proposal, mayor_anderlecht, mayor_saint_gilles):
    services.hotspot_decide(hotspot=proposal, by=mayor_anderlecht, approve=True)
    services.hotspot_decide(
        hotspot=proposal, by=mayor_saint_gilles, approve=False, reason="Déjà couvert par le PLP."
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.REJECTED
    assert not TaskForce.objects.filter(hotspot=proposal).exists()
    rejection = proposal.decisions.get(commune__nis_code="21013")
    assert (
        rejection.reason == "Déjà couvert par le PLP."
        and rejection.decided_by == mayor_saint_gilles
    )


def test_a_rejection_needs_a_reason(proposal, mayor_anderlecht):
    with pytest.raises(ValidationError):
        services.hotspot_decide(hotspot=proposal, by=mayor_anderlecht, approve=False, reason=" ")
    assert proposal.decisions.get(commune__nis_code="21001").decision == "pending"


def test_mayor_of_another_commune_is_refused(proposal, mayor_other):
    with pytest.raises(ValidationError):
        services.hotspot_decide(hotspot=proposal, by=mayor_other, approve=True)


def test_a_decision_cannot_be_changed(proposal, mayor_anderlecht):
    services.hotspot_decide(hotspot=proposal, by=mayor_anderlecht, approve=True)
    with pytest.raises(ValidationError):
        services.hotspot_decide(hotspot=proposal, by=mayor_anderlecht, approve=False, reason="x")
    decision = proposal.decisions.get(commune__nis_code="21001")
    assert decision.decision == MayorDecision.Decision.APPROVE


def test_decisions_are_audited(proposal, mayor_anderlecht):
    services.hotspot_decide(hotspot=proposal, by=mayor_anderlecht, approve=True)
    entry = AuditEntry.objects.get(action="hotspot.decide")
    assert entry.actor == mayor_anderlecht
    assert entry.changes["decision"] == "approve" and entry.changes["commune"] == "21001"


def test_activate_and_close(hotspot_midi, csir_coordinator):
    hotspot_midi.status = Status.APPROVED
    hotspot_midi.save()
    services.hotspot_activate(hotspot=hotspot_midi, by=csir_coordinator)
    with pytest.raises(ValidationError):
        services.hotspot_close(hotspot=hotspot_midi, by=csir_coordinator, reason="")
    services.hotspot_close(hotspot=hotspot_midi, by=csir_coordinator, reason="Situation apaisée")
    hotspot_midi.refresh_from_db()
    assert hotspot_midi.status == Status.CLOSED and hotspot_midi.closure_reason


# --- Perimeters -----------------------------------------------------------------------


def test_good_perimeter_is_saved(client, csir_analyst, hotspot_midi):
    # A proposed hotspot's perimeter is its working draft, saved at once; an approved one's
    # goes back to the mayors (tests/hotspots/test_history.py).
    hotspot_midi.status = Status.PROPOSED
    hotspot_midi.save()
    client.force_login(csir_analyst)
    response = client.post(
        reverse("hotspots:perimeter", args=[hotspot_midi.pk]),
        {"geojson": json.dumps({"type": "Feature", "geometry": MIDI_CIRCLE, "properties": {}})},
    )
    assert response.status_code == 302
    hotspot_midi.refresh_from_db()
    assert hotspot_midi.perimeter["type"] == "Polygon"


@pytest.mark.parametrize(
    ("geojson", "message"),
    [
        ("{not json", "JSON"),
        (json.dumps({"type": "Point", "coordinates": [4.33, 50.83]}), "polygon"),
        (json.dumps(geo.circle_area(4.70, 50.88, 300)), "Brussels-Capital Region"),  # Leuven
        (json.dumps(geo.circle_area(4.2997, 50.8414, 200)), "Saint-Gilles"),  # Peterbos only
        (
            json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [
                        [[4.33, 50.83], [4.34, 50.84], [4.34, 50.83], [4.33, 50.84], [4.33, 50.83]]
                    ],
                }
            ),
            "valid polygon",
        ),
    ],
)
def test_bad_perimeter_explains_and_saves_nothing(
    client, csir_analyst, hotspot_midi, geojson, message
):
    hotspot_midi.perimeter = None
    hotspot_midi.save()
    client.force_login(csir_analyst)
    client.cookies.load({"django_language": "en"})
    # The hotspot is active: a new perimeter is a change for the mayors, with its reason.
    response = client.post(
        reverse("hotspots:perimeter", args=[hotspot_midi.pk]),
        {"geojson": geojson, "reason": "Le réaménagement de la place."},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    hotspot_midi.refresh_from_db()
    assert hotspot_midi.perimeter is None


def test_perimeter_upload_must_be_geojson(client, csir_analyst, hotspot_midi):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(csir_analyst)
    client.cookies.load({"django_language": "en"})
    upload = SimpleUploadedFile("area.exe", b"MZ...", content_type="application/octet-stream")
    response = client.post(
        reverse("hotspots:perimeter", args=[hotspot_midi.pk]), {"upload": upload}
    )
    assert "Upload a .geojson or .json file." in response.content.decode()


# --- Views, as each role ---------------------------------------------------------------


def test_mayor_decides_through_the_pages(client, proposal, mayor_anderlecht):
    client.force_login(mayor_anderlecht)
    awaiting = client.get(reverse("hotspots:awaiting"))
    assert "HS99" in awaiting.content.decode()
    response = client.post(
        reverse("hotspots:decide", args=[proposal.pk]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 302
    assert proposal.decisions.get(commune__nis_code="21001").decision == "approve"
    # Decided: no second decision, the page now says so (tests/hotspots/test_already_decided.py).
    again = client.get(reverse("hotspots:decide", args=[proposal.pk]))
    assert again.status_code == 200 and "You have already decided" in again.content.decode()


@pytest.mark.parametrize("who", ["mayor_other", "police_member", "association_member"])
def test_proposals_are_invisible_outside_the_circle(client, request, proposal, who):
    client.force_login(request.getfixturevalue(who))
    for name in ("detail", "decide", "edit", "perimeter", "close"):
        assert client.get(reverse(f"hotspots:{name}", args=[proposal.pk])).status_code == 404
    assert "HS99" not in client.get(reverse("hotspots:list")).content.decode()


@pytest.mark.parametrize("who", ["csir_coordinator", "cores_member", "mayor_anderlecht"])
def test_proposals_visible_to_csir_cores_and_concerned_mayors(client, request, proposal, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("hotspots:detail", args=[proposal.pk])).status_code == 200


@pytest.mark.parametrize("who", ["csir_coordinator", "cores_member"])
def test_only_mayors_decide(client, request, proposal, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("hotspots:decide", args=[proposal.pk]), {"decision": "approve"})
    assert response.status_code == 403
    assert not proposal.decisions.exclude(decision="pending").exists()


@pytest.mark.parametrize("who", ["mayor_anderlecht", "cores_member", "police_member"])
def test_only_the_csir_governs(client, request, hotspot_midi, who):
    client.force_login(request.getfixturevalue(who))
    assert (
        client.post(reverse("hotspots:close", args=[hotspot_midi.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert client.post(reverse("hotspots:activate", args=[hotspot_midi.pk])).status_code == 403
    assert client.get(reverse("hotspots:edit", args=[hotspot_midi.pk])).status_code == 403
    hotspot_midi.refresh_from_db()
    assert hotspot_midi.status == Status.ACTIVE


@pytest.mark.parametrize("who", ["police_member", "association_member", "cores_member"])
def test_only_csir_and_mayors_propose(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("hotspots:propose")).status_code == 403


def test_mayor_proposes_in_own_commune_only(client, mayor_anderlecht):
    client.force_login(mayor_anderlecht)
    data = {
        "code": "AN01",
        "name_fr": "Clemenceau",
        "name_nl": "Clemenceau",
        "communes": [commune("21013").pk],
        "phenomena": ["dealing"],
    }
    response = client.post(reverse("hotspots:propose"), data)
    assert response.status_code == 200 and not Hotspot.objects.filter(code="AN01").exists()
    data["communes"] = [commune("21001").pk]
    response = client.post(reverse("hotspots:propose"), data)
    assert response.status_code == 302
    hotspot = Hotspot.objects.get(code="AN01")
    assert hotspot.status == Status.PROPOSED and hotspot.proposed_by == mayor_anderlecht


def test_unknown_hotspot_is_404(client, csir_coordinator):
    client.force_login(csir_coordinator)
    assert client.get(reverse("hotspots:detail", args=[999999])).status_code == 404


def test_wrong_method(client, csir_coordinator, hotspot_midi):
    client.force_login(csir_coordinator)
    assert client.get(reverse("hotspots:activate", args=[hotspot_midi.pk])).status_code == 405
    assert client.post(reverse("hotspots:list")).status_code == 405


def test_user_text_is_escaped(client, csir_coordinator, csir_analyst):
    HotspotFactory(
        name_fr="<script>alert(1)</script>",
        proposed_by=csir_analyst,
        perimeter=MIDI_CIRCLE,
        communes=["21013", "21001"],
    )
    client.force_login(csir_coordinator)
    page = client.get(reverse("hotspots:list")).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


# --- Query counts ---------------------------------------------------------------------


def _make(count: int, proposer) -> None:
    for number in range(count):
        HotspotFactory(
            code=f"Q{number:03d}",
            proposed_by=proposer,
            perimeter=MIDI_CIRCLE,
            communes=["21013", "21001"],
        )


@pytest.mark.parametrize("who", ["csir_coordinator", "mayor_anderlecht"])
def test_list_and_map_queries_do_not_grow(client, request, csir_analyst, who):
    client.force_login(request.getfixturevalue(who))
    _make(15, csir_analyst)
    client.get(reverse("hotspots:list"))  # warm up: the communes' boundaries, once a process
    forget_drawn_maps()  # each measured page draws its map (its perimeters: one query)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("hotspots:list")).status_code == 200
    _make_more = 150 - 15
    for number in range(_make_more):
        HotspotFactory(
            code=f"R{number:03d}",
            proposed_by=csir_analyst,
            perimeter=MIDI_CIRCLE,
            communes=["21012"],
        )
    forget_drawn_maps()
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("hotspots:list"))
    assert response.content.decode().count('class="map-area ') == 150
    assert len(large.captured_queries) == len(small.captured_queries)
    # The table shows a page of rows (issue 16); the caption counts them all.
    hotspots = response.context["hotspots"]
    total = response.context["hotspots_total"]
    assert len(hotspots) == min(total, LIST_PAGE) and total >= 150
    html = response.content.decode()
    assert f"{total} hotspots" in html
    assert 'href="?pages=2#hotspots-more"' in html
    # Without JavaScript: a plain link, the page again with the next rows too (the same
    # map, from the process's cache: its perimeters are not read again).
    with CaptureQueriesContext(connection) as second:
        response = client.get(reverse("hotspots:list"), {"pages": "2"})
    assert len(response.context["hotspots"]) == 2 * LIST_PAGE
    assert len(second.captured_queries) == len(large.captured_queries) - 1
    last = client.get(reverse("hotspots:list"), {"pages": "7"})
    assert len(last.context["hotspots"]) == total
    assert "pages=8" not in last.content.decode()
    # With htmx: the table alone, swapped in place.
    partial = client.get(
        reverse("hotspots:list"), {"pages": "2"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial and 'id="hotspot-table"' in partial


@pytest.mark.parametrize("pages", ["abc", "0", "-1", "²", "9999", "1" * 50])
def test_list_pages_parameter_never_fails(client, csir_analyst, pages):
    client.force_login(csir_analyst)
    assert client.get(reverse("hotspots:list"), {"pages": pages}).status_code == 200


def test_list_more_link_keeps_the_filters(client, csir_analyst):
    for number in range(LIST_PAGE + 1):
        HotspotFactory(code=f"R{number:03d}", proposed_by=csir_analyst, status="active")
    client.force_login(csir_analyst)
    html = client.get(reverse("hotspots:list"), {"status": "active"}).content.decode()
    assert "status=active&amp;pages=2" in html
