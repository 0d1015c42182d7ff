"""Replica lag at scrape time: read from each replica alias, a replica that is down is reported
down (never an error), and a database that is no standby reports nothing.

Not marked django_db: the aliases are added at run time, which a Django test case refuses;
the database blocker is lifted by hand as in config/tests/conftest.py.
"""

import pytest
from django.db import connection

from config import metrics
from config.dbinfo import add_database, remove_database


def samples(families) -> dict:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families
        for sample in family.samples
    }


@pytest.fixture
def database(django_db_blocker):
    added = []

    def add(alias: str, config: dict) -> None:
        add_database(alias, config)
        added.append(alias)

    with django_db_blocker.unblock():
        yield add
        for alias in added:
            remove_database(alias)


def test_a_replica_that_does_not_answer_is_down_not_an_error(database):
    database(
        "replica_down",
        {
            "ENGINE": "config.postgresql",
            "NAME": "nothing",
            "HOST": "127.0.0.1",
            "PORT": "8179",  # nothing listens here (the top of this worktree's port range)
            "USER": "postgres",
            "OPTIONS": {"connect_timeout": 2},
        },
    )

    assert samples(metrics.STATE._replicas()) == {
        ("db_replica_up", (("alias", "replica_down"),)): 0
    }


@pytest.mark.postgres
def test_a_database_that_is_not_a_standby_reports_no_lag(database):
    database("not_a_standby", {**connection.settings_dict})

    assert metrics.replica_lag("not_a_standby") is None
    assert samples(metrics.STATE._replicas()) == {}


def test_without_replicas_nothing_is_read():
    assert list(metrics.STATE._replicas()) == []
