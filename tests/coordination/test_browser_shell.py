"""Browser journey of the shell, in Chromium."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_csir_user_logs_in_switches_to_dutch_and_logs_out(page, login, csir_coordinator):
    login(csir_coordinator)
    nav = page.get_by_role("navigation", name="Navigation principale")
    assert nav.get_by_role("link", name="Mon travail").is_visible()

    page.get_by_role("button", name="NL").click()
    nav = page.get_by_role("navigation", name="Hoofdnavigatie")
    nav.get_by_role("link", name="Mijn werk").wait_for()
    assert nav.get_by_role("link", name="Strategie").is_visible()
    assert page.locator("html").get_attribute("lang") == "nl"

    page.get_by_role("button", name="Afmelden").click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("heading", name="Aanmelden").is_visible()
