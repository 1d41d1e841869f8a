"""The transactional outbox: follow-up work exists exactly when its cause does."""

from __future__ import annotations

import datetime as dt

import pytest
from celery import current_app
from django.db import transaction
from django.utils import timezone

from coordination.models import Notification, OutboxMessage
from coordination.notifications.services import mail_suppressed, notify
from coordination.outbox import services as outbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BULLETIN = {"kind": "bulletin_published", "params": {"title": "Nouvelle ronde"}}


class Broker:
    """A stand-in for the broker: refuses connections while down, records what it gets."""

    def __init__(self) -> None:
        self.up, self.sent = False, []

    def send_task(self, name, kwargs, retry, **options):
        if not self.up:
            raise ConnectionRefusedError(111, "Connection refused")
        self.sent.append((name, kwargs))


@pytest.fixture
def broker(monkeypatch):
    """Tasks go to a broker (not run here); it starts down. Each hand-off tries it (no
    pause after a failure: test_outbox_frozen_broker.py shows the pause)."""
    fake = Broker()
    monkeypatch.setattr(outbox, "PAUSE_AFTER_FAILURE", 0.0)
    current_app.conf.task_always_eager = False
    monkeypatch.setattr(current_app, "send_task", fake.send_task)
    yield fake
    current_app.conf.task_always_eager = True


def test_work_of_a_rolled_back_change_never_exists(mailoutbox):
    reader = UserFactory(username="reader")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[reader], **BULLETIN)
        raise RuntimeError("the change fails")
    assert not OutboxMessage.objects.exists() and not Notification.objects.exists()
    assert mailoutbox == []


def test_a_committed_change_hands_its_work_over_once(mailoutbox):
    reader = UserFactory(username="reader")
    with transaction.atomic():
        notify(recipients=[reader], **BULLETIN)
    message = OutboxMessage.objects.get()
    assert message.task == "coordination.email_notifications"
    assert message.done_at is not None and message.dispatches == 1
    assert len(mailoutbox) == 1
    # A late sweep, or a second delivery, does nothing more.
    assert outbox.sweep(timezone.now() + dt.timedelta(hours=1)) == 0
    assert outbox.dispatch(message.pk) is False
    assert len(mailoutbox) == 1


def test_with_the_broker_down_the_work_waits_and_the_sweep_sends_it(broker, mailoutbox):
    reader = UserFactory(username="reader")
    with transaction.atomic():
        notify(recipients=[reader], **BULLETIN)
    message = OutboxMessage.objects.get()
    assert message.dispatched_at is None and message.done_at is None
    assert "Connection refused" in message.last_error
    assert Notification.objects.get().emailed_at is None and mailoutbox == []
    # Too early for the sweep: the commit's own hand-off may still be on its way.
    assert outbox.sweep(message.created_at + dt.timedelta(seconds=1)) == 0

    # The broker is back: the sweep hands it over, once.
    broker.up = True
    assert outbox.sweep(timezone.now() + dt.timedelta(minutes=1)) == 1
    assert broker.sent == [
        ("coordination.email_notifications", {**message.kwargs, "outbox_id": message.pk})
    ]
    message.refresh_from_db()
    assert message.dispatched_at is not None and message.done_at is None
    # The worker runs it and says it is done; the mail leaves once.
    current_app.tasks[message.task].apply(kwargs=broker.sent[0][1])
    message.refresh_from_db()
    assert message.done_at is not None
    assert len(mailoutbox) == 1 and Notification.objects.get().emailed_at is not None
    assert outbox.sweep(timezone.now() + dt.timedelta(hours=1)) == 0


def test_a_message_handed_over_and_never_done_is_handed_over_again(broker):
    broker.up = True
    sent = broker.sent
    with transaction.atomic():
        message = outbox.enqueue("coordination.ping")
    assert len(sent) == 1 and sent[0][1]["outbox_id"] == message.pk
    # The worker that took it died: no completion. Within the grace, nothing moves.
    assert outbox.sweep(timezone.now() + dt.timedelta(seconds=30)) == 0
    assert outbox.sweep(timezone.now() + outbox.REDISPATCH_AFTER) == 1
    assert len(sent) == 2
    outbox.complete(message.pk)
    assert outbox.sweep(timezone.now() + dt.timedelta(hours=1)) == 0


def test_the_demo_suppresses_mail(mailoutbox):
    reader = UserFactory(username="reader")
    with mail_suppressed(), transaction.atomic():
        notify(recipients=[reader], **BULLETIN)
    assert not OutboxMessage.objects.exists()
    assert Notification.objects.get().emailed_at is not None and mailoutbox == []
