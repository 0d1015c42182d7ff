import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from config.backup_runs import backup_check_and_copy
from config.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a consistent, timestamped backup of the database to BACKUP_DIR while the server "
        "keeps serving (SQLite online backup API, PostgreSQL pg_dump --format=custom), with a "
        "JSON manifest of the engine, migrations and rows per table; then compressed, verified "
        "and copied to the backups storage like a scheduled backup (older ones are not pruned)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="folder to write to (default BACKUP_DIR)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            backup = backup_create(using=options["database"], directory=options["dir"])
            backup, ok, detail, copied_to = backup_check_and_copy(backup)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        manifest = backup.manifest
        self.stdout.write(f"  file:     {backup.path}")
        self.stdout.write(f"  manifest: {backup.manifest_path}")
        self.stdout.write(
            f"  {manifest['engine']}, {len(manifest['tables'])} tables, "
            f"{manifest['total_rows']} rows, {manifest['size_bytes']} bytes"
        )
        self.stdout.write(f"  check:    {'ok' if ok else 'FAILED'}: {detail}")
        if copied_to:
            self.stdout.write(f"  copied:   {copied_to}")
        if not ok:
            raise CommandError(f"backup {backup.path.name} failed its check: {detail}")
        self.stdout.write(self.style.SUCCESS(f"backup: done in {time.monotonic() - started:.1f} s"))
