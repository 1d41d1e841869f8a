"""`make run` with zero set-up: the server, a Celery worker and beat on the embedded broker,
a report built by the worker (never in the request), and Ctrl-C stopping them all.

It runs the real target on a SQLite file, a broker folder and a media folder of its own,
on a free port, in a session of its own: Ctrl-C is a SIGINT to make's process group (as a
terminal sends it), and every process of the session, in whichever process group (the
server and the worker each have one), must be gone after it.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django_otp.oath import totp

from coordination.people.demo import demo_totp_key
from tests.conftest import ROOT, require
from tests.stack import free_port, wait_until

pytestmark = pytest.mark.worker

DEMO_LOGIN = ("csir.coordinator", "demo-brussels-2024")


def _session(sid: int) -> list[tuple[int, str]]:
    """The processes of session ``sid`` (the worker has a process group of its own in it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            # "pid (comm) state ppid pgrp session ...": comm may hold spaces.
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[3]) == sid and fields[0] != "Z":
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found.append((int(entry.name), command.strip()))
    return found


def _default_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def _left(sid: int) -> str:
    """What is left of session ``sid``, for a failure: each process with its state, its
    process group and its signals (pending, blocked, ignored, caught)."""
    lines = [f"--- left of the session of make ({sid}) ---"]
    for pid, command in _session(sid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            status = dict(
                line.split(":\t", 1)
                for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if ":\t" in line
            )
            signals = " ".join(
                f"{key}={status.get(key, '?').strip()}"
                for key in ("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
            )
            wchan = Path(f"/proc/{pid}/wchan").read_text().strip() or "-"
            lines.append(
                f"pid {pid} ppid {fields[1]} pgid {fields[2]} stat {fields[0]} wchan {wchan} "
                f"{signals}\n    {command[:300]}"
            )
    return "\n".join(lines)


class Portal:
    """A browser-less user of the running portal: a cookie jar and the CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[str, bytes]:
        # runserver restarts itself when a source file changes: try again meanwhile.
        for _ in range(30):
            try:
                with self.opener.open(self.base + path, timeout=10) as response:
                    return response.geturl(), response.read()
            except (ConnectionError, urllib.error.URLError):
                time.sleep(1)
        raise AssertionError(f"{path}: the server does not answer")

    def post(self, path: str, data: dict) -> tuple[str, float]:
        _, page = self.get(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        body = urllib.parse.urlencode(
            {**data, "csrfmiddlewaretoken": token.group(1).decode()}, doseq=True
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        started = time.monotonic()
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), time.monotonic() - started


def test_make_run_serves_builds_in_the_worker_and_stops_on_ctrl_c(tmp_path, capsys):
    require(shutil.which("make") is not None, "make")
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        # Not the test settings, no broker server, no make of the suite's (`make test`).
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "REDIS_URL",
            "CELERY_WORKER_TEST_DB",
            "MAKEFLAGS",
            "MFLAGS",
            "MAKELEVEL",
        }
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "BROKER_DIR": str(tmp_path / "broker"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    log = tmp_path / "make-run.log"
    with log.open("wb") as handle:
        # -o: never reinstall the virtualenv from here (`make test` has just installed it).
        make = subprocess.Popen(
            ["make", "-o", ".venv/bin/.installed", "run", f"HOST=127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Ctrl-C as in a terminal: SIGINT and SIGQUIT at their defaults, even when this
            # suite was started in the background (a shell starts background jobs with
            # them ignored, a disposition inherited through exec that bash cannot trap).
            preexec_fn=_default_interrupts,
        )

    def output() -> str:
        return f"--- make run ---\n{log.read_text(errors='replace')[-6000:]}"

    base = f"http://127.0.0.1:{port}"
    try:

        def healthy() -> bool:
            if make.poll() is not None:
                pytest.fail(f"make run ended ({make.returncode})\n{output()}", pytrace=False)
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310
                    return response.status == 200
            except (OSError, urllib.error.URLError):
                return False

        started = time.monotonic()
        wait_until(healthy, timeout=240, every=1, what="make run's /healthz", tell=output)
        up_after = time.monotonic() - started
        assert (tmp_path / "broker" / "queue").is_dir()

        portal = Portal(base)
        url, _ = portal.post(
            "/accounts/login/", {"username": DEMO_LOGIN[0], "password": DEMO_LOGIN[1]}
        )
        assert "/accounts/login/" not in url, output()
        # The CSIR signs in with two factors: a code from the demo's published secret.
        second_step = urllib.parse.urlparse(url)
        assert second_step.path == "/accounts/two-factor/verify/", url
        code = totp(bytes.fromhex(demo_totp_key(DEMO_LOGIN[0])))
        url, _ = portal.post(f"{second_step.path}?{second_step.query}", {"code": f"{code:06d}"})
        assert "/accounts/" not in url, output()
        _, form = portal.get("/reports/new/")
        period = {
            name: re.search(rf'name="{name}" value="([^"]+)"'.encode(), form).group(1).decode()
            for name in ("period_start", "period_end")
        }
        url, took = portal.post(
            "/reports/new/",
            {"kind": "regional", "languages": ["fr", "nl"], "audience": "cores", **period},
        )
        path = urllib.parse.urlparse(url).path
        assert re.fullmatch(r"/reports/\d+/", path), url

        def status() -> str:
            _, page = portal.get(path)
            block = page[page.index(b'id="report-status"') :]
            found = re.search(rb'class="status status-(\w+)"', block)
            assert found, block[:500]
            return found.group(1).decode()

        # Queued by the request, built by the worker: not ready when the request answers.
        first = status()
        assert first in {"queued", "running"}, first
        building = time.monotonic()
        wait_until(
            lambda: status() == "ready",
            timeout=180,
            every=1,
            what="the report built by make run's worker",
            tell=output,
        )
        built_in = time.monotonic() - building
        _, pdf = portal.get(path + "pdf/")
        assert pdf.startswith(b"%PDF")
        # The pages of other roles on make run's SQLite database (CI runs the rest of the
        # suite on PostgreSQL): a member of an association and a task-force coordinator
        # (no second factor for them) see their home, their actions, their task forces
        # and the search, twice (the second from the page cache).
        # The CSIR's regional overview and hotspot list (the map drawn from the perimeters
        # read when it is not in the process's cache), twice.
        for page_path in ("/overview/", "/hotspots/", "/overview/"):
            landed, body = portal.get(page_path)
            assert urllib.parse.urlparse(landed).path == page_path, (page_path, landed)
            assert b"<main" in body and b"<svg" in body, page_path
        for login in ("dune", "tfl.hs01.coordinator"):
            member = Portal(base)
            url, _ = member.post("/accounts/login/", {"username": login, "password": DEMO_LOGIN[1]})
            assert "/accounts/" not in url, (login, url)
            for page_path in (
                "/",
                "/taskforces/mine/",
                "/taskforces/",
                "/hotspots/",
                "/search/?q=patrouilles",
            ):
                for _ in range(2):
                    landed, body = member.get(page_path)
                    assert urllib.parse.urlparse(landed).path == page_path.split("?")[0], (
                        login,
                        page_path,
                        landed,
                    )
                    assert b"<main" in body, (login, page_path)
        # The whole log (output() keeps only its end, for failure messages).
        whole = log.read_text(errors="replace")
        assert re.search(r"Task reporting\.build_report\[.+\] succeeded", whole), output()
        assert re.search(r"beat: Starting", whole), output()

        # Ctrl-C: SIGINT to the process group of make.
        os.killpg(make.pid, signal.SIGINT)
        interrupted = time.monotonic()
        wait_until(
            lambda: make.poll() is not None and not _session(make.pid),
            timeout=90,
            what="everything stopped after SIGINT",
            # Evaluated at the failure, after the wait: the processes left then.
            tell=lambda: f"{_left(make.pid)}\n{output()}",
        )
        stopped_in = time.monotonic() - interrupted
        whole = log.read_text(errors="replace")
        how = (
            "killed"
            if "Killing what is left" in whole
            else "cold shutdown"
            if "cold shutdown (its running job" in whole
            else "warm shutdown"
        )
        with capsys.disabled():
            print(
                f"\n[make run] up {up_after:.1f} s, request {took:.3f} s, "
                f"built {built_in:.1f} s, stopped {stopped_in:.1f} s after SIGINT ({how})"
            )
        assert took < 2.0
    finally:
        for pid, _command in _session(make.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            make.wait(timeout=10)
