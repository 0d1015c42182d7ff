"""The figures of `manage.py dbstats` and the admin's database page."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections

from config.backups import backup_latest
from config.dbinfo import database_size, engine_label, row_counts


@dataclass
class DatabaseStats:
    engine: str
    name: str
    size_bytes: int
    tables: dict[str, int] = field(default_factory=dict)
    last_backup: dict | None = None

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())


def database_stats(
    *, using: str = DEFAULT_DB_ALIAS, backup_dir: Path | None = None
) -> DatabaseStats:
    """Engine, database name, size, rows per table and the newest backup's manifest."""
    conn = connections[using]
    return DatabaseStats(
        engine=engine_label(conn),
        name=str(conn.settings_dict["NAME"]),
        size_bytes=database_size(using),
        tables=row_counts(using),
        last_backup=backup_latest(backup_dir),
    )


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
