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


@pytest.fixture
def fake_replica(settings, monkeypatch, transactional_db):
    """`replica_1` as a second connection to the test database itself, on either engine; the
    test sets what its state check answers (`fake_replica.status = ReplicaStatus(...)`)."""
    from django.db import connections

    from config import replicas
    from config.tests import replica

    class FakeReplica:
        alias = "replica_1"
        status = replicas.ReplicaStatus(up=True, replay_lsn=0, lag=0.0)

        def point_at(self, **changes) -> None:
            """Point the alias elsewhere (a database that isn't there, say)."""
            replica.detach(self.alias)
            replica.attach(self.alias, {**connections["default"].settings_dict, **changes})

    fake = FakeReplica()
    fake.point_at()
    monkeypatch.setattr(replicas, "check", lambda alias: fake.status)
    settings.DATABASE_REPLICAS = [fake.alias]
    settings.REPLICA_CHECK_INTERVAL = 0
    settings.REPLICA_RETRY_AFTER = 0
    replicas.reset()
    yield fake
    replica.detach(fake.alias)
    replicas.reset()


@pytest.fixture
def streaming_replica(settings, transactional_db):
    """The alias of a real streaming replica of the test database, caught up, checked afresh
    on every request. Skipped unless the PostgreSQL pass has DATABASE_REPLICA_URLS."""
    from django.db import connection, connections

    from config import replicas
    from config.tests import replica

    if connection.vendor != "postgresql":
        pytest.skip("read replicas are PostgreSQL streaming replicas (the PostgreSQL pass)")
    if not replica.CONFIGURED:
        pytest.skip(
            "no DATABASE_REPLICA_URLS: .ci/run starts a streaming replica for the PostgreSQL "
            "pass (.ci/replica start), and exports it"
        )
    alias, configured = next(iter(replica.CONFIGURED.items()))
    replica.attach(alias, {**configured, "NAME": connections["default"].settings_dict["NAME"]})
    settings.DATABASE_REPLICAS = [alias]
    settings.REPLICA_CHECK_INTERVAL = 0
    settings.REPLICA_RETRY_AFTER = 0
    replicas.reset()
    replica.wait_until(
        lambda: _answers(alias), timeout=30, what=f"{alias} to accept connections"
    )
    replica.wait_for_replay(alias)
    yield alias
    # Leave the standby as found: started and replaying.
    if replica.pgdata() and not _answers(alias):
        replica.pg_ctl("start", "-w", "-l", f"{replica.pgdata()}/../log")
        replica.wait_until(lambda: _answers(alias), timeout=30, what=f"{alias} to start")
    replica.fetch(alias, "SELECT pg_wal_replay_resume()::text")
    replica.detach(alias)
    replicas.reset()


def _answers(alias: str) -> bool:
    from django.db import DatabaseError, connections

    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        connections[alias].close()
        return False
