"""Browser journey: the CSIR coordinator sees an axis-balance warning on the regional
overview and follows it to the task force's balance section (Chromium, French)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from coordination.models import Axis
from tests.factories import HotspotFactory, UserFactory
from tests.regional.test_accessibility import SCROLLS_SIDEWAYS, WIDEST, _axe
from tests.taskforces.test_axis_balance import axis_actions, plan_for, update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_follows_the_warning_to_the_balance_section(
    page, login, csir_coordinator, csir_analyst
):
    hotspot = HotspotFactory(
        code="HS10", name_fr="Gare du Midi", communes=["21001"], proposed_by=csir_analyst
    )
    plan = plan_for(hotspot)
    actions = axis_actions(plan, security=60)
    author = UserFactory(username="author")
    for week in range(8):
        update(actions[Axis.SECURITY], weeks_ago=week + 0.5, author=author)

    login(csir_coordinator)
    page.goto("/overview/")
    cell = page.locator("table.ov-table tbody tr").first.locator("td.ov-balance")
    warnings = cell.locator(".ov-balance-warning")
    assert warnings.count() == 3
    dominant = cell.locator(".ov-balance-warning[data-code=dominant]")
    # Words and an icon, not a colour only; the axis named in the reader's language.
    assert "Sécurité" in dominant.inner_text() and "⚠" in dominant.inner_text()

    link = cell.locator("a.ov-balance-link")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/taskforces/{plan.taskforce_id}/#axis-balance")
    section = page.locator("#axis-balance")
    assert section.is_visible()
    assert section.locator(".balance-warning").count() == 3
    assert section.locator(".balance-warning[data-axis=prevention][data-code=silent]").count() == 1
    assert section.get_by_role("rowheader", name="Sécurité").is_visible()

    # Both pages pass axe and reflow at 320 px with the new column and section.
    axe = Axe()
    for url in ("/overview/", f"/taskforces/{plan.taskforce_id}/"):
        page.goto(url)
        page.set_viewport_size({"width": 320, "height": 800})
        assert not page.evaluate(SCROLLS_SIDEWAYS), page.evaluate(WIDEST)
        assert _axe(page, axe, url) == {}
        page.set_viewport_size({"width": 1280, "height": 900})
