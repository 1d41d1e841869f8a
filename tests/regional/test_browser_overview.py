"""Browser journey of the regional overview, in Chromium (French)."""

import datetime as dt

import pytest
from django.utils import timezone

from coordination.core import geo
from coordination.models import Axis
from tests.factories import HotspotFactory, commune
from tests.factories_taskforces import ActionFactory, ActionPlanFactory, TaskForceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_filters_the_overview_by_police_zone(
    page, login, csir_coordinator, csir_analyst
):
    midi_zone = commune("21001").police_zone
    west_zone = commune("21012").police_zone
    assert midi_zone != west_zone
    for code, name, communes, lon, lat in [
        ("HS10", "Gare du Midi", ["21013", "21001"], 4.3352, 50.8352),
        ("HS11", "Peterbos", ["21001"], 4.2906, 50.8361),
        ("HS12", "Étangs Noirs", ["21012"], 4.3295, 50.8563),
    ]:
        hotspot = HotspotFactory(
            code=code,
            name_fr=name,
            communes=communes,
            proposed_by=csir_analyst,
            perimeter=geo.circle_area(lon, lat, 200),
        )
        plan = ActionPlanFactory(taskforce=TaskForceFactory(hotspot=hotspot))
        ActionFactory(
            plan=plan,
            axis=Axis.PREVENTION,
            progress=40,
            due_on=timezone.localdate() - dt.timedelta(days=3),
        )

    login(csir_coordinator)
    page.goto("/overview/")
    rows = page.locator("table.ov-table tbody tr")
    assert rows.count() == 3
    assert page.locator("figure.map svg .map-area").count() == 3

    # The filter works with htmx (a change swaps the results) and without (the button).
    page.get_by_label("Zone de police").select_option(str(midi_zone.number))
    page.wait_for_url(f"**/overview/?*zone={midi_zone.number}*")
    page.wait_for_function("document.querySelectorAll('table.ov-table tbody tr').length === 2")
    assert rows.count() == 2
    assert rows.nth(0).get_by_role("rowheader").inner_text().startswith("HS10 Gare du Midi")
    assert rows.nth(1).get_by_role("rowheader").inner_text().startswith("HS11 Peterbos")
    assert "Étangs Noirs" not in page.locator("table.ov-table").inner_text()
    assert rows.nth(0).get_by_label("Avancement moyen, axe Prévention").is_visible()

    map_figure = page.locator("figure.map")
    assert map_figure.is_visible()
    assert map_figure.locator("svg .map-area").count() == 2
    # The full page still opens on the filtered address (no JavaScript needed).
    page.reload()
    assert rows.count() == 2
    assert page.get_by_label("Zone de police").input_value() == str(midi_zone.number)
