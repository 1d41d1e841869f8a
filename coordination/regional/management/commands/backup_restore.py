"""Restore a backup folder: the database and the media files, after checking its checksums.

    manage.py backup_restore BACKUP_ROOT/20250301T013000Z          # asks for confirmation
    manage.py backup_restore BACKUP_ROOT/20250301T013000Z --yes    # scripts (no terminal)

Stop the portal (web, worker, beat) first. The work is in `coordination/backups/services.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coordination.backups import services as backups


class Command(BaseCommand):
    help = "Replace the database and the media files with a verified backup."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, metavar="DIR", help="The backup folder.")
        parser.add_argument(
            "--yes", action="store_true", help="Restore without asking (needed without a terminal)."
        )

    def handle(self, *args: Any, path: Path, yes: bool = False, **options: Any) -> None:
        try:
            backup = backups.backup_load(path=path)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backup of {backup.created_at} (portal {backup.manifest['portal_version']}, "
            f"{backup.file_count} media file(s)): checksums verified."
        )
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("Refusing to restore without --yes: no terminal to confirm.")
            question = (
                f'This replaces the database "{settings.DATABASES["default"]["NAME"]}" and the '
                f"files in {settings.MEDIA_ROOT}. Type yes to restore: "
            )
            try:
                answer = input(question)
            except (EOFError, KeyboardInterrupt):
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was restored.")
        try:
            restored = backups.backup_restore(backup=backup)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f'Database "{restored.database}" restored; {restored.files} media file(s) '
                f"restored into {settings.MEDIA_ROOT}"
                + (
                    f" ({restored.left_in_place} other file(s) left in place)."
                    if restored.left_in_place
                    else "."
                )
            )
        )
        self.stdout.write(
            "If this portal is newer than the backup, run `manage.py migrate`, then "
            "`manage.py backup_verify`."
        )
