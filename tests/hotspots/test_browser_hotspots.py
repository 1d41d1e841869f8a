"""Browser journeys of hotspots, in Chromium."""

import pytest

from coordination.core import geo
from hotspots.models import Hotspot
from hotspots.services import hotspots as services
from tests.factories import HotspotFactory, commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mayor_approves_from_awaiting_your_decision(
    page, login, csir_analyst, mayor_anderlecht, mayor_saint_gilles
):
    hotspot = services.hotspot_propose(
        by=csir_analyst,
        code="HS99",
        name_fr="Gare du Midi",
        name_nl="Zuidstation",
        communes=[commune("21013"), commune("21001")],
        perimeter=geo.circle_area(4.3352, 50.8352, 250),
    )
    services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)
    services.hotspot_decide(hotspot=hotspot, by=mayor_saint_gilles, approve=True)

    login(mayor_anderlecht)
    page.get_by_role("navigation").get_by_role("link", name="En attente de votre décision").click()
    page.get_by_role("link", name="Décider").click()
    page.get_by_label("J'approuve ce hotspot").check()
    page.get_by_role("button", name="Signer ma décision").click()

    assert page.get_by_role("heading", level=1).inner_text().endswith("Approuvé")
    assert page.get_by_role("cell", name=str(mayor_anderlecht)).is_visible()
    hotspot.refresh_from_db()
    assert hotspot.status == Hotspot.Status.APPROVED


def test_the_map_shows_the_hotspots(page, login, csir_coordinator, csir_analyst):
    for code, lon, lat, communes in [
        ("HS08", 4.2997, 50.8414, ["21001"]),
        ("HS10", 4.3352, 50.8352, ["21013", "21001"]),
    ]:
        HotspotFactory(
            code=code,
            proposed_by=csir_analyst,
            communes=communes,
            perimeter=geo.circle_area(lon, lat, 200),
        )
    login(csir_coordinator)
    page.goto("/hotspots/")
    areas = page.locator("figure.map svg .map-area")
    assert areas.count() == 2
    assert page.locator("figure.map svg .map-commune").count() == 19
    page.locator("figure.map svg a").first.click()
    page.wait_for_url("**/hotspots/*/")
    assert "HS08" in page.get_by_role("heading", level=1).inner_text()


def test_csir_draws_a_perimeter_on_the_map(page, login, csir_analyst):
    # Still proposed: the drawing is the working draft, saved at once (an active hotspot's
    # new perimeter goes to the mayors: test_browser_perimeter_change.py).
    hotspot = HotspotFactory(
        code="HS08", proposed_by=csir_analyst, communes=["21001"], status=Hotspot.Status.PROPOSED
    )
    login(csir_analyst)
    page.goto(f"/hotspots/{hotspot.pk}/perimeter/")
    svg = page.locator("figure[data-perimeter-draw] svg")
    # Where four corners around the Peterbos estate fall on the screen, from the map's own
    # projection (the same one the drawing script inverts).
    corners = page.evaluate(
        """(points) => {
            const svg = document.querySelector('figure[data-perimeter-draw] svg');
            const d = svg.dataset, ctm = svg.getScreenCTM();
            return points.map(([lon, lat]) => {
                const p = svg.createSVGPoint();
                p.x = +d.margin + (lon - d.minx) * d.kx * d.scale;
                p.y = +d.margin + (d.maxy - lat) * d.scale;
                const screen = p.matrixTransform(ctm);
                return [screen.x, screen.y];
            });
        }""",
        [[4.2977, 50.8404], [4.3017, 50.8404], [4.3017, 50.8424], [4.2977, 50.8424]],
    )
    assert svg.is_visible()
    for x, y in corners:
        page.mouse.click(x, y)
    assert '"Polygon"' in page.locator("#id_geojson").input_value()
    page.get_by_role("button", name="Enregistrer le périmètre").click()
    page.wait_for_url(f"**/hotspots/{hotspot.pk}/")
    hotspot.refresh_from_db()
    lon, lat = hotspot.perimeter["coordinates"][0][0]
    assert abs(lon - 4.2977) < 0.0003 and abs(lat - 50.8404) < 0.0003
