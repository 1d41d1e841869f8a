"""Browser journeys of 'my work', in Chromium: the coordinator finds the plan the CSIR
returned and follows it to the comments; the mayor finds the order that runs out and the
hotspot to decide on, the "Decide" button whole at 1366 px and at 320 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coordination.core import geo
from hotspots.models import PoliceOrder
from hotspots.services import hotspots as hotspot_services
from taskforces.selectors import plans as plan_selectors
from taskforces.services import plans as plan_services
from tests.factories import commune
from tests.factories_taskforces import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "L'axe vie de quartier manque d'indicateurs mesurables."


@pytest.fixture
def cast(hotspot_midi, mayor_anderlecht, police_member, association_member, csir_analyst) -> Cast:
    return Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )


def test_the_coordinator_follows_the_returned_plan_to_the_comments(
    page, login, cast, csir_coordinator
):
    version = plan_services.plan_submit(
        version=plan_selectors.current_version(cast.plan), by=cast.coordinator
    )
    plan_services.plan_return(version=version, by=csir_coordinator, comment=COMMENT)

    login(cast.coordinator)
    page.goto("/")
    returned = page.locator("section[aria-labelledby=panel-returned]")
    expect(returned).to_contain_text(COMMENT)
    returned.get_by_role("link", name="HS10").click()
    page.wait_for_url(f"**/taskforces/{cast.taskforce.pk}/plan/#h-version")
    expect(page.locator(".tf-review-comment")).to_contain_text(COMMENT)
    expect(page.locator("#h-version .status")).to_have_class("status status-returned")


def test_the_mayor_sees_the_expiring_order_and_decides_from_home(
    page, login, cast, mayor_anderlecht, csir_analyst, tmp_path
):
    today = timezone.localdate()
    order = PoliceOrder.objects.create(
        scope=PoliceOrder.Scope.LOCAL,
        hotspot=cast.taskforce.hotspot,
        title_fr="Interdiction de lieu autour de la gare",
        title_nl="Plaatsverbod rond het station",
        measures=["place_ban"],
        legal_reference="Art. 134ter NLC",
        signatory="Le bourgmestre d'Anderlecht",
        signed_on=today - dt.timedelta(days=80),
        valid_from=today - dt.timedelta(days=70),
        valid_until=today + dt.timedelta(days=10),
        created_by=csir_analyst,
    )
    hotspot = hotspot_services.hotspot_propose(
        by=csir_analyst,
        code="HS99",
        name_fr="Place de la Vaillance et rue Wayez jusqu'au canal",
        name_nl="Dapperheidsplein en Wayezstraat tot het kanaal",
        communes=[commune("21001")],
        perimeter=geo.circle_area(4.3100, 50.8360, 200),
    )
    hotspot_services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)

    page.set_viewport_size({"width": 1366, "height": 768})
    login(mayor_anderlecht)
    page.goto("/")
    orders = page.locator("section[aria-labelledby=panel-orders]")
    expect(orders).to_contain_text("Interdiction de lieu autour de la gare")
    expect(orders).to_contain_text("10")

    # The "Decide" button lies whole inside its panel, at 1366 px and at 320 px.
    for width, height in ((1366, 768), (320, 640)):
        page.set_viewport_size({"width": width, "height": height})
        panel = page.locator("section[aria-labelledby=panel-awaiting]")
        button = panel.locator(f"a[href='/hotspots/{hotspot.pk}/decide/']")
        button.scroll_into_view_if_needed()
        expect(button).to_be_visible()
        box, inside = button.bounding_box(), panel.bounding_box()
        assert box is not None and inside is not None
        assert inside["x"] <= box["x"] and box["x"] + box["width"] <= inside["x"] + inside["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(tmp_path / f"my-work-mayor-{width}.png"), full_page=True)

    page.set_viewport_size({"width": 1366, "height": 768})
    orders.get_by_role("link", name="Interdiction de lieu autour de la gare").click()
    page.wait_for_url(f"**/hotspots/orders/{order.pk}/")
