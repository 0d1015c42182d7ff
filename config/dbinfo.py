"""What is in a database: tables, row counts, size and migration state, on either engine.

Shared by `backup`, `restore`, `transfer` and `dbstats` (command and admin page).
"""

from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

# Tables an extension owns (PostGIS): created and filled by CREATE EXTENSION, not by us.
EXTENSION_TABLES = frozenset({"spatial_ref_sys"})
# Tables `migrate` fills by itself: a database holding only these is still "empty".
MIGRATE_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})


def engine_label(conn: BaseDatabaseWrapper) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(conn.vendor, conn.vendor)


def table_names(conn: BaseDatabaseWrapper) -> list[str]:
    """Every table of the database except the extensions' own."""
    with conn.cursor() as cursor:
        names = conn.introspection.table_names(cursor)
    return sorted(set(names) - EXTENSION_TABLES)


def count_rows(cursor, tables: list[str], quote=None) -> dict[str, int]:
    quote = quote or (lambda name: '"' + name.replace('"', '""') + '"')
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def row_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows per table, table names sorted."""
    conn = connections[using]
    tables = table_names(conn)
    with conn.cursor() as cursor:
        return count_rows(cursor, tables, conn.ops.quote_name)


def is_empty(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True when no table holds rows beyond what `migrate` writes by itself."""
    return not any(
        count for table, count in row_counts(using).items() if table not in MIGRATE_TABLES
    )


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """Applied migrations per app: {"accounts": ["0001_initial"], ...}."""
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return {}
    state: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        state.setdefault(app, []).append(name)
    return state


def sqlite_path(conn: BaseDatabaseWrapper) -> Path | None:
    """The file of a SQLite database, None for an in-memory one."""
    if conn.is_in_memory_db():
        return None
    return Path(conn.settings_dict["NAME"])


def database_size(using: str = DEFAULT_DB_ALIAS) -> int:
    """Bytes the database takes: the whole PostgreSQL database, or SQLite's pages."""
    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return pages * cursor.fetchone()[0]


def database_settings(url: str) -> dict:
    """Django settings for a DATABASE_URL, engines normalized as config/settings.py does."""
    import environ

    config = environ.Env.db_url_config(url)
    if config["ENGINE"] in (
        "django.db.backends.sqlite3",
        "django.contrib.gis.db.backends.spatialite",
    ):
        config["ENGINE"] = "django.db.backends.sqlite3"
    elif "postg" in config["ENGINE"]:
        config["ENGINE"] = "config.postgresql"
    return config


def add_database(alias: str, url_or_settings: str | dict) -> BaseDatabaseWrapper:
    """Make another database reachable as `connections[alias]` at run time."""
    config = (
        database_settings(url_or_settings)
        if isinstance(url_or_settings, str)
        else dict(url_or_settings)
    )
    config.pop("TEST", None)
    configured = connections.configure_settings(
        {DEFAULT_DB_ALIAS: connections.settings[DEFAULT_DB_ALIAS], alias: config}
    )
    connections.settings[alias] = configured[alias]
    return connections[alias]


def remove_database(alias: str) -> None:
    """Close and forget a database added with add_database."""
    if alias in connections.settings:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]
