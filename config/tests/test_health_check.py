"""config.postgresql: a kept connection is checked before a request's first query without a
round trip, and one the server ended is replaced, not handed to the request."""

import time
from unittest import mock

import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper as StockWrapper

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def kept():
    """A connection of its own to the test database, kept across 'requests' as in gunicorn."""
    default = connections["default"]
    settings = {**default.settings_dict, "CONN_HEALTH_CHECKS": True, "CONN_MAX_AGE": 60}
    wrapper = type(default)(settings, "default")  # a second wrapper, its own connection
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def backend_pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def next_request(wrapper) -> None:
    """What Django does at the start of a request (request_started → close_old_connections)."""
    wrapper.close_if_unusable_or_obsolete()


def test_the_engine_is_this_backend(kept):
    assert kept.settings_dict["ENGINE"] == "config.postgresql"
    assert kept.health_check_enabled is True


def test_an_idle_healthy_connection_is_kept_without_a_select_1(kept):
    pid = backend_pid(kept)
    next_request(kept)

    with mock.patch.object(StockWrapper, "is_usable") as select_1:
        assert backend_pid(kept) == pid

    assert select_1.call_count == 0
    assert kept.health_check_done is True


def test_a_connection_the_server_ended_is_replaced_before_the_first_query(kept):
    pid = backend_pid(kept)
    with connections["default"].cursor() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)  # the server's goodbye reaches the socket
    next_request(kept)

    with mock.patch.object(StockWrapper, "is_usable", autospec=True) as select_1:
        select_1.side_effect = lambda wrapper: False  # what SELECT 1 on a dead socket returns
        new_pid = backend_pid(kept)

    assert select_1.call_count == 1
    assert new_pid != pid


def test_a_terminated_connection_fails_the_real_select_1_too(kept):
    pid = backend_pid(kept)
    with connections["default"].cursor() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)
    next_request(kept)

    assert backend_pid(kept) != pid


def test_a_closed_connection_is_not_usable(kept):
    kept.connection.close()

    assert kept.is_usable() is False
