"""In the browser, as `make run` serves the portal with no set-up: a real Celery worker on
the embedded broker (kombu's filesystem transport, no Redis) builds the report the CSIR
asks for, and the page follows its progress until the PDF can be downloaded.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator

import pytest
from django.db import connection
from playwright.sync_api import expect

from reporting.models import Report
from tests.conftest import require
from tests.factories import HotspotFactory
from tests.stack import Worker, publishing_to

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

#: The worker's layout takes this much longer (tests/celery_app.py): the page has time to
#: show the build running before it is ready.
LAYOUT_SECONDS = 6.0


@pytest.fixture
def embedded_broker_worker(reference_data, tmp_path, settings) -> Iterator[Worker]:
    """A worker as `make run` starts it without REDIS_URL: on the embedded broker, in folders
    of this test; the live server of this process publishes to the same folders."""
    require(connection.vendor == "postgresql", "PostgreSQL (shared with the worker process)")
    broker = tmp_path / "broker"
    folders = {name: broker / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    # As coordination/settings/dev.py sets them for `make run`.
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "store_processed": False,
        "control_folder": str(folders["control"]),
        "polling_interval": 0.5,
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coordination.settings.test",
        "CELERY_WORKER_TEST_DB": connection.settings_dict["NAME"],
        "REDIS_URL": "",
        "BROKER_DIR": str(broker),
        "TEST_BROKER_TRANSPORT_OPTIONS": json.dumps(options),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TEST_EMAIL_DIR": str(tmp_path / "mail"),
        "TEST_LAYOUT_SECONDS": str(LAYOUT_SECONDS),
    }
    with publishing_to("filesystem://", options) as app:
        worker = Worker(
            app=app,
            env=env,
            log=tmp_path / "worker.log",
            name=f"embedded-{os.getpid()}",
            # As `make run`: the prefork pool (the filesystem transport polls its folder).
            extra=("--concurrency=2",),
            ping_timeout=2.0,
        )
        try:
            worker.start()
            yield worker
        finally:
            worker.stop()


def test_the_csir_follows_a_report_built_by_the_embedded_worker(
    embedded_broker_worker, page, login, csir_coordinator, tmp_path
):
    HotspotFactory(
        code="HS10", name_fr="Gare du Midi", name_nl="Zuidstation", proposed_by=csir_coordinator
    )
    login(csir_coordinator)
    page.goto("/reports/new/")
    page.locator("input[name=kind][value=regional]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    french = Report.objects.get(language="fr")
    assert page.url.endswith(f"/reports/{french.pk}/")

    status = page.locator("#report-status")
    worker_output = embedded_broker_worker.output
    try:
        # The page asks every 2 s (htmx) and shows the build laying the PDF out...
        expect(status.locator(".status-running")).to_be_visible(timeout=30_000)
        expect(status.locator("progress")).to_have_attribute("value", "60", timeout=10_000)
        page.screenshot(path=tmp_path / "running.png", full_page=True)
        # ...then ready, and stops asking.
        link = status.locator(f"a[href='/reports/{french.pk}/pdf/']")
        expect(link).to_be_visible(timeout=60_000)
    except AssertionError as error:
        pytest.fail(f"{error}\n{worker_output()}", pytrace=False)
    assert status.get_attribute("hx-trigger") is None
    expect(status.locator(".status-ready")).to_be_visible()
    page.screenshot(path=tmp_path / "ready.png", full_page=True)

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith("-FR-v1.pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    french.refresh_from_db()
    assert french.status == Report.Status.READY and french.attempts == 1
    print(f"\nscreenshots: {tmp_path / 'running.png'} {tmp_path / 'ready.png'}")
