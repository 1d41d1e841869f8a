"""Fixtures: a cast of users per role, the browser, the real Celery worker.

With ``CI=true`` nothing may be skipped for want of a service: PostgreSQL, Redis, a Celery
worker and Chromium must all be there, or the run fails.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from coordination.models import Agency, Commune, User
from hotspots.models import Hotspot
from tests.factories import AgencyFactory, HotspotFactory, UserFactory, commune
from tests.stack import REDIS_TRANSPORT_OPTIONS, OwnRedis, Worker, publishing_to

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent


def require(condition: bool, what: str) -> None:
    """Skip locally, fail in CI: CI must prove the suite on the real stack."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI", pytrace=False)
    pytest.skip(f"{what} is not available here")


@pytest.fixture(scope="session", autouse=True)
def _real_stack_in_ci(django_db_setup, django_db_blocker) -> None:
    if not IN_CI:
        return
    with django_db_blocker.unblock():
        assert connection.vendor == "postgresql", "CI runs the suite on PostgreSQL"
    assert settings.REDIS_URL, "CI runs the suite with REDIS_URL set"


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """Each test starts in the settings' language: a request through the test client (a
    sign-in that applies a preferred language, LocaleMiddleware) leaves its language
    active in the thread afterwards."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _outbox_unpaused() -> Iterator[None]:
    """Each test starts with the outbox trying the broker: a failed hand-off pauses this
    process's hand-offs for a while (coordination/outbox/services.py)."""
    from coordination.outbox import services as outbox

    outbox._paused_until = 0.0
    yield
    outbox._paused_until = 0.0


# --- The cast -------------------------------------------------------------------------


@pytest.fixture
def safe_brussels(db) -> Agency:
    return AgencyFactory(
        name_fr="safe.brussels", name_nl="safe.brussels", kind=Agency.Kind.REGIONAL_COORDINATION
    )


@pytest.fixture
def csir_coordinator(safe_brussels) -> User:
    return UserFactory(
        username="coordinator", agency=safe_brussels, role=User.Role.CSIR_COORDINATOR
    )


@pytest.fixture
def csir_analyst(safe_brussels) -> User:
    return UserFactory(username="analyst", agency=safe_brussels, role=User.Role.CSIR_ANALYST)


@pytest.fixture
def mayor_anderlecht(db) -> User:
    town = commune("21001")
    agency = AgencyFactory(
        name_fr="Commune d'Anderlecht",
        name_nl="Gemeente Anderlecht",
        kind=Agency.Kind.COMMUNE,
        commune=town,
    )
    return UserFactory(
        username="mayor-anderlecht", agency=agency, role=User.Role.MAYOR, commune=town
    )


@pytest.fixture
def mayor_saint_gilles(db) -> User:
    town = commune("21013")
    agency = AgencyFactory(
        name_fr="Commune de Saint-Gilles",
        name_nl="Gemeente Sint-Gillis",
        kind=Agency.Kind.COMMUNE,
        commune=town,
    )
    return UserFactory(
        username="mayor-saint-gilles", agency=agency, role=User.Role.MAYOR, commune=town
    )


@pytest.fixture
def mayor_other(db) -> User:
    """The mayor of a commune that no test hotspot touches (Uccle)."""
    town = commune("21016")
    agency = AgencyFactory(
        name_fr="Commune d'Uccle", name_nl="Gemeente Ukkel", kind=Agency.Kind.COMMUNE, commune=town
    )
    return UserFactory(username="mayor-uccle", agency=agency, role=User.Role.MAYOR, commune=town)


@pytest.fixture
def police_member(db) -> User:
    town = commune("21001")
    agency = AgencyFactory(
        name_fr="Zone de police Midi",
        name_nl="Politiezone Zuid",
        kind=Agency.Kind.LOCAL_POLICE,
        police_zone=town.police_zone,
    )
    return UserFactory(username="police", agency=agency)


@pytest.fixture
def association_member(db) -> User:
    agency = AgencyFactory(name_fr="Transit asbl", name_nl="Transit vzw")
    return UserFactory(username="association", agency=agency)


@pytest.fixture
def cores_member(db) -> User:
    agency = AgencyFactory(
        name_fr="Cabinet du Ministre-Président",
        name_nl="Kabinet van de Minister-President",
        kind=Agency.Kind.REGIONAL_ADMINISTRATION,
    )
    return UserFactory(username="cores", agency=agency, role=User.Role.CORES_MEMBER)


@pytest.fixture
def administrator(safe_brussels) -> User:
    return UserFactory(
        username="admin",
        agency=safe_brussels,
        role=User.Role.ADMINISTRATOR,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def reference_data(transactional_db) -> None:
    """Reload the migrations' reference data that a transactional test's flush removed.

    (serialized_rollback cannot help: Playwright's greenlets give the test another
    connection object than the one the serialized copy was stored on.)
    """
    from django.apps import apps

    if not Commune.objects.exists():
        for module in (
            "coordination.migrations.0002_reference_data",
            "hotspots.migrations.0002_indicator_starter_set",
        ):
            importlib.import_module(module).load(apps, None)
        displacement = importlib.import_module("hotspots.migrations.0006_displacement_areas")
        displacement.mark_relevant(apps, None)


# --- The browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator:
    require(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, reference_data) -> Iterator:
    context = browser.new_context(base_url=live_server.url, locale="fr-BE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page):
    """Log a user in through the real login form (and, given a ``code``, its second step
    when the portal asks for it)."""

    def _login(user: User, code: str | None = None) -> None:
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill(user.username)
        page.locator("input[name=password]").fill("correct-horse-battery-staple")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        if code is not None and "/accounts/two-factor/verify/" in page.url:
            page.locator("input[name=code]").fill(code)
            page.locator("main button[type=submit]").click()
            page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)

    return _login


# --- The real Celery worker -----------------------------------------------------------


@pytest.fixture
def celery_worker(reference_data) -> Iterator[None]:
    """A real `celery worker` process on the Redis broker, reading the test database.

    Tasks sent while it runs go through the broker; the test's data must be committed,
    hence the transactional database.
    """
    require(bool(settings.REDIS_URL), "REDIS_URL (a Redis broker)")
    require(connection.vendor == "postgresql", "PostgreSQL (shared with the worker process)")
    from coordination.celery import app

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coordination.settings.test",
        "CELERY_WORKER_TEST_DB": db["NAME"],
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "coordination",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            "celery",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1.0):
            if worker.poll() is not None or time.monotonic() > deadline:
                output = worker.stdout.read() if worker.stdout else ""
                pytest.fail(f"the Celery worker did not start:\n{output}", pytrace=False)
        yield
    finally:
        app.conf.task_always_eager = previous
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


# --- A stack of the test's own, to break ---------------------------------------------


@pytest.fixture
def own_redis(tmp_path) -> Iterator[OwnRedis]:
    """A redis-server of this test's own (the machine's shared one is never stopped)."""
    require(shutil.which("redis-server") is not None, "redis-server")
    server = OwnRedis(tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Stack:
    """The test's own broker and worker, and where the worker leaves what it makes."""

    redis: OwnRedis
    worker: Worker
    media: Path
    mail: Path
    #: The worker's PostgreSQL application_name (pg_stat_activity), to find its sessions.
    application_name: str


@pytest.fixture
def worker_layout_seconds() -> float:
    """How much longer the stack's worker takes to lay a PDF out (tests/celery_app.py);
    parametrize it to act while a build renders."""
    return 0.0


@pytest.fixture
def redis_stack(
    reference_data, own_redis, tmp_path, settings, worker_layout_seconds
) -> Iterator[Stack]:
    """A real `celery worker` on the test's own Redis, reading the test database; this
    process publishes there too. The worker stores PDFs in ``media`` and writes its
    e-mails as files in ``mail``; its database sessions carry ``application_name``.
    """
    require(connection.vendor == "postgresql", "PostgreSQL (shared with the worker process)")
    media, mail = tmp_path / "media", tmp_path / "mail"
    settings.MEDIA_ROOT = media
    application_name = f"portal-test-worker-{os.getpid()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coordination.settings.test",
        "CELERY_WORKER_TEST_DB": connection.settings_dict["NAME"],
        "REDIS_URL": own_redis.url,
        "MEDIA_ROOT": str(media),
        "TEST_EMAIL_DIR": str(mail),
        "PGAPPNAME": application_name,
        "TEST_LAYOUT_SECONDS": str(worker_layout_seconds),
    }
    with publishing_to(own_redis.url, REDIS_TRANSPORT_OPTIONS) as app:
        worker = Worker(app=app, env=env, log=tmp_path / "worker.log", name=f"stack-{os.getpid()}")
        try:
            worker.start()
            yield Stack(own_redis, worker, media, mail, application_name)
        finally:
            worker.stop()


# --- Hotspots -------------------------------------------------------------------------


@pytest.fixture
def hotspot_midi(csir_analyst) -> Hotspot:
    """An active hotspot on two communes of zone Midi: Saint-Gilles and Anderlecht."""
    from coordination.core.geo import circle_area

    return HotspotFactory(
        code="HS10",
        name_fr="Gare du Midi",
        name_nl="Zuidstation",
        communes=["21013", "21001"],
        proposed_by=csir_analyst,
        perimeter=circle_area(4.3352, 50.8352, 250),
    )


@pytest.fixture
def hotspot_molenbeek(csir_analyst) -> Hotspot:
    """An active hotspot in Molenbeek (zone Bruxelles-Ouest), far from zone Midi."""
    return HotspotFactory(
        code="HS12",
        name_fr="Étangs Noirs",
        name_nl="Zwarte Vijvers",
        communes=["21012"],
        proposed_by=csir_analyst,
    )
