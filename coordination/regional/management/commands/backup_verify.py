"""Check the stored files against the database, and a backup folder against its manifest.

    manage.py backup_verify        # every file a model names exists; recorded SHA-256 match
    manage.py backup_verify DIR    # and the backup in DIR: dump, archive, each media file

Prints a summary and exits 1 on any missing or mismatching file. The work is in
`coordination/backups/services.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coordination.backups import services as backups


class Command(BaseCommand):
    help = "Verify the stored files (and a backup folder) against their recorded checksums."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, nargs="?", metavar="DIR", help="A backup folder to verify too."
        )

    def handle(self, *args: Any, path: Path | None = None, **options: Any) -> None:
        results = [("Stored files", backups.live_verify())]
        if path is not None:
            try:
                results.append((f"Backup {path}", backups.backup_verify(path=path)))
            except backups.BackupError as exc:
                raise CommandError(str(exc)) from exc
        problems = 0
        for label, result in results:
            for line in result.missing:
                self.stdout.write(f"missing: {line}")
            for line in result.mismatched:
                self.stdout.write(f"mismatch: {line}")
            summary = (
                f"{label}: {result.checked} checked ({result.with_checksum} against a "
                f"SHA-256), {len(result.mismatched)} mismatch(es), {len(result.missing)} missing."
            )
            self.stdout.write(self.style.SUCCESS(summary) if result.ok else summary)
            problems += len(result.mismatched) + len(result.missing)
        if problems:
            raise CommandError(f"{problems} problem(s) found.")
