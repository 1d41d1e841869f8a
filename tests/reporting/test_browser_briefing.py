"""In the browser: the CSIR coordinator prepares a CoReS briefing with a decision for a
hotspot, freezes it and downloads the French PDF."""

from __future__ import annotations

import subprocess

import pytest

from coordination.outbox import services as outbox
from reporting import services
from reporting.models import Briefing, Report
from tests.factories import HotspotFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROPOSAL = "Passer Gare du Midi en phase de maintien"


def field_label(page, name: str) -> str:
    """The visible label of the form field ``name`` (the UI may be in French)."""
    field_id = page.locator(f"[name={name}]").get_attribute("id")
    return page.locator(f"label[for='{field_id}']").inner_text().strip().rstrip("*").strip()


def test_the_coordinator_prepares_freezes_and_downloads_a_briefing(
    page, login, csir_coordinator, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    hotspot = HotspotFactory(
        code="HS10",
        name_fr="Gare du Midi",
        name_nl="Zuidstation",
        status="active",
        proposed_by=csir_coordinator,
    )
    # The outbox keeps the builds (as with a broker down); the test plays the worker.
    monkeypatch.setattr(outbox, "dispatch", lambda pk: False)
    login(csir_coordinator)

    page.goto("/reports/")
    page.locator("a[href='/reports/briefings/']").first.click()
    page.wait_for_url("**/reports/briefings/")
    page.locator("a[href='/reports/briefings/new/']").click()
    page.wait_for_url("**/reports/briefings/new/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/reports/briefings/*/")
    briefing = Briefing.objects.get()

    add = f"a[href='/reports/briefings/{briefing.pk}/decisions/new/']"
    page.locator(add).click()
    # Every control is reached by its label (accessible name), as a screen reader would.
    page.get_by_label(field_label(page, "kind")).select_option("hold_hotspot")
    page.get_by_label(field_label(page, "hotspot")).select_option(str(hotspot.pk))
    page.get_by_label(field_label(page, "proposal"), exact=True).fill(PROPOSAL)
    page.get_by_label(field_label(page, "proposal_translation")).fill("Zuidstation in onderhoud")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/reports/briefings/{briefing.pk}/")
    assert page.get_by_text(PROPOSAL).count() == 1

    freeze = f"form[action='/reports/briefings/{briefing.pk}/freeze/'] button"
    page.locator(freeze).click()
    page.wait_for_url(f"**/reports/briefings/{briefing.pk}/")
    briefing.refresh_from_db()
    assert briefing.is_frozen
    assert page.locator(freeze).count() == 0 and page.locator(add).count() == 0

    for report in Report.objects.filter(briefing=briefing):
        services.report_build(report_id=report.pk)
    page.reload()
    french = Report.objects.get(briefing=briefing, audience="cores", language="fr")
    link = page.locator(f"a[href='/reports/{french.pk}/pdf/']")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("briefing-")
    assert download.suggested_filename.endswith("-CoReS-FR-v1.pdf")
    text = subprocess.run(
        ["pdftotext", download.path(), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert PROPOSAL in " ".join(text.split())
