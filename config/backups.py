"""Online backups and restores, verified against a manifest.

A backup is two files in BACKUP_DIR with one timestamped stem:
`backup-20261126-141500.sqlite3` (SQLite, written by SQLite's online backup API) or
`backup-20261126-141500.dump` (PostgreSQL, `pg_dump --format=custom`), and
`backup-20261126-141500.json`, the manifest: engine, time, applied migrations and the row
count of every table *in the backup itself* (SQLite: counted in the copy; PostgreSQL: counted
in the same snapshot pg_dump reads). Both are written under a temporary name first and the
manifest last, so a backup with a manifest is complete.

The server keeps serving meanwhile: SQLite's backup API copies a consistent snapshot while
readers and WAL writers go on; pg_dump reads one MVCC snapshot without blocking writers.
"""

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from config.dbinfo import (
    EXTENSION_TABLES,
    count_rows,
    is_empty,
    row_counts,
    table_names,
)

MANIFEST_FORMAT = 1
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}
GZIP_SUFFIX = ".gz"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest_path: Path
    manifest: dict


@dataclass
class TableCheck:
    table: str
    expected: int | None  # None: the table is not in the backup
    actual: int | None  # None: the table is missing after the restore

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


@dataclass
class RestoreReport:
    backup: Path
    engine: str
    created_at: str
    tables: list[TableCheck] = field(default_factory=list)
    pending_migrations: int = 0  # the backup predates this many of the code's migrations

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.tables)

    @property
    def mismatches(self) -> list[TableCheck]:
        return [check for check in self.tables if not check.ok]


def backup_create(*, using: str = DEFAULT_DB_ALIAS, directory: Path | None = None) -> Backup:
    """Write a consistent, timestamped backup of the database and its manifest."""
    conn = connections[using]
    if conn.vendor not in SUFFIXES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {conn.vendor}")
    directory = Path(directory or settings.BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    created_at = timezone.now()
    stem = _free_stem(directory, created_at, SUFFIXES[conn.vendor])
    path = directory / f"{stem}{SUFFIXES[conn.vendor]}"
    partial = path.with_name(path.name + ".partial")
    try:
        if conn.vendor == "sqlite":
            counts, migrations = _backup_sqlite(conn, partial)
        else:
            counts, migrations = _backup_postgresql(conn, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    manifest = {
        "format": MANIFEST_FORMAT,
        "file": path.name,
        "engine": conn.vendor,
        "created_at": created_at.isoformat(),
        "size_bytes": path.stat().st_size,
        "migrations": migrations,
        "tables": counts,
        "total_rows": sum(counts.values()),
    }
    manifest_path = directory / f"{stem}.json"
    _write_json(manifest_path, manifest)
    return Backup(path=path, manifest_path=manifest_path, manifest=manifest)


def manifest_for(path: Path) -> tuple[Path, dict]:
    """The backup file and manifest for FILE, which may name either of the two."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path}: no such file")
    stem_path = path.with_suffix("") if path.suffix == GZIP_SUFFIX else path
    manifest_path = path if path.suffix == ".json" else stem_path.with_suffix(".json")
    if not manifest_path.exists():
        raise BackupError(f"{path}: its manifest {manifest_path.name} is missing")
    try:
        manifest = json.loads(manifest_path.read_text())
        data_path = manifest_path.with_name(manifest["file"])
        manifest["engine"], manifest["tables"]  # noqa: B018 - required keys
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{manifest_path}: not a backup manifest ({error})") from error
    if not data_path.exists():
        raise BackupError(f"{manifest_path}: its backup file {data_path.name} is missing")
    return data_path, manifest


def backup_restore(
    *, path: Path, using: str = DEFAULT_DB_ALIAS, replace: bool = False
) -> RestoreReport:
    """Restore a backup into the database, then check every table's rows against the manifest.

    Refuses (BackupError) when the database already holds data unless `replace` is true.
    """
    data_path, manifest = manifest_for(path)
    conn = connections[using]
    if manifest["engine"] != conn.vendor:
        raise BackupError(
            f"{data_path.name} is a {manifest['engine']} backup and this database is "
            f"{conn.vendor}; use `manage.py transfer` to move data between engines"
        )
    if not replace and not is_empty(using):
        raise BackupError(
            "The database is not empty; pass --yes to replace its contents with the backup"
        )
    if conn.in_atomic_block:
        raise BackupError("Cannot restore inside a transaction")
    with _uncompressed(data_path) as plain_path:
        if conn.vendor == "sqlite":
            _restore_sqlite(conn, plain_path)
        else:
            _restore_postgresql(conn, plain_path)
    ContentType.objects.clear_cache()
    return RestoreReport(
        backup=data_path,
        engine=manifest["engine"],
        created_at=manifest.get("created_at", ""),
        tables=_compare_counts(manifest["tables"], row_counts(using)),
        pending_migrations=_pending_migrations(conn),
    )


def backup_list(directory: Path | None = None) -> list[dict]:
    """Manifests of the complete backups in BACKUP_DIR, newest first."""
    directory = Path(directory or settings.BACKUP_DIR)
    manifests = []
    for manifest_path in directory.glob("*.json"):
        try:
            manifest = json.loads(manifest_path.read_text())
            if (directory / manifest["file"]).exists():
                manifests.append({**manifest, "manifest": manifest_path.name})
        except (ValueError, KeyError, TypeError):
            continue
    return sorted(manifests, key=lambda manifest: manifest.get("created_at", ""), reverse=True)


def backup_latest(directory: Path | None = None) -> dict | None:
    manifests = backup_list(directory)
    return manifests[0] if manifests else None


# --- SQLite --------------------------------------------------------------------------------
def _backup_sqlite(conn: BaseDatabaseWrapper, target_path: Path):
    conn.ensure_connection()
    with closing(sqlite3.connect(target_path)) as target:
        # One step (pages=-1): the copy is one consistent snapshot of the source.
        conn.connection.backup(target)
        # A self-contained single file, whatever journal mode the live database uses.
        target.execute("PRAGMA journal_mode=DELETE")
        cursor = target.cursor()
        tables = _sqlite_tables(cursor)
        counts = count_rows(cursor, tables)
        migrations = _sqlite_migrations(cursor, tables)
        cursor.close()
    return counts, migrations


def _restore_sqlite(conn: BaseDatabaseWrapper, data_path: Path) -> None:
    conn.ensure_connection()
    with closing(sqlite3.connect(f"file:{data_path}?mode=ro", uri=True)) as source:
        _check_sqlite_file(source, data_path)
        # Copies every page into the live database under its write lock; other connections
        # see the restored contents from their next transaction.
        source.backup(conn.connection)


def _check_sqlite_file(source: sqlite3.Connection, data_path: Path) -> None:
    try:
        result = source.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{data_path.name}: not a readable SQLite backup ({error})") from error
    if result != "ok":
        raise BackupError(f"{data_path.name}: the backup is damaged ({result})")


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [name for (name,) in cursor.fetchall() if name not in EXTENSION_TABLES]


def _sqlite_migrations(cursor, tables: list[str]) -> dict[str, list[str]]:
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    state: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        state.setdefault(app, []).append(name)
    return state


# --- PostgreSQL ----------------------------------------------------------------------------
def _backup_postgresql(conn: BaseDatabaseWrapper, target_path: Path):
    _require_program("pg_dump")
    # A second session holds one REPEATABLE READ snapshot: pg_dump dumps exactly that
    # snapshot and the manifest counts the same rows in it.
    snapshot = connections.create_connection(conn.alias)
    try:
        snapshot.set_autocommit(False)
        with snapshot.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            _run_pg(
                "pg_dump",
                conn.settings_dict,
                "--format=custom",
                f"--snapshot={snapshot_id}",
                f"--file={target_path}",
            )
            tables = table_names(snapshot)
            counts = count_rows(cursor, tables, snapshot.ops.quote_name)
            migrations: dict[str, list[str]] = {}
            if "django_migrations" in tables:
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
                for app, name in cursor.fetchall():
                    migrations.setdefault(app, []).append(name)
        snapshot.rollback()
    finally:
        snapshot.close()
    return counts, migrations


def _restore_postgresql(conn: BaseDatabaseWrapper, data_path: Path) -> None:
    _require_program("pg_restore")
    # Our own session must not hold locks on the tables pg_restore drops.
    conn.close()
    _run_pg(
        "pg_restore",
        conn.settings_dict,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        str(data_path),
    )


def _require_program(program: str) -> None:
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed (PostgreSQL client tools are needed)")


def pg_environment(settings_dict: dict) -> dict[str, str]:
    """libpq environment variables for a Django PostgreSQL settings dict."""
    env = dict(os.environ)
    options = settings_dict.get("OPTIONS", {})
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    for key, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(key):
            env[variable] = str(options[key])
    return env


def _run_pg(program: str, settings_dict: dict, *args: str) -> None:
    env = pg_environment(settings_dict)
    command = [program, "--no-password", f"--dbname={env.get('PGDATABASE', '')}", *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip() or result.returncode}")


# --- Compression and checks ----------------------------------------------------------------
@contextmanager
def _uncompressed(data_path: Path):
    """The backup as a plain file: itself, or a temporary copy when it is gzip-compressed."""
    if data_path.suffix != GZIP_SUFFIX:
        yield data_path
        return
    handle, name = tempfile.mkstemp(prefix=".restore-", suffix=data_path.stem, dir=data_path.parent)
    try:
        with os.fdopen(handle, "wb") as plain, gzip.open(data_path, "rb") as packed:
            shutil.copyfileobj(packed, plain, 1024 * 1024)
        yield Path(name)
    except (OSError, EOFError) as error:
        raise BackupError(f"{data_path.name}: not a readable gzip file ({error})") from error
    finally:
        Path(name).unlink(missing_ok=True)


def backup_compress(backup: Backup) -> Backup:
    """gzip a SQLite backup (PostgreSQL's custom format is compressed already)."""
    if backup.manifest["engine"] != "sqlite" or backup.path.suffix == GZIP_SUFFIX:
        return backup
    packed = backup.path.with_name(backup.path.name + GZIP_SUFFIX)
    partial = packed.with_name(packed.name + ".partial")
    try:
        with open(backup.path, "rb") as plain, gzip.open(partial, "wb", compresslevel=6) as out:
            shutil.copyfileobj(plain, out, 1024 * 1024)
        os.replace(partial, packed)
    finally:
        partial.unlink(missing_ok=True)
    manifest = {
        **backup.manifest,
        "file": packed.name,
        "compression": "gzip",
        "uncompressed_bytes": backup.manifest["size_bytes"],
        "size_bytes": packed.stat().st_size,
    }
    _write_json(backup.manifest_path, manifest)
    backup.path.unlink()
    return Backup(path=packed, manifest_path=backup.manifest_path, manifest=manifest)


def backup_verify(path: Path) -> tuple[bool, str]:
    """Read the whole backup back and compare it with its manifest: (ok, what was found).

    SQLite: `PRAGMA integrity_check` on a decompressed copy and the rows of every table against
    the manifest. PostgreSQL: `pg_restore -f /dev/null` reads every block of the dump, and its
    table of contents must list every table of the manifest.
    """
    try:
        data_path, manifest = manifest_for(path)
        if manifest.get("size_bytes") != data_path.stat().st_size:
            return (
                False,
                f"size {data_path.stat().st_size} bytes, manifest says {manifest.get('size_bytes')}",
            )
        with _uncompressed(data_path) as plain_path:
            if manifest["engine"] == "sqlite":
                return _verify_sqlite(plain_path, manifest)
            return _verify_postgresql(plain_path, manifest)
    except BackupError as error:
        return False, str(error)


def _verify_sqlite(plain_path: Path, manifest: dict) -> tuple[bool, str]:
    try:
        with closing(sqlite3.connect(f"file:{plain_path}?mode=ro", uri=True)) as copy:
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                return False, f"integrity_check: {result}"
            cursor = copy.cursor()
            counts = count_rows(cursor, _sqlite_tables(cursor))
    except sqlite3.DatabaseError as error:
        return False, f"not a readable SQLite database ({error})"
    wrong = [check.table for check in _compare_counts(manifest["tables"], counts) if not check.ok]
    if wrong:
        return False, f"row counts differ from the manifest in {', '.join(wrong)}"
    return (
        True,
        f"integrity_check ok; {len(counts)} tables, {sum(counts.values())} rows as in the manifest",
    )


def _verify_postgresql(plain_path: Path, manifest: dict) -> tuple[bool, str]:
    _require_program("pg_restore")
    read = subprocess.run(
        ["pg_restore", "--file=/dev/null", str(plain_path)], capture_output=True, text=True
    )
    if read.returncode != 0:
        return False, f"pg_restore could not read it: {read.stderr.strip()[:500]}"
    listing = subprocess.run(
        ["pg_restore", "--list", str(plain_path)], capture_output=True, text=True
    )
    # "215; 0 16390 TABLE DATA public accounts_user postgres"
    listed = {
        line.split(" TABLE DATA ")[1].split()[1]
        for line in listing.stdout.splitlines()
        if " TABLE DATA " in line
    }
    missing = sorted(
        table for table, rows in manifest["tables"].items() if rows and table not in listed
    )
    if missing:
        return False, f"tables of the manifest missing from the dump: {', '.join(missing)}"
    return True, f"pg_restore read it whole; {len(manifest['tables'])} tables as in the manifest"


def backup_delete(manifest: dict, directory: Path) -> None:
    (directory / manifest["file"]).unlink(missing_ok=True)
    (directory / manifest["manifest"]).unlink(missing_ok=True)


def backups_to_keep(manifests: list[dict], *, daily: int, weekly: int) -> list[dict]:
    """Retention: the newest backup of each of the `daily` latest days that have one, then the
    newest of each of the `weekly` latest ISO weeks before those days. Newest first in, out."""
    dated = [(m, _parse_time(m.get("created_at", ""))) for m in manifests]
    dated = [(m, created) for m, created in dated if created is not None]
    days: dict = {}
    for manifest, created in dated:
        if created.date() not in days and len(days) < daily:
            days[created.date()] = manifest
    oldest_day = min(days) if days else None
    weeks: dict = {}
    for manifest, created in dated:
        if oldest_day is not None and created.date() >= oldest_day:
            continue
        week = created.isocalendar()[:2]
        if week not in weeks and len(weeks) < weekly:
            weeks[week] = manifest
    kept = {id(m) for m in [*days.values(), *weeks.values()]}
    return [m for m in manifests if id(m) in kept]


def backup_prune(*, daily: int, weekly: int, directory: Path | None = None) -> list[str]:
    """Delete the backups retention does not keep; their file names."""
    directory = Path(directory or settings.BACKUP_DIR)
    manifests = backup_list(directory)
    kept = {manifest["file"] for manifest in backups_to_keep(manifests, daily=daily, weekly=weekly)}
    removed = []
    for manifest in manifests:
        if manifest["file"] not in kept:
            backup_delete(manifest, directory)
            removed.append(manifest["file"])
    return removed


def _parse_time(value: str):
    from django.utils.dateparse import parse_datetime

    try:
        return parse_datetime(value)
    except ValueError:
        return None


# --- helpers -------------------------------------------------------------------------------
def _free_stem(directory: Path, created_at, suffix: str) -> str:
    base = f"backup-{created_at:%Y%m%d-%H%M%S}"
    stem, number = base, 1
    while (directory / f"{stem}{suffix}").exists() or (directory / f"{stem}.json").exists():
        number += 1
        stem = f"{base}-{number}"
    return stem


def _write_json(path: Path, data: dict) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(partial, path)


def _pending_migrations(conn: BaseDatabaseWrapper) -> int:
    executor = MigrationExecutor(conn)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _compare_counts(expected: dict[str, int], actual: dict[str, int]) -> list[TableCheck]:
    return [
        TableCheck(table, expected.get(table), actual.get(table))
        for table in sorted(set(expected) | set(actual))
    ]
