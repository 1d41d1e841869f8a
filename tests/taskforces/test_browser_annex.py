"""Browser journey of the police-judicial annex, in Chromium: the police add a confidential
action to a validated plan; a member outside the circle sees the plan as validated, unchanged."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from taskforces.models import Action, PlanVersion
from taskforces.selectors import plans as plan_selectors
from taskforces.services import plans as plan_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "Observation discrète du square"


def test_a_police_judicial_action_leaves_no_trace_outside_the_circle(
    page, login, cast, csir_coordinator
):
    version = plan_services.plan_submit(
        version=plan_selectors.current_version(cast.plan), by=cast.coordinator
    )
    plan_services.plan_validate(version=version, by=csir_coordinator)
    plan_url = f"/taskforces/{cast.taskforce.pk}/plan/"

    # The police (in the circle) add a police-judicial action through the annex.
    login(cast.police)
    page.goto(plan_url)
    annex = page.locator("section.tf-annex")
    expect(annex).to_be_visible()
    annex.locator(f"a[href='/taskforces/{cast.taskforce.pk}/actions/new/']").click()
    form = page.locator("form:has(#id_title)")
    form.locator("#id_axis").select_option("security")
    form.locator("#id_title").fill(SECRET)
    form.locator("#id_lead_agency").select_option(str(cast.police.agency_id))
    form.locator(f"input[name=partner_agencies][value='{cast.parquet.pk}']").check()
    due = timezone.localdate() + dt.timedelta(days=45)
    form.locator("#id_due_on").fill(due.isoformat())
    form.locator("#id_horizon").select_option("short")
    form.locator("#id_deliverable").fill("Rapport au parquet")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/taskforces/actions/*/")
    added = Action.objects.get(title=SECRET)
    assert added.confidentiality == Action.Confidentiality.POLICE_JUDICIAL

    # The circle sees the annex's own draft; the plan is still validated version 1.
    page.goto(plan_url)
    expect(page.locator("section.tf-annex")).to_contain_text(SECRET)
    expect(page.locator("section.tf-annex .status-draft").first).to_be_visible()
    expect(page.locator("#h-version .status")).to_have_class("status status-validated")
    assert plan_selectors.current_version(cast.plan).pk == version.pk
    assert cast.plan.versions.count() == 1

    # A member outside the circle: validated version 1, unchanged, and nothing else.
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")
    login(cast.association)
    page.goto(plan_url)
    expect(page.locator("#h-version")).to_contain_text("1")
    expect(page.locator("#h-version .status")).to_have_class("status status-validated")
    expect(page.locator("section.tf-annex")).to_have_count(0)
    rows = page.locator("section[aria-labelledby=h-versions] tbody tr")
    expect(rows).to_have_count(1)
    html = page.content()
    for trace in (SECRET, "Enquête", "annex", "Annex", "police-judicial", "judiciaire"):
        assert trace not in html, trace
    assert f"/plan-versions/{version.pk + 1}/" not in html

    page.goto(f"/taskforces/{cast.taskforce.pk}/plan/changes/")
    expect(page.locator(".tf-changes")).to_have_count(0)
    assert SECRET not in page.content()
    version.refresh_from_db()
    assert version.state == PlanVersion.State.VALIDATED
    assert all(entry["title"] != SECRET for entry in version.snapshot["actions"])
