"""Backups: a backup holds what its manifest says, a damaged one is refused, and a backup
restored after the data is wiped gives back every report PDF with its recorded checksum.

The round trip runs the commands in other processes on a scratch database (PostgreSQL when
DATABASE_URL points to it, a SQLite file otherwise), as an operator would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from reporting.models import Report
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
NAME_PATTERN = r"^\d{8}T\d{6}Z$"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def needs_pg_tools() -> None:
    if connection.vendor == "postgresql":
        require(
            bool(shutil.which("pg_dump") and shutil.which("pg_restore")),
            "pg_dump and pg_restore (postgresql-client)",
        )


@pytest.fixture
def media(settings, tmp_path) -> dict[str, bytes]:
    """A MEDIA_ROOT of its own with a few files; returns their contents by relative path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    files = {
        "reports/2024/regional-fr.pdf": b"%PDF-1.4 regional report\n" * 50,
        "orders/2024/signed order.pdf": b"%PDF-1.4 signed police order\n",
        "notes.txt": b"",
    }
    for relative, content in files.items():
        path = settings.MEDIA_ROOT / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def create_backup(tmp_path: Path, **options) -> Path:
    needs_pg_tools()
    out = io.StringIO()
    call_command("backup_create", output=tmp_path / "backups", stdout=out, **options)
    assert "Backup written to" in out.getvalue()
    return max((tmp_path / "backups").glob("2*"))


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_a_backup_holds_the_dump_the_media_archive_and_their_manifest(db, media, tmp_path):
    folder = create_backup(tmp_path)

    # Written atomically: only the finished folder, readable by its owner alone.
    assert [path.name for path in (tmp_path / "backups").iterdir()] == [folder.name]
    assert folder.name == dt.datetime.strptime(folder.name, "%Y%m%dT%H%M%SZ").strftime(
        "%Y%m%dT%H%M%SZ"
    )
    assert folder.stat().st_mode & 0o077 == 0
    manifest = manifest_of(folder)
    assert manifest["format"] == 1
    assert manifest["created_at"].startswith(f"{folder.name[:4]}-")
    assert manifest["django_version"].startswith("6.")
    assert manifest["portal_version"]
    database = manifest["database"]
    assert database["engine"] == connection.vendor
    # The latest migration applied of each app, as the migration graph has it.
    leaves = dict(MigrationLoader(connection).graph.leaf_nodes())
    assert database["migrations"]["reporting"] == leaves["reporting"]
    dump = folder / database["file"]
    assert database["size"] == dump.stat().st_size > 0
    assert database["sha256"] == sha256(dump.read_bytes())
    if connection.vendor == "postgresql":
        assert dump.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    else:
        assert dump.read_bytes().startswith(b"SQLite format 3")
    archive = folder / manifest["media"]["file"]
    assert manifest["media"]["sha256"] == sha256(archive.read_bytes())
    assert manifest["media"]["size"] == archive.stat().st_size
    listed = {entry["path"]: entry for entry in manifest["media"]["files"]}
    assert listed == {
        relative: {"path": relative, "size": len(content), "sha256": sha256(content)}
        for relative, content in media.items()
    }
    with tarfile.open(archive) as tar:
        archived = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert archived == media
    # No secret in the manifest: no key, no password, no connection details.
    assert set(manifest) == {
        "format",
        "created_at",
        "portal_version",
        "django_version",
        "database",
        "media",
    }
    assert set(database) == {"engine", "file", "size", "sha256", "migrations"}
    assert settings.SECRET_KEY not in (folder / "manifest.json").read_text()
    password = connection.settings_dict.get("PASSWORD")
    assert not password or password not in set(strings(manifest))


def strings(value: object) -> list[str]:
    """Every string in a JSON value."""
    if isinstance(value, dict):
        return [*value, *(text for item in value.values() for text in strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return [value] if isinstance(value, str) else []


def test_keep_days_deletes_only_the_old_backups(db, media, tmp_path):
    backups = tmp_path / "backups"
    now = dt.datetime.now(dt.UTC)
    old, recent = (now - dt.timedelta(days=20)), (now - dt.timedelta(days=2))
    for moment in (old, recent):
        folder = backups / moment.strftime("%Y%m%dT%H%M%SZ")
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text("{}")
    (backups / "20000101T000000Z-kept-by-hand").mkdir()

    folder = create_backup(tmp_path, keep_days=14)

    assert sorted(path.name for path in backups.iterdir()) == sorted(
        [recent.strftime("%Y%m%dT%H%M%SZ"), folder.name, "20000101T000000Z-kept-by-hand"]
    )
    with pytest.raises(CommandError, match="at least 1"):
        call_command("backup_create", output=backups, keep_days=0)


def test_a_backup_is_never_written_inside_media_root(db, media, settings):
    with pytest.raises(CommandError, match="must not be inside MEDIA_ROOT"):
        call_command("backup_create", output=settings.MEDIA_ROOT / "backups")
    assert not (settings.MEDIA_ROOT / "backups").exists()


@pytest.mark.parametrize("part", ["database", "media"])
def test_a_damaged_backup_is_refused_by_restore_and_verify(db, media, tmp_path, part):
    folder = create_backup(tmp_path)
    damaged = folder / manifest_of(folder)[part]["file"]
    content = bytearray(damaged.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    (settings.MEDIA_ROOT / "notes.txt").write_bytes(b"written after the backup")

    with pytest.raises(CommandError, match=r"is damaged .* nothing was restored"):
        call_command("backup_restore", str(folder), yes=True, stdout=io.StringIO())
    assert (settings.MEDIA_ROOT / "notes.txt").read_bytes() == b"written after the backup"

    out = io.StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("backup_verify", str(folder), stdout=out)
    assert f"mismatch: the {'database dump' if part == 'database' else 'media archive'}" in (
        out.getvalue()
    )


def test_restore_needs_yes_without_a_terminal_and_a_real_backup(db, media, tmp_path, monkeypatch):
    folder = create_backup(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))
    with pytest.raises(CommandError, match="without --yes"):
        call_command("backup_restore", str(folder), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not a backup made by backup_create"):
        call_command("backup_restore", str(tmp_path), yes=True, stdout=io.StringIO())
    with pytest.raises(CommandError, match="not a backup made by backup_create"):
        call_command("backup_verify", str(tmp_path), stdout=io.StringIO())


def test_a_missing_pg_dump_is_a_clear_error(db, media, tmp_path, monkeypatch):
    require(connection.vendor == "postgresql", "PostgreSQL")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="pg_dump was not found"):
        call_command("backup_create", output=tmp_path / "backups")
    assert list((tmp_path / "backups").iterdir()) == []


def _report(version: int, content: bytes, *, sha: str | None = None) -> Report:
    report = Report(
        kind=Report.Kind.REGIONAL,
        scope="region",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 6, 30),
        language="fr",
        audience=Report.Audience.CORES,
        version=version,
        status=Report.Status.READY,
        sha256=sha if sha is not None else sha256(content),
    )
    report.pdf.save(f"report-{version}.pdf", ContentFile(content), save=False)
    report.save()
    return report


def test_verify_finds_missing_and_altered_stored_files(db, media):
    _report(1, b"%PDF-1.4 intact")
    _report(2, b"%PDF-1.4 altered", sha="0" * 64)
    Path(_report(3, b"%PDF-1.4 lost").pdf.path).unlink()
    _report(4, b"%PDF-1.4 no checksum recorded", sha="")

    out = io.StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("backup_verify", stdout=out)
    output = out.getvalue()
    assert "Stored files: 4 checked (2 against a SHA-256), 1 mismatch(es), 1 missing." in output
    assert "mismatch: reporting.Report" in output and "cores-fr-v2.pdf (SHA-256 differs" in output
    assert "missing: reporting.Report" in output and "cores-fr-v3.pdf" in output


# --- The round trip, as an operator runs it -------------------------------------------

SEED = """
import datetime as dt, hashlib, django
django.setup()
from django.core.files.base import ContentFile
from django.core.management import call_command
from reporting.models import Report

call_command("migrate", verbosity=0)
for version in (1, 2):
    content = f"%PDF-1.4 regional report v{version}\\n".encode() * 2000
    report = Report(
        kind="regional", scope="region", period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 6, 30), language="fr", audience="cores", version=version,
        status="ready", sha256=hashlib.sha256(content).hexdigest(),
    )
    report.pdf.save(f"regional-v{version}.pdf", ContentFile(content), save=False)
    report.save()
"""


class Scratch:
    """A database of its own for the commands' processes: PostgreSQL or a SQLite file."""

    def __init__(self, tmp_path: Path) -> None:
        self.vendor = connection.vendor
        db = connection.settings_dict
        if self.vendor == "postgresql":
            self.name = f"portal_backup_test_{uuid.uuid4().hex[:12]}"
            self.params = {
                "host": db["HOST"] or None,
                "port": db["PORT"] or None,
                "user": db["USER"],
                "password": db["PASSWORD"],
            }
            auth = f"{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@"
            self.url = f"postgres://{auth}{db['HOST']}:{db['PORT'] or 5432}/{self.name}"
        else:
            self.file = tmp_path / "portal.sqlite3"
            self.url = f"sqlite:///{self.file}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(**self.params, dbname="postgres", autocommit=True) as admin:
            admin.execute(sql)

    def create(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE template0')

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            self.file.unlink(missing_ok=True)

    def query(self, sql: str) -> list[tuple]:
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(**self.params, dbname=self.name) as conn:
                cursor = conn.execute(sql)
                return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        conn = sqlite3.connect(self.file)
        try:
            with conn:
                return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def reports(self) -> list[tuple]:
        return self.query("SELECT version, pdf, sha256 FROM reporting_report ORDER BY version")


def test_round_trip_backup_wipe_restore_verify(tmp_path):
    needs_pg_tools()
    scratch = Scratch(tmp_path)
    media_root, backup_root = tmp_path / "media", tmp_path / "backups"
    env = {
        **{k: v for k, v in os.environ.items() if k != "CELERY_WORKER_TEST_DB"},
        "DJANGO_SETTINGS_MODULE": "coordination.settings.test",
        "DATABASE_URL": scratch.url,
        "MEDIA_ROOT": str(media_root),
        "BACKUP_ROOT": str(backup_root),
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )

    scratch.create()
    try:
        seeded = run("-c", SEED)
        assert seeded.returncode == 0, seeded.stderr
        (media_root / "stray note.txt").write_bytes(b"a file no row names")
        before = scratch.reports()
        assert len(before) == 2
        pdfs = {name: (media_root / name).read_bytes() for _, name, _ in before}
        assert all(sha256(pdfs[name]) == sha for _, name, sha in before)

        created = run("manage.py", "backup_create")
        assert created.returncode == 0, created.stderr
        (folder,) = backup_root.iterdir()

        # The reports and their files are lost; the restore replaces the live database.
        shutil.rmtree(media_root)
        scratch.query("DELETE FROM reporting_report")
        restored = run("manage.py", "backup_restore", str(folder), "--yes")
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "3 media file(s) restored" in restored.stdout
        verified = run("manage.py", "backup_verify", str(folder))
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert (
            "Stored files: 2 checked (2 against a SHA-256), 0 mismatch(es), 0 missing."
            in verified.stdout
        )
        # The backup itself: the dump, the archive and the three files inside.
        assert "5 checked (5 against a SHA-256), 0 mismatch(es), 0 missing." in verified.stdout
        assert scratch.reports() == before
        assert {name: (media_root / name).read_bytes() for name in pdfs} == pdfs
        assert (media_root / "stray note.txt").read_bytes() == b"a file no row names"

        # A new machine: no media files, an empty database.
        shutil.rmtree(media_root)
        scratch.drop()
        scratch.create()
        restored = run("manage.py", "backup_restore", str(folder), "--yes")
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert scratch.reports() == before
        # Every PDF matches its recorded checksum but one altered after the restore.
        first = media_root / before[0][1]
        first.write_bytes(first.read_bytes() + b"tampered")
        altered = run("manage.py", "backup_verify")
        assert altered.returncode == 1
        assert "2 checked (2 against a SHA-256), 1 mismatch(es), 0 missing." in altered.stdout
    finally:
        scratch.drop()
