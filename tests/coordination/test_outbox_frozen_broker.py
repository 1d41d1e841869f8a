"""A broker that accepts connections and never answers (frozen, not stopped) holds no
request up: the hand-off waits at most PUBLISH_TIMEOUT on a connection of its own, and
the process then leaves its rows to the sweep for a while instead of waiting again.

The test's own redis-server, frozen with SIGSTOP (the machine's shared one is never
touched), then thawed: the sweep hands everything over and the pause ends.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.db import transaction

from coordination.models import OutboxMessage
from coordination.outbox import services as outbox
from tests.stack import REDIS_TRANSPORT_OPTIONS, publishing_to

pytestmark = pytest.mark.django_db(transaction=True)


def _enqueue() -> OutboxMessage:
    with transaction.atomic():
        return outbox.enqueue("coordination.ping")


def test_a_frozen_broker_costs_one_short_wait_and_loses_nothing(own_redis):
    import redis

    with publishing_to(own_redis.url, REDIS_TRANSPORT_OPTIONS):
        _enqueue()  # the broker answers: handed over at once
        assert OutboxMessage.objects.get().dispatched_at is not None
        assert own_redis.process is not None
        os.kill(own_redis.process.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            first = _enqueue()
            first_took = time.monotonic() - started
            started = time.monotonic()
            second = _enqueue()
            second_took = time.monotonic() - started
            print(f"\n[frozen broker] first hand-off {first_took:.3f} s, next {second_took:.3f} s")
            assert first_took < outbox.PUBLISH_TIMEOUT * 2 + 0.5
            assert second_took < 0.3  # paused: not tried again
            for message in (first, second):
                message.refresh_from_db()
                assert message.dispatched_at is None and message.last_error
            assert outbox.paused()
        finally:
            os.kill(own_redis.process.pid, signal.SIGCONT)

        # Thawed: the sweep (which tries despite the pause) hands both over; the pause ends.
        assert redis.Redis(port=own_redis.port).ping()
        later = first.created_at + outbox.UNSENT_GRACE * 2
        assert outbox.sweep(later) == 2
        assert not outbox.paused()
        assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()
        third = _enqueue()
        third.refresh_from_db()
        assert third.dispatched_at is not None
