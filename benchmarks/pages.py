"""Time each main page interleaved with the floor page, and how it grows with the data.

    python benchmarks/pages.py --database-url postgres://…/portal_perf_1x \\
        --sessions /tmp/portal-bench/sessions-1x.json [--rounds 50] [--out 1x.json]
    python benchmarks/pages.py --database-url postgres://…/portal_perf_10h \\
        --sessions /tmp/portal-bench/sessions-10h.json --out 10h.json --baseline 1x.json

Build the databases first with ``benchmarks/data.py``. Each round requests every page,
each one right after the floor page (the notifications page: a handful of queries and
little HTML), so that both see the same load on the machine: on a busy machine the
absolute times are noise, the ratio to the floor in the same run is the figure. Prints
per page p50/p90 (ms), the response size, the query count and the ratio of the p50 to
the floor's p50; with ``--baseline`` (a previous ``--out`` of the 1× data) also the growth
(p50 now / p50 at 1×, each as a ratio to its floor, so machine load cancels out).

By default the pages are served in-process by the Django test client with DEBUG off
(the middleware, templates and database are the production ones; no HTTP server).
``--url http://127.0.0.1:8000`` sends the requests to a running server instead (e.g.
gunicorn with 3 workers and the production settings, see README "Performance"), with the
same session keys (the server must use the same database).

Targets (issue 16): every page at most 3× the floor at 1×, at most 1.5× its 1× ratio at
10×. Not a test: run it by hand and record the figures in README.md ("Performance").
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.data import setup
from benchmarks.load import set_cookies

FLOOR = "notifications"


def pages() -> dict[str, tuple[str, str]]:
    """Page name → (role, path), the ids read from the benchmark database."""
    from taskforces.models import TaskForce

    first = TaskForce.objects.order_by("hotspot__code").first()
    assert first is not None, "no task force: build the data with benchmarks/data.py"
    return {
        FLOOR: ("csir", "/notifications/"),
        "overview": ("csir", "/overview/"),
        "hotspot list": ("csir", "/hotspots/"),
        "home csir": ("csir", "/"),
        "home coordinator": ("coordinator", "/"),
        "home mayor": ("mayor", "/"),
        "home member": ("member", "/"),
        "task force": ("coordinator", f"/taskforces/{first.pk}/"),
        "plan": ("coordinator", f"/taskforces/{first.pk}/plan/"),
        "my actions (police)": ("police", "/taskforces/mine/"),
        "search": ("csir", "/search/?q=patrouilles"),
    }


class InProcess:
    """The Django test client, one per role (cookies kept), counting queries."""

    def __init__(self, sessions: dict[str, str], *, page_cache: bool = True):
        from django.conf import settings
        from django.test import Client

        settings.DEBUG = False
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        if not page_cache:
            settings.PAGE_CACHE_SECONDS = 0
        self.clients = {}
        self.hits = 0
        for role, key in sessions.items():
            if not isinstance(key, str):
                continue  # the browsers of load.py
            client = Client(raise_request_exception=True)
            client.cookies[settings.SESSION_COOKIE_NAME] = key
            self.clients[role] = client

    def get(self, role: str, path: str) -> tuple[int, int, int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = self.clients[role].get(path)
        self.hits += response.get("X-Page-Cache") == "hit"
        return response.status_code, len(response.content), len(queries)


class OverHttp:
    """Plain HTTP/1.1 to a running server, one keep-alive connection per role."""

    def __init__(self, url: str, sessions: dict[str, str]):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.sessions = sessions
        self.connections: dict[str, http.client.HTTPConnection] = {}
        # Each role's cookies, as its browser keeps them (the CSRF cookie, with which the
        # server's page cache keeps the pages of this session).
        self.cookies = {role: {"sessionid": key} for role, key in sessions.items()}
        self.hits = 0

    def get(self, role: str, path: str) -> tuple[int, int, int]:
        connection = self.connections.get(role)
        if connection is None:
            connection = self.connections[role] = http.client.HTTPConnection(
                self.host, self.port, timeout=30
            )
        cookies = self.cookies[role]
        headers = {
            "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
            # Production redirects plain HTTP; the proxy header says it came over HTTPS.
            "X-Forwarded-Proto": "https",
            "Host": "127.0.0.1",
        }
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        cookies.update(set_cookies(response))
        self.hits += response.getheader("X-Page-Cache") == "hit"
        return response.status, len(body), -1


def measure(client, targets: dict[str, tuple[str, str]], rounds: int) -> dict[str, dict]:
    times: dict[str, list[float]] = {name: [] for name in targets}
    floor_pairs: dict[str, list[float]] = {name: [] for name in targets}
    info: dict[str, dict] = {}
    for name, (role, path) in targets.items():  # warm up: caches, connections, imports
        status, size, queries = client.get(role, path)
        info[name] = {"status": status, "bytes": size, "queries": queries, "path": path}
    refused = {name: row["status"] for name, row in info.items() if row["status"] != 200}
    if refused:
        sys.exit(f"Pages that did not answer 200: {refused}")
    floor_role, floor_path = targets[FLOOR]
    for _round in range(rounds):
        for name, (role, path) in targets.items():
            if name == FLOOR:
                continue
            started = time.perf_counter()
            client.get(floor_role, floor_path)
            floor_pairs[name].append(time.perf_counter() - started)
            started = time.perf_counter()
            client.get(role, path)
            times[name].append(time.perf_counter() - started)
    times[FLOOR] = [t for pair in floor_pairs.values() for t in pair]
    results = {}
    floor_p50 = statistics.median(times[FLOOR])
    for name in targets:
        series = sorted(times[name])
        p50 = statistics.median(series)
        # The floor timed right before this page: the ratio of the same moments.
        own_floor = statistics.median(floor_pairs[name]) if name != FLOOR else floor_p50
        results[name] = info[name] | {
            "p50_ms": round(p50 * 1000, 1),
            "p90_ms": round(series[int(len(series) * 0.9) - 1] * 1000, 1),
            "ratio": round(p50 / own_floor, 2),
        }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--sessions", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--url", help="a running server to send the requests to")
    parser.add_argument("--only", action="append", help="measure only these pages")
    parser.add_argument("--out", type=Path, help="write the results here (JSON)")
    parser.add_argument("--baseline", type=Path, help="the 1× results, for the growth")
    parser.add_argument("--write-paths", type=Path, help="write page → path (for load.py)")
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="in-process: every page rendered (PAGE_CACHE_SECONDS=0); over HTTP, start the "
        "server with PAGE_CACHE_SECONDS=0 instead",
    )
    args = parser.parse_args()
    setup(args.database_url)
    sessions = json.loads(args.sessions.read_text())
    targets = pages()
    if args.write_paths:
        args.write_paths.write_text(json.dumps({n: p for n, (_r, p) in targets.items()}))
        return 0
    if args.only:
        targets = {n: t for n, t in targets.items() if n == FLOOR or n in args.only}
    client = (
        OverHttp(args.url, sessions)
        if args.url
        else InProcess(sessions, page_cache=not args.no_page_cache)
    )
    results = measure(client, targets, args.rounds)
    requests = args.rounds * 2 * (len(targets) - 1) + len(targets)
    print(f"page cache: {client.hits} of {requests} requests served from it")
    baseline = json.loads(args.baseline.read_text()) if args.baseline else {}
    print(
        f"{'page':24} {'status':>6} {'queries':>7} {'KB':>6} {'p50 ms':>8} {'p90 ms':>8} "
        f"{'×floor':>7}{'  growth' if baseline else ''}"
    )
    for name, row in results.items():
        growth = ""
        if name in baseline and name != FLOOR:
            growth = f"  ×{row['ratio'] / baseline[name]['ratio']:.2f}"
        print(
            f"{name:24} {row['status']:>6} {row['queries']:>7} {row['bytes'] / 1024:>6.0f} "
            f"{row['p50_ms']:>8} {row['p90_ms']:>8} {row['ratio']:>7}{growth}"
        )
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
