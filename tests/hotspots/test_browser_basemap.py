"""The offline street base map (Leaflet over the portal's own GeoJSON), in Chromium."""

import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from coordination.core import geo
from hotspots.models import Hotspot
from tests.factories import HotspotFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Place de Bethléem / Bethlehemplein in Saint-Gilles (static/basemap/streets.geojson).
BETHLEHEM = (4.3383, 50.8304)
BASE_LAYERS = ["water", "parks", "railways", "streets", "stib_metro_tram", "boundaries"]


def _bethlehem_hotspot(csir_analyst) -> Hotspot:
    return HotspotFactory(
        code="HS12",
        proposed_by=csir_analyst,
        communes=["21013"],
        perimeter=geo.circle_area(*BETHLEHEM, 120),
    )


def _watch_requests(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def _street_labels_at_bethlehem(page) -> list[str]:
    """Zoom the hotspot map onto the square, as a reader would, and read the street labels."""
    page.wait_for_selector("figure.map .leaflet-map[data-basemap-ready]")
    page.evaluate(
        "([lon, lat]) => document.querySelector('figure.map .leaflet-map')"
        ".basemap.setView([lat, lon], 17, {animate: false})",
        list(BETHLEHEM),
    )
    page.wait_for_selector(".leaflet-tooltip.street-label")
    return page.locator(".leaflet-tooltip.street-label").all_inner_texts()


def test_hotspot_page_draws_the_base_layers_offline(page, login, csir_analyst, live_server):
    hotspot = _bethlehem_hotspot(csir_analyst)
    login(csir_analyst)
    urls = _watch_requests(page)
    page.goto(f"/hotspots/{hotspot.pk}/")
    page.wait_for_selector("figure.map .leaflet-map[data-basemap-ready]")

    # Every base layer was fetched from the portal itself, and nothing from anywhere else.
    portal = urlsplit(live_server.url).netloc
    assert {urlsplit(url).netloc for url in urls if not url.startswith("data:")} == {portal}
    for layer in BASE_LAYERS:
        assert any(url.endswith(f"/static/basemap/{layer}.geojson") for url in urls), layer

    # The layers are on the map (one GeoJSON group per layer in the base pane), under the
    # perimeter, with the OSM attribution; the SVG stays as the region overview.
    counts = page.evaluate(
        """() => {
          const map = document.querySelector('figure.map .leaflet-map').basemap;
          let base = 0, overlays = 0;
          map.eachLayer(layer => {
            if (layer.feature) return;
            if (layer.options.pane === 'basemap' && layer.getLayers) base += 1;
            if (layer instanceof L.Polygon && layer.options.pane === 'overlayPane') overlays += 1;
          });
          return {base, overlays};
        }"""
    )
    assert counts == {"base": len(BASE_LAYERS), "overlays": 1}
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    assert page.locator("figure.map svg.map .map-area").count() == 1
    # The map takes the keyboard (Leaflet's arrow keys and +/-).
    assert page.locator("figure.map .leaflet-map").get_attribute("tabindex") == "0"


def test_street_names_in_french(page, login, csir_analyst):
    hotspot = _bethlehem_hotspot(csir_analyst)
    login(csir_analyst)
    page.goto(f"/hotspots/{hotspot.pk}/")
    labels = _street_labels_at_bethlehem(page)
    assert "Place de Bethléem" in labels
    assert "Bethlehemplein" not in labels


def test_street_names_in_dutch(page, login, csir_analyst):
    csir_analyst.preferred_language = "nl"
    csir_analyst.save(update_fields=["preferred_language"])
    hotspot = _bethlehem_hotspot(csir_analyst)
    login(csir_analyst)
    page.goto(f"/hotspots/{hotspot.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    labels = _street_labels_at_bethlehem(page)
    assert "Bethlehemplein" in labels
    assert "Place de Bethléem" not in labels


def test_map_pages_request_nothing_outside_the_portal(
    page, login, csir_analyst, csir_coordinator, live_server
):
    _bethlehem_hotspot(csir_analyst)
    login(csir_coordinator)
    urls = _watch_requests(page)
    for path in ["/hotspots/", "/overview/", "/taskforces/displacements/"]:
        page.goto(path)
        page.wait_for_selector("figure.map .leaflet-map[data-basemap-ready]")
    portal = urlsplit(live_server.url).netloc
    outside = [
        url for url in urls if not url.startswith("data:") and urlsplit(url).netloc != portal
    ]
    assert outside == []
    assert any(url.endswith("/static/vendor/leaflet/leaflet.js") for url in urls)


def test_csir_draws_a_perimeter_on_the_streets(page, login, csir_analyst):
    hotspot = HotspotFactory(
        code="HS12", proposed_by=csir_analyst, communes=["21013"], status=Hotspot.Status.PROPOSED
    )
    login(csir_analyst)
    page.goto(f"/hotspots/{hotspot.pk}/perimeter/")
    page.wait_for_selector("figure[data-perimeter-draw] .leaflet-map[data-basemap-ready]")
    page.locator("figure[data-perimeter-draw] .leaflet-map").scroll_into_view_if_needed()
    # Zoom onto Place de Bethléem and find where four corners around it fall on the screen.
    square = [[4.3379, 50.8301], [4.3387, 50.8301], [4.3387, 50.8307], [4.3379, 50.8307]]
    corners = page.evaluate(
        """([square, centre]) => {
            const container = document.querySelector('figure[data-perimeter-draw] .leaflet-map');
            const map = container.basemap;
            map.setView([centre[1], centre[0]], 17, {animate: false});
            const box = container.getBoundingClientRect();
            return square.map(([lon, lat]) => {
                const p = map.latLngToContainerPoint([lat, lon]);
                return [box.left + p.x, box.top + p.y];
            });
        }""",
        [square, list(BETHLEHEM)],
    )
    expect(
        page.locator(".leaflet-tooltip.street-label", has_text="Place de Bethléem")
    ).to_be_visible()
    page.locator(".leaflet-pm-icon-polygon").click()
    for x, y in corners:
        page.mouse.click(x, y)
    page.mouse.click(*corners[0])  # closing the ring on its first corner ends the drawing
    field = page.locator("#id_geojson")
    expect(field).to_have_value(re.compile('"Polygon"'))
    ring = json.loads(field.input_value())["coordinates"][0]
    assert len(ring) == 5
    for (lon, lat), (want_lon, want_lat) in zip(ring, square, strict=False):
        assert abs(lon - want_lon) < 0.0001 and abs(lat - want_lat) < 0.0001

    page.get_by_role("button", name="Enregistrer le périmètre").click()
    page.wait_for_url(f"**/hotspots/{hotspot.pk}/")
    hotspot.refresh_from_db()
    lon, lat = hotspot.perimeter["coordinates"][0][0]
    assert abs(lon - 4.3379) < 0.0001 and abs(lat - 50.8301) < 0.0001
