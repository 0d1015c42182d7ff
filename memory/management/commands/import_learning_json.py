from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from config.legacy import LegacyImportError
from memory.learning.importer import TABLES, import_learning_folder


class Command(BaseCommand):
    help = (
        "Import the old learning app's JSON files (profiles.json, approved_cards.json, "
        "chat_history.json) from FOLDER: everything is validated first, then written in one "
        "transaction; a second run adds nothing twice. The source files are copied to a "
        "backup folder and a verification report is printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and count only")
        parser.add_argument(
            "--backup-dir",
            type=Path,
            default=None,
            help="where to copy the source files (default: BACKUP_DIR)",
        )

    def handle(self, *args, folder: Path, dry_run: bool, backup_dir: Path | None, **options):
        bars: dict[str, tqdm] = {}

        def progress(table: str, done: int, total: int) -> None:
            bar = bars.get(table)
            if bar is None:
                # The wrapped stream itself: OutputWrapper would add a newline to every redraw.
                bar = bars[table] = tqdm(
                    total=total, desc=table, unit="row", file=self.stderr._out, leave=False
                )
            bar.update(done - bar.n)

        try:
            report = import_learning_folder(
                folder, dry_run=dry_run, backup_dir=backup_dir, progress=progress
            )
        except LegacyImportError as error:
            raise CommandError(f"nothing imported: {error}") from error
        finally:
            for bar in bars.values():
                bar.close()

        title = "Dry run (nothing written)" if dry_run else "Imported"
        self.stdout.write(f"{title}: {folder} ({', '.join(report.files)})")
        self.stdout.write(f"{'table':<18}{'read':>8}{'written':>9}{'skipped':>9}  reasons")
        for table in TABLES:
            stats = report.table(table)
            reasons = report.skipped(table)
            skipped = sum(reasons.values())
            why = "; ".join(f"{reason}: {count}" for reason, count in sorted(reasons.items()))
            self.stdout.write(
                f"{table:<18}{stats.read:>8}{stats.written:>9}{skipped:>9}  {why}".rstrip()
            )
        if report.backup:
            self.stdout.write(f"source files copied to {report.backup}")
        self.stdout.write(self.style.SUCCESS(f"done in {report.seconds:.3f} s"))
