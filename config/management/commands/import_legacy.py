import importlib
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from config import legacy
from config.legacy import ImportReport, LegacyImportError


def load_importer(app: str):
    """The `run` function of APP's legacy importer (config.legacy.IMPORTERS)."""
    valid = ", ".join(sorted(legacy.IMPORTERS))
    module_path = legacy.IMPORTERS.get(app)
    if module_path is None:
        raise CommandError(f"Unknown app '{app}'; valid apps: {valid}")
    try:
        module = importlib.import_module(module_path)
    except ModuleNotFoundError as error:
        if error.name and (module_path + ".").startswith(error.name + "."):
            raise CommandError(
                f"The importer for '{app}' is not available yet: module {module_path} "
                "does not exist"
            ) from error
        raise
    run = getattr(module, "run", None)
    if not callable(run):
        raise CommandError(f"{module_path} has no run(source, *, dry_run, progress) function")
    return run


class Command(BaseCommand):
    help = (
        "Import an original app's store (APP is one of config.legacy.IMPORTERS: luna, pupmatch, "
        "yago, edgesoul, learning; SOURCE is its file, folder or database URL). Validates "
        "everything first, writes in one transaction under the audit actor `migration`, never "
        "duplicates on a second run, and prints rows read, written, unchanged and rejected per "
        "table. --dry-run validates only."
    )

    def add_arguments(self, parser):
        parser.add_argument("app", help="luna, pupmatch, yago, edgesoul or learning")
        parser.add_argument("source", help="the legacy store: SQLite file, folder or URL")
        parser.add_argument("--dry-run", action="store_true", help="validate, write nothing")

    def handle(self, *args, **options):
        run = load_importer(options["app"])
        dry_run = options["dry_run"]
        bars: dict[str, tqdm] = {}

        def progress(table: str, done: int, total: int) -> None:
            bar = bars.get(table)
            if bar is None:
                bar = bars[table] = tqdm(
                    total=total, desc=table, unit="rows", file=self.stderr, leave=True
                )
            bar.total = total
            bar.update(done - bar.n)

        started = time.monotonic()
        try:
            # The importers write in one transaction themselves; this one also guarantees
            # that a failed or dry run leaves nothing behind, whatever an importer does.
            # Audited as `command:import_legacy` (config.audit.install_command_actor).
            with transaction.atomic():
                report = run(options["source"], dry_run=dry_run, progress=progress)
                if dry_run:
                    transaction.set_rollback(True)
        except LegacyImportError as error:
            raise CommandError(f"{error} (nothing was written)") from error
        finally:
            for bar in bars.values():
                bar.close()
        self.print_report(report, dry_run, time.monotonic() - started)

    def print_report(self, report: ImportReport, dry_run: bool, seconds: float) -> None:
        tables = list(report.tables.values())
        width = max([len(table.table) for table in tables] + [5])
        self.stdout.write(
            f"  {'table':<{width}}  {'read':>8}  {'written':>8}  {'unchanged':>9}  {'rejected':>8}"
        )
        for table in tables:
            self.stdout.write(
                f"  {table.table:<{width}}  {table.read:>8}  {table.written:>8}  "
                f"{table.unchanged:>9}  {len(table.rejected):>8}"
            )
            for reason in table.rejected:
                self.stdout.write(f"      rejected: {reason}")
        read = sum(table.read for table in tables)
        written = sum(table.written for table in tables)
        rate = f", {read / seconds:,.0f} rows/s" if seconds > 0 else ""
        if dry_run:
            summary = f"import_legacy {report.app}: dry run, {read} rows valid, nothing written"
        else:
            summary = f"import_legacy {report.app}: {read} rows read, {written} written"
        self.stdout.write(self.style.SUCCESS(f"{summary} ({seconds:.1f} s{rate})"))
