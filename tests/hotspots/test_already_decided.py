"""A mayor who opens the decide page again after deciding reads what their commune decided
(when, what, by whom), not "your role does not allow this"; sending the form again changes
nothing (409). The same for a decision on a perimeter change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coordination.core import geo
from coordination.models import AuditEntry
from hotspots.models import Hotspot, MayorDecision, PerimeterDecision
from hotspots.services import hotspots as services
from tests.factories import commune

pytestmark = pytest.mark.django_db

MIDI_CIRCLE = geo.circle_area(4.3352, 50.8352, 250)
MIDI_WIDER = geo.circle_area(4.3352, 50.8352, 320)


@pytest.fixture
def proposal(csir_analyst) -> Hotspot:
    hotspot = services.hotspot_propose(
        by=csir_analyst,
        code="HS97",
        name_fr="Gare du Midi",
        name_nl="Zuidstation",
        communes=[commune("21013"), commune("21001")],
        perimeter=MIDI_CIRCLE,
    )
    return services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)


def test_after_deciding_the_page_says_already_decided(client, proposal, mayor_anderlecht):
    client.force_login(mayor_anderlecht)
    url = reverse("hotspots:decide", args=[proposal.pk])
    assert client.get(url).status_code == 200  # still to decide: the form
    response = client.post(url, {"decision": "reject", "reason": "Périmètre trop large."})
    assert response.status_code == 302

    response = client.get(url)
    assert response.status_code == 200
    assert "hotspots/decided.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "You have already decided" in page
    assert "Rejected" in page and "Périmètre trop large." in page
    assert str(mayor_anderlecht) in page
    assert reverse("hotspots:detail", args=[proposal.pk]) in page
    assert "does not allow" not in page
    assert response.context["taken"].decided_at is not None


def test_sending_the_form_again_is_a_conflict_and_changes_nothing(
    client, proposal, mayor_anderlecht
):
    client.force_login(mayor_anderlecht)
    url = reverse("hotspots:decide", args=[proposal.pk])
    client.post(url, {"decision": "approve", "reason": ""})
    # The back button, then "Sign my decision" again, now with the other choice.
    response = client.post(url, {"decision": "reject", "reason": "Changé d'avis"})
    assert response.status_code == 409
    assert "You have already decided" in response.content.decode()
    decision = proposal.decisions.get(commune__nis_code="21001")
    assert decision.decision == MayorDecision.Decision.APPROVE
    assert AuditEntry.objects.filter(action="hotspot.decide").count() == 1


def test_the_other_mayor_still_gets_the_form(
    client, proposal, mayor_anderlecht, mayor_saint_gilles
):
    services.hotspot_decide(hotspot=proposal, by=mayor_anderlecht, approve=True)
    client.force_login(mayor_saint_gilles)
    response = client.get(reverse("hotspots:decide", args=[proposal.pk]))
    assert response.status_code == 200
    assert "hotspots/decide.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("who", ["csir_coordinator", "cores_member"])
def test_who_never_decides_is_still_refused(client, request, proposal, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("hotspots:decide", args=[proposal.pk])).status_code == 403


def test_a_mayor_of_another_commune_does_not_see_it(client, proposal, mayor_other):
    client.force_login(mayor_other)
    assert client.get(reverse("hotspots:decide", args=[proposal.pk])).status_code == 404


def test_the_same_for_a_perimeter_change(
    client, csir_analyst, proposal, mayor_anderlecht, mayor_saint_gilles
):
    services.hotspot_decide(hotspot=proposal, by=mayor_anderlecht, approve=True)
    services.hotspot_decide(hotspot=proposal, by=mayor_saint_gilles, approve=True)
    services.hotspot_activate(hotspot=proposal, by=csir_analyst)
    version = services.hotspot_set_perimeter(
        hotspot=proposal, by=csir_analyst, perimeter=MIDI_WIDER, reason="Vers la rue de France."
    )
    client.force_login(mayor_anderlecht)
    url = reverse("hotspots:decide", args=[proposal.pk])
    assert "hotspots/decide_perimeter.html" in [t.name for t in client.get(url).templates]
    data = {"decision": "approve", "reason": "", "version": version.number}
    assert client.post(url, data).status_code == 302

    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "You have already decided" in page
    assert f"version {version.number} of the perimeter" in page
    assert response.context["on_perimeter"] is True

    again = client.post(url, {**data, "decision": "reject", "reason": "Non"})
    assert again.status_code == 409
    decision = PerimeterDecision.objects.get(version=version, commune__nis_code="21001")
    assert decision.decision == PerimeterDecision.Decision.APPROVE
