"""A report built by a real Celery worker process through the Redis broker."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from reporting import services
from reporting.models import Report
from tests.factories import HotspotFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_media(monkeypatch, settings, tmp_path):
    """The worker process stores the PDF where this test reads it (set before it starts)."""
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_worker_builds_the_report(shared_media, celery_worker, csir_analyst):
    HotspotFactory(
        code="HS10", name_fr="Gare du Midi", name_nl="Zuidstation", proposed_by=csir_analyst
    )
    today = timezone.localdate()
    reports = services.report_request(
        by=csir_analyst,
        kind=Report.Kind.REGIONAL,
        period_start=today.replace(day=1),
        period_end=today,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        statuses = set(Report.objects.values_list("status", flat=True))
        if statuses <= {Report.Status.READY, Report.Status.FAILED}:
            break
        time.sleep(0.5)
    for report in reports:
        report.refresh_from_db()
        assert report.status == Report.Status.READY, report.failure_detail
        assert report.attempts == 1 and report.heartbeat_at and report.sha256
        assert (shared_media / report.pdf.name).read_bytes().startswith(b"%PDF")
