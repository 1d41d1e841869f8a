"""Exactly one scheduler: the leader lock (file, Redis) and the beat scheduler built on it."""

from __future__ import annotations

import datetime as dt
import itertools
import time
import uuid
from collections.abc import Iterator

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.utils import timezone

from coordination.jobs import beat, leader
from tests.conftest import require

URL = "/jobs/"


# --- The locks ------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    require(bool(django_settings.REDIS_URL), "REDIS_URL (a Redis server)")
    return django_settings.REDIS_URL


@pytest.fixture
def redis_key(redis_url) -> Iterator[str]:
    """A lock key of the test's own on the run's Redis; only its keys are deleted after."""
    import redis

    key = f"test:beat-leader:{uuid.uuid4().hex}"
    yield key
    redis.Redis.from_url(redis_url).delete(key, f"{key}:last-run")


def file_locks(tmp_path, ttl=3.0):
    path = tmp_path / "beat-leader.lock"
    return (
        leader.FileLock(path=path, ttl=ttl, identity="host-a:1"),
        leader.FileLock(path=path, ttl=ttl, identity="host-b:2"),
    )


def test_one_file_lock_holder_until_it_lets_go(tmp_path):
    first, second = file_locks(tmp_path)
    assert first.acquire()
    assert first.acquire(), "the holder keeps it"
    assert not second.acquire()
    holder = second.holder()
    assert holder is not None and holder.process == "host-a:1" and holder.backend == "file"
    assert abs(holder.since - timezone.now()) < dt.timedelta(seconds=5)
    first.release()
    assert second.holder() is None
    assert second.acquire()
    assert first.holder().process == "host-b:2"
    assert not first.acquire()
    second.release()


def test_one_redis_lock_holder_and_takeover_after_expiry(redis_url, redis_key):
    first = leader.RedisLock(url=redis_url, key=redis_key, ttl=1.0, identity="host-a:1")
    second = leader.RedisLock(url=redis_url, key=redis_key, ttl=1.0, identity="host-b:2")
    assert first.acquire()
    assert not second.acquire()
    # Renewed before the TTL ends, the lock stays with the first.
    for _ in range(3):
        time.sleep(0.5)
        assert first.acquire()
        assert not second.acquire()
    assert second.holder().process == "host-a:1"
    # The first is frozen past the TTL: the second takes over, the first has lost it.
    time.sleep(1.3)
    assert second.acquire()
    assert not first.acquire()
    assert first.holder().process == "host-b:2"
    # A clean stop deletes it: the other takes it at once.
    second.release()
    assert first.holder() is None
    assert first.acquire()
    first.release()


def test_a_stale_holder_cannot_release_the_new_holders_lock(redis_url, redis_key):
    first = leader.RedisLock(url=redis_url, key=redis_key, ttl=1.0, identity="host-a:1")
    second = leader.RedisLock(url=redis_url, key=redis_key, ttl=1.0, identity="host-b:2")
    assert first.acquire()
    time.sleep(1.2)
    assert second.acquire()
    first.release()
    assert second.holder().process == "host-b:2"
    second.release()


def test_one_advisory_lock_holder_and_takeover_when_its_session_ends(db):
    from django.db import connection

    require(connection.vendor == "postgresql", "PostgreSQL")
    key = f"test:beat-leader:{uuid.uuid4().hex}"
    first = leader.AdvisoryLock(key=key, ttl=3.0, identity="host-a:1")
    second = leader.AdvisoryLock(key=key, ttl=3.0, identity="host-b:2")
    try:
        assert first.acquire()
        assert first.acquire(), "the holder keeps it"
        assert not second.acquire()
        holder = second.holder()
        assert holder is not None and holder.process == "host-a:1"
        assert holder.backend == "postgresql"
        assert abs(holder.since - timezone.now()) < dt.timedelta(seconds=5)
        # The leader's process dies: PostgreSQL ends its session, and the lock with it.
        first._session.close()
        assert second.acquire()
        assert second.holder().process == "host-b:2"
        assert not first.acquire()
        second.release()
        assert first.holder() is None
    finally:
        first.release()
        second.release()


def test_an_unreachable_redis_is_a_lock_not_held():
    lock = leader.RedisLock(
        url="redis://127.0.0.1:1/0", key="test:nowhere", ttl=3.0, identity="host-a:1"
    )
    assert not lock.acquire()
    assert lock.holder() is None


def test_the_settings_choose_the_lock(settings, tmp_path):
    settings.REDIS_URL = ""
    settings.BROKER_DIR = tmp_path
    lock = leader.scheduler_lock(identity="host-a:1")
    assert lock.backend in {"file", "postgresql"}
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert leader.scheduler_lock().backend == "redis"
    assert leader.this_process().endswith(f":{__import__('os').getpid()}")


# --- Two schedulers, one leader ---------------------------------------------------------


class Recording(beat.LeaderScheduler):
    """The real scheduler; only the message is not published, but recorded."""

    sent: list[tuple[str, str, float]]

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        self.sent.append((self.lock_name, entry.name, time.monotonic()))


def scheduler(monkeypatch, tmp_path, lock, name: str) -> Recording:
    app = Celery(f"test-{name}", set_as_current=False)
    app.conf.update(
        broker_url="memory://",
        timezone="Europe/Brussels",
        beat_schedule={"every-second": {"task": "tests.tick", "schedule": 1.0}},
    )
    monkeypatch.setattr(leader, "scheduler_lock", lambda **kwargs: lock)
    instance = Recording(app=app, schedule_filename=str(tmp_path / f"schedule-{name}"))
    instance.sent = []
    instance.lock_name = name
    return instance


def run(schedulers, seconds: float) -> None:
    """The beat service's loop for each scheduler, interleaved."""
    deadline = time.monotonic() + seconds
    due = dict.fromkeys(schedulers, 0.0)
    while (now := time.monotonic()) < deadline:
        for each in schedulers:
            if due[each] <= now:
                due[each] = now + min(each.tick(), 0.2)
        time.sleep(0.02)


def all_sent(*schedulers):
    return sorted((s for each in schedulers for s in each.sent), key=lambda sent: sent[2])


def test_two_schedulers_on_a_file_lock_one_sends(monkeypatch, tmp_path):
    lock_a, lock_b = file_locks(tmp_path, ttl=0.6)
    a = scheduler(monkeypatch, tmp_path, lock_a, "a")
    b = scheduler(monkeypatch, tmp_path, lock_b, "b")
    try:
        run([a, b], 3.6)
        assert a.leading and not b.leading
        assert b.sent == []
        assert 2 <= len(a.sent) <= 4
        # The leader stops cleanly: the standby takes over and goes on sending.
        a.close()
        run([b], 2.6)
        assert b.leading
        assert len(b.sent) >= 1
    finally:
        a.close()
        b.close()


def test_the_standby_takes_over_after_expiry_without_sending_twice(
    monkeypatch, tmp_path, redis_url, redis_key
):
    lock_a = leader.RedisLock(url=redis_url, key=redis_key, ttl=0.9, identity="host-a:1")
    lock_b = leader.RedisLock(url=redis_url, key=redis_key, ttl=0.9, identity="host-b:2")
    a = scheduler(monkeypatch, tmp_path, lock_a, "a")
    b = scheduler(monkeypatch, tmp_path, lock_b, "b")
    try:
        run([a, b], 2.5)
        assert a.sent and not b.sent
        # a freezes (no tick) past the TTL; b takes over from a's last send.
        last_of_a = a.sent[-1][2]
        run([b], 2.5)
        assert b.leading and b.sent
        sends = all_sent(a, b)
        gaps = [later[2] - earlier[2] for earlier, later in itertools.pairwise(sends)]
        assert min(gaps) > 0.8, f"a job was sent twice in one period: {sends}"
        assert b.sent[0][2] - last_of_a < 2.5
        # a wakes up: it finds its lock gone and sends nothing.
        before = len(a.sent)
        run([a, b], 1.5)
        assert len(a.sent) == before and not a.leading
    finally:
        a.close()
        b.close()


def test_a_leader_that_lost_the_lock_does_not_send(monkeypatch, tmp_path, redis_url, redis_key):
    lock_a = leader.RedisLock(url=redis_url, key=redis_key, ttl=5.0, identity="host-a:1")
    a = scheduler(monkeypatch, tmp_path, lock_a, "a")
    try:
        assert a._lead()
        # Another leader took the lock while a was not looking (its renewal not yet due).
        import redis

        redis.Redis.from_url(redis_url).set(redis_key, "someone else")
        a.apply_entry(a.schedule["every-second"])
        assert a.sent == [] and not a.leading
    finally:
        a.close()


# --- The scheduled-work page -------------------------------------------------------------


def test_the_page_shows_which_process_leads(client, csir_coordinator, settings, tmp_path):
    settings.BROKER_DIR = tmp_path
    settings.SCHEDULER_LOCK_KEY = f"test:beat-leader:{uuid.uuid4().hex}"
    client.force_login(csir_coordinator)
    lock = leader.scheduler_lock(identity="beat-host-7:4242")
    page = client.get(URL).content.decode()
    assert "No scheduler holds the lock" in page
    assert lock.acquire()
    try:
        page = client.get(URL).content.decode()
        assert "beat-host-7:4242" in page
        assert "has sent the periodic jobs since" in page
    finally:
        lock.release()
    assert "No scheduler holds the lock" in client.get(URL).content.decode()
