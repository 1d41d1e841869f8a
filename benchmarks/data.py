"""Build a benchmark region into a PostgreSQL database of its own.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal_perf_1x \\
        python benchmarks/data.py --size 1x [--sessions /tmp/portal-bench/sessions-1x.json]

Sizes (DESIGN of issue 16):

- ``1x``: 15 hotspots × 40 actions, a year of monthly updates (7,200), 24 months of every
  indicator, monthly meetings, police orders, 3 displacement reports per hotspot;
- ``10h``: the same with 150 hotspots (ten times the hotspots);
- ``10a``: 15 hotspots with 400 actions per task force (ten times the actions).

The database is created when missing and must be empty or a previous build of this script
(``--fresh`` drops and recreates it): it is never a test database or another person's. The
data comes from :func:`benchmarks.report_benchmark.build_region` (the report benchmark's
region), plus one person per role the page benchmarks log in as. ``--sessions`` writes a
signed-in session key per role (database sessions), for ``pages.py`` and ``load.py``.

Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"1x": (15, 40), "10h": (150, 40), "10a": (15, 400)}
# The people the page benchmarks log in as (username → what they are).
ROLES = {
    "csir": "analyst",
    "coordinator": "bench-coordinator",
    "mayor": "mayor-21004",
    "member": "staff-2",
    # staff-0 is the local police's member of every task force (police-judicial circle).
    "police": "staff-0",
}


def setup(database_url: str) -> None:
    """Point Django at the benchmark database (test settings: no mail, local cache)."""
    if "test_" in urlsplit(database_url).path:
        sys.exit("Refusing a test database: give the benchmark its own database.")
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings.test")
    os.environ.pop("CACHE_URL", None)
    import django

    django.setup()
    from django.conf import settings

    # The key benchmarks/serve.sh gives gunicorn: sessions made here are valid there.
    settings.SECRET_KEY = benchmark_secret(database_url)


def benchmark_secret(database_url: str) -> str:
    """A throwaway key derived from the database's address (public: benchmarks only)."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:48]
    return f"benchmark-only-not-secret-{digest}"


def create_database(database_url: str, *, fresh: bool) -> None:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]{1,63}", name):
        sys.exit("The database name may hold only a-z, 0-9 and _.")
    env = {**os.environ, "PGPASSWORD": parts.password or ""}
    base = ["psql", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    base += ["-U", parts.username or "portal", "-d", "postgres", "-tAc"]
    if fresh:
        subprocess.run([*base, f'DROP DATABASE IF EXISTS "{name}"'], check=True, env=env)  # noqa: S603
    exists = subprocess.run(  # noqa: S603
        # The name was checked above (a-z, 0-9, _): nothing can escape the quotes.
        [*base, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S608
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not exists:
        subprocess.run([*base, f'CREATE DATABASE "{name}"'], check=True, env=env)  # noqa: S603


def prepare() -> None:
    """What build_region leaves to the services, done here (idempotent): a coordinator of
    the first task force, each plan's first version (as plan_open), everyone in their
    agency's group and the object permissions the memberships and actions imply."""
    from coordination.models import Agency, User
    from coordination.people.services import person_join_agency_group
    from taskforces.models import ActionPlan, Membership, PlanVersion, TaskForce
    from taskforces.services.taskforces import grants_drift

    association = Agency.objects.get(kind=Agency.Kind.ASSOCIATION)
    coordinator, _created = User.objects.get_or_create(
        username=ROLES["coordinator"],
        defaults={"agency": association, "email": "coord@example.test"},
    )
    first = TaskForce.objects.order_by("hotspot__code").first()
    Membership.objects.get_or_create(
        taskforce=first,
        user=coordinator,
        defaults={"agency": association, "role": Membership.Role.COORDINATOR},
    )
    PlanVersion.objects.bulk_create(
        PlanVersion(plan=plan, number=1) for plan in ActionPlan.objects.filter(versions=None)
    )
    for person in User.objects.select_related("agency"):
        person_join_agency_group(person)
    grants_drift(repair=True)


def analyse() -> None:
    """``VACUUM ANALYZE``: the planner's statistics of the data just built, as autovacuum
    would gather them in a while (it may be off on a benchmark server; without them the
    planner guesses, and pages are timed on plans production would not use)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def sessions(browsers: int = 10) -> dict:
    """A signed-in session key per role (verified: the benchmark does not type codes), and
    under ``"browsers"`` ``browsers`` more per role: the same person signed in on as many
    browsers, for ``load.py``'s clients (each browser keeps its own cookies and entries of
    the page cache, as real ones do)."""
    from django.test import Client

    from coordination.models import User

    def signed_in(username: str) -> str:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client.cookies["sessionid"].value

    keys: dict = {role: signed_in(username) for role, username in ROLES.items()}
    keys["browsers"] = {
        role: [signed_in(username) for _n in range(browsers)] for role, username in ROLES.items()
    }
    return keys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--size", choices=sorted(SIZES), default="1x")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--sessions", type=Path, help="write the role → session key file")
    parser.add_argument(
        "--browsers", type=int, default=10, help="sessions per role for load.py (default 10)"
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("Give a PostgreSQL DATABASE_URL of the benchmark's own (--database-url).")
    create_database(args.database_url, fresh=args.fresh)
    setup(args.database_url)
    from django.core.management import call_command

    from benchmarks.report_benchmark import build_region
    from hotspots.models import Hotspot

    call_command("migrate", verbosity=0)
    if not Hotspot.objects.exists():
        started = time.perf_counter()
        hotspots, actions = SIZES[args.size]
        counts = build_region(hotspots=hotspots, actions=actions)
        print(
            f"{args.size}: {hotspots} hotspots, {counts['actions']} actions, "
            f"{counts['updates']} updates, {counts['values']} indicator values "
            f"(built in {time.perf_counter() - started:.0f} s)"
        )
    prepare()
    analyse()
    if args.sessions:
        args.sessions.write_text(json.dumps(sessions(args.browsers), indent=1))
        print(f"sessions written to {args.sessions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
