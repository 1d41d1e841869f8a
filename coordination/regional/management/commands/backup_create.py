"""Write one backup folder: the database dump, the media archive and their manifest.

    manage.py backup_create                     # into BACKUP_ROOT/<UTC time>/
    manage.py backup_create --output DIR        # into DIR/<UTC time>/
    manage.py backup_create --keep-days 14      # and delete the backups older than 14 days

The work is in `coordination/backups/services.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coordination.backups import services as backups


class Command(BaseCommand):
    help = "Back up the database and the media files into one verified folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, help="Folder to write the backup into (default BACKUP_ROOT)."
        )
        parser.add_argument(
            "--keep-days",
            type=int,
            metavar="N",
            help="After the backup, delete those of the same folder older than N days.",
        )

    def handle(
        self, *args: Any, output: Path | None = None, keep_days: int | None = None, **options: Any
    ) -> None:
        try:
            created = backups.backup_create(root=output, keep_days=keep_days)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        database, media = created.manifest["database"], created.manifest["media"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {created.path}: {database['engine']} database "
                f"({_size(database['size'])}), {len(media['files'])} media file(s) "
                f"({_size(media['size'])} archived)."
            )
        )
        if created.pruned:
            self.stdout.write(
                f"Deleted {len(created.pruned)} backup(s) older than {keep_days} days: "
                + ", ".join(path.name for path in created.pruned)
            )


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.0f} KB"
