"""Scheduled work: every periodic job's runs are recorded, the heartbeat, the CSIR's page
and the health check's detail."""

from __future__ import annotations

import datetime as dt

import pytest
from celery import shared_task
from celery.schedules import crontab
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from coordination.celery import app
from coordination.jobs import schedules, selectors
from coordination.jobs import services as jobs
from coordination.models import JobRun, OutboxMessage
from coordination.regional.jobs.selectors import scheduled_work

pytestmark = pytest.mark.django_db
URL = "/jobs/"
REMINDERS = "hotspots.remind_expiring_orders"
MONTHLY = "reporting.queue_monthly"


def run(job: str, ago: dt.timedelta, outcome=JobRun.Outcome.OK, detail: str = "") -> JobRun:
    started = timezone.now() - ago
    return jobs.record_run(
        job=job,
        started_at=started,
        finished_at=started + dt.timedelta(seconds=2),
        outcome=outcome,
        detail=detail,
        worker="celery@worker-7",
    )


def row(response, task: str):
    return next(job for job in response.context["jobs"] if job.task == task)


# --- Recording the runs --------------------------------------------------------------


@shared_task(name="tests.jobs.adds")
@jobs.recorded
def adds(a: int, b: int = 1) -> int:
    return a + b


@shared_task(name="tests.jobs.breaks")
@jobs.recorded
def breaks(reason: str) -> None:
    raise ValueError(reason)


def test_a_successful_run_is_recorded_under_the_task_name():
    assert adds.delay(2, b=3).get() == 5
    recorded = JobRun.objects.get()
    assert recorded.job == "tests.jobs.adds"
    assert recorded.outcome == JobRun.Outcome.OK and recorded.detail == "5"
    assert recorded.started_at <= recorded.finished_at and recorded.worker


def test_a_failed_run_is_recorded_and_re_raised():
    with pytest.raises(ValueError, match="the mail server said no"):
        breaks.delay("the mail server said no")
    recorded = JobRun.objects.get()
    assert recorded.job == "tests.jobs.breaks" and recorded.outcome == JobRun.Outcome.FAILED
    assert recorded.detail == "ValueError: the mail server said no"


def test_the_job_keeps_its_signature_for_celery():
    with pytest.raises(TypeError):
        adds.delay(1, 2, 3)  # Celery checks the arguments against the job's own signature
    assert not JobRun.objects.exists()
    assert adds(4) == 5  # a direct call is a run too
    assert JobRun.objects.get().job == "tests.jobs.adds"


def test_outside_celery_the_function_names_the_job():
    assert adds.run(1) == 2
    assert JobRun.objects.get().job == f"{__name__}.adds"


def test_a_long_error_is_shortened():
    with pytest.raises(ValueError):
        breaks.delay("x" * 1000)
    detail = JobRun.objects.get().detail
    assert len(detail) == jobs.DETAIL_LENGTH and detail.endswith("…")


def test_every_job_of_the_beat_schedule_records_its_runs(settings):
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {jobs.HEARTBEAT, "coordination.outbox_sweep", REMINDERS, MONTHLY} <= names
    for name in names:
        app.tasks[name].apply(throw=False)
    assert set(JobRun.objects.values_list("job", flat=True)) == names
    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"]["schedule"] == crontab(minute="*")


def test_the_heartbeat_prunes_old_runs_but_each_jobs_last():
    old_monthly = run(MONTHLY, dt.timedelta(days=29))
    run(REMINDERS, dt.timedelta(days=20))
    recent_reminder = run(REMINDERS, dt.timedelta(days=1))
    app.tasks[jobs.HEARTBEAT].apply()
    kept = set(JobRun.objects.values_list("pk", flat=True))
    heartbeat = JobRun.objects.get(job=jobs.HEARTBEAT)
    assert kept == {old_monthly.pk, recent_reminder.pk, heartbeat.pk}
    assert heartbeat.detail == "1"


# --- The schedule in words and the next run -------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "en", "fr", "nl"),
    [
        (
            crontab(hour=7, minute=0),
            "Every day at 07:00",
            "Tous les jours à 07:00",
            "Elke dag om 07:00",
        ),
        (
            crontab(day_of_month=1, hour=6, minute=0),
            "The 1st of each month at 06:00",
            "Le 1er de chaque mois à 06:00",
            "De 1e van elke maand om 06:00",
        ),
        (
            crontab(day_of_month=15, hour=6, minute=0),
            "Day 15 of each month at 06:00",
            "Le 15 de chaque mois à 06:00",
            "Op dag 15 van elke maand om 06:00",
        ),
        (crontab(minute="*"), "Every minute", "Toutes les minutes", "Elke minuut"),
        (crontab(minute="*/15"), "Every 15 minutes", "Toutes les 15 minutes", "Om de 15 minuten"),
        (30.0, "Every 30 seconds", "Toutes les 30 secondes", "Om de 30 seconden"),
        (7200, "Every 2 hours", "Toutes les 2 heures", "Om de 2 uur"),
        (
            crontab(day_of_week=1, hour=9, minute=5),
            "Every Monday at 09:05",
            "Chaque lundi à 09:05",
            "Elke maandag om 09:05",
        ),
        (
            crontab(minute="0,30", hour="8-18"),
            "Cron schedule “0,30 8-18 * * *”",
            "Planification cron « 0,30 8-18 * * * »",
            "Cron-planning „0,30 8-18 * * *”",
        ),
    ],
)
def test_the_schedule_in_words(schedule, en, fr, nl):
    for language, words in (("en", en), ("fr", fr), ("nl", nl)):
        with translation.override(language):
            assert schedules.describe(schedule) == words


def test_the_next_run_follows_the_schedule_through_summer_time():
    brussels = timezone.get_default_timezone()
    before_change = dt.datetime(2026, 3, 28, 7, 0, 3, tzinfo=brussels)
    daily = crontab(hour=7, minute=0)
    assert schedules.next_run(daily, after=before_change) == dt.datetime(
        2026, 3, 29, 7, 0, tzinfo=brussels
    )
    monthly = crontab(day_of_month=1, hour=6, minute=0)
    assert schedules.next_run(monthly, after=before_change) == dt.datetime(
        2026, 4, 1, 6, 0, tzinfo=brussels
    )
    assert schedules.next_run(30.0, after=before_change) == before_change + dt.timedelta(seconds=30)


# --- The page -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["csir_coordinator", "csir_analyst"])
def test_the_csir_sees_the_scheduled_work(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Scheduled work</h1>" in page
    assert 'class="table-wrap"' in page and '<th scope="col">Next run</th>' in page
    assert f'href="{URL}"' in page  # in the navigation
    assert {job.task for job in response.context["jobs"]} >= {REMINDERS, jobs.HEARTBEAT}


@pytest.mark.parametrize(
    "who",
    [
        "mayor_anderlecht",
        "cores_member",
        "police_member",
        "association_member",
        "administrator",
    ],
)
def test_nobody_else_learns_the_page_exists(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert f'href="{URL}"' not in client.get(reverse("home:index")).content.decode()


def test_anonymous_and_wrong_method(client, csir_coordinator):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.force_login(csir_coordinator)
    assert client.post(URL).status_code == 405


def test_last_and_next_run_from_the_recorded_runs(client, csir_coordinator):
    last = run(REMINDERS, dt.timedelta(minutes=5))
    client.force_login(csir_coordinator)
    response = client.get(URL)
    reminders = row(response, REMINDERS)
    assert reminders.last_run == last and not reminders.late
    expected = schedules.next_run(crontab(hour=7, minute=0), after=last.started_at)
    assert reminders.next_run == expected and expected > timezone.now()
    never = row(response, MONTHLY)
    assert never.last_run is None and never.next_run > timezone.now()
    page = response.content.decode()
    assert f'<time datetime="{timezone.localtime(last.started_at).isoformat()}' in page
    assert "celery@worker-7" in page and "Never" in page and "Succeeded" in page


def test_a_job_that_missed_its_run_is_late():
    run(MONTHLY, dt.timedelta(days=45))
    work = scheduled_work()
    monthly = next(job for job in work["jobs"] if job.task == MONTHLY)
    assert monthly.late and monthly.next_run < timezone.now()


def test_a_failed_run_shows_its_error(client, csir_coordinator):
    run(MONTHLY, dt.timedelta(hours=3), JobRun.Outcome.FAILED, "OperationalError: disk full")
    client.force_login(csir_coordinator)
    page = client.get(URL).content.decode()
    assert "status-failed" in page and "OperationalError: disk full" in page


def test_the_page_in_french_and_dutch(client, csir_coordinator):
    client.force_login(csir_coordinator)
    french = client.get(URL, headers={"accept-language": "fr"}).content.decode()
    assert "<h1>Travaux planifiés</h1>" in french and "Tous les jours à 07:00" in french
    assert "Le 1er de chaque mois à 06:00" in french and "Toutes les 30 secondes" in french
    dutch = client.get(URL, headers={"accept-language": "nl"}).content.decode()
    assert "<h1>Gepland werk</h1>" in dutch and "Elke dag om 07:00" in dutch
    assert "De 1e van elke maand om 06:00" in dutch and "Elke minuut" in dutch


def test_the_alert_when_the_heartbeat_is_stale(client, csir_coordinator):
    client.force_login(csir_coordinator)
    never = client.get(URL).content.decode()
    assert 'role="alert"' in never and "has never been seen" in never
    seen = run(jobs.HEARTBEAT, dt.timedelta(minutes=10))
    stale = client.get(URL).content.decode()
    since = timezone.localtime(seen.started_at).strftime("%H:%M")
    assert 'role="alert"' in stale
    assert "The worker or the scheduler has not been seen since" in stale and since in stale


def test_no_alert_when_the_heartbeat_is_fresh(client, csir_coordinator):
    run(jobs.HEARTBEAT, dt.timedelta(seconds=40))
    client.force_login(csir_coordinator)
    page = client.get(URL).content.decode()
    assert 'role="alert"' not in page and "has not been seen" not in page


def test_the_pending_outbox_rows_per_job(client, csir_coordinator):
    for _ in range(3):
        OutboxMessage.objects.create(task="coordination.email_notifications")
    OutboxMessage.objects.create(task="reporting.build_report")
    OutboxMessage.objects.create(task="reporting.build_report", done_at=timezone.now())
    client.force_login(csir_coordinator)
    response = client.get(URL)
    pending = {row.task: row.count for row in response.context["pending"]}
    assert pending == {"coordination.email_notifications": 3, "reporting.build_report": 1}
    page = response.content.decode()
    assert "4 pieces of work wait" in page and "Notification e-mails" in page
    OutboxMessage.objects.update(done_at=timezone.now())
    assert "Nothing waits" in client.get(URL).content.decode()


def test_the_query_count_does_not_grow_with_the_runs(
    client, csir_coordinator, settings, django_assert_num_queries
):
    client.force_login(csir_coordinator)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    run(jobs.HEARTBEAT, dt.timedelta(seconds=10))
    OutboxMessage.objects.create(task="reporting.build_report")
    few = count()
    for minutes in range(1, 40):
        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            outcome = JobRun.Outcome.FAILED if minutes % 7 == 0 else JobRun.Outcome.OK
            run(entry["task"], dt.timedelta(minutes=minutes), outcome, "boom")
        OutboxMessage.objects.create(task=f"tests.job_{minutes % 5}")
    assert JobRun.objects.count() > 300
    assert count() == few
    # The page's own: the last runs, the outbox. The rest is the shell's (session, user,
    # agency, two badges, strategy period).
    with django_assert_num_queries(2):
        scheduled_work()
    assert few == 8


# --- /healthz -------------------------------------------------------------------------


def test_healthz_details_the_heartbeat_and_the_outbox(client):
    run(jobs.HEARTBEAT, dt.timedelta(seconds=50))
    old = OutboxMessage.objects.create(task="coordination.email_notifications")
    OutboxMessage.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    OutboxMessage.objects.create(task="reporting.build_report")
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["checks"]["database"] == "ok"
    heartbeat, outbox = body["detail"]["heartbeat"], body["detail"]["outbox"]
    assert heartbeat["stale"] is False and 50 <= heartbeat["last_run_age_seconds"] < 60
    assert outbox["pending"] == 2 and 600 <= outbox["oldest_age_seconds"] < 610
    assert "worker-7" not in response.content.decode()  # no host names


def test_a_stale_heartbeat_is_reported_without_failing_the_web_node(client):
    run(jobs.HEARTBEAT, dt.timedelta(minutes=5))
    response = client.get("/healthz")
    assert response.status_code == 200
    detail = response.json()["detail"]
    assert detail["heartbeat"] == {"last_run_age_seconds": 300, "stale": True}
    assert detail["outbox"] == {"pending": 0, "oldest_age_seconds": None}


def test_healthz_before_any_heartbeat(client):
    heartbeat = client.get("/healthz").json()["detail"]["heartbeat"]
    assert heartbeat == {"last_run_age_seconds": None, "stale": True}
    assert selectors.heartbeat().stale
