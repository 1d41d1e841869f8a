"""A report that failed, or whose build died, never captures later requests; one whose
message never left the web process is handed over again by the outbox sweep (issue 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from celery import current_app
from django.urls import reverse
from django.utils import timezone

from coordination.models import OutboxMessage
from coordination.outbox import services as outbox
from reporting import render, services
from reporting.models import Report

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]
Status, Kind = Report.Status, Report.Kind


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def quick_layout(monkeypatch):
    """A one-page stand-in for the layout (the rendering has tests of its own)."""
    monkeypatch.setattr(render, "render_pdf", lambda *args, **kwargs: (b"%PDF-1.7\n%%EOF", 1))


def _ask(by, *, enqueue: bool = True) -> Report:
    today = timezone.localdate()
    (report,) = services.report_request(
        by=by,
        kind=Kind.REGIONAL,
        period_start=today.replace(day=1) - dt.timedelta(days=31),
        period_end=today,
        languages=["fr"],
        enqueue=enqueue,
    )
    return report


def test_a_failed_report_never_captures_a_later_request(
    client, hotspot_midi, csir_coordinator, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("cairo exploded")

    monkeypatch.setattr(render, "render_pdf", broken)
    failed = _ask(csir_coordinator)
    failed.refresh_from_db()
    assert failed.status == Status.FAILED and failed.failure_reason == Report.Failure.ERROR
    # The reader sees a reason in words and a retry button.
    client.force_login(csir_coordinator)
    page = client.get(reverse("reporting:detail", args=[failed.pk])).content.decode()
    assert str(Report.Failure.ERROR.label) in page
    assert reverse("reporting:retry", args=[failed.pk]) in page

    monkeypatch.setattr(render, "render_pdf", lambda *args, **kwargs: (b"%PDF-1.7\n%%EOF", 1))
    later = _ask(csir_coordinator)
    later.refresh_from_db()
    assert later.pk != failed.pk and later.version == failed.version + 1
    assert later.status == Status.READY


def test_a_build_given_up_as_stuck_never_captures_a_later_request(
    hotspot_midi, csir_coordinator, quick_layout
):
    dead = _ask(csir_coordinator, enqueue=False)
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    Report.objects.filter(pk=dead.pk).update(
        status=Status.RUNNING,
        attempts=services.MAX_ATTEMPTS,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    assert services.report_requeue_stuck() == {"requeued": 0, "failed": 1}
    dead.refresh_from_db()
    assert dead.status == Status.FAILED and dead.failure_reason == Report.Failure.STUCK

    later = _ask(csir_coordinator)
    later.refresh_from_db()
    assert later.pk != dead.pk and later.status == Status.READY


def test_a_queued_report_whose_message_never_left_is_dispatched_again(
    hotspot_midi, csir_coordinator, csir_analyst, quick_layout, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    current_app.conf.task_always_eager = False
    monkeypatch.setattr(current_app, "send_task", broker_down)
    try:
        queued = _ask(csir_coordinator)
        # A second request meanwhile joins the queued build instead of starting another.
        assert _ask(csir_analyst).pk == queued.pk
    finally:
        current_app.conf.task_always_eager = True
    queued.refresh_from_db()
    assert queued.status == Status.QUEUED
    message = OutboxMessage.objects.get(task="reporting.build_report")
    assert message.dispatched_at is None and "Connection refused" in message.last_error

    # The broker is back (eager here): beat's sweep hands the build over; it runs once.
    assert outbox.sweep(timezone.now() + dt.timedelta(minutes=1)) == 1
    queued.refresh_from_db()
    message.refresh_from_db()
    assert queued.status == Status.READY and queued.attempts == 1
    assert message.done_at is not None
    assert outbox.sweep(timezone.now() + dt.timedelta(hours=1)) == 0
    assert Report.objects.count() == 1
