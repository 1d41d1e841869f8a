"""Tests for coordination.geo against the shared Brussels reference data (no database)."""

import csv
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import shapely
from django.conf import settings

if not settings.configured:
    # Lets these tests run with `-p no:django`, before the project settings exist.
    settings.configure(USE_I18N=False)

from coordination.core.geo import (
    MAX_VERTICES,
    GeometryError,
    MapArea,
    MapArrow,
    MapPoint,
    area_center,
    area_m2,
    circle_area,
    commune_at,
    neighbours,
    parse_area,
    render_map_svg,
    validate_perimeter,
)

DATA = Path("/work/shared/data/brussels")
SVG = "{http://www.w3.org/2000/svg}"

ANDERLECHT, BRUXELLES, EVERE, SAINT_GILLES = "21001", "21004", "21006", "21013"


@pytest.fixture(scope="module")
def features() -> list[dict]:
    return json.loads((DATA / "communes.geojson").read_text())["features"]


@pytest.fixture(scope="module")
def communes(features) -> dict[str, dict]:
    return {f["properties"]["nis_code"]: f["geometry"] for f in features}


@pytest.fixture(scope="module")
def places() -> dict[str, dict]:
    with (DATA / "places.csv").open(newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def lonlat(place: dict) -> tuple[float, float]:
    return float(place["lon"]), float(place["lat"])


def polygon(*ring: tuple[float, float]) -> dict:
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}


# A ~100 x 80 m square near Gare du Midi.
SQUARE = polygon((4.334, 50.835), (4.3354, 50.835), (4.3354, 50.8357), (4.334, 50.8357))


def error_of(value) -> GeometryError:
    with pytest.raises(GeometryError) as info:
        parse_area(value)
    assert str(info.value)  # always a readable message
    return info.value


# ------------------------------------------------------------------ parse_area


@pytest.mark.parametrize(
    "wrap",
    [
        lambda g: g,
        lambda g: {"type": "Feature", "properties": {}, "geometry": g},
        lambda g: {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": None, "geometry": g}],
        },
        json.dumps,
        lambda g: json.dumps(g).encode(),
    ],
    ids=["geometry", "feature", "collection", "str", "bytes"],
)
def test_good_polygon_accepted(wrap):
    area = parse_area(wrap(SQUARE))
    assert area.geom_type == "Polygon"
    assert area.is_valid
    assert 7_000 < area_m2(area) < 9_000


def test_open_ring_is_closed_and_altitude_dropped():
    ring = [[4.334, 50.835, 12.0], [4.3354, 50.835, 12.0], [4.3354, 50.8357, 12.0]]
    area = parse_area({"type": "Polygon", "coordinates": [ring]})
    assert not area.has_z
    assert len(area.exterior.coords) == 4


def test_multipolygon_with_hole_accepted():
    outer = [[4.33, 50.83], [4.34, 50.83], [4.34, 50.84], [4.33, 50.84], [4.33, 50.83]]
    hole = [[4.334, 50.834], [4.334, 50.836], [4.336, 50.836], [4.336, 50.834], [4.334, 50.834]]
    area = parse_area({"type": "MultiPolygon", "coordinates": [[outer, hole]]})
    assert area.geom_type == "MultiPolygon"
    assert len(area.geoms[0].interiors) == 1


def test_not_json():
    err = error_of('{"type": "Polygon", ')
    assert err.code == "not_json"
    assert "JSON" in str(err)


@pytest.mark.parametrize(
    "geometry, type_name",
    [
        ({"type": "Point", "coordinates": [4.35, 50.85]}, "Point"),
        ({"type": "LineString", "coordinates": [[4.35, 50.85], [4.36, 50.86]]}, "LineString"),
    ],
)
def test_wrong_type(geometry, type_name):
    err = error_of(geometry)
    assert err.code == "wrong_type"
    assert type_name in str(err)


def test_not_a_geometry():
    assert error_of({"hello": "world"}).code == "wrong_type"
    assert error_of("[1, 2]").code == "wrong_type"


@pytest.mark.parametrize(
    "value",
    [
        {"type": "Polygon", "coordinates": []},
        {"type": "MultiPolygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[]]},
        {"type": "Feature", "geometry": None, "properties": {}},
        {"type": "FeatureCollection", "features": []},
        "   ",
    ],
)
def test_empty(value):
    err = error_of(value)
    assert err.code == "empty"
    assert "empty" in str(err)


def test_collection_with_two_features():
    feature = {"type": "Feature", "properties": {}, "geometry": SQUARE}
    err = error_of({"type": "FeatureCollection", "features": [feature, feature]})
    assert err.code == "too_many_features"
    assert "2 features" in str(err)


@pytest.mark.parametrize(
    "position",
    [["4.33", 50.83], [None, 50.83], [True, 50.83], [4.33], 4.33, [math.nan, 50.83]],
)
def test_coordinates_not_numbers(position):
    ring = [position, [4.34, 50.83], [4.34, 50.84], [4.33, 50.83]]
    err = error_of({"type": "Polygon", "coordinates": [ring]})
    assert err.code == "not_numbers"
    assert "coordinates" in str(err)


def test_coordinates_out_of_range():
    err = error_of(polygon((4.33, 50.83), (4.34, 95.0), (4.34, 50.84)))
    assert err.code == "out_of_range"
    assert "latitude" in str(err)
    assert "95.0" in str(err)


def test_swapped_lat_lon_gets_a_hint():
    swapped = polygon(*[(lat, lon) for lon, lat in SQUARE["coordinates"][0]])
    err = error_of(swapped)
    assert err.code == "swapped"
    assert "swapped" in str(err)
    assert "longitude first" in str(err)


def test_far_away_polygon_is_not_reported_as_swapped():
    # Valid coordinates outside Belgium are the perimeter check's business, not parsing's.
    assert parse_area(polygon((2.35, 48.85), (2.36, 48.85), (2.36, 48.86))).is_valid


def test_too_many_vertices():
    big = circle_area(4.35, 50.85, 500, segments=MAX_VERTICES)
    err = error_of(big)
    assert err.code == "too_many_vertices"
    assert "5001" in str(err)
    assert parse_area(circle_area(4.35, 50.85, 500, segments=MAX_VERTICES - 1)).is_valid


def test_self_intersection_explained():
    bow_tie = polygon((4.33, 50.83), (4.34, 50.84), (4.34, 50.83), (4.33, 50.84))
    err = error_of(bow_tie)
    assert err.code == "invalid"
    assert "Self-intersection" in str(err)


def test_ring_too_short():
    err = error_of({"type": "Polygon", "coordinates": [[[4.33, 50.83], [4.34, 50.84]]]})
    assert err.code == "ring_too_short"
    assert "at least 4" in str(err)


# ---------------------------------------------------------- validate_perimeter


def test_circle_around_gare_du_midi_accepted(communes, places):
    area = parse_area(circle_area(*lonlat(places["gare_du_midi"]), 250))
    validate_perimeter(area, communes=communes, named_codes=[SAINT_GILLES, ANDERLECHT])


def test_perimeter_outside_brussels_refused(communes):
    halle = parse_area(circle_area(4.237, 50.735, 300))  # Halle, south-west of the region
    with pytest.raises(GeometryError) as info:
        validate_perimeter(halle, communes=communes, named_codes=[ANDERLECHT])
    assert info.value.code == "outside_region"
    assert "Brussels-Capital Region" in str(info.value)


@pytest.mark.parametrize("margin_deg, accepted", [(1.2e-4, True), (6e-4, False)])
def test_region_tolerance(communes, margin_deg, accepted):
    # A piece of Woluwe-Saint-Pierre at the region's eastern edge, grown by ~10 m (kept:
    # drawing is imprecise) or by ~45 m (refused).
    wsp = shapely.geometry.shape(communes["21019"])
    lon, lat = max(shapely.get_coordinates(wsp).tolist())
    piece = wsp.intersection(shapely.box(lon - 0.004, lat - 0.002, lon, lat + 0.002))
    area = piece.buffer(margin_deg, quad_segs=2)
    if accepted:
        validate_perimeter(area, communes=communes, named_codes=["21019"])
    else:
        with pytest.raises(GeometryError, match="beyond the Brussels-Capital Region"):
            validate_perimeter(area, communes=communes, named_codes=["21019"])


def test_perimeter_not_touching_named_commune_refused(communes, places):
    area = parse_area(circle_area(*lonlat(places["gare_du_midi"]), 250))
    with pytest.raises(GeometryError) as info:
        validate_perimeter(
            area,
            communes=communes,
            named_codes=[SAINT_GILLES, ANDERLECHT, EVERE],
            names={EVERE: "Evere"},
        )
    assert info.value.code == "missing_commune"
    assert info.value.codes == (EVERE,)
    assert "Evere (21006)" in str(info.value)


def test_large_part_in_unnamed_commune_refused(communes, places):
    area = parse_area(circle_area(*lonlat(places["gare_du_midi"]), 250))
    with pytest.raises(GeometryError) as info:
        validate_perimeter(area, communes=communes, named_codes=[ANDERLECHT])
    assert info.value.code == "unnamed_commune"
    assert info.value.codes == (SAINT_GILLES,)
    assert SAINT_GILLES in str(info.value)


def test_small_part_in_unnamed_commune_allowed(communes, places):
    # Around Gare du Midi less than 20 % of a 250 m circle lies in Anderlecht.
    area = parse_area(circle_area(*lonlat(places["gare_du_midi"]), 250))
    validate_perimeter(area, communes=communes, named_codes=[SAINT_GILLES])


def test_unknown_named_code_refused(communes):
    with pytest.raises(GeometryError) as info:
        validate_perimeter(parse_area(SQUARE), communes=communes, named_codes=["99999"])
    assert info.value.code == "unknown_commune"


# ------------------------------------------------------------ neighbours & co


def test_neighbours(communes):
    result = neighbours(communes)
    assert set(result) == set(communes)
    assert SAINT_GILLES in result[ANDERLECHT]
    assert EVERE not in result[ANDERLECHT]
    assert all(result.values()), "every commune has at least one neighbour"
    for code, others in result.items():
        assert code not in others
        for other in others:
            assert code in result[other]


def test_commune_at_places(communes, places):
    expected = {"peterbos": ANDERLECHT, "gare_du_midi": SAINT_GILLES, "safe_brussels": BRUXELLES}
    for place_id, code in expected.items():
        assert commune_at(*lonlat(places[place_id]), communes) == code
        assert places[place_id]["commune_nis_code"] == code
    assert commune_at(4.237, 50.735, communes) is None


def test_area_matches_published_surface(communes):
    # The local metric approximation must reproduce UrbIS surfaces (SOURCES.md).
    assert area_m2(communes[ANDERLECHT]) / 1e6 == pytest.approx(17.91, rel=0.005)
    total = sum(area_m2(geometry) for geometry in communes.values())
    assert total / 1e6 == pytest.approx(162.42, rel=0.005)


def test_circle_area_is_closed_ccw_and_sized():
    geojson = circle_area(4.35, 50.85, 250, segments=24)
    ring = geojson["coordinates"][0]
    assert geojson["type"] == "Polygon"
    assert len(ring) == 25
    assert ring[0] == ring[-1]
    assert shapely.geometry.LinearRing(ring).is_ccw
    inscribed = 0.5 * 24 * 250**2 * math.sin(2 * math.pi / 24)
    assert area_m2(geojson) == pytest.approx(inscribed, rel=0.01)


def test_area_center_inside(communes, places):
    lon, lat = lonlat(places["gare_du_midi"])
    assert area_center(circle_area(lon, lat, 250)) == pytest.approx((lon, lat), abs=1e-5)
    # Ixelles is in two parts, so its centroid falls outside it.
    center = area_center(communes["21009"])
    assert shapely.geometry.shape(communes["21009"]).contains(shapely.Point(center))
    assert commune_at(*center, communes) == "21009"


# ----------------------------------------------------------------------- SVG


def render(features, **kwargs) -> str:
    commune_areas = [
        MapArea(f["geometry"], f["properties"]["name_fr"], css_class="zone-5341") for f in features
    ]
    return render_map_svg(communes=commune_areas, **kwargs)


def test_svg_map_of_communes(features, places):
    lon, lat = lonlat(places["gare_du_midi"])
    area = MapArea(circle_area(lon, lat, 250), "Midi", css_class="hotspot", href="/hotspots/1/")
    markup = render(
        features,
        areas=[area],
        points=[MapPoint(lon, lat, "Gare du Midi")],
        title="Hotspots",
        show_labels=True,
    )
    assert len(markup.encode()) < 100_000
    root = ET.fromstring(markup)  # noqa: S314 - parsing our own output
    assert root.tag == f"{SVG}svg"
    # Links inside: a named group of named links, not an image (nested-interactive).
    assert root.get("role") == "group"
    title = root.find(f"{SVG}title")
    assert title.text == "Hotspots"
    assert root.get("aria-labelledby") == title.get("id")
    paths = root.iter(f"{SVG}path")
    commune_paths = [p for p in paths if "map-commune" in p.get("class").split()]
    assert len(commune_paths) == 19
    assert all(p.get("fill") and p.get("fill-rule") == "evenodd" for p in commune_paths)
    assert {p.find(f"{SVG}title").text for p in commune_paths} >= {"Anderlecht", "Evere"}
    link = root.find(f".//{SVG}a")
    assert link.get("href") == "/hotspots/1/"
    assert link.get("aria-label") == "Midi"
    assert link.find(f"{SVG}path").get("class") == "map-area hotspot"
    assert len(list(root.iter(f"{SVG}circle"))) == 1
    assert [t.text for t in root.iter(f"{SVG}text")] == ["Midi", "Gare du Midi"]
    assert "<script" not in markup
    assert "marker" not in markup


def test_svg_escapes_user_text(features, places):
    lon, lat = lonlat(places["peterbos"])
    evil = "<script>alert(1)</script>"
    markup = render(
        features,
        areas=[
            MapArea(
                circle_area(lon, lat, 300),
                evil,
                css_class='x" onload="y',
                href="javascript:alert(1)",
            )
        ],
        points=[MapPoint(lon, lat, evil, css_class="ok <b>")],
        title=evil,
        show_labels=True,
    )
    root = ET.fromstring(markup)  # noqa: S314 - parsing our own output
    assert "<script" not in markup
    assert "javascript:" not in markup
    assert "onload" not in {k for el in root.iter() for k in el.attrib}
    assert root.find(f"{SVG}title").text == evil
    assert root.find(f".//{SVG}a") is None  # unsafe link dropped, area still drawn
    area = next(p for p in root.iter(f"{SVG}path") if "map-area" in p.get("class"))
    assert area.get("class") == "map-area"
    assert root.find(f".//{SVG}circle").get("class") == "map-point ok"


def test_svg_arrows_use_a_marker(features, places):
    start, end = lonlat(places["gare_du_midi"]), lonlat(places["peterbos"])
    markup = render(features, areas=[], arrows=[MapArrow(*start, *end, "displacement")])
    root = ET.fromstring(markup)  # noqa: S314 - parsing our own output
    marker = root.find(f"{SVG}defs/{SVG}marker")
    assert marker is not None
    line = root.find(f".//{SVG}line")
    assert line.get("marker-end") == f"url(#{marker.get('id')})"
    assert line.find(f"{SVG}title").text == "displacement"


def test_svg_handles_holes_and_multipolygons(features):
    outer = [[4.33, 50.83], [4.34, 50.83], [4.34, 50.84], [4.33, 50.84], [4.33, 50.83]]
    hole = [[4.334, 50.834], [4.334, 50.836], [4.336, 50.836], [4.336, 50.834], [4.334, 50.834]]
    other = circle_area(4.40, 50.85, 200)["coordinates"]
    geometry = {"type": "MultiPolygon", "coordinates": [[outer, hole], other]}
    markup = render(features, areas=[MapArea(geometry, "holes")])
    root = ET.fromstring(markup)  # noqa: S314 - parsing our own output
    area = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "map-area")
    assert area.get("d").count("M") == 3
    assert area.get("fill-rule") == "evenodd"


def test_svg_ids_differ_between_maps(features):
    first = render(features, areas=[], title="One")
    second = render(features, areas=[], title="Two")
    assert first == render(features, areas=[], title="One")  # deterministic
    id_one = ET.fromstring(first).get("aria-labelledby")  # noqa: S314
    id_two = ET.fromstring(second).get("aria-labelledby")  # noqa: S314
    assert id_one != id_two
