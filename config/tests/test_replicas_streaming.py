"""Read replicas against a real PostgreSQL streaming replica (the PostgreSQL pass of .ci/run).

The replica is a hot standby of the primary cluster; its alias is named after the primary's test
database, which replication copies there by itself. The tests commit (transactional), since
rows of a test transaction that never commits never reach a replica. Skipped on SQLite and on
a PostgreSQL pass without DATABASE_REPLICA_URLS (`streaming_replica` says why).
"""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from config import replicas
from config.replicas import parse_lsn
from config.tests import replica
from venues.models import Venue
from venues.tests.factories import MemberFactory, VenueFactory


def queries_per_alias(alias, call):
    """The response, and how many statements each database was sent (failed ones too)."""
    sent = {alias: 0, DEFAULT_DB_ALIAS: 0}

    def counter(name):
        def count(execute, sql, params, many, context):
            sent[name] += 1
            return execute(sql, params, many, context)

        return count

    with (
        connections[alias].execute_wrapper(counter(alias)),
        connections[DEFAULT_DB_ALIAS].execute_wrapper(counter(DEFAULT_DB_ALIAS)),
    ):
        response = call()
    return response, sent[alias], sent[DEFAULT_DB_ALIAS]


def venue_detail(client, venue_id):
    return lambda: client.get(f"/luna/venues/{venue_id}")


def test_reads_land_on_the_replica(streaming_replica, api_client):
    venue = VenueFactory(name="Blue Bottle")
    replica.wait_for_replay(streaming_replica)

    response, on_replica, on_primary = queries_per_alias(
        streaming_replica, venue_detail(api_client, venue.pk)
    )

    assert response.status_code == 200
    assert response.json()["venue"]["name"] == "Blue Bottle"
    # The state check, the venue with its interests; on the primary only the check's WAL position.
    assert (on_replica, on_primary) == (2, 1)
    assert replica.fetch(streaming_replica, "SELECT pg_is_in_recovery()") is True


def test_a_write_is_visible_to_the_same_clients_next_read(streaming_replica, api_client):
    member, venue = MemberFactory(), VenueFactory()
    replica.wait_for_replay(streaming_replica)
    replica.fetch(streaming_replica, "SELECT pg_wal_replay_pause()::text")  # the replica lags

    toggled = api_client.post(
        "/luna/interests", {"user_id": member.pk, "venue_id": venue.pk}, format="json"
    )
    position = parse_lsn(toggled.headers["X-Write-LSN"])
    read, on_replica, on_primary = queries_per_alias(
        streaming_replica, venue_detail(api_client, venue.pk)
    )

    assert toggled.status_code == 200
    assert toggled.cookies["write_lsn"].value == toggled.headers["X-Write-LSN"]
    assert [user["id"] for user in read.json()["interested_users"]] == [member.pk]
    assert (on_replica, on_primary) == (1, 2)  # checked, behind the client's write: primary

    replica.fetch(streaming_replica, "SELECT pg_wal_replay_resume()::text")
    replica.wait_until(
        lambda: replicas.check(streaming_replica).replay_lsn >= position,
        what="the replica to replay the write",
    )
    read, on_replica, on_primary = queries_per_alias(
        streaming_replica, venue_detail(api_client, venue.pk)
    )

    assert [user["id"] for user in read.json()["interested_users"]] == [member.pk]
    assert (on_replica, on_primary) == (2, 1)  # replayed past the write: the replica


def test_a_stale_replica_is_skipped(streaming_replica, api_client, settings):
    venue = VenueFactory(name="Before")
    replica.wait_for_replay(streaming_replica)
    replica.fetch(streaming_replica, "SELECT pg_wal_replay_pause()::text")
    Venue.objects.filter(pk=venue.pk).update(name="After")  # another client's write
    replica.wait_for_receipt(streaming_replica)
    settings.REPLICA_MAX_LAG = 1.0
    time.sleep(1.5)  # the replayed commit before the pause is now more than 1 s old

    status = replicas.check(streaming_replica)
    response, on_replica, on_primary = queries_per_alias(
        streaming_replica, venue_detail(api_client, venue.pk)
    )

    assert status.up is True
    assert status.lag > 1.0
    assert response.json()["venue"]["name"] == "After"
    assert (on_replica, on_primary) == (1, 2)  # checked and skipped

    # The same paused replica, allowed to lag an hour: it serves, and it is really stale.
    settings.REPLICA_MAX_LAG = 3600
    response, on_replica, on_primary = queries_per_alias(
        streaming_replica, venue_detail(api_client, venue.pk)
    )

    assert response.json()["venue"]["name"] == "Before"
    assert (on_replica, on_primary) == (2, 1)


@pytest.mark.skipif(
    not replica.pgdata(), reason="REPLICA_PGDATA (the standby's data folder) is not set"
)
def test_stopping_the_replica_mid_run_loses_nothing_and_raises_no_error(
    streaming_replica, api_client, settings, caplog
):
    member, venue = MemberFactory(), VenueFactory(name="Blue Bottle")
    replica.wait_for_replay(streaming_replica)
    settings.REPLICA_CHECK_INTERVAL = 3600  # the replica stays "up" in this process's cache
    settings.REPLICA_RETRY_AFTER = 3600
    replicas.reset()
    assert queries_per_alias(streaming_replica, venue_detail(api_client, venue.pk))[1:] == (2, 1)

    replica.pg_ctl("stop", "-m", "fast", "-w")
    read = api_client.get(f"/luna/venues/{venue.pk}")  # its connection is gone mid-run
    toggled = api_client.post(
        "/luna/interests", {"user_id": member.pk, "venue_id": venue.pk}, format="json"
    )
    after, on_replica, on_primary = queries_per_alias(
        streaming_replica, venue_detail(api_client, venue.pk)
    )

    assert read.status_code == 200
    assert read.json()["venue"]["name"] == "Blue Bottle"
    assert toggled.status_code == 200
    assert [user["id"] for user in after.json()["interested_users"]] == [member.pk]
    assert (on_replica, on_primary) == (0, 1)  # known down: not even tried
    assert "replica replica_1 failed mid-request" in caplog.text

    replica.pg_ctl("start", "-w", "-l", f"{replica.pgdata()}/../log")
    replica.wait_until(lambda: replicas.check(streaming_replica).up, timeout=30, what="restart")
    replica.wait_for_replay(streaming_replica)
    replicas.reset()
    api_client.cookies.clear()  # a client that didn't write: reads where the replica is
    after, on_replica, on_primary = queries_per_alias(
        streaming_replica, venue_detail(api_client, venue.pk)
    )

    assert [user["id"] for user in after.json()["interested_users"]] == [member.pk]
    assert (on_replica, on_primary) == (2, 1)
