"""Displacement routed by distance (issue 13): the Belgian Lambert 2008 projection, who a
report reaches and why, the reach set by DISPLACEMENT_ROUTING_METRES, the report's page."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from shapely.geometry import Polygon

from coordination.core import geo
from coordination.models import AuditEntry, Notification
from taskforces.models import DisplacementReport, DisplacementRouting
from taskforces.selectors import displacement as selectors
from taskforces.services.displacement import displacement_create
from taskforces.services.taskforces import taskforce_open
from tests.factories import HotspotFactory, commune

Reason = DisplacementRouting.Reason

# Place Bethléem, Saint-Gilles: where the phenomenon is seen in these tests.
BETHLEEM = (4.3437, 50.8299)


# --- The projection -----------------------------------------------------------------------


def test_the_false_origin_maps_to_the_false_easting_and_northing():
    lon = 4 + 21 / 60 + 33.177 / 3600
    lat = 50 + 47 / 60 + 52.134 / 3600
    easting, northing = geo.to_lambert2008(lon, lat)
    assert easting == pytest.approx(649_328.0, abs=1e-6)
    assert northing == pytest.approx(665_262.0, abs=1e-6)


def test_the_formulas_give_the_epsg_worked_example():
    # EPSG Guidance Note 7-2, Lambert Conic Conformal (2SP): NAD27 / Texas South Central,
    # 28°30'N 96°00'W → E 2963503.91 ftUS, N 254759.80 ftUS. Same code as EPSG:3812,
    # other constants: it checks the formulas, the Belgian test below checks the constants.
    us_foot = 1200 / 3937
    inverse_flattening = 294.9786982
    texas = geo.LambertConic2SP(
        a=6_378_206.4,
        e=math.sqrt(2 / inverse_flattening - 1 / inverse_flattening**2),
        lat_origin=math.radians(27 + 50 / 60),
        lon_origin=math.radians(-99),
        lat_1=math.radians(28 + 23 / 60),
        lat_2=math.radians(30 + 17 / 60),
        false_easting=2_000_000 * us_foot,
        false_northing=0,
    )
    easting, northing = texas.forward(-96, 28.5)
    assert easting / us_foot == pytest.approx(2_963_503.91, abs=0.01)
    assert northing / us_foot == pytest.approx(254_759.80, abs=0.01)
    assert texas.inverse(easting, northing) == pytest.approx((-96, 28.5), abs=1e-9)


def test_a_belgian_point_and_the_round_trip():
    # The EPSG's Belgian test point (5°48'26.533"E 50°40'46.461"N) in Lambert 2008. Its
    # Lambert 72 coordinates (251763.20, 153034.13) are on another datum and projection,
    # so the two differ by about (500 000, 500 000) plus a datum shift of some 100 m.
    easting, northing = geo.to_lambert2008(5.807370277, 50.679572292)
    assert easting == pytest.approx(751_670.76, abs=0.01)
    assert northing == pytest.approx(653_107.11, abs=0.01)
    assert abs(easting - 251_763.20 - 500_000) < 150 and abs(northing - 153_034.13 - 500_000) < 150
    for lon, lat in [(4.3, 50.8), (2.55, 51.09), (6.4, 49.5), BETHLEEM]:
        assert geo.from_lambert2008(*geo.to_lambert2008(lon, lat)) == pytest.approx(
            (lon, lat), abs=1e-10
        )


def test_distances_in_brussels_are_true_to_a_tenth_of_a_percent():
    # Gare du Midi to Gare du Nord, some 3.3 km as the crow flies (3.6 km by the streets).
    midi, nord = (4.3357, 50.8354), (4.3606, 50.8603)
    lambert = math.dist(geo.to_lambert2008(*midi), geo.to_lambert2008(*nord))
    # An independent measure: the local metric of the perimeter checks (WGS84 series).
    per_lon, per_lat = geo._LocalMetric(4.348, 50.848).scale
    local = math.hypot((nord[0] - midi[0]) * per_lon, (nord[1] - midi[1]) * per_lat)
    assert 3_200 < lambert < 3_400
    assert lambert == pytest.approx(local, rel=1e-3)


def test_the_shapely_helper_projects_every_vertex():
    square = Polygon([(4.34, 50.83), (4.35, 50.83), (4.35, 50.84), (4.34, 50.84)])
    projected = geo.project_lambert2008(square)
    assert projected.exterior.coords[0] == pytest.approx(geo.to_lambert2008(4.34, 50.83))
    assert projected.area == pytest.approx(geo.area_m2(square), rel=2e-3)
    assert geo.project_lambert2008(geo.circle_area(*BETHLEEM, 200)).area == pytest.approx(
        math.pi * 200**2, rel=0.02
    )


# --- Routing --------------------------------------------------------------------------------


def _around(metres_east: float, metres_north: float, radius: float = 100) -> dict:
    """A round perimeter whose edge lies ``metres - radius`` from Place Bethléem."""
    easting, northing = geo.to_lambert2008(*BETHLEEM)
    lon, lat = geo.from_lambert2008(easting + metres_east, northing + metres_north)
    return geo.circle_area(lon, lat, radius, segments=72)


@pytest.fixture
def places(db, csir_analyst):
    """Two task forces: Near (its perimeter 500 m east of Place Bethléem) and Far (4 km
    north), and Plain, a hotspot of Saint-Gilles without a perimeter."""
    near = HotspotFactory(
        code="HS31", name_fr="Près", name_nl="Dichtbij", communes=["21013"],
        perimeter=_around(600, 0), proposed_by=csir_analyst,
    )  # fmt: skip
    far = HotspotFactory(
        code="HS32", name_fr="Loin", name_nl="Ver", communes=["21004"],
        perimeter=_around(0, 4_100), proposed_by=csir_analyst,
    )  # fmt: skip
    return SimpleNamespace(
        near=taskforce_open(hotspot=near, by=csir_analyst),
        far=taskforce_open(hotspot=far, by=csir_analyst),
    )


def _report(by, from_hotspot, *, point=BETHLEEM, nis_code="21013") -> DisplacementReport:
    lon, lat = point if point else (None, None)
    return displacement_create(
        by=by,
        from_hotspot=from_hotspot,
        phenomenon="dealing",
        commune=commune(nis_code),
        place="Place Bethléem",
        observed_on=timezone.localdate() - dt.timedelta(days=1),
        severity="medium",
        lon=lon,
        lat=lat,
    )


def _routes(report: DisplacementReport) -> dict[str, tuple[str, int | None]]:
    return {r.taskforce.hotspot.code: (r.reason, r.distance_m) for r in selectors.routings(report)}


def test_a_report_500_m_from_one_hotspot_and_4_km_from_another_reaches_the_first(
    places, police_member, hotspot_midi, csir_analyst
):
    # Gare du Midi, the origin, has no task force here: only distance decides.
    routes = _routes(_report(police_member, hotspot_midi))
    assert set(routes) == {"HS31"}
    reason, distance = routes["HS31"]
    assert reason == Reason.NEARBY and 495 <= distance <= 505


def test_the_origin_is_always_reached_with_its_distance(places, police_member):
    routes = _routes(_report(police_member, places.far.hotspot))
    assert set(routes) == {"HS31", "HS32"}
    assert routes["HS32"][0] == Reason.ORIGIN and 3_990 <= routes["HS32"][1] <= 4_010
    assert routes["HS31"][0] == Reason.NEARBY


def test_the_setting_changes_the_reach(places, police_member, hotspot_midi, settings):
    settings.DISPLACEMENT_ROUTING_METRES = 400
    short = _report(police_member, hotspot_midi)
    assert short.routing_reach_m == 400 and not short.routed_to.exists()
    settings.DISPLACEMENT_ROUTING_METRES = 5_000
    long = _report(police_member, hotspot_midi)
    assert long.routing_reach_m == 5_000
    assert set(long.routed_to.all()) == {places.near, places.far}
    # What was stored stays: the first report is not re-routed by the new setting.
    assert not short.routed_to.exists()


def test_a_hotspot_without_perimeter_is_measured_by_its_communes(
    places, police_member, hotspot_molenbeek, csir_analyst
):
    plain = taskforce_open(
        hotspot=HotspotFactory(code="HS33", communes=["21013"], proposed_by=csir_analyst),
        by=csir_analyst,
    )
    routes = _routes(_report(police_member, hotspot_molenbeek))
    assert routes["HS33"] == (Reason.NEARBY, 0)  # the point lies in Saint-Gilles
    assert plain in DisplacementReport.objects.get().routed_to.all()


def test_without_a_point_distances_run_from_the_communes_edge(places, police_member, hotspot_midi):
    # Near's perimeter lies in Saint-Gilles/Ixelles; Far, 4 km north, is beyond the reach
    # of Saint-Gilles' edge too.
    routes = _routes(_report(police_member, hotspot_midi, point=None))
    assert set(routes) == {"HS31"} and routes["HS31"][1] == 0


def test_the_csir_and_the_reached_members_are_told_and_it_is_audited(
    places,
    police_member,
    csir_coordinator,
    csir_analyst,
    hotspot_midi,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        report = _report(police_member, places.far.hotspot)
    told = set(
        Notification.objects.filter(kind="displacement_reported").values_list(
            "recipient", flat=True
        )
    )
    assert {csir_coordinator.pk, csir_analyst.pk} <= told
    entry = AuditEntry.objects.get(action="displacement.report")
    assert entry.changes["routing_reach_m"] == 1500
    assert entry.changes["routed_to"] == {
        code: distance for code, (_reason, distance) in _routes(report).items()
    }


def test_the_page_shows_to_whom_it_went_and_why(client, places, csir_coordinator, police_member):
    report = _report(police_member, places.far.hotspot)
    near, far = selectors.routings(report)
    client.force_login(csir_coordinator)
    url = reverse("taskforces:displacement_detail", args=[report.pk])
    with translation.override("en"):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"HS31 Près — {near.distance_m} m" in body
    assert f"HS32 Loin — {far.distance_m} m" in body
    assert "task force of the hotspot it was reported from" in body
    assert "The CSIR (every report)" in body
    assert "within 1500 m of the point" in body


def test_the_page_says_when_no_point_was_given(client, places, csir_coordinator, police_member):
    report = _report(police_member, places.near.hotspot, point=None)
    client.force_login(csir_coordinator)
    body = client.get(
        reverse("taskforces:displacement_detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "No point was given: distances run from the nearest edge of Saint-Gilles" in body


def test_a_report_routed_by_commune_before_keeps_its_explanation(
    client, places, csir_coordinator, police_member
):
    report = _report(police_member, places.near.hotspot)
    # As migration 0004 leaves the reports routed before distances: no reach, no distance.
    DisplacementReport.objects.filter(pk=report.pk).update(routing_reach_m=None)
    report.routings.update(reason=Reason.COMMUNE, distance_m=None)
    client.force_login(csir_coordinator)
    body = client.get(
        reverse("taskforces:displacement_detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "before reports were routed by distance" in body
    assert "HS31 Près <span" in body and " m</li>" not in body


def test_the_pages_state_the_reach_in_force(client, police_member, settings):
    settings.DISPLACEMENT_ROUTING_METRES = 2_000
    client.force_login(police_member)
    for name in ["taskforces:displacements", "taskforces:displacement_new"]:
        body = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "whose hotspot lies within 2000 m of the place" in body
