"""The PDF's maps drawn from the street base map: legend, labels, insets, attribution."""

from __future__ import annotations

import csv
import itertools
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import translation

from coordination.core import basemap
from hotspots import demo
from hotspots.models import Hotspot
from reporting import render
from tests.reporting import test_reporting as base
from tests.reporting.test_reporting import build

# The region of the reporting tests (Gare du Midi with its perimeter).
cast, region, media = base.cast, base.region, base.media
SVG = "{http://www.w3.org/2000/svg}"
DATA = Path(demo.__file__).resolve().parent.parent / "coordination" / "reference" / "data"

# A mix of statuses, so that every style of the legend is drawn.
STATUSES = {"HS03": "awaiting_approval", "HS07": "proposed", "HS09": "closed", "HS14": "approved"}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - parsing our own output


@pytest.fixture(scope="module")
def communes() -> dict[str, dict]:
    with (DATA / "communes.geojson").open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return {f["properties"]["nis_code"]: f for f in features}


@pytest.fixture(scope="module")
def demo_layout(communes) -> list[basemap.RegionArea]:
    """The 15 perimeters of the demo (hotspots_2024.csv), built as the demo builds them."""
    areas = []
    with (DATA / "hotspots_2024.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            named = [
                SimpleNamespace(nis_code=code, boundary=communes[code]["geometry"])
                for code in row["commune_nis_codes"].split(";")
            ]
            perimeter = demo._perimeter(row["code"], named)
            status = STATUSES.get(row["code"], "active")
            areas.append(basemap.RegionArea(code=row["code"], geometry=perimeter, status=status))
    return areas


def _legend() -> list[basemap.LegendEntry]:
    with translation.override("fr"):
        return render.map_legend(render._Text("fr"))


@pytest.fixture(scope="module")
def region_map(communes, demo_layout) -> basemap.MapResult:
    return basemap.render_region_map(
        communes=[(c["geometry"], c["properties"]["name_fr"]) for c in communes.values()],
        areas=demo_layout,
        legend=_legend(),
        title="Carte des hotspots",
    )


def test_the_demo_layout_has_fifteen_hotspots(demo_layout):
    assert [a.code for a in demo_layout] == [f"HS{n:02d}" for n in range(1, 16)]


def test_the_region_map_has_a_legend_with_each_status(region_map):
    root = _parse(region_map.svg)
    assert root.get("role") == "img"
    items = root.findall(f".//{SVG}g[@class='map-legend-item']")
    assert [i.get("data-style") for i in items] == ["active", "pending", "closed"]
    words = " ".join(i.find(f"{SVG}text").text for i in items)
    with translation.override("fr"):
        for status in Hotspot.Status:
            assert str(status.label) in words, status


def test_each_status_has_its_own_style(region_map):
    root = _parse(region_map.svg)
    paths = {p.get("data-code"): p for p in root.iter(f"{SVG}path") if p.get("data-code")}
    assert len(paths) == 15
    active, pending, closed = paths["HS01"], paths["HS03"], paths["HS09"]
    assert "status-active" in active.get("class") and not active.get("stroke-dasharray")
    assert "status-active" in paths["HS14"].get("class")  # approved is drawn as active
    assert "status-pending" in paths["HS07"].get("class")
    assert pending.get("stroke-dasharray") and pending.get("fill").startswith("url(#")
    assert root.find(f".//{SVG}pattern").get("id") == pending.get("fill")[5:-1]
    assert closed.get("fill") == "#adb5bd"
    assert len({active.get("fill"), pending.get("fill"), closed.get("fill")}) == 3


def test_no_two_hotspot_labels_overlap(region_map, demo_layout):
    boxes = region_map.label_boxes
    # Every hotspot got its label, inside the map.
    assert sorted(boxes) == sorted(a.code for a in demo_layout)
    root = _parse(region_map.svg)
    width = float(root.get("width"))
    for code, box in boxes.items():
        assert box.inside(width, float(root.get("height"))), code
        assert box.width >= len(code) * basemap.REGION_FONT * 0.55
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        assert not box_a.overlaps(box_b), (a, box_a, b, box_b)
    # The labels drawn are those boxes, and the crowded ones have leader lines.
    labels = root.findall(f".//{SVG}g[@class='map-label']")
    assert sorted(g.find(f"{SVG}text").text for g in labels) == sorted(boxes)
    assert root.findall(f".//{SVG}line[@class='map-leader']")


def test_overlap_check_itself():
    a = basemap.Box(0, 0, 10, 5)
    assert a.overlaps(basemap.Box(9, 4, 10, 5))
    assert not a.overlaps(basemap.Box(10, 0, 10, 5))
    placed = basemap.place_labels([(50, 50)] * 5, ["HS01"] * 5, font_size=10, width=200, height=200)
    boxes = [p[0] for p in placed if p]
    assert len(boxes) == 5 and [p[1] for p in placed if p] == [False, True, True, True, True]
    assert not any(x.overlaps(y) for x, y in itertools.combinations(boxes, 2))


def test_the_region_map_names_the_communes_in_the_report_language(communes, demo_layout):
    def names(language: str) -> set[str]:
        result = basemap.render_region_map(
            communes=[
                (c["geometry"], c["properties"][f"name_{language}"]) for c in communes.values()
            ],
            areas=demo_layout,
            legend=_legend(),
            title="x",
        )
        root = _parse(result.svg)
        groups = root.findall(f".//{SVG}g[@class='map-commune-name']")
        return {g.find(f"{SVG}text").text for g in groups}

    assert {"Ixelles", "Saint-Gilles", "Forest"} <= names("fr")
    assert {"Elsene", "Sint-Gillis", "Vorst"} <= names("nl")


def test_the_maps_carry_the_attribution_and_streets(region_map):
    root = _parse(region_map.svg)
    (attribution,) = root.findall(f".//{SVG}text[@class='map-attribution']")
    assert attribution.text == "© OpenStreetMap contributors — ODbL"
    classes = {p.get("class") for p in root.iter(f"{SVG}path")}
    assert {"map-street major", "map-street medium", "map-parks", "map-water"} <= classes
    assert "map-street minor" not in classes  # not at the region's scale
    assert root.find(f".//{SVG}g[@class='map-scale']") is not None


def _points(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+) (-?[\d.]+)", d)]


@pytest.mark.parametrize(("language", "street"), [("fr", "Rue Haute"), ("nl", "Hoogstraat")])
def test_the_inset_holds_the_perimeter_over_its_named_streets(demo_layout, language, street):
    marolles = next(a for a in demo_layout if a.code == "HS04")
    result = basemap.render_inset_map(
        geometry=marolles.geometry,
        status="active",
        title=lambda names: "HS04: " + ", ".join(names),
        language=language,
    )
    root = _parse(result.svg)
    (perimeter,) = [p for p in root.iter(f"{SVG}path") if "map-area" in p.get("class", "")]
    ring = marolles.geometry["coordinates"][0]
    points = _points(perimeter.get("d"))
    assert len(points) >= len(ring) - 2
    # The perimeter lies within the map, with a margin around it.
    width, height = float(root.get("width")), float(root.get("height"))
    assert all(10 < x < width - 10 and 10 < y < height - 10 for x, y in points)
    assert {"map-street minor", "map-street medium"} <= {
        p.get("class") for p in root.iter(f"{SVG}path")
    }
    # A few street names, none overlapping, in the language asked for; the title lists them.
    assert street in result.street_names
    assert 1 <= len(result.street_names) <= basemap.INSET_MAX_NAMES
    assert root.find(f"{SVG}title").text == "HS04: " + ", ".join(result.street_names)
    names = root.findall(f".//{SVG}g[@class='map-street-name']")
    boxes = [
        basemap.Box(*(float(r.get(k)) for k in ("x", "y", "width", "height")))
        for r in (g.find(f"{SVG}rect") for g in names)
    ]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    assert root.find(f".//{SVG}text[@class='map-attribution']").text == basemap.ATTRIBUTION
    assert root.find(f".//{SVG}g[@class='map-scale']") is not None


def test_the_inset_draws_a_pending_perimeter_dashed(demo_layout):
    svg = basemap.render_inset_map(
        geometry=demo_layout[0].geometry, status="awaiting_approval", title="x", language="fr"
    ).svg
    root = _parse(svg)
    (perimeter,) = [p for p in root.iter(f"{SVG}path") if "map-area" in p.get("class", "")]
    assert "status-pending" in perimeter.get("class") and perimeter.get("stroke-dasharray")


def test_the_layers_are_read_once():
    assert basemap.layers() is basemap.layers()


# --- In the built PDF ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_built_pdf_prints_the_maps_attribution_and_legend(region):
    (report,) = build(region, languages=("fr",))
    text = subprocess.run(
        ["pdftotext", report.pdf.path, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # Under the region map and under the inset of each hotspot with a perimeter.
    drawn = [h for h in report.snapshot["hotspots"] if h.get("perimeter")]
    assert drawn
    assert text.count("© OpenStreetMap contributors — ODbL") == 1 + len(drawn)
    with translation.override("fr"):
        for entry in render.map_legend(render._Text("fr")):
            assert entry.label in text, entry.label
    html = render.render_html(report.snapshot, language="fr")
    assert html.count('<div class="map map-inset">') == len(drawn)
    # The region map keeps its text alternative (the map's description).
    assert 'role="img"' in html and "Carte de la Région de Bruxelles-Capitale" in html
