"""Browser journey of the search, in Chromium: a task-force member types a word in the
navigation bar's search box, by keyboard, and opens the action found."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories_taskforces import ActionFactory, Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def test_a_member_searches_from_the_navigation_bar_and_opens_the_action(
    page, login, hotspot_midi, mayor_anderlecht, police_member, association_member, csir_analyst
):
    cast = Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )
    action = ActionFactory(
        plan=cast.plan,
        title="Contrôle d'identité systématique sur le parvis",
        description="Opérations conjointes avec la zone Midi.",
        lead_agency=police_member.agency,
    )

    for number in range(12):
        ActionFactory(
            plan=cast.plan, title=f"Maraude de nuit {number}", lead_agency=police_member.agency
        )

    login(association_member)
    box = page.get_by_role("search").first.locator("input[name=q]")
    box.focus()
    page.keyboard.type("contrôles")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    result = page.get_by_role("link", name=action.title)
    expect(result).to_be_visible()
    # The confidential action of the task force is not among the results.
    expect(page.get_by_role("link", name=cast.secret.title)).to_have_count(0)
    result.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/taskforces/actions/{action.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("systématique sur le parvis")

    # Ten results per kind; the rest of a kind in place (htmx), its heading focused.
    page.goto("/search/?q=maraude")
    expect(page.locator("#search-action + ol > li")).to_have_count(10)
    page.locator("a[href*='kind=action']").click()
    page.wait_for_url(re.compile(r"kind=action"))
    expect(page.locator("#search-action + ol > li")).to_have_count(12)
    expect(page.locator("#search-action")).to_be_focused()

    # On a 320 px wide screen the box stays in the page, whole; the results page reflows
    # and axe finds nothing serious on it (nor on its error message).
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    box = page.locator("#nav-search-q")
    expect(box).to_be_visible()
    bounds = box.bounding_box()
    assert bounds is not None and bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 320
    for url in ("/search/?q=contr%C3%B4les", "/search/?q=%21%21%21"):
        page.goto(url)
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in {"serious", "critical"}]
        assert serious == [], url
