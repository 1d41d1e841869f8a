"""Browser journey of a CSIR bulletin, in Chromium: posted, announced by a badge, read."""

import re

import pytest
from playwright.sync_api import expect

from coordination.regional.bulletins.models import Bulletin, BulletinRead
from taskforces.services.taskforces import membership_add, taskforce_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_sees_the_badge_until_they_open_the_bulletin(
    page, login, csir_coordinator, csir_analyst, police_member, hotspot_midi, hotspot_molenbeek
):
    midi = taskforce_open(hotspot=hotspot_midi, by=csir_analyst)
    membership_add(taskforce=midi, user=police_member, role="member", by=csir_coordinator)
    taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)

    login(csir_coordinator)
    page.goto("/bulletins/new/")
    page.locator("input[name=title]").fill("Réunion commune des task forces")
    page.locator("textarea[name=body]").fill("Jeudi à 10 h, à la gare du Midi.")
    page.locator("input[name=to_all][value='0']").check()
    page.locator(f"input[name=taskforces][value='{midi.pk}']").check()
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/bulletins/\d+/$"))
    bulletin = Bulletin.objects.get()
    assert list(bulletin.taskforces.all()) == [midi] and not bulletin.to_all
    page.locator(".account button[type=submit]").click()  # log out
    page.wait_for_url(lambda url: "/bulletins/" not in url)

    login(police_member)
    nav_link = page.get_by_role("navigation").locator("a[href='/bulletins/']")
    expect(nav_link.locator(".badge")).to_have_text("1")
    nav_link.click()
    page.get_by_role("link", name="Réunion commune des task forces").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réunion commune des task forces")
    expect(page.locator("main")).to_contain_text("Jeudi à 10 h, à la gare du Midi.")
    expect(nav_link.locator(".badge")).to_have_count(0)
    assert BulletinRead.objects.filter(bulletin=bulletin, user=police_member).exists()
