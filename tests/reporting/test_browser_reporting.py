"""In the browser: the CSIR asks for a report, watches it build, downloads the PDF."""

from __future__ import annotations

import pytest

from coordination.outbox import services as outbox
from reporting import services
from reporting.models import Report
from tests.factories import HotspotFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_csir_asks_for_a_report_and_downloads_it(
    page, login, csir_coordinator, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    HotspotFactory(
        code="HS10", name_fr="Gare du Midi", name_nl="Zuidstation", proposed_by=csir_coordinator
    )
    # Hold the builds back so the page can be seen waiting (the outbox keeps them, as with
    # a broker down); the test plays the worker.
    monkeypatch.setattr(outbox, "dispatch", lambda pk: False)
    login(csir_coordinator)

    page.goto("/reports/")
    page.locator("a[href='/reports/new/']").first.click()
    page.wait_for_url("**/reports/new/")
    assert page.locator("input[name=languages][value=fr]").is_checked()
    assert page.locator("input[name=languages][value=nl]").is_checked()
    page.locator("input[name=kind][value=regional]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/reports/*/")

    status = page.locator("#report-status")
    assert status.get_attribute("hx-trigger") == "every 2s"
    assert status.locator(".status-queued").count() == 1
    assert page.locator("a.report-refresh").count() == 1
    french = Report.objects.get(language="fr")
    assert page.url.endswith(f"/reports/{french.pk}/")

    # The worker's job; the page learns of it by polling, without a reload.
    for report in Report.objects.all():
        services.report_build(report_id=report.pk)
    link = page.locator(f"#report-status a[href='/reports/{french.pk}/pdf/']")
    link.wait_for(timeout=10_000)
    assert page.locator("#report-status").get_attribute("hx-trigger") is None

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith("-FR-v1.pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
