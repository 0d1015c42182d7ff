import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from config.audit import audit_prune


class Command(BaseCommand):
    help = (
        "Delete audit log entries older than AUDITLOG_RETENTION_DAYS (or --days), in batches, "
        "with progress and a summary. 0 days in the setting keeps everything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="override the setting")
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, **options):
        days = settings.AUDITLOG_RETENTION_DAYS if options["days"] is None else options["days"]
        if days < 0:
            raise CommandError("--days must be 0 or more")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be positive")
        if days == 0:
            self.stdout.write("prune_auditlog: retention is 0 (keep everything); nothing deleted")
            return
        started = time.monotonic()
        bar = None

        def progress(done, total):
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, desc="auditlog entries", unit="rows", file=self.stderr)
            bar.update(done - bar.n)

        try:
            deleted = audit_prune(
                older_than_days=days, batch_size=options["batch_size"], progress=progress
            )
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"prune_auditlog: {deleted} entries older than {days} days deleted "
                f"in {time.monotonic() - started:.1f} s"
            )
        )
