"""A real streaming replica for the PostgreSQL pass (.ci/run starts one; .ci/replica does it).

conftest.py moves the aliases of DATABASE_REPLICA_URLS here before the test databases are
made; the `streaming_replica` fixture (config/tests/conftest.py) adds one back, named after
the primary's test database, which physical replication copies to the standby by itself.
REPLICA_PGDATA (the standby's data folder) lets a test stop and start it with pg_ctl.
"""

import os
import shlex
import subprocess
import time
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend

from config.replicas import parse_lsn

CONFIGURED: dict[str, dict] = {}
# The newest server's pg_ctl, as .ci/replica picks the newest cluster.
PG_CTL = max(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), default=Path("pg_ctl"))


def attach(alias: str, settings_dict: dict) -> None:
    """Make `connections[alias]` a connection of this thread only, unknown to the test case.

    Django's test cases refuse queries to every alias of settings.DATABASES a test doesn't
    declare, and flush every one it declares (a standby can't be flushed). A connection that is
    not in the settings is a "dynamically created connection", which they allow.
    """
    config = dict(settings_dict)
    config.pop("TEST", None)
    config = connections.configure_settings({DEFAULT_DB_ALIAS: config, alias: config})[alias]
    wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    setattr(connections._connections, alias, wrapper)


def detach(alias: str) -> None:
    wrapper = getattr(connections._connections, alias, None)
    if wrapper is not None:
        wrapper.close()
        delattr(connections._connections, alias)


def fetch(alias: str, sql: str):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def primary_lsn() -> int:
    return parse_lsn(fetch(DEFAULT_DB_ALIAS, "SELECT pg_current_wal_lsn()::text"))


def wait_until(condition, *, timeout: float = 20.0, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def wait_for_replay(alias: str) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    target = primary_lsn()
    wait_until(
        lambda: parse_lsn(fetch(alias, "SELECT pg_last_wal_replay_lsn()::text")) >= target,
        what=f"{alias} to replay the primary's WAL",
    )


def wait_for_receipt(alias: str) -> None:
    """Until the replica has received (not necessarily replayed) what the primary wrote."""
    target = primary_lsn()
    wait_until(
        lambda: parse_lsn(fetch(alias, "SELECT pg_last_wal_receive_lsn()::text") or "0/0")
        >= target,
        what=f"{alias} to receive the primary's WAL",
    )


def pgdata() -> str | None:
    return os.environ.get("REPLICA_PGDATA") or None


def pg_ctl(*arguments: str) -> None:
    """pg_ctl on the standby's data folder, as the postgres user."""
    command = [str(PG_CTL), "-D", pgdata(), *arguments]
    if os.geteuid() == 0:
        command = ["su", "postgres", "-c", shlex.join(command)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
