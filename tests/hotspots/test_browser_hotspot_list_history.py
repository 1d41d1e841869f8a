"""The CSIR reads the hotspot list over time in Chromium: the list as of 1 March 2025."""

import pytest
from playwright.sync_api import expect

from tests.hotspots.test_hotspot_list_history import seed_list_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def coordinator(reference_data):
    people = seed_list_demo()
    user = people["csir.coordinator"]
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def test_csir_picks_a_date_and_sees_the_list_then(page, login, coordinator):
    login(coordinator)
    page.goto("/hotspots/list-history/")
    # By ids and roles, not words: the page reads in the browser's language (French).
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    picker = page.locator('form.filters[action="/hotspots/list-history/"]')
    as_of = picker.get_by_role("textbox")
    expect(as_of).to_have_attribute("id", "id_on")
    as_of.fill("2025-03-01")
    picker.get_by_role("button").click()
    heading = page.locator("#h-as-of")
    expect(heading).to_have_attribute("data-list-count", "17")
    expect(heading).to_contain_text("17")
    table = page.locator("table.list-as-of")
    expect(table.locator("tbody tr")).to_have_count(17)
    expect(table.locator('tr[data-code="HS18"]')).to_be_visible()
    expect(table.locator('tr[data-code="HS20"]')).to_have_count(0)  # Marbotin: December 2025

    # The timeline names each change's source; Marbotin came in on 12 December 2025.
    changes = page.locator("ol.list-changes")
    expect(changes.locator("li[data-change=add]")).to_have_count(18)
    expect(changes).to_contain_text("Marbotin")

    # At 320 px the page still reads, by keyboard too.
    page.set_viewport_size({"width": 320, "height": 700})
    as_of.focus()
    expect(as_of).to_be_focused()
    expect(page.locator("label[for=id_on]")).to_be_visible()
