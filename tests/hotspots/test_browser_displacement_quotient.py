"""The CSIR reads the displacement quotient in Chromium: the method, a hotspot's quotient
and the counts it was computed from, and the buffer ring on the map."""

import pytest
from playwright.sync_api import expect

from hotspots.models import DisplacementSetup
from hotspots.services import displacement_quotient as services
from tests.hotspots.test_displacement_quotient import MONTH, watched

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_csir_opens_the_method_page_and_reads_a_quotient(
    page, login, csir_coordinator, csir_analyst, hotspot_midi
):
    watched(hotspot_midi, csir_analyst)
    # The CSIR's set-up draws the buffer ring and the control area (same split and windows).
    setup = DisplacementSetup.objects.get(hotspot=hotspot_midi)
    services.setup_set(
        hotspot=hotspot_midi,
        buffer_metres=400,
        window_months=setup.window_months,
        split_on=setup.split_on,
        by=csir_analyst,
    )
    services.compute_month(month=MONTH)
    login(csir_coordinator)

    # From the CSIR's navigation to the method page.
    page.goto("/")
    page.locator('nav.site-nav a[href="/hotspots/displacement-quotient/"]').click()
    expect(page.locator("#h-method")).to_be_visible()
    expect(page.locator("#h-method + p")).to_contain_text("(B")
    cell = page.locator('td[data-hotspot="HS10"][data-indicator="shootings"]')
    expect(cell).to_contain_text("-0,5")

    # The hotspot's quotient with its inputs.
    page.get_by_role("link", name="HS10 Gare du Midi").click()
    section = page.locator('section[data-indicator="shootings"]')
    expect(section.locator(".displacement-latest")).to_contain_text("-0,5")
    inputs = section.locator("table.displacement-inputs")
    expect(inputs.locator('tr[data-area="hotspot"] td')).to_have_text(["100", "60"])
    expect(inputs.locator('tr[data-area="buffer"] td')).to_have_text(["50", "70"])
    expect(inputs.locator('tr[data-area="control"] td')).to_have_text(["1000", "1000"])

    # The buffer ring is drawn on the street map (dashed), under the hotspot.
    page.wait_for_selector("figure.map .leaflet-map[data-basemap-ready]")
    dashes = page.evaluate(
        """() => {
          const map = document.querySelector('figure.map .leaflet-map').basemap;
          const found = [];
          map.eachLayer(layer => {
            if (layer instanceof L.Polygon && layer.options.pane === 'overlayPane') {
              found.push(layer.options.dashArray || '');
            }
          });
          return found.sort();
        }"""
    )
    # The hotspot (solid), its buffer ring (dashed) and its control area (dotted).
    assert dashes == ["", "2 4", "6 4"]
    expect(page.locator("input[name=buffer_metres]")).to_have_value("400")
