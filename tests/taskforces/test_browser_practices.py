"""Browser journey of "what worked where", in Chromium: a task-force coordinator evaluates
a done action, the CSIR coordinator validates it, and the member of another task force
finds it in the shared library by filtering on the kind of drug market."""

import pytest
from playwright.sync_api import expect

from taskforces.models import Action, EvaluationVersion, Membership
from taskforces.services import taskforces as taskforce_services
from tests.factories import AgencyFactory, UserFactory
from tests.factories_taskforces import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MECHANISM = "Les patrouilles mixtes à heures variables ont cassé la routine du point de vente."


def _logout(page) -> None:
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")


def test_an_evaluation_travels_from_the_task_force_to_the_library(
    page, login, cast, csir_coordinator, hotspot_molenbeek, csir_analyst
):
    Action.objects.filter(pk=cast.security.pk).update(status=Action.Status.DONE, progress=100)
    other = taskforce_services.taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)
    reader = UserFactory(
        username="molenbeek-coordinator",
        agency=AgencyFactory(name_fr="Commune de Molenbeek-Saint-Jean", kind="commune"),
    )
    member(other, reader, Membership.Role.COORDINATOR)
    evaluation_url = f"/taskforces/actions/{cast.security.pk}/evaluation/"

    # The task force's coordinator evaluates the done action from its page.
    login(cast.coordinator)
    page.goto(f"/taskforces/actions/{cast.security.pk}/")
    page.locator(f"section.pr-action-section a[href='{evaluation_url}']").click()
    page.wait_for_url(f"**{evaluation_url}")
    page.locator(f"a[href='{evaluation_url}edit/']").click()
    form = page.locator("form.pr-form")
    form.locator("input[name=effect][value=clear]").check()
    form.locator("#id_mechanism").fill(MECHANISM)
    form.locator("#id_market").select_option("cocaine_point")
    form.locator("input[name=phenomena][value=dealing]").check()
    form.locator("#id_cost_eur").fill("15000")
    form.locator("#id_person_days").fill("45")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**{evaluation_url}")
    expect(page.locator(".pr-open .status-draft")).to_be_visible()
    page.locator(f"form[action='{evaluation_url}submit/'] button").click()
    page.wait_for_url(f"**{evaluation_url}")
    expect(page.locator(".pr-open .status-submitted")).to_be_visible()
    assert EvaluationVersion.objects.get().state == EvaluationVersion.State.SUBMITTED
    _logout(page)

    # The CSIR coordinator validates it.
    login(csir_coordinator)
    page.goto("/taskforces/practices/")
    page.locator(f".pr-awaiting a[href='{evaluation_url}']").click()
    page.wait_for_url(f"**{evaluation_url}")
    review = page.locator("form.pr-review")
    review.locator("input[name=decision][value=validate]").check()
    review.locator("button[type=submit]").click()
    page.wait_for_url(f"**{evaluation_url}")
    expect(page.locator(".pr-current")).to_contain_text(MECHANISM)
    assert EvaluationVersion.objects.get().state == EvaluationVersion.State.VALIDATED
    _logout(page)

    # The coordinator of another task force finds it by the kind of market.
    login(reader)
    page.locator("nav a[href='/taskforces/practices/']").click()
    page.wait_for_url("**/taskforces/practices/")
    expect(page.locator("article.pr-practice")).to_have_count(1)
    page.locator("#id_market").select_option("open_crack_scene")
    expect(page.locator("article.pr-practice")).to_have_count(0)
    page.locator("#id_market").select_option("cocaine_point")
    practice = page.locator("article.pr-practice")
    expect(practice).to_have_count(1)
    expect(practice).to_contain_text(MECHANISM)
    expect(practice).to_contain_text("HS10")
    # Another task force's action: readable here, not a link to its page.
    expect(practice.locator(f"a[href='{evaluation_url}']")).to_have_count(0)
    assert "market=cocaine_point" in page.url
    # Without JavaScript the same filter is a plain GET.
    page.goto("/taskforces/practices/?market=delivery")
    expect(page.locator("article.pr-practice")).to_have_count(0)
