"""Browser journeys of the small faults fixed in issue 14 (item 7), each as the role that
meets it: the lead agency blocks an action inline, the mayor comes back to a decision
already taken, the CSIR coordinator publishes FR and NL at a later CoReS meeting, the
coordinator removes a member (and cannot remove the chair), and the favicon."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from coordination.core import geo
from coordination.models import CoresMeeting
from hotspots.services import hotspots as hotspot_services
from reporting.models import Report
from taskforces.models import Action
from tests.factories import commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_blocked_inline_the_escalate_button_appears_without_reload(page, login, cast):
    login(cast.police)
    page.goto(f"/taskforces/actions/{cast.security.pk}/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__marker = 'same page'; }")
    escalate = page.locator("a#action-escalate")
    expect(escalate).to_have_count(0)

    page.locator("#status_status").select_option("blocked")
    page.locator("#status_comment").fill("Pas d'effectifs disponibles le week-end")
    page.locator(".tf-status-form button[type=submit]").click()

    expect(escalate).to_be_visible()
    expect(escalate).to_have_attribute("href", f"/taskforces/actions/{cast.security.pk}/escalate/")
    assert page.evaluate("() => window.__marker") == "same page"  # no reload
    cast.security.refresh_from_db()
    assert cast.security.status == Action.Status.BLOCKED

    # It works: the escalation form opens.
    escalate.click()
    page.wait_for_url(f"**/taskforces/actions/{cast.security.pk}/escalate/")


def test_the_mayor_comes_back_to_a_decision_already_taken(
    page, login, csir_analyst, mayor_anderlecht
):
    hotspot = hotspot_services.hotspot_propose(
        by=csir_analyst,
        code="HS08",
        name_fr="Peterbos",
        name_nl="Peterbos",
        communes=[commune("21001")],
        perimeter=geo.circle_area(4.2997, 50.8414, 200),
    )
    hotspot_services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)
    decide = f"/hotspots/{hotspot.pk}/decide/"

    login(mayor_anderlecht)
    page.goto(decide)
    page.locator("input[name=decision][value=approve]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/hotspots/{hotspot.pk}/")

    # The link in the notification, or the back button: the page says what was decided.
    response = page.goto(decide)
    assert response is not None and response.status == 200
    expect(page.locator("#h-decided")).to_be_visible()
    expect(page.locator(".decision-taken .status-approve")).to_be_visible()
    expect(page.locator("main form button[type=submit]")).to_have_count(0)
    page.locator(f"main a[href='/hotspots/{hotspot.pk}/']").click()
    page.wait_for_url(f"**/hotspots/{hotspot.pk}/")


def test_the_coordinator_publishes_fr_and_nl_at_a_later_meeting(
    page, login, csir_coordinator, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    end = dt.date(2026, 9, 30)
    reports = {}
    for language in ("fr", "nl"):
        report = Report(
            kind=Report.Kind.REGIONAL,
            scope="region",
            period_start=dt.date(2026, 4, 1),
            period_end=end,
            language=language,
            audience=Report.Audience.CORES,
            version=1,
            status=Report.Status.READY,
            sha256="0" * 64,
        )
        report.pdf.save(f"{language}.pdf", ContentFile(b"%PDF-1.4 stand-in"), save=False)
        report.save()
        reports[language] = report
    before = CoresMeeting.objects.create(held_on=dt.date(2026, 6, 15), created_by=csir_coordinator)
    after = CoresMeeting.objects.create(held_on=dt.date(2026, 10, 20), created_by=csir_coordinator)

    login(csir_coordinator)
    page.goto(f"/reports/{reports['fr'].pk}/")
    meeting = page.locator("#id_meeting")
    expect(meeting.locator(f"option[value='{after.pk}']")).to_have_count(1)
    expect(meeting.locator(f"option[value='{before.pk}']")).to_have_count(0)
    nl = reports["nl"].pk
    expect(page.locator(f".report-languages a[href='/reports/{nl}/']")).to_be_visible()
    publish = page.locator(f"form[action='/reports/{reports['fr'].pk}/publish/'] button")
    expect(publish).to_contain_text("FR")
    expect(publish).to_contain_text("NL")
    meeting.select_option(str(after.pk))
    publish.click()
    page.wait_for_url(f"**/reports/{reports['fr'].pk}/")
    for report in reports.values():
        report.refresh_from_db()
        assert report.published and report.presented_at == after


def test_the_coordinator_confirms_a_removal_and_cannot_remove_the_chair(page, login, cast):
    chair = cast.taskforce.memberships.get(user=cast.chair)
    leaving = cast.taskforce.memberships.get(user=cast.association)
    members = f"/taskforces/{cast.taskforce.pk}/members/"
    remove = f"/taskforces/members/{leaving.pk}/remove/"

    login(cast.coordinator)
    page.goto(members)
    expect(page.locator("link[rel=icon]")).to_have_attribute("type", "image/svg+xml")
    expect(page.locator(f"a[href='/taskforces/members/{chair.pk}/remove/']")).to_have_count(0)

    page.locator(f"a[href='{remove}']").click()
    page.wait_for_url(f"**{remove}")
    assert cast.taskforce.memberships.filter(pk=leaving.pk).exists()  # asked, not done
    page.locator(f"main a[href='{members}']").click()  # "No, keep them"
    page.wait_for_url(f"**{members}")
    assert cast.taskforce.memberships.filter(pk=leaving.pk).exists()

    page.locator(f"a[href='{remove}']").click()
    page.locator(f"form[action='{remove}'] button[type=submit]").click()
    page.wait_for_url(f"**{members}")
    assert not cast.taskforce.memberships.filter(pk=leaving.pk).exists()

    # The chair's removal page, reached by its address, explains and offers no button.
    response = page.goto(f"/taskforces/members/{chair.pk}/remove/")
    assert response is not None and response.status == 403
    expect(page.locator("main .alert-danger")).to_be_visible()
    expect(page.locator("main form button[type=submit]")).to_have_count(0)
    assert cast.taskforce.memberships.filter(pk=chair.pk).exists()


def test_the_favicon_is_served(page, login, cast):
    login(cast.coordinator)
    response = page.request.get("/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text().lstrip().startswith("<svg")
