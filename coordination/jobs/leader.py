"""The scheduler's leader lock: whatever number of beat processes run, one sends the jobs.

Every beat process (``coordination.jobs.beat.LeaderScheduler``) competes for one lock; its
holder is the leader and sends the periodic jobs, the others stand by and try again every
``renew_every`` seconds. Three kinds of lock, chosen from the settings:

- **Redis** (``REDIS_URL`` set, production): ``SET key value NX PX ttl``. The leader renews
  it every third of ``SCHEDULER_LOCK_TTL`` with a compare-and-expire, so a leader that
  dies (host lost, process killed) leaves the lock to expire and a standby takes it over
  within the TTL. A leader that stops cleanly deletes it: the standby takes over at its
  next try. The leader also writes, per job, when it last sent it (a hash beside the lock):
  a standby that takes over starts from there, so a job is neither sent twice for one
  period nor forgotten for the period in which the leader died.
- **PostgreSQL advisory lock** (no Redis, PostgreSQL): ``pg_try_advisory_lock`` on a
  connection of the beat's own. PostgreSQL releases it when that session ends, whatever
  killed the process. The holder's name is in the session's ``application_name``.
- **A lock file** (no Redis, SQLite: one host, ``make run``): ``flock`` on
  ``BROKER_DIR/beat-leader.lock``; the kernel releases it with the process.

``holder()`` says who leads (``host:pid``) and since when, for the scheduled-work page.
A lock that cannot be reached (Redis down) is a lock not held: the leader stops sending
rather than risk a second leader.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, cast

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

#: Compare-and-expire and compare-and-delete: only the value's owner renews or releases.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
#: PostgreSQL's application_name holds at most 63 bytes.
_APPLICATION_NAME = "portal-beat"


@dataclass(frozen=True)
class Holder:
    """Who leads the scheduling: a process (``host:pid``), since when, through which lock."""

    process: str
    since: dt.datetime
    backend: str


class LeaderLock(Protocol):
    backend: str
    #: How often the leader renews, and a standby tries again, in seconds.
    renew_every: float

    def acquire(self) -> bool:
        """Take the lock, or keep it when held: False when another process holds it."""

    def release(self) -> None:
        """Give the lock up (a clean stop): a standby takes it at its next try."""

    def holder(self) -> Holder | None:
        """Who holds the lock now, as any process sees it; None when nobody does."""

    def last_runs(self) -> dict[str, dt.datetime]:
        """When the leaders last sent each job (by beat entry), where the lock keeps it."""

    def record_run(self, entry: str, at: dt.datetime) -> None:
        """Remember that ``entry`` was sent at ``at``, for the next leader."""


def this_process() -> str:
    """The name a beat process leads under: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def scheduler_lock(*, identity: str | None = None) -> LeaderLock:
    """The lock the settings choose: Redis, else a PostgreSQL advisory lock, else a file."""
    identity = identity or this_process()
    ttl = float(settings.SCHEDULER_LOCK_TTL)
    if settings.REDIS_URL:
        return RedisLock(
            url=settings.REDIS_URL, key=settings.SCHEDULER_LOCK_KEY, ttl=ttl, identity=identity
        )
    if connection.vendor == "postgresql":
        return AdvisoryLock(key=settings.SCHEDULER_LOCK_KEY, ttl=ttl, identity=identity)
    return FileLock(path=Path(settings.BROKER_DIR) / "beat-leader.lock", ttl=ttl, identity=identity)


def current_holder() -> Holder | None:
    """Who leads the scheduling now (for the scheduled-work page); None when nobody does."""
    return scheduler_lock(identity="reader").holder()


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _parse(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if timezone.is_aware(moment) else None


# --- Redis ------------------------------------------------------------------------------


class RedisLock:
    backend = "redis"

    def __init__(self, *, url: str, key: str, ttl: float, identity: str):
        import redis

        self.key, self.runs_key = key, f"{key}:last-run"
        self.ttl_ms = int(ttl * 1000)
        self.renew_every = ttl / 3
        self.identity = identity
        self._redis = redis
        self.client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        # The value this process set, unique to this tenure: a lock taken again after it
        # expired is another value, and an old renewal cannot touch it.
        self._value: str | None = None

    def acquire(self) -> bool:
        try:
            if self._value is not None:
                if self.client.eval(_RENEW, 1, self.key, self._value, self.ttl_ms):
                    return True
                logger.warning("beat: %s lost the scheduler lock (it expired)", self.identity)
                self._value = None
            value = json.dumps(
                {
                    "process": self.identity,
                    "since": _iso(timezone.now()),
                    "tenure": uuid.uuid4().hex,
                }
            )
            if self.client.set(self.key, value, nx=True, px=self.ttl_ms):
                self._value = value
                return True
        except self._redis.RedisError:
            logger.exception("beat: the scheduler lock in Redis cannot be reached")
            self._value = None
        return False

    def release(self) -> None:
        if self._value is None:
            return
        with contextlib.suppress(self._redis.RedisError):
            self.client.eval(_RELEASE, 1, self.key, self._value)
        self._value = None

    def holder(self) -> Holder | None:
        try:
            raw = cast(bytes | None, self.client.get(self.key))
        except self._redis.RedisError:
            logger.exception("jobs: the scheduler lock in Redis cannot be read")
            return None
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            since = _parse(data["since"])
            process = str(data["process"])
        except (ValueError, KeyError, TypeError):
            return None
        return Holder(process=process, since=since, backend=self.backend) if since else None

    def last_runs(self) -> dict[str, dt.datetime]:
        try:
            raw = cast(dict[bytes, bytes], self.client.hgetall(self.runs_key))
        except self._redis.RedisError:
            logger.exception("beat: the last runs in Redis cannot be read")
            return {}
        runs = {}
        for entry, value in raw.items():
            moment = _parse(value.decode())
            if moment is not None:
                runs[entry.decode()] = moment
        return runs

    def record_run(self, entry: str, at: dt.datetime) -> None:
        try:
            self.client.hset(self.runs_key, entry, _iso(at))
        except self._redis.RedisError:
            logger.exception("beat: the run of %s could not be written to Redis", entry)


# --- PostgreSQL advisory lock -------------------------------------------------------------


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock`` from the lock's name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class AdvisoryLock:
    backend = "postgresql"

    def __init__(self, *, key: str, ttl: float, identity: str):
        self.key = advisory_key(key)
        self.renew_every = ttl / 3
        self.identity = identity
        self._session: Any = None
        self._held = False

    def _connect(self) -> Any:
        import psycopg

        # A session of the lock's own: Django closes and reopens its connections at will,
        # and an advisory lock lives exactly as long as the session that took it.
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        return psycopg.connect(**params, autocommit=True, keepalives=1, keepalives_idle=10)

    def acquire(self) -> bool:
        try:
            if self._session is None:
                self._session = self._connect()
            if self._held:
                self._session.execute("SELECT 1")
                return True
            # Named before the try: whoever reads the holder sees its name at once.
            since = int(timezone.now().timestamp())
            name = f"{_APPLICATION_NAME} {since} {self.identity}"[:63]
            self._session.execute("SELECT set_config('application_name', %s, false)", [name])
            row = self._session.execute("SELECT pg_try_advisory_lock(%s)", [self.key]).fetchone()
            if row and row[0]:
                self._held = True
                return True
        except Exception:
            # psycopg's errors, a lost session: the lock went with it.
            logger.exception("beat: the scheduler's advisory lock cannot be reached")
            self._close()
        return False

    def _close(self) -> None:
        self._held = False
        if self._session is not None:
            with contextlib.suppress(Exception):
                self._session.close()
        self._session = None

    def release(self) -> None:
        if self._session is not None and self._held:
            with contextlib.suppress(Exception):
                self._session.execute("SELECT pg_advisory_unlock(%s)", [self.key])
        self._close()

    def holder(self) -> Holder | None:
        unsigned = self.key & 0xFFFFFFFFFFFFFFFF
        try:
            with connection.cursor() as cursor:
                # The activity view is a snapshot per transaction: read it afresh.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT a.application_name FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                    "AND l.classid = %s AND l.objid = %s "
                    "AND l.database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())",
                    [unsigned >> 32, unsigned & 0xFFFFFFFF],
                )
                row = cursor.fetchone()
        except DatabaseError:
            logger.exception("jobs: the scheduler's advisory lock cannot be read")
            return None
        if row is None:
            return None
        parts = str(row[0]).split(" ", 2)
        if len(parts) != 3 or parts[0] != _APPLICATION_NAME or not parts[1].isdigit():
            return Holder(process=str(row[0]), since=timezone.now(), backend=self.backend)
        since = dt.datetime.fromtimestamp(int(parts[1]), tz=dt.UTC)
        return Holder(process=parts[2], since=since, backend=self.backend)

    def last_runs(self) -> dict[str, dt.datetime]:
        return {}

    def record_run(self, entry: str, at: dt.datetime) -> None:
        return None


# --- A lock file (one host) ---------------------------------------------------------------


class FileLock:
    backend = "file"

    def __init__(self, *, path: Path, ttl: float, identity: str):
        self.path = path
        self.renew_every = ttl / 3
        self.identity = identity
        self._handle: IO[str] | None = None

    def acquire(self) -> bool:
        if self._handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"process": self.identity, "since": _iso(timezone.now())}))
        handle.flush()
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is None:
            return
        with contextlib.suppress(OSError):
            self._handle.truncate(0)
            fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None

    def holder(self) -> Holder | None:
        try:
            handle = self.path.open("r", encoding="utf-8")
        except FileNotFoundError:
            return None
        with handle:
            try:
                # A shared lock granted: nobody holds the exclusive one, whatever the file says.
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                try:
                    data = json.loads(handle.read())
                    since = _parse(data["since"])
                    process = str(data["process"])
                except (ValueError, KeyError, TypeError):
                    return None
                return Holder(process=process, since=since, backend=self.backend) if since else None
            fcntl.flock(handle, fcntl.LOCK_UN)
            return None

    def last_runs(self) -> dict[str, dt.datetime]:
        return {}

    def record_run(self, entry: str, at: dt.datetime) -> None:
        return None
