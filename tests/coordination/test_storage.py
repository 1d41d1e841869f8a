"""Files through the storage API: object storage chosen by the environment, private, with
every download checked against its SHA-256; the shared cache and sessions; backups of any
storage."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from coordination.backups import services as backups
from coordination.core.files import ChecksumMismatch, verified_copy
from reporting.models import Report
from tests.conftest import ROOT

PDF = b"%PDF-1.4\n% a report\n%%EOF\n"


def settings_under(env: dict[str, str], module: str = "coordination.settings.test") -> dict:
    """The settings a process started with ``env`` gets (read in a process of its own)."""
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'STORAGES': settings.STORAGES, 'CACHES': settings.CACHES, "
        "'SESSION_ENGINE': settings.SESSION_ENGINE}, default=str))"
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "CACHE_", "REDIS_"))}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**keep, "DJANGO_SETTINGS_MODULE": module, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode:
        return {"error": result.stderr}
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Settings ---------------------------------------------------------------------------


def test_the_local_folder_by_default_and_a_private_bucket_when_configured():
    local = settings_under({})
    assert local["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    s3 = settings_under(
        {
            "S3_BUCKET": "portal",
            "S3_ENDPOINT_URL": "http://s3.internal:8333",
            "S3_ACCESS_KEY_ID": "key",
            "S3_SECRET_ACCESS_KEY": "secret",
            "S3_REGION": "eu-west-1",
        }
    )
    default = s3["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "portal"
    assert options["endpoint_url"] == "http://s3.internal:8333"
    assert options["region_name"] == "eu-west-1"
    # Private objects, signed short-lived URLs only, never a public domain, no overwrite.
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True and options["querystring_expire"] <= 300
    assert options["custom_domain"] is None
    assert options["file_overwrite"] is False


def test_half_a_key_pair_stops_the_start_up():
    result = settings_under({"S3_BUCKET": "portal", "S3_ACCESS_KEY_ID": "key"})
    assert "S3_SECRET_ACCESS_KEY" in result["error"]


def test_a_shared_cache_and_cached_sessions_with_redis():
    base = "coordination.settings.dev"
    alone = settings_under({}, base)
    assert alone["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert alone["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    shared = settings_under({"REDIS_URL": "redis://redis:6379/0"}, base)
    cache = shared["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://redis:6379/0" and cache["KEY_PREFIX"]
    assert shared["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    own_db = settings_under(
        {"REDIS_URL": "redis://redis:6379/0", "CACHE_URL": "redis://redis:6379/1"}, base
    )
    assert own_db["CACHES"]["default"]["LOCATION"] == "redis://redis:6379/1"


def test_the_test_suite_keeps_its_own_cache_even_with_redis():
    result = settings_under({"REDIS_URL": "redis://redis:6379/0"})
    assert result["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


# --- Verified downloads ----------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_verified_copy_is_the_stored_file(media):
    name = default_storage.save("reports/a.pdf", ContentFile(PDF))
    copy = verified_copy(default_storage, name, hashlib.sha256(PDF).hexdigest())
    assert copy.read() == PDF
    with pytest.raises(ChecksumMismatch):
        verified_copy(default_storage, name, "0" * 64)
    with pytest.raises(FileNotFoundError):
        verified_copy(default_storage, "reports/gone.pdf", "0" * 64)


def ready_report(**fields) -> Report:
    today = timezone.localdate()
    report = Report(
        kind=Report.Kind.REGIONAL,
        scope="region",
        period_start=today.replace(day=1),
        period_end=today,
        language="fr",
        audience=Report.Audience.CORES,
        version=1,
        status=Report.Status.READY,
        sha256=hashlib.sha256(PDF).hexdigest(),
        **fields,
    )
    report.pdf.save("report.pdf", ContentFile(PDF), save=False)
    report.save()
    return report


def test_a_report_is_streamed_after_its_checksum(client, media, csir_coordinator):
    report = ready_report()
    client.force_login(csir_coordinator)
    response = client.get(reverse("reporting:download", args=[report.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"


def test_an_altered_report_is_refused_and_logged(client, media, csir_coordinator, caplog):
    report = ready_report()
    (media / report.pdf.name).write_bytes(PDF + b"% altered\n")
    client.force_login(csir_coordinator)
    with caplog.at_level(logging.ERROR, logger="reporting.views"):
        response = client.get(reverse("reporting:download", args=[report.pk]))
    assert response.status_code == 409
    page = response.content.decode()
    assert "This report is withheld" in page and report.sha256 in page
    assert f"Report {report.pk}: the stored PDF does not match its SHA-256" in caplog.text


def test_a_missing_report_file_is_not_found(client, media, csir_coordinator):
    report = ready_report()
    (media / report.pdf.name).unlink()
    client.force_login(csir_coordinator)
    assert client.get(reverse("reporting:download", args=[report.pk])).status_code == 404


def test_no_stored_file_has_a_public_address(media):
    # MEDIA_URL is a path nothing serves: no URL pattern answers it.
    report_name = default_storage.save("reports/x.pdf", ContentFile(PDF))
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve(default_storage.url(report_name))


# --- Backups of any storage -------------------------------------------------------------


@pytest.fixture
def memory_storage(settings):
    """A storage that is not a local folder, as object storage is not."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return default_storage


def test_a_backup_reads_and_restores_the_files_through_the_storage(db, memory_storage, tmp_path):
    files = {"reports/2026/a.pdf": PDF, "police-orders/2026/12/b.pdf": PDF + b"b", "c.txt": b"c"}
    for name, content in files.items():
        assert memory_storage.save(name, ContentFile(content)) == name
    created = backups.backup_create(root=tmp_path / "backups")
    listed = {entry["path"]: entry for entry in created.manifest["media"]["files"]}
    assert set(listed) == set(files)
    for name, content in files.items():
        assert listed[name]["sha256"] == hashlib.sha256(content).hexdigest()
        assert listed[name]["size"] == len(content)
    assert backups.backup_verify(path=created.path).ok
    # The files are lost; they come back from the backup, through the storage.
    for name in files:
        memory_storage.delete(name)
    memory_storage.save("c.txt", ContentFile(b"changed since"))
    backup = backups.Backup(path=created.path, manifest=created.manifest)
    staging = tmp_path / "staging"
    staging.mkdir()
    for name in backups._unpack_media(backup, staging):
        backups._put(memory_storage, name, staging / name)
    for name, content in files.items():
        with memory_storage.open(name, "rb") as handle:
            assert handle.read() == content
