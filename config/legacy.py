"""`manage.py import_legacy APP SOURCE`: the shared shape of the legacy importers.

Each app's importer lives in its own module (see IMPORTERS) and exposes
`run(source: str, *, dry_run: bool = False, progress: Progress | None = None) -> ImportReport`.
It reads the original store, validates everything before writing, writes in one transaction,
never duplicates on a second run, and raises LegacyImportError naming the table and row on
bad input (nothing written).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

IMPORTERS = {
    "luna": "venues.legacy",
    "pupmatch": "matching.legacy",
    "yago": "projects.legacy",
    "edgesoul": "memory.edgesoul.legacy",
    "learning": "memory.learning.legacy",
}

# progress(table, done, total): called as rows are read/written so commands can draw a bar.
Progress = Callable[[str, int, int], None]


class LegacyImportError(Exception):
    """Bad legacy input: the message names the table (or file) and the row (or record)."""

    def __init__(self, table: str, row: object, problem: str):
        self.table, self.row, self.problem = table, row, problem
        super().__init__(f"{table}, row {row}: {problem}")


@dataclass
class TableReport:
    table: str
    read: int = 0
    written: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)  # one reason per rejected row


@dataclass
class ImportReport:
    app: str
    source: str
    dry_run: bool = False
    tables: dict[str, TableReport] = field(default_factory=dict)

    def table(self, name: str) -> TableReport:
        return self.tables.setdefault(name, TableReport(name))
