from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from tqdm import tqdm

from config.transfer import TransferError, transfer_run


class Command(BaseCommand):
    help = (
        "Move everything from this database to another one (--to DATABASE_URL, e.g. "
        "postgres://user@host:5432/name): migrates the target, copies every table in "
        "dependency order in batches in one transaction, resets sequences, and verifies row "
        "counts and a checksum per table. The target must hold no data unless --force is "
        "given, which empties it first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, metavar="DATABASE_URL", dest="target")
        parser.add_argument(
            "--force", action="store_true", help="empty a target that already holds data"
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="source alias")

    def handle(self, *args, **options):
        bars: dict[str, tqdm] = {}

        def progress(table: str, done: int, total: int) -> None:
            bar = bars.get(table)
            if bar is None:
                bar = bars[table] = tqdm(total=total, desc=table, unit="rows", file=self.stderr)
            bar.update(done - bar.n)
            if done >= total:
                bar.close()

        try:
            report = transfer_run(
                target=options["target"],
                using=options["database"],
                force=options["force"],
                batch_size=options["batch_size"],
                progress=progress,
            )
        except TransferError as error:
            raise CommandError(str(error)) from error
        finally:
            for bar in bars.values():
                bar.close()

        width = max([len(check.table) for check in report.tables] + [5])
        self.stdout.write(f"  {'table':<{width}}  {'source':>9}  {'target':>9}  checksum")
        for check in report.tables:
            verdict = (
                "ok" if check.ok else f"MISMATCH {check.source_checksum} {check.target_checksum}"
            )
            self.stdout.write(
                f"  {check.table:<{width}}  {check.source_rows:>9}  {check.target_rows:>9}  {verdict}"
            )
        if report.skipped_tables:
            self.stdout.write(f"  not copied (no model): {', '.join(report.skipped_tables)}")
        if not report.ok:
            names = ", ".join(check.table for check in report.tables if not check.ok)
            raise CommandError(f"transfer: the copy differs from the source in {names}")
        rate = report.rows / report.seconds if report.seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"transfer: {report.rows} rows in {len(report.tables)} tables from "
                f"{report.source_engine} to {report.target_engine}, all verified "
                f"({report.seconds:.1f} s: copy {report.copy_seconds:.1f} s, verify "
                f"{report.verify_seconds:.1f} s; {rate:,.0f} rows/s)"
            )
        )
