"""Connection settings: psycopg's pool (DATABASE_POOL) or persistent connections (CONN_MAX_AGE),
and PgBouncer in transaction mode (DATABASE_PGBOUNCER)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from config.tests.appservers import PORT_RANGE, AppServer
from venues.models import Interest
from venues.tests.factories import MemberFactory, VenueFactory

PG_URL = "postgres://postgres@127.0.0.1:5432/backend"


def database_settings(**environ: str) -> dict:
    """config/settings.py's DATABASES["default"] in a fresh process with this environment."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "CONN_MAX_AGE", "TEST_DATABASE_NAME"))
    }
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x", **environ},
        capture_output=True,
        text=True,
        check=True,
    )
    database = json.loads(result.stdout)
    return {key: database[key] for key in ("CONN_MAX_AGE", "OPTIONS")} | {
        "DISABLE_SERVER_SIDE_CURSORS": database.get("DISABLE_SERVER_SIDE_CURSORS", False)
    }


def test_persistent_connections_without_the_pool():
    assert database_settings(DATABASE_URL=PG_URL) == {
        "CONN_MAX_AGE": 60,
        "OPTIONS": {"options": "-c jit=off", "prepare_threshold": 5},
        "DISABLE_SERVER_SIDE_CURSORS": False,
    }
    assert database_settings(DATABASE_URL=PG_URL, DATABASE_POOL="0", CONN_MAX_AGE="0") == {
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"options": "-c jit=off", "prepare_threshold": 5},
        "DISABLE_SERVER_SIDE_CURSORS": False,
    }


def test_the_pool_replaces_persistent_connections():
    assert database_settings(DATABASE_URL=PG_URL, DATABASE_POOL="1", CONN_MAX_AGE="60") == {
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            "options": "-c jit=off",
            "prepare_threshold": 5,
            "pool": {"min_size": 1, "max_size": 4, "timeout": 10.0},
        },
        "DISABLE_SERVER_SIDE_CURSORS": False,
    }
    assert database_settings(
        DATABASE_URL=PG_URL,
        DATABASE_POOL="true",
        DATABASE_POOL_MIN_SIZE="0",
        DATABASE_POOL_MAX_SIZE="8",
        DATABASE_POOL_TIMEOUT="2.5",
    )["OPTIONS"]["pool"] == {"min_size": 0, "max_size": 8, "timeout": 2.5}


def test_pgbouncer_gets_no_startup_options_and_no_server_side_cursors():
    assert database_settings(DATABASE_URL=PG_URL, DATABASE_PGBOUNCER="1") == {
        "CONN_MAX_AGE": 60,
        "OPTIONS": {},
        "DISABLE_SERVER_SIDE_CURSORS": True,
    }
    assert database_settings(DATABASE_URL=PG_URL, DATABASE_PGBOUNCER="1", DATABASE_POOL="1") == {
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"pool": {"min_size": 1, "max_size": 4, "timeout": 10.0}},
        "DISABLE_SERVER_SIDE_CURSORS": True,
    }


def test_sqlite_ignores_the_postgresql_connection_settings(tmp_path):
    database = database_settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DATABASE_POOL="1",
        DATABASE_PGBOUNCER="1",
    )

    assert database["CONN_MAX_AGE"] == 60  # persistent, as on PostgreSQL without the pool
    assert "pool" not in database["OPTIONS"]
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is False


@pytest.mark.django_db(transaction=True)
def test_a_server_with_the_pool_answers_reads_and_writes(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the pool is psycopg's: PostgreSQL only")
    venue = VenueFactory()
    member = MemberFactory()
    server = AppServer(PORT_RANGE[2], tmp_path, DATABASE_POOL="1", DATABASE_POOL_MAX_SIZE="2")
    try:
        server.wait_until_up()
        toggled = server.request(
            "POST", "/luna/interests", {"user_id": member.pk, "venue_id": venue.pk}
        )
        read = server.request("GET", f"/luna/venues/{venue.pk}")
    finally:
        server.stop()

    assert toggled[0] == 200
    assert (read[0], read[1]["interested_users"]) == (
        200,
        [{"id": member.pk, "name": member.name, "avatar": member.avatar}],
    )
    assert Interest.objects.filter(member=member, venue=venue).count() == 1
