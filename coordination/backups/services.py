"""Backups of the database and the media files, verified before anything is replaced.

A backup is one folder named by its UTC time (`20250301T013000Z`), written under a hidden
temporary name and renamed when complete, readable by its owner only:

- `database.dump`: `pg_dump --format=custom` (SQLite: `database.sqlite3`, a copy taken
  with SQLite's online backup API);
- `media.tar.gz`: every stored file (the default storage: MEDIA_ROOT, or the bucket of
  S3-compatible object storage), read and written through the storage API only;
- `manifest.json`: versions, the last migration per app, the size and SHA-256 of the dump
  and the archive, and the path, size and SHA-256 of every media file. No secret.

The management commands `backup_create`, `backup_restore` and `backup_verify` are thin
wrappers around the functions here; every refusal is a `BackupError` with a sentence
for the operator.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import connection, connections, models
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
NAME_FORMAT = "%Y%m%dT%H%M%SZ"
NAME_PATTERN = re.compile(r"^\d{8}T\d{6}Z$")
MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1 << 20
TOOL_TIMEOUT = 3600  # seconds: a dump or a restore that takes longer is stuck


class BackupError(Exception):
    """A backup could not be written, read or restored; the message says why."""


# --- Checksums ---------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stream_sha256(handle: Any) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


# --- Create ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    path: Path
    manifest: dict[str, Any]
    pruned: list[Path]


def backup_create(*, root: Path | None = None, keep_days: int | None = None) -> Created:
    """Write a complete backup folder under `root` (default BACKUP_ROOT) and return it.

    With `keep_days`, the backups of the same folder older than that many days are
    deleted afterwards, and only after this one succeeded.
    """
    if keep_days is not None and keep_days < 1:
        raise BackupError("--keep-days must be at least 1: the new backup would be deleted.")
    root = Path(root or settings.BACKUP_ROOT).resolve()
    media_root = _local_media_root()
    if media_root is not None and (root == media_root or root.is_relative_to(media_root)):
        raise BackupError(
            f"The backup folder {root} must not be inside MEDIA_ROOT ({media_root}): "
            "the media archive would hold the backups, and the web server could serve them."
        )
    engine = connection.vendor
    if engine not in DUMP_FILES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")
    if engine == "postgresql" and not shutil.which("pg_dump"):
        # Checked before anything is written: no empty folder is left behind.
        root.mkdir(parents=True, exist_ok=True)
        raise BackupError(
            "pg_dump was not found on PATH: install the PostgreSQL client programs of the "
            "server's major version (Debian: postgresql-client)."
        )
    root.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    final = root / now.strftime(NAME_FORMAT)
    if final.exists():
        raise BackupError(f"{final} already exists: wait a second and try again.")
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=root))  # mode 0700
    try:
        dump = work / DUMP_FILES[engine]
        _dump_database(engine, dump)
        archive = work / MEDIA_ARCHIVE
        files = _archive_media(default_storage, archive)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "portal_version": portal_version(),
            "django_version": django.get_version(),
            "database": {
                "engine": engine,
                "file": dump.name,
                "size": dump.stat().st_size,
                "sha256": file_sha256(dump),
                "migrations": _last_migrations(),
            },
            "media": {
                "file": archive.name,
                "size": archive.stat().st_size,
                "sha256": file_sha256(archive),
                "files": files,
            },
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        for path in work.iterdir():
            path.chmod(0o600)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    pruned = prune(root=root, keep_days=keep_days, keep=final) if keep_days else []
    return Created(path=final, manifest=manifest, pruned=pruned)


def prune(*, root: Path, keep_days: int, keep: Path) -> list[Path]:
    """Delete the backup folders of `root` older than `keep_days` days, never `keep`.

    Only folders named exactly like a backup are considered: a folder an operator renamed
    (`20250301T013000Z-before-upgrade`) is kept.
    """
    limit = dt.datetime.now(dt.UTC) - dt.timedelta(days=keep_days)
    pruned = []
    for path in sorted(root.iterdir()):
        if not path.is_dir() or path == keep or not NAME_PATTERN.match(path.name):
            continue
        taken = dt.datetime.strptime(path.name, NAME_FORMAT).replace(tzinfo=dt.UTC)
        if taken < limit:
            shutil.rmtree(path)
            pruned.append(path)
    return pruned


def portal_version() -> str:
    try:
        return metadata.version("coordination-portal")
    except metadata.PackageNotFoundError:
        pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
        return str(tomllib.loads(pyproject.read_text())["project"]["version"])


def _last_migrations() -> dict[str, str]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    last: dict[str, str] = {}
    for app, name in recorder.migration_qs.order_by("app", "name").values_list("app", "name"):
        last[app] = name
    return last


def _pg_params() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL tools; the password goes in the environment."""
    db = connection.settings_dict
    args = ["--no-password"]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run_tool(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(  # noqa: S603 (fixed programs, no shell)
            command, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False
        )
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} was not found on PATH.") from exc
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{what} did not finish within {TOOL_TIMEOUT} s.") from exc
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-3:]
        raise BackupError(f"{what} failed (exit {result.returncode}): " + " / ".join(detail))


def _dump_database(engine: str, target: Path) -> None:
    if engine == "postgresql":
        args, env = _pg_params()
        name = str(connection.settings_dict["NAME"])
        _run_tool(
            ["pg_dump", "--format=custom", "--file", str(target), *args, "--dbname", name],
            env,
            "pg_dump",
        )
        return
    connection.ensure_connection()
    source = connection.connection
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()


def _local_media_root() -> Path | None:
    """MEDIA_ROOT when the files are in a local folder; None with object storage."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.location).resolve()
    return None


def _stored_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name of the storage, sorted, through its API (a folder or a bucket)."""
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(names):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _stored_files(storage, f"{folder}/{sub}" if folder else sub)


class _Hashing:
    """A reader that hashes what passes through it (tarfile reads the stored file once)."""

    def __init__(self, handle: Any):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _archive_media(storage: Storage, archive: Path) -> list[dict[str, Any]]:
    files = []
    with tarfile.open(archive, "w:gz") as tar:
        for name in _stored_files(storage):
            info = tarfile.TarInfo(name)
            info.size = storage.size(name)
            try:
                info.mtime = int(storage.get_modified_time(name).timestamp())
            except NotImplementedError:
                info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
            info.mode = 0o600
            with storage.open(name, "rb") as handle:
                reader = _Hashing(handle)
                tar.addfile(info, reader)
            if reader.size != info.size:
                raise BackupError(f"The stored file {name} changed while it was archived.")
            files.append({"path": name, "size": info.size, "sha256": reader.digest.hexdigest()})
    return files


# --- Load and verify a backup folder -----------------------------------------------------


@dataclass
class Verification:
    """The outcome of a check: counts, and one line per missing or mismatching file."""

    checked: int = 0
    with_checksum: int = 0
    missing: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatched


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict[str, Any]

    @property
    def created_at(self) -> str:
        return str(self.manifest["created_at"])

    @property
    def file_count(self) -> int:
        return len(self.manifest["media"]["files"])

    @property
    def dump(self) -> Path:
        return self.path / self.manifest["database"]["file"]

    @property
    def archive(self) -> Path:
        return self.path / self.manifest["media"]["file"]


def _read_manifest(path: Path) -> dict[str, Any]:
    not_a_backup = BackupError(f"{path} is not a backup made by backup_create (no valid manifest).")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise not_a_backup from exc
    try:
        valid = (
            manifest["format"] == FORMAT
            and manifest["database"]["engine"] in DUMP_FILES
            and manifest["database"]["file"] in DUMP_FILES.values()
            and manifest["media"]["file"] == MEDIA_ARCHIVE
            and isinstance(manifest["media"]["files"], list)
        )
    except (KeyError, TypeError) as exc:
        raise not_a_backup from exc
    if not valid:
        raise not_a_backup
    return manifest


def _check_part(path: Path, expected: dict[str, Any], label: str, result: Verification) -> None:
    result.checked += 1
    result.with_checksum += 1
    if not path.is_file():
        result.missing.append(f"the {label} ({path.name})")
        return
    size, sha = path.stat().st_size, file_sha256(path)
    if size != expected.get("size") or sha != expected.get("sha256"):
        result.mismatched.append(
            f"the {label} ({path.name}: {size} bytes, SHA-256 {sha[:12]}…, "
            f"the manifest says {expected.get('size')} bytes, {str(expected.get('sha256'))[:12]}…)"
        )


def backup_verify(*, path: Path) -> Verification:
    """Check a backup folder: its dump, its archive and each file inside the archive."""
    backup = Backup(path=path, manifest=_read_manifest(path))
    result = Verification()
    _check_part(backup.dump, backup.manifest["database"], "database dump", result)
    _check_part(backup.archive, backup.manifest["media"], "media archive", result)
    expected = {entry["path"]: entry for entry in backup.manifest["media"]["files"]}
    found: set[str] = set()
    try:
        with tarfile.open(backup.archive, "r:gz") as tar:
            for member in tar:
                if not member.isfile() or member.name not in expected:
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                size, sha = _stream_sha256(handle)
                found.add(member.name)
                entry = expected[member.name]
                result.checked += 1
                result.with_checksum += 1
                if size != entry["size"] or sha != entry["sha256"]:
                    result.mismatched.append(f"media file {member.name} (SHA-256 differs)")
    except (OSError, EOFError, tarfile.TarError, zlib.error) as exc:
        result.mismatched.append(f"the media archive cannot be read to the end ({exc})")
        return result
    for name in sorted(set(expected) - found):
        result.checked += 1
        result.missing.append(f"media file {name} (not in the archive)")
    return result


def backup_load(*, path: Path) -> Backup:
    """Read a backup folder and check its dump and archive; refuse a damaged one."""
    path = Path(path)
    backup = Backup(path=path, manifest=_read_manifest(path))
    result = Verification()
    _check_part(backup.dump, backup.manifest["database"], "database dump", result)
    _check_part(backup.archive, backup.manifest["media"], "media archive", result)
    if not result.ok:
        problems = "; ".join(result.missing + result.mismatched)
        raise BackupError(f"The backup {path} is damaged ({problems}): nothing was restored.")
    engine = backup.manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(
            f"The backup holds a {engine} database and this portal uses {connection.vendor}: "
            "nothing was restored."
        )
    return backup


# --- Restore -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    database: str
    files: int
    left_in_place: int


def backup_restore(*, backup: Backup) -> Restored:
    """Replace the database and the stored files with those of a loaded (checked) backup.

    The media files are unpacked and checked first, in a temporary folder; the database is
    restored all or nothing; then each file is written to the storage (MEDIA_ROOT or the
    bucket) under its own name, replacing the file of that name. Files the backup does not
    hold are left in place.
    """
    staging = Path(tempfile.mkdtemp(prefix=".restore-"))
    try:
        unpacked = _unpack_media(backup, staging)
        database = _restore_database(backup)
        existing = set(_stored_files(default_storage))
        for name in unpacked:
            _put(default_storage, name, staging / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Restored(
        database=database, files=len(unpacked), left_in_place=len(existing - set(unpacked))
    )


def _unpack_media(backup: Backup, staging: Path) -> list[str]:
    expected = {entry["path"]: entry for entry in backup.manifest["media"]["files"]}
    try:
        with tarfile.open(backup.archive, "r:gz") as tar:
            members = [m for m in tar.getmembers() if m.isfile() and m.name in expected]
            tar.extractall(staging, members=members, filter="data")
    except (OSError, EOFError, tarfile.TarError, zlib.error) as exc:
        raise BackupError(
            f"The media archive cannot be unpacked ({exc}): nothing was restored."
        ) from exc
    for relative, entry in expected.items():
        path = staging / relative
        if not path.is_file() or file_sha256(path) != entry["sha256"]:
            raise BackupError(
                f"The media file {relative} in the backup is missing or damaged: "
                "nothing was restored."
            )
    return sorted(expected)


def _put(storage: Storage, name: str, source: Path) -> None:
    """Write ``source`` to the storage as ``name`` exactly (the rows name it so)."""
    if storage.exists(name):
        storage.delete(name)
    with source.open("rb") as handle:
        saved = storage.save(name, File(handle, name=name))
    if saved != name:
        raise BackupError(f"The storage kept {name} as {saved}: restore it by hand.")


def _restore_database(backup: Backup) -> str:
    db = connection.settings_dict
    name = str(db["NAME"])
    if connection.vendor == "postgresql":
        if not shutil.which("pg_restore"):
            raise BackupError(
                "pg_restore was not found on PATH: install the PostgreSQL client programs of "
                "the server's major version (Debian: postgresql-client). Nothing was restored."
            )
        connections.close_all()
        args, env = _pg_params()
        _run_tool(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                *args,
                "--dbname",
                name,
                str(backup.dump),
            ],
            env,
            "pg_restore",
        )
        return name
    connection.ensure_connection()
    source = sqlite3.connect(backup.dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connections.close_all()
    return name


# --- Verify the live files ---------------------------------------------------------------


def _file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField):
                yield model, model_field


def live_verify() -> Verification:
    """Check that every file a model names exists, and matches its recorded SHA-256."""
    result = Verification()
    for model, file_field in _file_fields():
        label = model._meta.label
        has_sha = any(f.name == "sha256" for f in model._meta.concrete_fields)
        columns = ["pk", file_field.name, *(["sha256"] if has_sha else [])]
        rows = model._default_manager.exclude(**{file_field.name: ""}).values_list(*columns)
        storage = file_field.storage
        for row in rows.order_by("pk").iterator():
            pk, name = row[0], row[1]
            if not name:
                continue
            recorded = row[2] if has_sha else ""
            result.checked += 1
            where = f"{label} {pk} {name}"
            if not storage.exists(name):
                result.missing.append(where)
                continue
            if not recorded:
                continue
            result.with_checksum += 1
            digest = hashlib.sha256()
            with storage.open(name, "rb") as handle:
                for chunk in iter(lambda: handle.read(CHUNK), b""):
                    digest.update(chunk)
            if digest.hexdigest() != recorded:
                result.mismatched.append(f"{where} (SHA-256 differs from the recorded one)")
    return result
