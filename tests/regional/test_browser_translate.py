"""Browser journey of the "to translate" list (issue 12), in Chromium."""

import pytest
from playwright.sync_api import expect

from coordination.audit.models import AuditEntry
from taskforces.models import Action
from tests.factories_taskforces import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DUTCH_TITLE = "Gemengde patrouilles rond het station"


@pytest.fixture
def cast(hotspot_midi, mayor_anderlecht, police_member, association_member, csir_analyst) -> Cast:
    return Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )


def reading(user, language: str):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


def logout(page) -> None:
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")


def test_the_analyst_translates_a_title_that_dutch_readers_then_read(
    page, login, cast, csir_analyst
):
    analyst = reading(csir_analyst, "nl")
    login(analyst)
    page.goto("/translations/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    row = page.locator("tr", has_text="Patrouilles mixtes autour de la gare")
    # The original is marked as French for the Dutch-reading analyst.
    expect(row.locator('span[lang="fr"]')).to_have_text("Patrouilles mixtes autour de la gare")
    row.locator("a.button").click()

    page.wait_for_url("**/translations/action/**")
    expect(page.locator('dd[lang="fr"]').first).to_have_text("Patrouilles mixtes autour de la gare")
    page.locator("#id_translation-title").fill(DUTCH_TITLE)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/translations/")
    expect(page.locator("tr", has_text="Patrouilles mixtes autour de la gare")).to_have_count(0)

    action = Action.objects.get(pk=cast.security.pk)
    assert action.title_translation == DUTCH_TITLE
    assert AuditEntry.objects.filter(action="content.translate", actor=analyst).exists()

    # A Dutch-reading member reads the Dutch title on the plan.
    logout(page)
    login(reading(cast.association, "nl"))
    page.goto(f"/taskforces/{cast.taskforce.pk}/plan/")
    main = page.locator("main")
    expect(main.get_by_role("link", name=DUTCH_TITLE)).to_be_visible()
    expect(main).not_to_contain_text("Patrouilles mixtes autour de la gare")
    # An untranslated title: the French original, with its language and the FR tag.
    untranslated = main.get_by_role("link", name="Travail de rue en soirée")
    expect(untranslated.locator('span[lang="fr"]')).to_have_count(1)
    tag = untranslated.locator("abbr.lang-tag")
    expect(tag).to_have_text("FR")

    # A French reader reads the French one.
    logout(page)
    login(reading(cast.police, "fr"))
    page.goto(f"/taskforces/{cast.taskforce.pk}/plan/")
    main = page.locator("main")
    expect(main.get_by_role("link", name="Patrouilles mixtes autour de la gare")).to_be_visible()
    expect(main).not_to_contain_text(DUTCH_TITLE)
