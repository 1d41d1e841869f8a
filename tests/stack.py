"""The real machinery for the tests that break it: a Redis server and Celery workers of
their own, and the test process publishing to them.

The shared PostgreSQL and Redis of the machine are never stopped: a test that stops the
broker stops its own. Every process started here runs in a session of its own, so that
it (and its pool, its children) can be killed as a whole, and writes its output to a file
that the failure messages quote.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The broker options of coordination.settings.base with REDIS_URL set: fail fast.
REDIS_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "max_retries": 0,
    "visibility_timeout": 900,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(
    condition: Callable[[], Any], *, timeout: float, what: str, every: float = 0.25, tell=None
) -> Any:
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds, saying ``what``
    and what ``tell()`` adds (the worker's output)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            extra = f"\n{tell()}" if tell else ""
            pytest.fail(f"{what}: not within {timeout:.0f} s{extra}", pytrace=False)
        time.sleep(every)


def _tail(path: Path, size: int = 6000) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no output)"
    return text[-size:]


def _stop_group(process: subprocess.Popen, *, grace: float) -> None:
    """TERM the process's session, then KILL it after ``grace`` seconds."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    # Whatever is left of the session (pool processes, children), and the leader.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


class OwnRedis:
    """A redis-server on a free port, stopped and started again (same port) at will."""

    def __init__(self, log: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_until(answers, timeout=15, what="redis-server", tell=lambda: _tail(self.log))

    def stop(self) -> None:
        if self.process is not None:
            _stop_group(self.process, grace=5)
            self.process = None


class Worker:
    """A real `celery worker` process on a broker, reading the test database."""

    def __init__(
        self,
        *,
        app,
        env: dict[str, str],
        log: Path,
        name: str,
        extra: tuple[str, ...] = ("--pool=solo", "--concurrency=1"),
        app_module: str = "tests.celery_app",
        ping_timeout: float = 0.5,
    ):
        self.app, self.env, self.log, self.extra = app, env, log, extra
        self.app_module, self.ping_timeout = app_module, ping_timeout
        self.name = f"{name}@{socket.gethostname()}"
        self.process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 60) -> None:
        handle = self.log.open("ab")
        handle.write(f"\n===== start {time.strftime('%H:%M:%S')} =====\n".encode())
        handle.flush()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                self.app_module,
                "worker",
                *self.extra,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                "celery",
                "-n",
                self.name,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        process = self.process

        def ready() -> bool:
            if process.poll() is not None:
                pytest.fail(f"the Celery worker exited:\n{self.output()}", pytrace=False)
            # Only this worker: another one on the same broker must not answer for it.
            return bool(self.app.control.ping(destination=[self.name], timeout=self.ping_timeout))

        wait_until(ready, timeout=timeout, what="the Celery worker's start", tell=self.output)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL the worker and everything it started, at once (a crash, the OOM killer)."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            _stop_group(self.process, grace=20)
            self.process = None

    def output(self) -> str:
        return f"--- worker output ({self.log}) ---\n{_tail(self.log)}"


@contextlib.contextmanager
def publishing_to(url: str, transport_options: dict[str, Any]) -> Iterator[Any]:
    """The test process's Celery app sends to ``url`` (not eagerly) until the end.

    The app keeps its broker connections in pools made from the configuration when first
    used, and kombu keeps every pool in a registry of its own (by connection address): all
    are closed and forgotten, so that the next message really goes to ``url``, and again
    at the end, when the configuration is restored (a pool closed but still registered
    would refuse the next test: "Acquire on closed pool").
    """
    from kombu import pools

    from coordination.celery import app

    keys = ("broker_url", "broker_transport_options", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}

    def drop_pools() -> None:
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    drop_pools()
    app.conf.update(
        broker_url=url, broker_transport_options=transport_options, task_always_eager=False
    )
    try:
        yield app
    finally:
        drop_pools()
        app.conf.update(saved)
