"""The notification centre: the page, the badge, the e-mail choices, retries and the sweeper."""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import time

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.models import AuditEntry, Notification
from coordination.notifications import mailing, tasks
from coordination.notifications.services import (
    message,
    notification_preferences_set,
    notify,
)
from hotspots import notifications as hotspot_notifications
from hotspots.models import Hotspot
from hotspots.services import hotspots as hotspot_services
from tests.factories import UserFactory, commune

pytestmark = pytest.mark.django_db

BULLETIN = {"kind": "bulletin_published", "params": {"title": "Nouvelle ronde"}, "url": "/"}


class FlakyBackend(EmailBackend):
    """A mail server that drops the connection ``failures`` times, then accepts mail."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    settings.MAILERS = {
        "default": {"BACKEND": "tests.coordination.test_notifications.FlakyBackend"}
    }
    FlakyBackend.failures = 1
    yield FlakyBackend
    FlakyBackend.failures = 0


@pytest.fixture
def tell(django_capture_on_commit_callbacks):
    """notify() as a service calls it, running the after-commit e-mail job (eagerly)."""

    def _tell(people, **event) -> list[Notification]:
        with django_capture_on_commit_callbacks(execute=True):
            return notify(recipients=people, **(event or BULLETIN))

    return _tell


def person(username: str, **fields):
    return UserFactory(username=username, **fields)


def later(minutes: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


# --- The e-mail choices ------------------------------------------------------------------


def test_immediate_is_emailed_at_once(tell, mailoutbox, settings):
    someone = person("immediate", email_mode="immediate")
    [notification] = tell(
        [someone],
        kind="decision_requested",
        params={"hotspot": "HS16 Peterbos"},
        url="/hotspots/7/decide/",
    )
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == [someone.email]
    assert "HS16 Peterbos" in sent.subject
    assert f"{settings.PORTAL_BASE_URL}/hotspots/7/decide/" in sent.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.email_attempts == 0


def test_digest_waits_for_one_morning_mail_with_every_item(tell, mailoutbox, settings):
    reader = person("digest", email_mode="digest")
    tell(
        [reader],
        kind="decision_requested",
        params={"hotspot": "HS16 Peterbos"},
        url="/hotspots/7/decide/",
    )
    tell(
        [reader], kind="bulletin_published", params={"title": "Nouvelle ronde"}, url="/bulletins/3/"
    )
    tell(
        [reader],
        kind="order_expiring",
        params={"order": "Interdiction", "date": "2025-06-29"},
        url="/hotspots/orders/4/",
    )
    assert mailoutbox == []

    assert mailing.send_digests(later(1)) == 1
    assert len(mailoutbox) == 1
    digest = mailoutbox[0]
    assert digest.to == [reader.email]
    for text in ("HS16 Peterbos", "Nouvelle ronde", "Interdiction"):
        assert text in digest.body
    for path in ("/hotspots/7/decide/", "/bulletins/3/", "/hotspots/orders/4/"):
        assert f"{settings.PORTAL_BASE_URL}{path}" in digest.body
    assert "3" in digest.subject
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()

    # Only what came since: the next digest has nothing to send.
    assert mailing.send_digests(later(2)) == 0
    assert len(mailoutbox) == 1


def test_none_means_no_mail_but_still_in_the_centre(tell, client, mailoutbox):
    quiet = person("quiet", email_mode="none")
    tell([quiet])
    assert mailing.send_digests(later(1)) == 0
    assert mailing.sweep_unsent(later(60)) == 0
    assert mailoutbox == []
    client.force_login(quiet)
    assert "Nouvelle ronde" in client.get(reverse("notifications:list")).content.decode()


def test_digest_reads_in_the_recipients_language(mailoutbox):
    dutch = person("dutch", email_mode="digest", preferred_language="nl")
    french = person("french", email_mode="digest", preferred_language="fr")
    for reader in (dutch, french):
        notify(
            recipients=[reader],
            kind="decision_requested",
            params={"hotspot": "HS10 Gare du Midi", "hotspot_nl": "HS10 Zuidstation"},
            url="/hotspots/10/decide/",
        )
        notify(
            recipients=[reader],
            kind="order_expiring",
            params={"order": "Arrêté", "order_nl": "Verordening", "date": "2025-06-29"},
            url="/hotspots/orders/4/",
        )
    assert mailing.send_digests(later(1)) == 2
    by_person = {m.to[0]: m.body for m in mailoutbox}
    nl, fr = by_person[dutch.email], by_person[french.email]
    assert "HS10 Zuidstation" in nl and "Verordening" in nl and "29 juni 2025" in nl
    assert "POLITIEVERORDENINGEN" in nl  # the group heading, translated
    assert "Gare du Midi" in fr and "Arrêté" in fr and "29 juin 2025" in fr
    assert "ARRÊTÉS DE POLICE" in fr
    # Grouped: the hotspot group comes before the police orders.
    assert nl.index("HS10") < nl.index("POLITIEVERORDENINGEN") < nl.index("Verordening")


def test_a_person_who_changed_to_digest_is_not_mailed_immediately(mailoutbox):
    reader = person("changed")
    [notification] = notify(recipients=[reader], **BULLETIN)
    notification_preferences_set(person=reader, email_mode="digest", preferred_language="fr")
    assert mailing.send_immediate([notification.pk]) == 0
    assert mailing.sweep_unsent(later(15)) == 0
    assert mailing.send_digests(later(1)) == 1


# --- A failing mail server ---------------------------------------------------------------


def test_a_failed_send_stays_unsent_and_goes_on_the_next_attempt(flaky_mail):
    reader = person("reader")
    [notification] = notify(recipients=[reader], **BULLETIN)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        mailing.send_immediate([notification.pk])
    notification.refresh_from_db()
    assert notification.emailed_at is None and notification.email_attempts == 1
    assert mail.outbox == []

    assert mailing.send_immediate([notification.pk]) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.email_attempts == 1
    assert len(mail.outbox) == 1


def test_the_task_retries_on_a_mail_server_error(flaky_mail):
    reader = person("reader")
    [notification] = notify(recipients=[reader], **BULLETIN)
    # The first attempt fails and asks Celery for a retry (after a backoff with a broker).
    with pytest.raises(Retry):
        tasks.email_notifications.delay([notification.pk])
    notification.refresh_from_db()
    assert notification.emailed_at is None and notification.email_attempts == 1
    # Run as Celery runs it (no propagation): the failure is retried, and the retry sends.
    FlakyBackend.failures = 1
    result = tasks.email_notifications.apply(args=[[notification.pk]], throw=False)
    assert result.get() == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.email_attempts == 2
    assert len(mail.outbox) == 1
    task = tasks.email_notifications
    assert smtplib.SMTPException in task.autoretry_for and OSError in task.autoretry_for
    assert task.retry_backoff and 5 <= task.max_retries <= 10


def test_the_sweeper_sends_what_the_retries_left(
    flaky_mail, settings, django_capture_on_commit_callbacks
):
    reader = person("reader")
    [notification] = notify(recipients=[reader], **BULLETIN)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        mailing.send_immediate([notification.pk])
    # Too recent: its own retries may still be running.
    assert mailing.sweep_unsent(later(5)) == 0
    # The sweep records the e-mail as follow-up work (the outbox), sent after commit.
    with django_capture_on_commit_callbacks(execute=True):
        assert mailing.sweep_unsent(later(11)) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert len(mail.outbox) == 1
    # Nothing left to sweep.
    assert mailing.sweep_unsent(later(30)) == 0
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-unsent-notification-emails"]
    assert entry["task"] == "coordination.sweep_unsent_notifications"
    assert entry["schedule"].minute == {0, 15, 30, 45}


def test_a_failed_digest_is_sent_whole_the_next_time(flaky_mail, settings):
    reader = person("digest", email_mode="digest")
    notify(recipients=[reader], **BULLETIN)
    notify(recipients=[reader], kind="no_meeting", params={"taskforce": "TFL Peterbos", "days": 35})
    with pytest.raises(smtplib.SMTPServerDisconnected):
        mailing.send_digests(later(1))
    assert set(Notification.objects.values_list("emailed_at", "email_attempts")) == {(None, 1)}
    assert tasks.send_notification_digests.delay(later(2).isoformat()).get() == 1
    assert len(mail.outbox) == 1
    assert "Nouvelle ronde" in mail.outbox[0].body and "TFL Peterbos" in mail.outbox[0].body
    entry = settings.CELERY_BEAT_SCHEDULE["email-notification-digests"]
    assert entry["task"] == "coordination.send_notification_digests"
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {30}


# --- Idempotency -------------------------------------------------------------------------


def test_running_the_jobs_twice_sends_nothing_twice(tell, mailoutbox):
    now_reader, digest_reader = person("now"), person("later", email_mode="digest")
    [sent] = tell([now_reader])
    tell([digest_reader])
    assert len(mailoutbox) == 1
    assert mailing.send_immediate([sent.pk]) == 0
    assert tasks.email_notifications.delay([sent.pk]).get() == 0
    assert mailing.sweep_unsent(later(60)) == 0
    assert mailing.send_digests(later(1)) == 1
    assert mailing.send_digests(later(1)) == 0
    assert tasks.send_notification_digests.delay().get() == 0
    assert len(mailoutbox) == 2


# --- The centre --------------------------------------------------------------------------


def test_the_centre_lists_newest_first_with_unread_highlighted(client):
    reader = person("reader")
    first, second = (
        notify(recipients=[reader], kind="bulletin_published", params={"title": t}, url="/")[0]
        for t in ("Premier", "Second")
    )
    Notification.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1), read_at=timezone.now()
    )
    client.force_login(reader)
    html = client.get(reverse("notifications:list")).content.decode()
    assert html.index("Second") < html.index("Premier")
    assert f'<tr id="notification-{second.pk}" class="current">' in html
    assert f'<tr id="notification-{first.pk}">' in html
    assert reverse("notifications:open", args=[second.pk]) in html
    assert '<span class="badge"' in html and ">1</span>" in html


def test_another_persons_notifications_are_not_shown(client, csir_coordinator, csir_analyst):
    notify(recipients=[csir_analyst], kind="bulletin_published", params={"title": "Privé"})
    client.force_login(csir_coordinator)
    assert "Privé" not in client.get(reverse("notifications:list")).content.decode()


def test_user_text_is_escaped(client):
    reader = person("reader")
    notify(recipients=[reader], kind="bulletin_published", params={"title": "<script>x()</script>"})
    client.force_login(reader)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "<script>x()" not in html and "&lt;script&gt;x()" in html


def test_the_centre_paginates(client):
    reader = person("reader")
    for number in range(25):
        notify(recipients=[reader], kind="bulletin_published", params={"title": f"B{number:02d}"})
    client.force_login(reader)
    first = client.get(reverse("notifications:list")).content.decode()
    second = client.get(reverse("notifications:list") + "?page=2").content.decode()
    assert "B24" in first and "B00" not in first
    assert "B00" in second and "B24" not in second


def _make(reader, count: int) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=reader, kind="bulletin_published", params={"title": f"N{i}"})
        for i in range(count)
    )


def test_centre_and_badge_queries_do_not_grow(client):
    reader = person("reader")
    client.force_login(reader)
    _make(reader, 5)
    client.get(reverse("notifications:list"))  # warm up the session and the caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("notifications:list")).status_code == 200
    _make(reader, 45)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("notifications:list"))
    assert ">50</span>" in response.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)
    # The badge on another page costs the same single query.
    with CaptureQueriesContext(connection) as home_small:
        client.get(reverse("home:index"))
    _make(reader, 50)
    with CaptureQueriesContext(connection) as home_large:
        assert ">100</span>" in client.get(reverse("home:index")).content.decode()
    assert len(home_large.captured_queries) == len(home_small.captured_queries)


def test_mark_one_read_without_javascript(client):
    reader = person("reader")
    [notification] = notify(recipients=[reader], **BULLETIN)
    client.force_login(reader)
    url = reverse("notifications:read", args=[notification.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"page": "1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?page=1"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_one_read_with_htmx_swaps_the_row(client):
    reader = person("reader")
    [first] = notify(recipients=[reader], **BULLETIN)
    notify(recipients=[reader], **BULLETIN)
    client.force_login(reader)
    response = client.post(reverse("notifications:read", args=[first.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'<tr id="notification-{first.pk}">' in html
    assert 'id="notifications-unread"' in html and 'hx-swap-oob="true"' in html
    first.refresh_from_db()
    assert first.read_at is not None


def test_mark_all_read(client):
    reader, other = person("reader"), person("other")
    for _ in range(3):
        notify(recipients=[reader, other], **BULLETIN)
    client.force_login(reader)
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=reader, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 3


def test_opening_marks_read_and_follows_the_link(client):
    reader = person("reader")
    [notification] = notify(recipients=[reader], **{**BULLETIN, "url": "/hotspots/?x=1"})
    client.force_login(reader)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/hotspots/?x=1"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        "hotspots/",
    ],
)
def test_opening_refuses_to_leave_the_portal(client, url):
    reader = person("reader")
    [notification] = notify(recipients=[reader], **{**BULLETIN, "url": url})
    client.force_login(reader)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")


def test_another_persons_notification_is_404(client, csir_coordinator, csir_analyst):
    [theirs] = notify(recipients=[csir_analyst], **BULLETIN)
    client.force_login(csir_coordinator)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[99999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_is_sent_to_login(client):
    for url in (reverse("notifications:list"), reverse("notifications:preferences")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Preferences -------------------------------------------------------------------------


def test_preferences_are_saved_and_audited(client):
    reader = person("reader")
    client.force_login(reader)
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    assert re.search(r'value="immediate"[^>]*checked', page)
    response = client.post(url, {"email_mode": "digest", "preferred_language": "nl"})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert (reader.email_mode, reader.preferred_language) == ("digest", "nl")
    entry = AuditEntry.objects.get(action="user.notification_preferences")
    assert entry.actor == reader
    assert entry.changes == {
        "email_mode": ["immediate", "digest"],
        "preferred_language": ["fr", "nl"],
    }


def test_bad_preferences_change_nothing(client):
    reader = person("reader")
    client.force_login(reader)
    response = client.post(
        reverse("notifications:preferences"), {"email_mode": "hourly", "preferred_language": "de"}
    )
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.email_mode == "immediate"
    assert not AuditEntry.objects.exists()


def test_leaving_none_does_not_mail_the_old_backlog(mailoutbox):
    reader = person("reader", email_mode="none")
    notify(recipients=[reader], **BULLETIN)
    notification_preferences_set(person=reader, email_mode="immediate", preferred_language="fr")
    assert mailing.sweep_unsent(later(60)) == 0
    assert mailoutbox == []


# --- Hotspot events go through the centre ------------------------------------------------


def test_hotspot_events_reach_the_centre(
    csir_analyst, csir_coordinator, mayor_anderlecht, mayor_saint_gilles, mayor_other
):
    hotspot = hotspot_services.hotspot_propose(
        by=csir_analyst,
        code="HS16",
        name_fr="Peterbos",
        name_nl="Peterbos-wijk",
        communes=[commune("21001"), commune("21013")],
    )
    hotspot_services.hotspot_request_approval(hotspot=hotspot, by=csir_analyst)
    assert hotspot_notifications.decision_requested(hotspot.pk) == 2
    asked = Notification.objects.filter(kind="decision_requested")
    assert {n.recipient for n in asked} == {mayor_anderlecht, mayor_saint_gilles}
    assert {n.url for n in asked} == {reverse("hotspots:decide", args=[hotspot.pk])}
    assert message(asked[0]) == "Hotspot HS16 Peterbos awaits your decision."

    hotspot_services.hotspot_decide(hotspot=hotspot, by=mayor_anderlecht, approve=True)
    hotspot_services.hotspot_decide(hotspot=hotspot, by=mayor_saint_gilles, approve=True)
    assert hotspot_notifications.hotspot_settled(hotspot.pk) == 2
    settled = Notification.objects.filter(kind="hotspot_approved")
    assert {n.recipient for n in settled} == {csir_analyst, csir_coordinator}
    assert Hotspot.objects.get(pk=hotspot.pk).status == Hotspot.Status.APPROVED


# --- The real worker ---------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_emails_an_immediate_notification(celery_worker):
    reader = person("worker-reader", email_mode="immediate")
    # Autocommit: the after-commit hook queues the job on the broker straight away.
    [notification] = notify(recipients=[reader], **BULLETIN)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.emailed_at is not None:
            break
        time.sleep(0.25)
    assert notification.emailed_at is not None
    assert notification.email_attempts == 0
