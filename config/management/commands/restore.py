import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from config.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` (FILE is the backup or its manifest), "
        "then check the rows of every table against the manifest. Refuses to overwrite a "
        "database that holds data unless --yes is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup file (.sqlite3 / .dump) or its .json manifest")
        parser.add_argument(
            "--yes", action="store_true", help="replace the data of a non-empty database"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            report = backup_restore(
                path=options["file"], using=options["database"], replace=options["yes"]
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"  restored {report.backup.name} ({report.engine}, {report.created_at})")
        width = max((len(check.table) for check in report.tables), default=5)
        self.stdout.write(f"  {'table':<{width}}  {'manifest':>10}  {'restored':>10}")
        for check in report.tables:
            expected = "-" if check.expected is None else check.expected
            actual = "-" if check.actual is None else check.actual
            mark = "" if check.ok else "  MISMATCH"
            self.stdout.write(f"  {check.table:<{width}}  {expected:>10}  {actual:>10}{mark}")
        if not report.ok:
            names = ", ".join(check.table for check in report.mismatches)
            raise CommandError(f"restore: row counts differ from the manifest in {names}")
        if report.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"  the backup predates {report.pending_migrations} migrations of this "
                    "code: run `manage.py migrate`"
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"restore: {len(report.tables)} tables match the manifest "
                f"({time.monotonic() - started:.1f} s)"
            )
        )
