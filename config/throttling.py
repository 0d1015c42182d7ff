"""Rate limits that hold across workers and machines.

DRF's throttles keep a list of timestamps per client in the cache and write it back
(read-modify-write): two workers racing each lose the other's hit, and with the default
process-local cache every worker counts alone. These throttles keep DRF's classes, scopes and
rate strings but count in fixed windows with one atomic increment in a shared store:

- **Redis** when `THROTTLE_REDIS_URL` (or `REDIS_URL`) is set: every throttle, through Django's
  Redis cache backend (`caches["throttle"]`: `SET NX` to open a window with its expiry, `INCR`).
- otherwise **the database**, on a connection of its own in autocommit: outside the request's
  transaction (`config.middleware` rolls a write request back on any status >= 400, and a
  failed login's count must survive that). PostgreSQL: every throttle, in the same database
  (schema `throttle`, invisible to the ORM tables). SQLite: only the scopes in
  `THROTTLE_SENSITIVE_SCOPES` (login, register, password reset, uploads, messages), in a file
  of its own next to the database (the request holds the main file's write lock), so ordinary
  reads never write; the other throttles use the process-local `caches["throttle"]`
  (per worker: the embedded default is one machine, and these are the generous limits).

A window is `duration` seconds long (`5/minute`: 60 s windows, aligned to the clock); a client
gets exactly `num_requests` per window, refused requests count too.
"""

import hashlib
import random
import threading
from contextlib import suppress

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.utils import load_backend
from rest_framework import throttling

from config.clientip import client_ip

THROTTLE_CACHE = "throttle"
SCHEMA = "throttle"


# --- Stores -----------------------------------------------------------------------------------


class CacheCounterStore:
    """Counters in a Django cache: `add` opens a window with its expiry, `incr` counts.

    Both are atomic in Redis (SET NX, INCRBY) and under the lock of the local-memory cache.
    """

    def __init__(self, alias: str = THROTTLE_CACHE):
        self.alias = alias

    def incr(self, key: str, ttl: int) -> int:
        cache = caches[self.alias]
        while True:
            cache.add(key, 0, timeout=ttl)
            with suppress(ValueError):  # the window expired between add and incr: open it again
                return cache.incr(key)

    def clear(self) -> None:
        caches[self.alias].clear()


class DatabaseCounterStore:
    """Counters in a table written on a private autocommit connection, one per thread.

    The connection is Django's own backend, built from `THROTTLE_DATABASE` (or the default
    database's settings) but not registered in `django.db.connections`: no request
    transaction, test wrapper or `close_old_connections` ever touches it.
    """

    def __init__(self):
        self._local = threading.local()
        self.used = False  # for the tests' clean-up

    # One statement: atomic on both engines, and the caller gets its own count back.
    UPSERT = (
        "INSERT INTO {table} (counter_key, slot, count, expires_at) VALUES (%s, %s, 1, %s) "
        "ON CONFLICT (counter_key, slot) DO UPDATE SET count = {table}.count + 1 "
        "RETURNING count"
    )

    def settings_dict(self) -> dict:
        configured = getattr(settings, "THROTTLE_DATABASE", None)
        base = dict(configured or connections[DEFAULT_DB_ALIAS].settings_dict)
        base.pop("TEST", None)
        return connections.configure_settings({DEFAULT_DB_ALIAS: base})[DEFAULT_DB_ALIAS]

    def connection(self):
        wanted = self.settings_dict()
        current = getattr(self._local, "connection", None)
        if current is not None and current.settings_dict == wanted:
            return current
        if current is not None:
            current.close()
        # NO_DB_ALIAS, as Django's own side connections: not in `connections`, so no test
        # wrapper or connection_created handler (django.contrib.postgres) looks it up there.
        connection = load_backend(wanted["ENGINE"]).DatabaseWrapper(wanted, NO_DB_ALIAS)
        self._create_table(connection)
        self._local.connection = connection
        return connection

    def table(self, connection) -> str:
        return f"{SCHEMA}.counter" if connection.vendor == "postgresql" else "throttle_counter"

    def _create_table(self, connection) -> None:
        table = self.table(connection)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Two processes creating it at once: the loser's error is harmless.
                with suppress(Error):
                    cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            with suppress(Error):
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} ("
                    "counter_key varchar(255) NOT NULL, slot bigint NOT NULL, "
                    "count bigint NOT NULL, expires_at bigint NOT NULL, "
                    "PRIMARY KEY (counter_key, slot))"
                )
            with suppress(Error):
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS throttle_counter_expires_at "
                    f"ON {table} (expires_at)"
                )

    def incr(self, key: str, ttl: int) -> int:
        counter_key, _, slot = key.rpartition(":")
        expires_at = (int(slot) + 1) * ttl if slot.isdigit() else 0
        self.used = True
        for attempt in (1, 2):
            connection = self.connection()
            table = self.table(connection)
            try:
                with connection.cursor() as cursor:
                    cursor.execute(
                        self.UPSERT.format(table=table), [counter_key, int(slot), expires_at]
                    )
                    count = cursor.fetchone()[0]
                break
            except Error:
                # A dropped connection (server restart, idle timeout): reconnect once.
                connection.close()
                self._local.connection = None
                if attempt == 2:
                    raise
        if count == 1:  # a new window: tidy up, never at the price of the count
            self._delete_expired(connection, table, counter_key, int(slot), expires_at - ttl)
        return count

    def _delete_expired(self, connection, table, counter_key, slot, window_start) -> None:
        """This key's earlier windows; now and then (1 in 1000) every window that is over.

        Per key, so concurrent clean-ups touch disjoint rows; a failed clean-up is only retried
        by the next new window.
        """
        with suppress(Error), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE counter_key = %s AND slot < %s", [counter_key, slot]
            )
            if random.random() < 0.001:
                cursor.execute(f"DELETE FROM {table} WHERE expires_at <= %s", [window_start])

    def clear(self) -> None:
        connection = self.connection()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table(connection)}")
        self.used = False

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


_cache_store = CacheCounterStore()
_database_store = DatabaseCounterStore()


def counter_store_database() -> DatabaseCounterStore:
    return _database_store


def counter_store(scope: str | None) -> CacheCounterStore | DatabaseCounterStore:
    """Where `scope`'s counters live (see the module docstring)."""
    if settings.THROTTLE_REDIS_URL:
        return _cache_store
    if scope in settings.THROTTLE_SENSITIVE_SCOPES:
        return _database_store
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        return _cache_store
    return _database_store


# --- Throttles -------------------------------------------------------------------------------


class CounterRateThrottle(throttling.SimpleRateThrottle):
    """DRF's rate throttle, counted with an atomic increment in the scope's store."""

    wait_seconds: float | None = None

    def get_ident(self, request) -> str:
        return client_ip(request) or ""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        slot = int(now // self.duration)
        count = counter_store(self.scope).incr(f"{self.key}:{slot}", self.duration)
        if count <= self.num_requests:
            return True
        self.wait_seconds = (slot + 1) * self.duration - now
        return False

    def wait(self) -> float | None:
        return self.wait_seconds


class AnonRateThrottle(throttling.AnonRateThrottle, CounterRateThrottle):
    """Per client address, for anonymous requests (`anon` rate)."""


class UserRateThrottle(throttling.UserRateThrottle, CounterRateThrottle):
    """Per user, or per client address when anonymous (`user` rate)."""


class ScopedRateThrottle(throttling.ScopedRateThrottle, CounterRateThrottle):
    """Per user (or address) and per `view.throttle_scope`."""


class AccountRateThrottle(CounterRateThrottle):
    """Per account named in the request body (`email`), whoever and wherever sends it.

    Sits on top of the per-address limits: rotating addresses gives no more attempts on one
    account. The key is a digest of the normalised email (no addresses in the store).
    """

    field = "email"

    def get_cache_key(self, request, view) -> str | None:
        data = request.data
        email = data.get(self.field) if hasattr(data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None  # the view answers the bad input
        normalised = email.strip().lower().encode()
        ident = hashlib.sha256(normalised).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginAccountThrottle(AccountRateThrottle):
    """Login attempts per account, shared by every app's login route."""

    scope = "login_account"


class PasswordResetAccountThrottle(AccountRateThrottle):
    """Password-reset e-mails per account, shared by every app's reset route."""

    scope = "password_reset_account"
