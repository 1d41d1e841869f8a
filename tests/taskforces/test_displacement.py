"""Displacement reports: routing from the real commune boundaries, the point-in-commune
check, follow-up and closure, who sees and does what, the list's cost, escaping."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from coordination.core import geo
from coordination.models import Agency, AuditEntry, Notification
from coordination.notifications.services import message
from hotspots.models import Hotspot
from hotspots.selectors.hotspots import region_map
from taskforces.models import DisplacementReport
from taskforces.selectors import displacement as selectors
from taskforces.services.displacement import (
    displacement_close,
    displacement_create,
    displacement_follow_up,
)
from taskforces.services.taskforces import membership_add, taskforce_open
from tests.factories import AgencyFactory, HotspotFactory, UserFactory, commune

pytestmark = pytest.mark.django_db
Status = DisplacementReport.Status

IN_FOREST = (4.3318, 50.8172)  # Parvis Saint-Antoine
IN_LEUVEN = (4.7005, 50.8798)


def _member(username: str, taskforce) -> object:
    agency = AgencyFactory(name_fr=f"Asbl {username}", kind=Agency.Kind.ASSOCIATION)
    user = UserFactory(username=username, agency=agency)
    membership_add(taskforce=taskforce, user=user, role="member", by=None)
    return user


@pytest.fixture
def cast(csir_analyst, hotspot_midi, hotspot_molenbeek):
    """Task forces on Gare du Midi (Saint-Gilles + Anderlecht), Porte de Hal (Saint-Gilles
    only) and Étangs Noirs (Molenbeek), one member each."""
    porte_de_hal = HotspotFactory(
        code="HS06", name_fr="Porte de Hal", communes=["21013"], proposed_by=csir_analyst
    )
    midi = taskforce_open(hotspot=hotspot_midi, by=csir_analyst)
    saint_gilles = taskforce_open(hotspot=porte_de_hal, by=csir_analyst)
    molenbeek = taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)
    return SimpleNamespace(
        midi=midi,
        saint_gilles=saint_gilles,
        molenbeek=molenbeek,
        porte_de_hal=porte_de_hal,
        midi_member=_member("midi-member", midi),
        saint_gilles_member=_member("sg-member", saint_gilles),
        molenbeek_member=_member("molenbeek-member", molenbeek),
    )


def report(by, hotspot, nis_code: str, **fields) -> DisplacementReport:
    values = {
        "phenomenon": "dealing",
        "place": "Parvis Saint-Antoine",
        "observed_on": timezone.localdate() - dt.timedelta(days=1),
        "severity": "medium",
        **fields,
    }
    return displacement_create(by=by, from_hotspot=hotspot, commune=commune(nis_code), **values)


def form_data(hotspot, nis_code: str = "21007", **overrides) -> dict:
    data = {
        "from_hotspot": hotspot.pk,
        "phenomenon": "dealing",
        "commune": commune(nis_code).pk,
        "place": "Parvis Saint-Antoine",
        "lon": "",
        "lat": "",
        "observed_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "severity": "high",
        **overrides,
    }
    return data


# --- Routing from the real boundaries --------------------------------------------------


def test_neighbours_come_from_the_boundaries_and_are_computed_once():
    first = selectors.commune_neighbours()
    assert {"21013", "21001", "21016", "21009"} == set(first["21007"])  # Forest
    assert "21012" not in first["21007"] and "21012" in first["21001"]
    assert selectors.commune_neighbours() is first


def test_a_report_to_forest_reaches_saint_gilles_not_molenbeek(cast, police_member, hotspot_midi):
    # Routed by distance (issue 13): Porte de Hal (no perimeter: Saint-Gilles) lies some
    # 900 m from the point, Molenbeek some 3 km; Gare du Midi, the origin, is always told.
    to_forest = report(police_member, hotspot_midi, "21007", lon=IN_FOREST[0], lat=IN_FOREST[1])
    assert set(to_forest.routed_to.all()) == {cast.saint_gilles, cast.midi}


def test_the_origin_is_always_reached(cast, police_member):
    from_molenbeek = report(
        police_member, cast.molenbeek.hotspot, "21007", lon=IN_FOREST[0], lat=IN_FOREST[1]
    )
    assert set(from_molenbeek.routed_to.all()) == {cast.molenbeek, cast.saint_gilles}
    within = report(police_member, cast.molenbeek.hotspot, "21012", place="Rue Vandenpeereboom")
    assert cast.molenbeek in within.routed_to.all()


def test_a_report_to_anderlecht_reaches_midi_same_commune(cast, police_member, hotspot_midi):
    # No point: the distances run from Anderlecht's edge, which all three hotspots touch.
    from_molenbeek = report(police_member, cast.molenbeek.hotspot, "21001")
    assert set(from_molenbeek.routed_to.all()) == {cast.midi, cast.saint_gilles, cast.molenbeek}
    within = report(police_member, hotspot_midi, "21001", place="Rue de France")
    assert cast.midi in within.routed_to.all()


def test_closed_hotspots_task_forces_are_not_reached(cast, police_member, hotspot_midi):
    Hotspot.objects.filter(pk=cast.porte_de_hal.pk).update(status=Hotspot.Status.CLOSED)
    closed = report(police_member, hotspot_midi, "21007", lon=IN_FOREST[0], lat=IN_FOREST[1])
    assert list(closed.routed_to.all()) == [cast.midi]  # the origin only


def test_the_csir_and_the_routed_members_are_notified(
    cast,
    police_member,
    csir_coordinator,
    csir_analyst,
    hotspot_midi,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        created = report(police_member, hotspot_midi, "21007", lon=IN_FOREST[0], lat=IN_FOREST[1])
    told = set(
        Notification.objects.filter(kind="displacement_reported").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {csir_coordinator.username, csir_analyst.username, "sg-member", "midi-member"}
    notification = Notification.objects.filter(recipient=csir_coordinator).get()
    assert notification.url == reverse("taskforces:displacement_detail", args=[created.pk])
    assert notification.params["hotspot"] == "HS10 Gare du Midi"
    # The place is named when read, its commune in the reader's language (issue 12).
    with translation.override("fr"):
        assert "Parvis Saint-Antoine (Forest)" in message(notification)
    with translation.override("nl"):
        assert "Parvis Saint-Antoine (Vorst)" in message(notification)
    entry = AuditEntry.objects.get(action="displacement.report")
    assert entry.actor == police_member and list(entry.changes["routed_to"]) == ["HS06", "HS10"]
    assert entry.changes["routing_reach_m"] == 1500


# --- The point on the map --------------------------------------------------------------


def test_a_point_in_the_chosen_commune_is_kept(police_member, hotspot_midi):
    created = report(police_member, hotspot_midi, "21007", lon=IN_FOREST[0], lat=IN_FOREST[1])
    assert (created.lon, created.lat) == IN_FOREST


def test_a_point_in_another_commune_is_refused_and_says_where_it_is(police_member, hotspot_midi):
    with pytest.raises(ValidationError) as refused:
        report(police_member, hotspot_midi, "21001", lon=IN_FOREST[0], lat=IN_FOREST[1])
    message = " ".join(refused.value.messages)
    assert "lies in Forest, not in Anderlecht" in message
    with pytest.raises(ValidationError) as outside:
        report(police_member, hotspot_midi, "21007", lon=IN_LEUVEN[0], lat=IN_LEUVEN[1])
    assert "outside the Brussels-Capital Region" in " ".join(outside.value.messages)
    with pytest.raises(ValidationError):
        report(police_member, hotspot_midi, "21007", lon=IN_FOREST[0])
    assert not DisplacementReport.objects.exists()


def test_the_form_explains_a_misplaced_point(client, police_member, hotspot_midi):
    client.force_login(police_member)
    data = form_data(hotspot_midi, "21001", lon=IN_FOREST[0], lat=IN_FOREST[1])
    response = client.post(reverse("taskforces:displacement_new"), data)
    assert response.status_code == 200
    assert "The point lies in Forest, not in Anderlecht" in response.content.decode()
    assert not DisplacementReport.objects.exists()


def test_the_observation_cannot_be_in_the_future(client, police_member, hotspot_midi):
    client.force_login(police_member)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("taskforces:displacement_new"), form_data(hotspot_midi, observed_on=tomorrow)
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not DisplacementReport.objects.exists()


def test_only_working_hotspots_are_offered(client, police_member, hotspot_midi, csir_analyst):
    proposed = HotspotFactory(code="HS99", status=Hotspot.Status.PROPOSED, proposed_by=csir_analyst)
    client.force_login(police_member)
    response = client.post(reverse("taskforces:displacement_new"), form_data(proposed))
    assert response.status_code == 200 and not DisplacementReport.objects.exists()


# --- Reporting through the pages --------------------------------------------------------


@pytest.mark.parametrize("who", ["police_member", "csir_analyst", "midi_member"])
def test_police_members_and_csir_report(client, request, cast, hotspot_midi, who):
    user = _person(request, cast, who)
    client.force_login(user)
    assert client.get(reverse("taskforces:displacement_new")).status_code == 200
    data = form_data(hotspot_midi, lon=IN_FOREST[0], lat=IN_FOREST[1])
    response = client.post(reverse("taskforces:displacement_new"), data)
    created = DisplacementReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("taskforces:displacement_detail", args=[created.pk])
    assert created.reported_by == user and created.status == Status.OPEN
    assert created.lon == IN_FOREST[0]
    assert set(created.routed_to.all()) == {cast.saint_gilles, cast.midi}


@pytest.mark.parametrize("who", ["association_member", "cores_member", "mayor_other"])
def test_others_may_not_report(client, request, hotspot_midi, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("taskforces:displacement_new")).status_code == 403
    response = client.post(reverse("taskforces:displacement_new"), form_data(hotspot_midi))
    assert response.status_code == 403 and not DisplacementReport.objects.exists()


def test_the_service_refuses_them_too(association_member, hotspot_midi):
    with pytest.raises(ValidationError):
        report(association_member, hotspot_midi, "21007")


# --- Who sees and does what -------------------------------------------------------------


@pytest.fixture
def to_forest(cast, police_member, hotspot_midi) -> DisplacementReport:
    return report(police_member, hotspot_midi, "21007", lon=IN_FOREST[0], lat=IN_FOREST[1])


def _person(request, cast, who: str):
    """A member of the cast's task forces, or a role fixture of conftest.py."""
    return getattr(cast, who, None) or request.getfixturevalue(who)


def _urls(pk: int) -> dict[str, str]:
    return {
        "detail": reverse("taskforces:displacement_detail", args=[pk]),
        "follow_up": reverse("taskforces:displacement_follow_up", args=[pk]),
        "close": reverse("taskforces:displacement_close", args=[pk]),
    }


@pytest.mark.parametrize(
    "who", ["association_member", "cores_member", "mayor_other", "molenbeek_member"]
)
def test_outsiders_get_404_everywhere(client, request, cast, to_forest, who):
    # molenbeek_member: Étangs Noirs lies some 3 km from the point, beyond the reach.
    client.force_login(_person(request, cast, who))
    urls = _urls(to_forest.pk)
    assert client.get(urls["detail"]).status_code == 404
    assert client.post(urls["follow_up"], {"text": "x"}).status_code == 404
    assert client.post(urls["close"], {"closure_note": "x"}).status_code == 404
    listing = client.get(reverse("taskforces:displacements"))
    assert listing.status_code == 200 and listing.context["reports"] == []
    to_forest.refresh_from_db()
    assert to_forest.status == Status.OPEN and not to_forest.follow_ups.exists()


def test_the_reporter_sees_but_does_not_follow_up_or_close(client, police_member, to_forest):
    client.force_login(police_member)
    urls = _urls(to_forest.pk)
    assert client.get(urls["detail"]).status_code == 200
    assert client.post(urls["follow_up"], {"text": "x"}).status_code == 403
    assert client.post(urls["close"], {"closure_note": "x"}).status_code == 403
    assert [r.pk for r in client.get(reverse("taskforces:displacements")).context["reports"]] == [
        to_forest.pk
    ]


def test_a_routed_member_follows_up_but_may_not_close(client, cast, to_forest):
    client.force_login(cast.saint_gilles_member)
    urls = _urls(to_forest.pk)
    page = client.get(urls["detail"])
    assert page.status_code == 200 and urls["follow_up"] in page.content.decode()
    assert urls["close"] not in page.content.decode()
    response = client.post(urls["follow_up"], {"text": "Patrouille passée, deux revendeurs."})
    assert response.status_code == 302
    assert client.post(urls["close"], {"closure_note": "Fini"}).status_code == 403
    to_forest.refresh_from_db()
    assert to_forest.status == Status.FOLLOWED_UP and to_forest.closed_at is None


def test_unknown_report_is_404(client, csir_coordinator):
    client.force_login(csir_coordinator)
    urls = _urls(999999)
    assert client.get(urls["detail"]).status_code == 404
    assert client.post(urls["follow_up"], {"text": "x"}).status_code == 404
    assert client.post(urls["close"], {"closure_note": "x"}).status_code == 404


def test_wrong_methods(client, csir_coordinator, to_forest):
    client.force_login(csir_coordinator)
    urls = _urls(to_forest.pk)
    assert client.get(urls["follow_up"]).status_code == 405
    assert client.get(urls["close"]).status_code == 405
    assert client.post(urls["detail"]).status_code == 405
    assert client.post(reverse("taskforces:displacements")).status_code == 405
    assert client.put(reverse("taskforces:displacement_new")).status_code == 405


def test_anonymous_is_sent_to_login(client, to_forest):
    for url in [reverse("taskforces:displacements"), *_urls(to_forest.pk).values()]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Follow-up and closure ----------------------------------------------------------------


def test_follow_up_then_closure_are_audited_and_told(
    cast, csir_coordinator, police_member, to_forest
):
    displacement_follow_up(report=to_forest, by=cast.saint_gilles_member, text="Vu mardi soir.")
    to_forest.refresh_from_db()
    assert to_forest.status == Status.FOLLOWED_UP
    displacement_follow_up(report=to_forest, by=csir_coordinator, text="Point à la CSIR.")
    assert to_forest.follow_ups.count() == 2
    entries = AuditEntry.objects.filter(action="displacement.follow_up").order_by("pk")
    assert entries[0].changes["status"] == ["open", "followed_up"]
    assert "status" not in entries[1].changes

    with pytest.raises(ValidationError):
        displacement_close(report=to_forest, by=csir_coordinator, note="  ")
    with pytest.raises(ValidationError):
        displacement_close(report=to_forest, by=cast.saint_gilles_member, note="Fini")
    displacement_close(report=to_forest, by=csir_coordinator, note="Plus rien depuis un mois.")
    to_forest.refresh_from_db()
    assert to_forest.status == Status.CLOSED and to_forest.closed_at
    assert to_forest.closure_note == "Plus rien depuis un mois."
    entry = AuditEntry.objects.get(action="displacement.close")
    assert entry.actor == csir_coordinator and entry.changes["status"] == ["followed_up", "closed"]
    told = set(
        Notification.objects.filter(kind="displacement_closed").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {police_member.username, "sg-member", "midi-member"}

    with pytest.raises(ValidationError):
        displacement_follow_up(report=to_forest, by=csir_coordinator, text="Encore")
    with pytest.raises(ValidationError):
        displacement_close(report=to_forest, by=csir_coordinator, note="Encore")


def test_closure_through_the_page(client, csir_analyst, to_forest):
    client.force_login(csir_analyst)
    urls = _urls(to_forest.pk)
    assert urls["close"] in client.get(urls["detail"]).content.decode()
    empty = client.post(urls["close"], {"closure_note": ""})
    assert empty.status_code == 200
    to_forest.refresh_from_db()
    assert to_forest.status == Status.OPEN
    assert client.post(urls["close"], {"closure_note": "Réglé."}).status_code == 302
    to_forest.refresh_from_db()
    assert to_forest.status == Status.CLOSED
    page = client.get(urls["detail"]).content.decode()
    assert "Réglé." in page and urls["close"] not in page and urls["follow_up"] not in page
    late = client.post(urls["follow_up"], {"text": "Trop tard"}, follow=True)
    assert "closed: it takes no more follow-up" in late.content.decode()
    assert not to_forest.follow_ups.exists()


# --- The map --------------------------------------------------------------------------------


def test_arrows_go_from_the_perimeter_centre_to_the_point_or_the_commune(
    cast, police_member, csir_coordinator, to_forest
):
    without_point = report(police_member, cast.molenbeek.hotspot, "21011", place="Parc Élisabeth")
    arrows = {a.label.split(" ")[0]: a for a in selectors.under_way_arrows(csir_coordinator)}
    midi = arrows["HS10"]
    centre = geo.area_center(to_forest.from_hotspot.perimeter)
    assert (midi.from_lon, midi.from_lat) == centre
    assert (midi.to_lon, midi.to_lat) == IN_FOREST
    # Étangs Noirs has no perimeter: from the centre of Molenbeek to that of Koekelberg.
    molenbeek = arrows["HS12"]
    centres = selectors.commune_centres()
    assert (molenbeek.from_lon, molenbeek.from_lat) == centres["21012"]
    assert (molenbeek.to_lon, molenbeek.to_lat) == centres["21011"]

    displacement_close(report=without_point, by=csir_coordinator, note="Fini")
    under_way = selectors.under_way_arrows(csir_coordinator)
    assert [a.label.split(" ")[0] for a in under_way] == ["HS10"]
    svg = region_map([to_forest.from_hotspot], title="Hotspots", arrows=under_way)
    assert svg.count('class="map-arrow ') == 1
    # Members see only the arrows of the reports they see.
    assert selectors.under_way_arrows(cast.molenbeek_member) == []


def test_the_list_page_draws_the_arrows(client, csir_coordinator, to_forest):
    client.force_login(csir_coordinator)
    body = client.get(reverse("taskforces:displacements")).content.decode()
    assert body.count('class="map-arrow ') == 1
    assert reverse("taskforces:displacement_detail", args=[to_forest.pk]) in body


# --- The list ---------------------------------------------------------------------------


def test_filters_by_status_and_commune(client, cast, csir_coordinator, police_member, to_forest):
    to_koekelberg = report(police_member, cast.molenbeek.hotspot, "21011", place="Parc")
    displacement_close(report=to_koekelberg, by=csir_coordinator, note="Fini")
    client.force_login(csir_coordinator)
    url = reverse("taskforces:displacements")

    def shown(**params) -> list[int]:
        return [r.pk for r in client.get(url, params).context["reports"]]

    assert shown() == [to_koekelberg.pk, to_forest.pk]
    assert shown(status="closed") == [to_koekelberg.pk]
    assert shown(status="open", commune="21007") == [to_forest.pk]
    assert shown(commune="21011") == [to_koekelberg.pk]
    assert client.get(url, {"status": "bogus"}).status_code == 200
    fragment = client.get(url, {"status": "open"}, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="displacement-results"')


def _make(count: int, by, hotspot) -> None:
    for number in range(count):
        report(
            by,
            hotspot,
            ["21007", "21001", "21011"][number % 3],
            place=f"Lieu {number}",
            **({"lon": IN_FOREST[0], "lat": IN_FOREST[1]} if number % 3 == 0 else {}),
        )


@pytest.mark.parametrize("who", ["csir_coordinator", "saint_gilles_member"])
def test_list_queries_do_not_grow(client, request, cast, police_member, hotspot_midi, who):
    client.force_login(_person(request, cast, who))
    url = reverse("taskforces:displacements")
    _make(5, police_member, hotspot_midi)
    client.get(url)  # warms the per-process cache of the commune geometry
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(url).context["reports"]) >= 1
    _make(45, police_member, hotspot_midi)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    shown = response.context["reports"]
    assert len(shown) == (50 if who == "csir_coordinator" else 34)
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Escaping ---------------------------------------------------------------------------


def test_user_text_is_escaped(client, cast, csir_coordinator, police_member, hotspot_midi):
    evil = "<script>alert(1)</script>"
    created = report(police_member, hotspot_midi, "21007", place=evil)
    displacement_follow_up(report=created, by=csir_coordinator, text=evil)
    client.force_login(csir_coordinator)
    for url in (
        reverse("taskforces:displacements"),
        reverse("taskforces:displacement_detail", args=[created.pk]),
    ):
        body = client.get(url).content.decode()
        assert evil not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# --- Demo ---------------------------------------------------------------------------------


def test_demo_is_idempotent(
    csir_coordinator, csir_analyst, police_member, hotspot_midi, hotspot_molenbeek
):
    from taskforces import demo_displacement

    people = {
        "csir.coordinator": csir_coordinator,
        "csir.analyst": csir_analyst,
        "police.midi": police_member,
    }
    hotspots = {"HS10": hotspot_midi, "HS12": hotspot_molenbeek}
    demo_displacement.seed(people=people, hotspots=hotspots)
    demo_displacement.seed(people=people, hotspots=hotspots)
    reports = DisplacementReport.objects.order_by("from_hotspot__code")
    assert [(r.from_hotspot.code, r.commune.nis_code, r.status) for r in reports] == [
        ("HS10", "21007", Status.OPEN),
        ("HS12", "21011", Status.CLOSED),
    ]
    assert reports[0].reported_by == police_member and reports[0].lon is not None
    assert reports[1].follow_ups.count() == 2 and reports[1].closure_note
