"""Browser journey: the CSIR changes the perimeter of an active hotspot, the mayor approves
the change from their home page, and only then is the new perimeter in force."""

import json

import pytest

from coordination.core import geo
from hotspots.models import PerimeterVersion
from hotspots.services import hotspots as services
from tests.factories import commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PETERBOS = geo.circle_area(4.2997, 50.8414, 200)
PETERBOS_WIDER = geo.circle_area(4.2997, 50.8414, 260)


def test_a_perimeter_change_waits_for_the_mayor(page, login, csir_analyst, mayor_anderlecht):
    hotspot = services.hotspot_propose(
        by=csir_analyst,
        code="HS08",
        name_fr="Peterbos",
        name_nl="Peterbos",
        communes=[commune("21001")],
        perimeter=PETERBOS,
    )
    services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)
    services.hotspot_decide(hotspot=hotspot, by=mayor_anderlecht, approve=True)
    hotspot = services.hotspot_activate(hotspot=hotspot, by=csir_analyst)
    detail, decide = f"/hotspots/{hotspot.pk}/", f"/hotspots/{hotspot.pk}/decide/"

    # The analyst sends a wider perimeter to the mayor.
    login(csir_analyst)
    page.goto(detail)
    page.locator(f"main a[href='/hotspots/{hotspot.pk}/perimeter/']").click()
    page.locator("#id_geojson").fill(json.dumps(PETERBOS_WIDER))
    page.locator("#id_reason").fill("Le square voisin est intégré au périmètre.")
    page.locator("main form[enctype] button[type=submit]").click()
    page.wait_for_url(f"**{detail}")
    assert page.locator("main .alert-warning").is_visible()  # the pending change
    assert page.locator("figure.map svg .map-area").count() == 2
    hotspot.refresh_from_db()
    assert hotspot.perimeter == hotspot.perimeter_versions.get(number=1).geometry
    page.context.clear_cookies()

    # The mayor finds it on the home page and approves it, both perimeters on the map.
    login(mayor_anderlecht)
    page.goto("/")
    panel = page.locator("section[aria-labelledby=panel-awaiting]")
    assert "HS08" in panel.inner_text()
    panel.locator(f"a[href='{decide}']").click()
    page.wait_for_url(f"**{decide}")
    assert page.locator("figure.map svg .map-area").count() == 2
    assert "Le square voisin est intégré au périmètre." in page.locator("main").inner_text()
    page.locator("input[name=decision][value=approve]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{detail}")

    # Now the new perimeter is in force, the old one superseded and kept.
    assert page.locator("main .alert-warning").count() == 0
    assert page.locator("figure.map svg .map-area").count() == 1
    hotspot.refresh_from_db()
    states = dict(hotspot.perimeter_versions.values_list("number", "state"))
    assert states == {1: PerimeterVersion.State.SUPERSEDED, 2: PerimeterVersion.State.IN_FORCE}
    assert hotspot.perimeter == hotspot.perimeter_versions.get(number=2).geometry
    history = page.locator("main table[aria-labelledby=h-perimeter-history] tbody tr")
    assert history.count() == 2
