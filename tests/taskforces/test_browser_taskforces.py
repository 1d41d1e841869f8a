"""Browser journeys of the task forces, in Chromium."""

import pytest
from playwright.sync_api import expect

from taskforces.models import Action, ActionUpdate, PlanVersion
from taskforces.selectors import plans as plan_selectors
from taskforces.services import plans as plan_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_agency_changes_the_status_inline(page, login, cast):
    login(cast.police)
    page.goto(f"/taskforces/actions/{cast.security.pk}/")
    # Wait for htmx to take over the form, then mark this very document.
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__marker = 'same page'; }")

    page.locator("#status_status").select_option("in_progress")
    page.locator("#status_progress").fill("40")
    page.locator("#status_comment").fill("Premières patrouilles mixtes, soirées du jeudi")
    page.locator(".tf-status-form button[type=submit]").click()

    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Premières patrouilles mixtes, soirées du jeudi")
    expect(page.locator("#action-live .tf-progress-figure")).to_have_text("40 %")
    # No navigation happened: the marker set on this document is still there.
    assert page.evaluate("() => window.__marker") == "same page"
    assert page.url.endswith(f"/taskforces/actions/{cast.security.pk}/")

    cast.security.refresh_from_db()
    assert (cast.security.status, cast.security.progress) == (Action.Status.IN_PROGRESS, 40)
    assert ActionUpdate.objects.filter(action=cast.security).count() == 1
    # The form now carries the new revision: a second change goes through as well.
    page.locator("#status_progress").fill("55")
    page.locator(".tf-status-form button[type=submit]").click()
    expect(page.locator("#action-live .tf-progress-figure")).to_have_text("55 %")
    assert page.evaluate("() => window.__marker") == "same page"


def test_csir_returns_the_plan_and_the_coordinator_reads_the_comment(
    page, login, cast, csir_coordinator
):
    plan_services.plan_submit(
        version=plan_selectors.current_version(cast.plan), by=cast.coordinator
    )
    comment = "Précisez les indicateurs de l'axe prévention, et le calendrier des maraudes."

    login(csir_coordinator)
    page.goto(f"/taskforces/{cast.taskforce.pk}/plan/")
    page.locator("input[name=decision][value=return]").check()
    page.locator("textarea[name=comment]").fill(comment)
    page.locator(".tf-review button[type=submit]").click()
    page.wait_for_url(f"**/taskforces/{cast.taskforce.pk}/plan/")
    assert plan_selectors.current_version(cast.plan).state == PlanVersion.State.RETURNED

    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")
    login(cast.coordinator)
    page.goto(f"/taskforces/{cast.taskforce.pk}/plan/")
    expect(page.locator(".tf-review-comment")).to_contain_text(comment)
    # The coordinator can submit again.
    expect(
        page.locator(f"form[action='/taskforces/{cast.taskforce.pk}/plan/submit/']")
    ).to_be_visible()


def test_the_csir_coordinator_gives_an_observer_read_access(
    page, login, cast, csir_coordinator, tmp_path
):
    from tests.factories import AgencyFactory, UserFactory

    observer = UserFactory(
        username="fedasil-observer",
        first_name="Inès",
        last_name="Wauthier-Lambotte",
        agency=AgencyFactory(name_fr="Fedasil", kind="federal_administration"),
    )
    login(csir_coordinator)
    page.goto(f"/taskforces/{cast.taskforce.pk}/members/")
    viewers = page.locator("section[aria-labelledby=h-viewers]")
    expect(viewers).not_to_contain_text("Wauthier-Lambotte")
    page.locator("#id_grant-user").select_option(str(observer.pk))
    page.locator("#id_grant-reason").fill("Observatrice Fedasil, accueil des demandeurs d'asile")
    page.locator("section[aria-labelledby=h-grant] button[type=submit]").click()
    expect(viewers).to_contain_text("Observatrice Fedasil")
    page.screenshot(path=str(tmp_path / "access.png"), full_page=True)

    page.context.clear_cookies()
    login(observer)
    page.goto(f"/taskforces/{cast.taskforce.pk}/plan/")
    expect(page.locator("main")).to_contain_text(cast.security.title)
    expect(page.locator("main")).not_to_contain_text(cast.secret.title)
