"""Load: concurrent clients mixing the five roles' pages, and the floor page alone.

    python benchmarks/load.py --url http://127.0.0.1:8011 \\
        --sessions /tmp/portal-bench/sessions-1x.json --paths /tmp/portal-bench/paths-1x.json \\
        [--clients 50] [--seconds 30]

Against a running server (gunicorn, 3 workers, the production settings; README
"Performance" gives the command) on a database built by ``benchmarks/data.py``. Two
phases in the same run, each ``--seconds`` long: the **mix** (each client picks a role at
random — CSIR, coordinator, mayor, member, police — and one of that role's pages), run
twice: "first" with browsers that have seen nothing yet, "then" the same browsers going
on (their cookies kept; the server's page cache serves each person the pages one of
their browsers saw while the data has not changed), and the **floor** (every client asks
the notifications page).
With ``--write-database-url`` (the server's PostgreSQL database), a third mix phase
follows "then": "after a write", the same browsers right after the data version moved
(``nextval('portal_data_version')`` with ``psql``, as any write does), every page to be
rendered again for everyone.
Prints for each the requests per second, p50 and p99 (ms), the worst second's p99, and
the errors (status other than 200, or no answer within 10 s), then the ratio of each
mix's rate to the floor's.

Only the standard library: one thread per client, each with its own keep-alive HTTP/1.1
connection (locust would have to be installed; threads are enough for 50 clients that
mostly wait on the server). ``--paths`` is written by ``pages.py --write-paths``.

Targets (issue 16): p99 under 1 s with no error for the mix; the mix saturating at no
less than half the floor's rate. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

# Role → its pages (names of benchmarks/pages.py); the floor is the notifications page.
MIX = {
    "csir": ["overview", "hotspot list", "home csir", "search"],
    "coordinator": ["home coordinator", "task force", "plan"],
    "mayor": ["home mayor", "overview"],
    "member": ["home member", "task force"],
    "police": ["my actions (police)"],
}
FLOOR = [("csir", "notifications")]


def _client(
    url: str,
    sessions: dict,
    choices: list[tuple[str, str]],
    stop: float,
    seed: int,
    out: list[tuple[float, float, bool]],
    cookie_jars: dict[int, dict[str, dict[str, str]]],
) -> None:
    parts = urlsplit(url)
    rng = random.Random(seed)
    connection: http.client.HTTPConnection | None = None
    # This client's browser for each role (its own session when data.py wrote several),
    # with the cookies the server sets, as a browser keeps them (from phase to phase).
    browsers = sessions.get("browsers") or {}
    jars = cookie_jars.setdefault(seed, {})
    for role in {role for role, _path in choices} - set(jars):
        jars[role] = (
            {"sessionid": browsers[role][seed % len(browsers[role])]}
            if browsers.get(role)
            else {"sessionid": sessions[role]}
        )
    while time.monotonic() < stop:
        role, path = rng.choice(choices)
        jar = jars[role]
        started = time.perf_counter()
        ok = False
        try:
            if connection is None:
                connection = http.client.HTTPConnection(
                    parts.hostname or "127.0.0.1", parts.port or 80, timeout=10
                )
            connection.request(
                "GET",
                path,
                headers={
                    "Cookie": "; ".join(f"{name}={value}" for name, value in jar.items()),
                    "X-Forwarded-Proto": "https",
                    "Host": "127.0.0.1",
                },
            )
            response = connection.getresponse()
            response.read()
            jar.update(set_cookies(response))
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            if connection is not None:
                connection.close()
            connection = None
        out.append((time.monotonic(), time.perf_counter() - started, ok))


def set_cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    """The cookies a response sets (name → value)."""
    kept = {}
    for header in response.msg.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        if value:
            kept[name.strip()] = value
    return kept


def run(
    url: str,
    sessions: dict,
    choices: list[tuple[str, str]],
    clients: int,
    seconds: float,
    cookie_jars: dict[int, dict[str, dict[str, str]]],
):
    # (when it ended, seconds, ok); list.append is atomic: shared by the threads.
    results: list[tuple[float, float, bool]] = []
    stop = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=_client, args=(url, sessions, choices, stop, seed, results, cookie_jars)
        )
        for seed in range(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    times = [t for _at, t, _ok in results]
    errors = sum(1 for _at, _t, ok in results if not ok)
    by_second: dict[int, list[float]] = {}
    for at, t, _ok in results:
        by_second.setdefault(int(at - started), []).append(t)
    return {
        "requests": len(results),
        "rate": round(len(results) / elapsed, 1),
        "p50_ms": round(statistics.median(times) * 1000) if times else None,
        "p99_ms": _p99(times),
        "worst_second_p99_ms": max((_p99(t) or 0 for t in by_second.values()), default=None),
        "errors": errors,
    }


def _p99(times: list[float]) -> int | None:
    ordered = sorted(times)
    return round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000) if ordered else None


def write(database_url: str) -> None:
    """What any write does to the page cache: the data version moves."""
    subprocess.run(  # noqa: S603 - the benchmark's own command
        ["psql", database_url, "-qAtc", "SELECT nextval('portal_data_version')"],  # noqa: S607
        check=True,
        capture_output=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--sessions", type=Path, required=True)
    parser.add_argument("--paths", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--write-database-url", help="the server's PostgreSQL: adds the 'after a write' phase"
    )
    args = parser.parse_args()
    sessions = json.loads(args.sessions.read_text())
    paths = json.loads(args.paths.read_text())
    mix = [(role, paths[name]) for role, names in MIX.items() for name in names]
    floor = [(role, paths[name]) for role, name in FLOOR]
    print(f"{args.clients} clients, {args.seconds:.0f} s each phase, against {args.url}")
    # Each client's browsers keep their cookies from phase to phase. The first mix phase
    # starts with browsers that have seen nothing (every page rendered once per browser,
    # the server's page cache empty); the second is the same people going on reading (the
    # pages they saw are served from the cache until the data changes).
    jars: dict[int, dict[str, dict[str, str]]] = {}
    rows = {
        "mix, first": run(args.url, sessions, mix, args.clients, args.seconds, jars),
        "mix, then": run(args.url, sessions, mix, args.clients, args.seconds, jars),
    }
    if args.write_database_url:
        write(args.write_database_url)
        rows["mix, after a write"] = run(args.url, sessions, mix, args.clients, args.seconds, jars)
    rows["floor"] = run(args.url, sessions, floor, args.clients, args.seconds, jars)
    print(
        f"{'phase':18} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'worst 1 s p99':>13} {'errors':>6}"
    )
    for name, row in rows.items():
        print(
            f"{name:18} {row['requests']:>8} {row['rate']:>7} {row['p50_ms']:>7} "
            f"{row['p99_ms']:>7} {row['worst_second_p99_ms']:>13} {row['errors']:>6}"
        )
    if rows["floor"]["rate"]:
        for name in rows:
            if name != "floor":
                print(f"{name} rate / floor rate: {rows[name]['rate'] / rows['floor']['rate']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
