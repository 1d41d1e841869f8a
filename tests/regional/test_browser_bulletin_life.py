"""Browser journeys of a bulletin's life, in Chromium: the CSIR publishes, goes back and
sends the form again (one bulletin), then corrects it; a reader who had read it is told and
reads the correction."""

import re

import pytest
from playwright.sync_api import expect

from coordination.models import Notification
from coordination.regional.bulletins import services
from coordination.regional.bulletins.models import Bulletin
from taskforces.services.taskforces import membership_add, taskforce_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DETAIL = re.compile(r"/bulletins/\d+/$")


def in_english(*people) -> None:
    """The journeys read the interface in English, its source language."""
    for person in people:
        person.preferred_language = "en"
        person.save(update_fields=["preferred_language"])


def test_published_once_despite_the_back_button_then_corrected_and_read(
    page, login, csir_coordinator, csir_analyst, police_member, hotspot_midi
):
    midi = taskforce_open(hotspot=hotspot_midi, by=csir_analyst)
    membership_add(taskforce=midi, user=police_member, role="member", by=csir_coordinator)
    in_english(csir_coordinator, police_member)

    login(csir_coordinator)
    page.goto("/bulletins/")
    page.get_by_role("link", name="Post a bulletin").click()
    page.locator("input[name=title]").fill("Fermeture de la station Clemenceau")
    page.locator("textarea[name=body]").fill("La station est fermée du 3 au 7 mars.")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(DETAIL)
    first_url = page.url

    # Back to the form (fetched again: the portal's pages are not kept) and Publish again.
    page.go_back()
    expect(page.locator("input[name=title]")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("This form was already sent")
    page.locator("input[name=title]").fill("Fermeture de la station Clemenceau")
    page.locator("textarea[name=body]").fill("La station est fermée du 3 au 7 mars.")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(DETAIL)
    assert page.url == first_url
    expect(page.locator(".messages")).to_contain_text("Already published")
    bulletin = Bulletin.objects.get()
    assert Notification.objects.filter(recipient=police_member).count() == 1

    # The police member had read it before it was corrected.
    services.bulletin_mark_read(bulletin=bulletin, user=police_member)

    page.get_by_role("link", name="Correct").click()
    page.locator("textarea[name=body]").fill("La station est fermée du 3 au 9 mars.")
    page.locator("textarea[name=note]").fill("Deux jours de plus.")
    page.get_by_role("button", name="Publish the correction").click()
    page.wait_for_url(DETAIL)
    correction = Bulletin.objects.get(corrects=bulletin)
    assert page.url.endswith(f"/bulletins/{correction.pk}/")
    expect(page.locator("main")).to_contain_text("Version")
    page.locator(".account button[type=submit]").click()  # log out
    page.wait_for_url(lambda url: "/bulletins/" not in url)

    login(police_member)
    nav_link = page.get_by_role("navigation").locator("a[href='/bulletins/']")
    expect(nav_link.locator(".badge")).to_have_text("1")
    page.goto("/notifications/")
    page.get_by_role("link", name="Bulletin corrected: Fermeture de la station Clemenceau").click()
    page.wait_for_url(DETAIL)
    main = page.locator("main")
    expect(main).to_contain_text("La station est fermée du 3 au 9 mars.")
    expect(main).to_contain_text("Deux jours de plus.")
    expect(nav_link.locator(".badge")).to_have_count(0)
    # The version they had read is still there, marked as corrected since.
    page.get_by_role("region", name="History").get_by_role(
        "link", name=re.compile("Version 1")
    ).click()
    expect(page.get_by_role("status")).to_contain_text("corrected since")
    expect(main).to_contain_text("La station est fermée du 3 au 7 mars.")


def test_a_form_opened_by_its_address_keeps_its_token_when_gone_back_to(
    page, login, csir_coordinator, csir_analyst, hotspot_midi
):
    taskforce_open(hotspot=hotspot_midi, by=csir_analyst)
    in_english(csir_coordinator)
    login(csir_coordinator)
    page.goto("/bulletins/new/")
    # static/js/once.js writes the form's token into the address.
    expect(page).to_have_url(re.compile(r"/bulletins/new/\?once=[0-9a-f-]{36}$"))
    page.locator("input[name=title]").fill("Réunion des task forces")
    page.locator("textarea[name=body]").fill("Jeudi à 10 h.")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(DETAIL)
    page.go_back()
    page.locator("input[name=title]").fill("Réunion des task forces")
    page.locator("textarea[name=body]").fill("Jeudi à 10 h.")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(DETAIL)
    expect(page.locator(".messages")).to_contain_text("Already published")
    assert Bulletin.objects.count() == 1
