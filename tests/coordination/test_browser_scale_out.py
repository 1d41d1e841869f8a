"""Browser journeys of scaling out, in Chromium (French), down to 320 px: the CSIR sees which
scheduler leads, and a report whose stored PDF was altered is withheld with a reason."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from coordination.jobs import leader
from reporting.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n% a report\n%%EOF\n"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_coordinator_sees_which_scheduler_leads(
    page, login, csir_coordinator, settings, tmp_path
):
    settings.BROKER_DIR = tmp_path
    settings.SCHEDULER_LOCK_KEY = f"test:beat-leader:{uuid.uuid4().hex}"
    login(csir_coordinator)
    page.goto("/jobs/")
    panel = page.locator("#scheduler-leader")
    assert "beat-host-7:4242" not in panel.inner_text()
    lock = leader.scheduler_lock(identity="beat-host-7:4242")
    assert lock.acquire()
    try:
        page.set_viewport_size({"width": 320, "height": 800})
        page.reload()
        assert "beat-host-7:4242" in panel.inner_text()
        assert panel.locator("xpath=preceding-sibling::h2[1]").is_visible()
        assert no_sideways_scroll(page)
    finally:
        lock.release()
    page.reload()
    assert "beat-host-7:4242" not in panel.inner_text()


def test_an_altered_report_is_withheld_with_a_reason(
    page, login, csir_coordinator, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    report = Report(
        kind=Report.Kind.REGIONAL,
        scope="region",
        period_start=today.replace(day=1),
        period_end=today,
        language="fr",
        audience=Report.Audience.CORES,
        version=1,
        status=Report.Status.READY,
        sha256=hashlib.sha256(PDF).hexdigest(),
    )
    report.pdf.save("report.pdf", ContentFile(PDF + b"% altered\n"), save=False)
    report.save()
    login(csir_coordinator)
    page.set_viewport_size({"width": 320, "height": 800})
    response = page.goto(f"/reports/{report.pk}/pdf/")
    assert response is not None and response.status == 409
    assert page.get_by_role("alert").is_visible()
    assert report.sha256 in page.locator("dl.facts").inner_text()
    back = page.locator(f"main a[href='/reports/{report.pk}/']")
    back.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/reports/{report.pk}/")
    assert no_sideways_scroll(page)
