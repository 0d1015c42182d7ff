"""`import_legacy learning FOLDER`: the learning app's JSON folder, through the shared interface."""

from config.legacy import ImportReport, Progress

from .importer import import_learning_folder


def run(source: str, *, dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import the old app's JSON folder (see memory.learning.importer); backups go to BACKUP_DIR."""
    return import_learning_folder(source, dry_run=dry_run, progress=progress)
