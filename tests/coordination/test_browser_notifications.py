"""Browser journey of the notification centre, in Chromium."""

import pytest

from coordination.core import geo
from hotspots.services import hotspots as services
from tests.factories import commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV_LINK = ".site-nav a[href='/notifications/']"


def test_mayor_follows_a_notification_to_the_decision(page, login, csir_analyst, mayor_anderlecht):
    hotspot = services.hotspot_propose(
        by=csir_analyst,
        code="HS99",
        name_fr="Peterbos",
        name_nl="Peterbos",
        communes=[commune("21001")],
        perimeter=geo.circle_area(4.2997, 50.8414, 200),
    )
    # Committed at once here: the job tells the mayor through the notification centre.
    services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)

    login(mayor_anderlecht)
    assert page.locator(f"{NAV_LINK} .badge").inner_text() == "1"
    page.locator(NAV_LINK).click()
    page.wait_for_url("**/notifications/")
    row = page.locator("table.notifications tbody tr.current")
    assert row.count() == 1
    row.get_by_role("link", name="HS99 Peterbos").click()

    page.wait_for_url(f"**/hotspots/{hotspot.pk}/decide/")
    assert "HS99" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator(f"{NAV_LINK} .badge").count() == 0


def test_mark_as_read_in_place(page, login, mayor_anderlecht):
    from coordination.notifications.services import notify

    notify(recipients=[mayor_anderlecht], kind="bulletin_published", params={"title": "Ronde"})
    login(mayor_anderlecht)
    page.goto("/notifications/")
    page.get_by_role("button", name="Marquer comme lue").click()
    page.locator("table.notifications tbody tr.current").wait_for(state="detached")
    assert "0" in page.locator("#notifications-unread").inner_text()
    assert page.url.endswith("/notifications/")
