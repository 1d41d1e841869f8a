"""Browser journey: a member of the lead agency attaches a PDF to an action, downloads it,
and names the action's owner (issue 14, item 3)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coordination.attachments.models import Attachment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_lead_agency_attaches_a_pdf_downloads_it_and_names_the_owner(
    page, login, cast, tmp_path
):
    source = tmp_path / "Rapport patrouilles.pdf"
    source.write_bytes(PDF)
    login(cast.police)
    page.goto(f"/taskforces/actions/{cast.security.pk}/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__marker = 'same page'; }")

    panel = page.locator(f"#attachments-taskforces-action-{cast.security.pk}")
    expect(panel.locator(".attachment-list")).to_have_count(0)
    # The browser speaks French: the controls are found by their ids.
    panel.locator(f"#att-action-{cast.security.pk}-file").set_input_files(str(source))
    panel.locator("button[type=submit]").click()
    expect(panel.locator(".attachment-list")).to_contain_text("Rapport patrouilles.pdf")
    # Swapped in place by htmx: no navigation.
    assert page.evaluate("() => window.__marker") == "same page"
    attachment = Attachment.objects.get()
    assert attachment.target == cast.security

    with page.expect_download() as download_info:
        panel.get_by_role("link", name="Rapport patrouilles.pdf", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "Rapport patrouilles.pdf"
    saved = Path(download.path())
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == hashlib.sha256(PDF).hexdigest()

    # The owner: a person of the lead agency, chosen on the edit form.
    page.goto(f"/taskforces/actions/{cast.security.pk}/edit/")
    expect(page.locator("label[for=id_owner]")).to_be_visible()
    page.locator("#id_owner").select_option(str(cast.police.pk))
    page.locator("main form[method=post] button[type=submit]").first.click()
    page.wait_for_url(f"**/taskforces/actions/{cast.security.pk}/")
    expect(page.locator("dd.tf-owner")).to_have_text(str(cast.police))
    cast.security.refresh_from_db()
    assert cast.security.owner == cast.police
