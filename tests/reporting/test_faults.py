"""Faults on the real stack: the broker stopped, a worker killed, a build's database
session killed. Nothing asked for is lost, and every report ends built, once.

Each test runs a Redis server and a Celery worker process of its own (``redis_stack``)
on the shared test database, and plays beat itself: it calls the sweeps that beat runs
every 30 and 60 seconds.
"""

from __future__ import annotations

import datetime as dt
import email
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from coordination.models import AuditEntry, Notification, OutboxMessage, User
from coordination.notifications.services import mail_suppressed
from coordination.outbox import services as outbox
from hotspots.models import Hotspot
from hotspots.services import hotspots as hotspot_services
from reporting import services
from reporting.models import Report
from tests.factories import HotspotFactory, commune
from tests.stack import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = Report.Status
#: Beat, played by the test: how often it sweeps while waiting.
SWEEP_EVERY = 3.0
#: The worker's layout takes this much longer (tests/celery_app.py), as on a large region:
#: long enough to act while a build renders, and for its heartbeat to tick meanwhile.
slow_layout = pytest.mark.parametrize("worker_layout_seconds", [8.0])


def _mails(folder: Path) -> list[email.message.Message]:
    """The messages the worker's file e-mail backend wrote (one or more per file)."""
    separator = "\n" + "-" * 79 + "\n"
    messages = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for chunk in path.read_text().split(separator):
            if chunk.strip():
                messages.append(email.message_from_string(chunk))
    return messages


def _statuses() -> list[tuple[str, str, int, int]]:
    return list(Report.objects.order_by("pk").values_list("language", "status", "attempts", "pk"))


def _play_beat() -> None:
    """One round of beat's sweeps."""
    services.report_requeue_stuck()
    outbox.sweep()


def _region(csir_analyst: User, count: int = 3) -> None:
    for n in range(count):
        HotspotFactory(
            code=f"HS{10 + n}",
            name_fr=f"Lieu {n}",
            name_nl=f"Plaats {n}",
            proposed_by=csir_analyst,
            communes=["21013", "21001"][: 1 + n % 2],
        )


def _request(csir_analyst: User) -> list[Report]:
    today = timezone.localdate()
    return services.report_request(
        by=csir_analyst,
        kind=Report.Kind.REGIONAL,
        period_start=today.replace(day=1) - dt.timedelta(days=60),
        period_end=today,
    )


def _all_ready(stack, *, timeout: float, since: float) -> float:
    """Play beat until every report is ready (fail on a failed one); seconds since ``since``."""

    def ready() -> bool:
        statuses = {status for _, status, _, _ in _statuses()}
        if Status.FAILED in statuses:
            pytest.fail(
                f"a report failed: {list(Report.objects.values('failure_detail'))}\n"
                f"{stack.worker.output()}",
                pytrace=False,
            )
        if statuses == {Status.READY}:
            return True
        _play_beat()
        return False

    wait_until(
        ready,
        timeout=timeout,
        every=SWEEP_EVERY,
        what=f"every report ready (now {_statuses()})",
        tell=stack.worker.output,
    )
    return time.monotonic() - since


def _trail(report: Report) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            target_type__model="report", target_id=str(report.pk), action__startswith="report."
        )
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )


def _one_version_per_language(stack) -> None:
    reports = list(Report.objects.order_by("language"))
    assert [(r.language, r.version, r.status) for r in reports] == [
        ("fr", 1, Status.READY),
        ("nl", 1, Status.READY),
    ]
    for report in reports:
        assert (stack.media / report.pdf.name).read_bytes().startswith(b"%PDF")


# --- The broker stopped ------------------------------------------------------------------


@pytest.fixture
def awaiting_saint_gilles(csir_analyst, mayor_anderlecht, mayor_saint_gilles) -> Hotspot:
    """Gare du Midi, approved by Anderlecht, awaiting Saint-Gilles (set up without mail)."""
    with mail_suppressed():
        hotspot = hotspot_services.hotspot_propose(
            by=csir_analyst,
            code="HS99",
            name_fr="Gare du Midi",
            name_nl="Zuidstation",
            communes=[commune("21013"), commune("21001")],
        )
        hotspot_services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)
        hotspot_services.hotspot_decide(hotspot=hotspot, by=mayor_anderlecht, approve=True)
    assert not OutboxMessage.objects.exists()
    return hotspot


def test_nothing_is_lost_while_the_broker_is_down(
    client,
    redis_stack,
    csir_coordinator,
    csir_analyst,
    mayor_saint_gilles,
    awaiting_saint_gilles,
    capsys,
):
    _region(csir_analyst, count=1)
    today = timezone.localdate()
    told_before = list(Notification.objects.values_list("pk", flat=True))
    # The web process has talked to the broker before (as the outbox does: retry=False),
    # and its pooled connection goes stale.
    redis_stack.worker.app.send_task("coordination.ping", retry=False)
    redis_stack.redis.stop()

    client.force_login(csir_coordinator)
    started = time.monotonic()
    response = client.post(
        reverse("reporting:request"),
        {
            "kind": Report.Kind.REGIONAL,
            "period_start": today.replace(day=1).isoformat(),
            "period_end": today.isoformat(),
            "languages": ["fr", "nl"],
            "audience": Report.Audience.CORES,
        },
    )
    report_took = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:2000]

    client.force_login(mayor_saint_gilles)
    started = time.monotonic()
    response = client.post(
        reverse("hotspots:decide", args=[awaiting_saint_gilles.pk]),
        {"decision": "approve", "reason": ""},
    )
    decide_took = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    with capsys.disabled():
        print(f"\n[broker down] report request {report_took:.3f} s, decision {decide_took:.3f} s")
    assert report_took < 2.0 and decide_took < 2.0

    # Nothing lost: the reports queued, their builds and the e-mails pending in the outbox,
    # the people told in the portal already.
    assert set(Report.objects.values_list("status", flat=True)) == {Status.QUEUED}
    assert Report.objects.count() == 2
    pending = list(OutboxMessage.objects.order_by("pk"))
    assert [m.task for m in pending] == [
        "reporting.build_report",
        "reporting.build_report",
        "coordination.email_notifications",
    ]
    assert all(m.done_at is None and m.dispatched_at is None and m.last_error for m in pending)
    approved = Notification.objects.filter(kind="hotspot_approved")
    assert {n.recipient for n in approved} == {csir_coordinator, csir_analyst}
    assert not approved.filter(emailed_at__isnull=False).exists()

    # The broker is back; beat sweeps (its next round, a few minutes on).
    redis_stack.redis.start()
    back = time.monotonic()
    outbox.sweep(timezone.now() + dt.timedelta(minutes=3))

    immediate = (
        Notification.objects.filter(recipient__email_mode="immediate")
        .exclude(recipient__email="")
        .exclude(pk__in=told_before)
    )

    def settled() -> bool:
        outbox.sweep()  # beat goes on: what did not leave at the first try leaves now
        return (
            set(Report.objects.values_list("status", flat=True)) == {Status.READY}
            # the reports' "ready" notices too, e-mailed by the worker's own follow-up work
            and immediate.filter(kind="report_ready").count() == 2
            and not immediate.filter(emailed_at__isnull=True).exists()
            and not OutboxMessage.objects.filter(done_at__isnull=True).exists()
        )

    wait_until(
        settled,
        timeout=120,
        every=0.5,
        what=(
            "reports built and e-mails sent after the broker came back "
            f"(reports {_statuses()}, outbox "
            f"{list(OutboxMessage.objects.values_list('task', 'dispatches', 'done_at'))})"
        ),
        tell=redis_stack.worker.output,
    )
    with capsys.disabled():
        print(
            f"[broker down] all done {time.monotonic() - back:.1f} s after the restart; "
            f"hand-offs {list(OutboxMessage.objects.values_list('task', 'dispatches'))}"
        )

    # Each immediate notification e-mailed exactly once, to its recipient.
    sent = Counter(message["To"] for message in _mails(redis_stack.mail))
    expected = Counter(n.recipient.email for n in immediate)
    assert sent == expected
    assert expected[csir_coordinator.email] == 3  # approved + the two reports ready
    _one_version_per_language(redis_stack)


# --- A worker killed ---------------------------------------------------------------------


@slow_layout
def test_a_build_survives_its_worker_killed(redis_stack, csir_analyst, capsys):
    _region(csir_analyst)
    _request(csir_analyst)

    def rendering() -> Report | None:
        return Report.objects.filter(status=Status.RUNNING, stage=Report.Stage.RENDERING).first()

    victim = wait_until(
        rendering, timeout=60, every=0.1, what="a build rendering", tell=redis_stack.worker.output
    )
    redis_stack.worker.kill()
    killed = time.monotonic()
    victim.refresh_from_db()
    assert victim.status == Status.RUNNING and victim.attempts == 1

    redis_stack.worker.start()
    recovery = _all_ready(redis_stack, timeout=120 - (time.monotonic() - killed), since=killed)
    with capsys.disabled():
        print(f"\n[worker killed] every report ready {recovery:.1f} s after SIGKILL")
    assert recovery < 120
    _one_version_per_language(redis_stack)
    victim.refresh_from_db()
    assert victim.attempts == 2
    # Presumed dead by the sweep (no heartbeat), queued again once.
    assert _trail(victim) == ["report.request", "report.requeue", "report.ready"]


# --- The database session of a build killed ----------------------------------------------


@slow_layout
def test_a_build_survives_its_database_session_killed(redis_stack, csir_analyst, capsys):
    _region(csir_analyst)
    _request(csir_analyst)
    first: dict[int, dt.datetime] = {}

    def ticked_while_rendering() -> Report | None:
        """A build rendering whose heartbeat thread has beaten: it holds a session too."""
        report = Report.objects.filter(status=Status.RUNNING, stage=Report.Stage.RENDERING).first()
        if report is None or report.heartbeat_at is None:
            return None
        seen = first.setdefault(report.pk, report.heartbeat_at)
        return report if report.heartbeat_at > seen else None

    victim = wait_until(
        ticked_while_rendering,
        timeout=60,
        every=0.2,
        what="a build rendering and beating",
        tell=redis_stack.worker.output,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND application_name = %s",
            [redis_stack.application_name],
        )
        terminated = [row[0] for row in cursor.fetchall()]
    killed = time.monotonic()
    # The build's own session and its heartbeat thread's.
    assert terminated == [True, True], redis_stack.worker.output()

    recovery = _all_ready(redis_stack, timeout=120, since=killed)
    with capsys.disabled():
        print(
            f"\n[db session killed] {len(terminated)} session(s) terminated; "
            f"every report ready {recovery:.1f} s later"
        )
    _one_version_per_language(redis_stack)
    victim.refresh_from_db()
    # Retried by Celery at once (the failure recorded on a new session), not left
    # "running" for the stuck sweep.
    assert victim.attempts == 2, victim.failure_detail
    assert _trail(victim) == ["report.request", "report.ready"]
    assert "retry: Retry in" in redis_stack.worker.output()
