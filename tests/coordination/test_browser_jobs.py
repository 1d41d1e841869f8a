"""Browser journey of the scheduled-work page, in Chromium (French), down to 320 px."""

import datetime as dt

import pytest
from django.utils import timezone

from coordination.jobs import services as jobs
from coordination.models import JobRun, OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV_LINK = ".site-nav a[href='/jobs/']"


def ran(job: str, ago: dt.timedelta, outcome=JobRun.Outcome.OK, detail: str = "") -> None:
    started = timezone.now() - ago
    jobs.record_run(
        job=job, started_at=started, outcome=outcome, detail=detail, worker="celery@worker-1"
    )


def test_the_coordinator_sees_a_stopped_worker_and_a_failed_job(
    page, login, csir_coordinator, tmp_path
):
    ran(jobs.HEARTBEAT, dt.timedelta(minutes=12))
    ran("hotspots.remind_expiring_orders", dt.timedelta(hours=2))
    ran(
        "reporting.queue_monthly",
        dt.timedelta(days=3),
        JobRun.Outcome.FAILED,
        "OperationalError: could not connect to server",
    )
    OutboxMessage.objects.create(task="coordination.email_notifications")

    login(csir_coordinator)
    page.locator(NAV_LINK).click()
    page.wait_for_url("**/jobs/")
    assert page.get_by_role("heading", level=1).inner_text() == "Travaux planifiés"
    assert page.locator(NAV_LINK).get_attribute("aria-current") == "page"

    alert = page.get_by_role("alert")
    assert "n'a plus donné signe de vie depuis le" in alert.inner_text()

    jobs_table = page.get_by_role("table").first
    reminders = jobs_table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Rappels avant l'échéance des arrêtés de police")
    )
    assert "Tous les jours à 07:00" in reminders.inner_text()
    assert "Réussi" in reminders.inner_text()
    monthly = jobs_table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Rapport régional mensuel")
    )
    assert "Le 1er de chaque mois à 06:00" in monthly.inner_text()
    assert "Échoué" in monthly.inner_text()
    assert "could not connect to server" in monthly.inner_text()
    pending = page.get_by_role("table").nth(1)
    assert "E-mails de notification" in pending.inner_text()
    page.screenshot(path=str(tmp_path / "jobs-fr.png"), full_page=True)

    # At 320 px the page does not scroll sideways: only the tables scroll in their frame.
    page.set_viewport_size({"width": 320, "height": 900})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.get_by_role("alert").is_visible()
    page.screenshot(path=str(tmp_path / "jobs-320.png"), full_page=True)
