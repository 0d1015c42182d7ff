"""The replica router and middleware without a real replica, on both engines.

`fake_replica` is a second connection to the test database whose state check the test sets;
config/tests/test_replicas_streaming.py runs the same paths against a real streaming replica.
"""

import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache.backends.db import DatabaseCache
from django.db import DEFAULT_DB_ALIAS, connection, connections, router, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework_api_key.models import APIKey

from config import replicas
from config.models import ApplicationKey
from config.replicas import ReplicaStatus, format_lsn, parse_lsn
from memory.edgesoul.models import CompanionProfile
from venues.models import Interest, Venue
from venues.tests.factories import MemberFactory, VenueFactory

real_check = replicas.check  # before fake_replica replaces it


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0/0", 0),
        ("0/3000148", 0x3000148),
        ("1/0", 1 << 32),
        ("1/4EF3FE0", (1 << 32) + 0x4EF3FE0),
        ("ffffffff/ffffffff", (1 << 64) - 1),
    ],
)
def test_parse_lsn_reads_postgresql_positions(text, value):
    assert parse_lsn(text) == value
    assert format_lsn(value) == text.upper()


@pytest.mark.parametrize(
    "text", [None, "", "0", "0/", "/0", "1/2/3", "123456789/0", "0/123456789", "g/0", " 0/1", "0/1 "]
)
def test_parse_lsn_refuses_anything_else(text):
    assert parse_lsn(text) is None


def test_replica_status_serves_up_to_the_lag_limit_and_from_the_clients_position():
    status = ReplicaStatus(up=True, replay_lsn=100, lag=5.0)

    assert status.serves(min_lsn=None, max_lag=5.0) is True
    assert status.serves(min_lsn=None, max_lag=4.9) is False
    assert status.serves(min_lsn=100, max_lag=5.0) is True
    assert status.serves(min_lsn=101, max_lag=5.0) is False
    assert ReplicaStatus(up=True, replay_lsn=100, lag=None).serves(min_lsn=None, max_lag=5) is False
    assert ReplicaStatus(up=False).serves(min_lsn=None, max_lag=5.0) is False


def test_without_replicas_the_router_leaves_every_choice_to_django(settings):
    settings.DATABASE_REPLICAS = []

    with replicas.request_routing(may_use_replica=True):
        assert router.db_for_read(Venue) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Venue) == DEFAULT_DB_ALIAS


def replica_and_primary_queries(client_call):
    with (
        CaptureQueriesContext(connections["replica_1"]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        response = client_call()
    return response, len(on_replica), len(on_primary)


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_safe_request_reads_from_the_replica(fake_replica, api_client, method):
    venue = VenueFactory(name="Blue Bottle")

    response, on_replica, on_primary = replica_and_primary_queries(
        lambda: getattr(api_client, method)(f"/luna/venues/{venue.pk}")
    )

    assert response.status_code == 200
    assert (on_replica, on_primary) == (1, 0)
    assert "X-Write-LSN" not in response.headers
    if method == "get":
        assert response.json()["venue"]["name"] == "Blue Bottle"


def test_a_write_request_reads_and_writes_on_the_primary_and_answers_its_position(
    fake_replica, api_client
):
    member, venue = MemberFactory(), VenueFactory()

    response, on_replica, on_primary = replica_and_primary_queries(
        lambda: api_client.post(
            "/luna/interests", {"user_id": member.pk, "venue_id": venue.pk}, format="json"
        )
    )

    assert response.status_code == 200
    assert on_replica == 0
    assert Interest.objects.filter(member=member, venue=venue).count() == 1
    if connection.vendor == "postgresql":
        position = response.headers["X-Write-LSN"]
        assert parse_lsn(position) is not None
        assert response.cookies["write_lsn"].value == position
        assert response.cookies["write_lsn"]["httponly"] is True
        assert response.cookies["write_lsn"]["max-age"] == 300
    else:  # no WAL position to give: SQLite has no replicas
        assert "X-Write-LSN" not in response.headers
        assert "write_lsn" not in response.cookies


@pytest.mark.parametrize("send", ["cookie", "header"])
def test_a_client_reads_from_the_primary_until_the_replica_replayed_its_write(
    fake_replica, api_client, send
):
    venue = VenueFactory()
    if send == "cookie":
        api_client.cookies["write_lsn"] = "0/200"
    else:
        api_client.credentials(HTTP_X_WRITE_LSN="0/200")

    fake_replica.status = ReplicaStatus(up=True, replay_lsn=0x1FF, lag=0.0)
    _, *behind = replica_and_primary_queries(lambda: api_client.get(f"/luna/venues/{venue.pk}"))
    fake_replica.status = ReplicaStatus(up=True, replay_lsn=0x200, lag=0.0)
    _, *caught_up = replica_and_primary_queries(lambda: api_client.get(f"/luna/venues/{venue.pk}"))

    assert behind == [0, 1]
    assert caught_up == [1, 0]


def test_the_newer_of_cookie_and_header_counts(fake_replica, api_client):
    venue = VenueFactory()
    fake_replica.status = ReplicaStatus(up=True, replay_lsn=0x200, lag=0.0)
    api_client.cookies["write_lsn"] = "0/100"
    api_client.credentials(HTTP_X_WRITE_LSN="0/201")

    _, on_replica, on_primary = replica_and_primary_queries(
        lambda: api_client.get(f"/luna/venues/{venue.pk}")
    )

    assert (on_replica, on_primary) == (0, 1)


@pytest.mark.parametrize("value", ["garbage", "0/", "-1/5", "0/1;0/2", "é/1", "1" * 300])
def test_a_malformed_position_is_ignored(fake_replica, api_client, value):
    venue = VenueFactory()
    api_client.cookies["write_lsn"] = value
    api_client.credentials(HTTP_X_WRITE_LSN=value)

    response, on_replica, on_primary = replica_and_primary_queries(
        lambda: api_client.get(f"/luna/venues/{venue.pk}")
    )

    assert response.status_code == 200
    assert (on_replica, on_primary) == (1, 0)


@pytest.mark.parametrize(
    ("status", "reads_replica"),
    [
        (ReplicaStatus(up=True, replay_lsn=0, lag=5.0), True),  # at the limit: serves
        (ReplicaStatus(up=True, replay_lsn=0, lag=5.01), False),
        (ReplicaStatus(up=True, replay_lsn=0, lag=None), False),
        (ReplicaStatus(up=False, reason="unreachable"), False),
    ],
)
def test_a_lagging_or_down_replica_is_skipped(
    fake_replica, api_client, settings, status, reads_replica
):
    settings.REPLICA_MAX_LAG = 5.0
    fake_replica.status = status
    venue = VenueFactory()

    response, on_replica, on_primary = replica_and_primary_queries(
        lambda: api_client.get(f"/luna/venues/{venue.pk}")
    )

    assert response.status_code == 200
    assert (on_replica, on_primary) == ((1, 0) if reads_replica else (0, 1))


def test_a_replica_state_is_checked_once_per_interval(fake_replica, api_client, settings):
    settings.REPLICA_CHECK_INTERVAL = 3600
    venue = VenueFactory()
    api_client.get(f"/luna/venues/{venue.pk}")
    fake_replica.status = ReplicaStatus(up=False, reason="gone")

    _, on_replica, on_primary = replica_and_primary_queries(
        lambda: api_client.get(f"/luna/venues/{venue.pk}")
    )

    assert (on_replica, on_primary) == (1, 0)  # the cached state, until the interval is over


def test_a_replica_that_fails_mid_request_is_retried_on_the_primary(
    fake_replica, api_client, caplog, tmp_path
):
    venue = VenueFactory(name="Blue Bottle")
    if connection.vendor == "postgresql":
        fake_replica.point_at(PORT=1)  # nothing listens there
    else:
        fake_replica.point_at(NAME=str(tmp_path / "no-such-folder" / "db.sqlite3"))

    with caplog.at_level(logging.WARNING, logger="config.replicas"):
        response = api_client.get(f"/luna/venues/{venue.pk}")

    assert response.status_code == 200
    assert response.json()["venue"]["name"] == "Blue Bottle"
    assert replicas._statuses["replica_1"].up is False
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        "replica replica_1 failed mid-request",
        "replica replica_1 skipped: failed mid-request: " + replicas._statuses["replica_1"].reason[
            len("failed mid-request: ") :
        ],
    ]


def test_the_admin_reads_from_the_primary(fake_replica, client):
    venue = VenueFactory()
    client.force_login(
        get_user_model().objects.create_superuser(email="admin@example.com", password="x" * 12)
    )

    response, on_replica, _ = replica_and_primary_queries(
        lambda: client.get(f"/admin/venues/venue/{venue.pk}/change/")
    )

    assert response.status_code == 200
    assert on_replica == 0


def test_edgesouls_create_on_first_read_stays_on_the_primary(fake_replica, api_client):
    response, on_replica, _ = replica_and_primary_queries(
        lambda: api_client.get("/edgesoul/api/v1/memory/stats/new-user")
    )

    assert response.status_code == 200
    assert on_replica == 0
    assert CompanionProfile.objects.filter(user_id="new-user").count() == 1
    if connection.vendor == "postgresql":  # the client's next reads wait for the creation
        assert parse_lsn(response.headers["X-Write-LSN"]) is not None


def test_state_that_must_never_be_stale_is_read_on_the_primary(fake_replica):
    cache_table = DatabaseCache("cache_table", {}).cache_model_class

    with replicas.request_routing(may_use_replica=True):
        assert router.db_for_read(Venue) == "replica_1"
        for model in (Session, ApplicationKey, APIKey, get_user_model(), cache_table):
            assert router.db_for_read(model) == DEFAULT_DB_ALIAS, model
        assert router.db_for_read(AccessAttempt) == DEFAULT_DB_ALIAS


def test_a_transaction_reads_from_the_primary(fake_replica):
    with replicas.request_routing(may_use_replica=True):
        with transaction.atomic():
            assert router.db_for_read(Venue) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Venue) == "replica_1"


def test_after_asking_for_a_write_connection_a_request_reads_from_the_primary(fake_replica):
    with replicas.request_routing(may_use_replica=True) as state:
        assert router.db_for_read(Venue) == "replica_1"
        assert router.db_for_write(Venue) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Venue) == DEFAULT_DB_ALIAS
    assert state.wrote is True


def test_outside_a_request_everything_is_on_the_primary(fake_replica):
    assert Venue.objects.all().db == DEFAULT_DB_ALIAS
    with replicas.request_routing(may_use_replica=False):
        assert Venue.objects.all().db == DEFAULT_DB_ALIAS


def test_rows_read_on_a_replica_relate_to_rows_on_the_primary(fake_replica):
    member, venue = MemberFactory(), VenueFactory()
    replica_venue = Venue.objects.using("replica_1").get(pk=venue.pk)

    interest = Interest(member=member, venue=replica_venue)
    interest.save()

    assert Interest.objects.get(pk=interest.pk).venue_id == venue.pk


def test_migrations_never_run_on_a_replica(fake_replica):
    assert router.allow_migrate("replica_1", "venues", model_name="venue") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "venues", model_name="venue") is True


def test_the_state_check_refuses_a_database_that_is_no_replica(fake_replica):
    status = real_check("replica_1")  # the test database itself, reached as a replica

    assert status.up is False
    if connection.vendor == "postgresql":
        assert status.reason == "not in recovery (promoted, or not a replica)"
    else:
        assert status.reason.startswith("unreachable: ")  # no such function on SQLite


def test_the_lag_is_bounded_by_the_newest_primary_position_the_replica_has_passed(monkeypatch):
    replicas.reset()
    replicas._primary_positions.extend([(100.0, 0x100), (101.0, 0x200), (102.0, 0x300)])
    monkeypatch.setattr(replicas.time, "monotonic", lambda: 103.5)

    assert replicas._lag_by_primary_positions(0x2FF) == 2.5  # passed 0x200 (at 101), now 103.5
    replicas._primary_positions.clear()
    assert replicas._lag_by_primary_positions(0x2FF) is None  # nothing known: no bound
    assert replicas._lag_by_primary_positions(None) is None
    replicas.reset()
