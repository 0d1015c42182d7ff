"""Fixtures for the data-safety tests: real SQLite files next to the test database."""

import shutil

import pytest
from django.core.management import call_command

from config.dbinfo import add_database, remove_database


def sqlite_settings(path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # As config/settings.py runs production SQLite.
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        },
    }


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory, django_db_setup, django_db_blocker):
    """One SQLite file migrated once per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    with django_db_blocker.unblock():
        add_database("sqlite_template", sqlite_settings(path))
        try:
            call_command("migrate", database="sqlite_template", verbosity=0)
        finally:
            remove_database("sqlite_template")
    return path


@pytest.fixture
def sqlite_file_database(tmp_path, migrated_sqlite_file, django_db_blocker):
    """Factory: a migrated SQLite file database reachable as `connections[alias]`.

    Tests using it are not marked django_db: the files are their own isolation, and the
    services under test need real autocommit connections (no test transaction around them).
    Keep writes off the default (test) database: wrap ORM writes in `audit_bulk_write()`.
    """
    aliases = []

    def make(alias: str, *, migrate: bool = True) -> str:
        path = tmp_path / f"{alias}.sqlite3"
        if migrate:
            shutil.copyfile(migrated_sqlite_file, path)
        add_database(alias, sqlite_settings(path))
        aliases.append(alias)
        return alias

    with django_db_blocker.unblock():
        yield make
        for alias in aliases:
            remove_database(alias)


def pytest_terminal_summary(terminalreporter):
    """How much the schemathesis run sent, for CI logs and the closing note of issue 10."""
    import sys

    module = sys.modules.get("config.tests.test_schemathesis")
    if module is not None and module.requests_sent:
        terminalreporter.write_line(
            f"schemathesis: {len(module.requests_sent)} operations, "
            f"{sum(module.requests_sent.values())} requests "
            f"(at most {module.MAX_EXAMPLES} generated examples each, seed {module.SEED})"
        )
