"""Read replicas: which database a request reads from (config/routers.py asks here).

PostgreSQL streaming replicas listed in DATABASE_REPLICA_URLS become the aliases `replica_1`,
`replica_2`... (settings.DATABASE_REPLICAS). `ReplicaMiddleware` opens a per-request state:

- Only safe requests (GET, HEAD, OPTIONS) outside the admin may read from a replica. A request
  that asks for a write connection (a create-on-first-read, say) reads from the primary from
  then on, and so does everything inside a transaction on the primary.
- Read-your-writes: a request that wrote answers the primary's WAL position after its commit
  (`pg_current_wal_lsn()`) in the `X-Write-LSN` header and the `write_lsn` cookie. A request
  carrying one (cookie or header) reads from a replica only once that replica's
  `pg_last_wal_replay_lsn()` has passed it; until then the primary answers.
- A replica that is down, not receiving WAL from the primary, or behind by more than
  REPLICA_MAX_LAG seconds is skipped. Its state is checked at most every
  REPLICA_CHECK_INTERVAL seconds per process (a down one every REPLICA_RETRY_AFTER).
- A safe request whose replica fails mid-request (connection lost, recovery conflict) is run
  again on the primary: the client never sees the replica's failure.

Without a request (management commands, jobs, the shell) everything stays on the primary.
"""

import logging
import random
import re
import threading
import time
from collections import deque
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.urls import reverse

logger = logging.getLogger(__name__)

LSN_HEADER = "X-Write-LSN"
LSN_COOKIE = "write_lsn"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LSN = re.compile(r"[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")


def parse_lsn(value: str | None) -> int | None:
    """PostgreSQL's `X/Y` WAL position as a number; None for anything else."""
    if not value or not _LSN.fullmatch(value):
        return None
    high, low = value.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def format_lsn(value: int) -> str:
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


# --- Replica state, cached per process -------------------------------------------------------
@dataclass(frozen=True)
class ReplicaStatus:
    up: bool
    replay_lsn: int | None = None
    lag: float | None = None  # seconds behind the primary; None: unknown
    reason: str = ""
    checked_at: float = 0.0

    def serves(self, *, min_lsn: int | None, max_lag: float) -> bool:
        if not self.up or self.lag is None or self.lag > max_lag:
            return False
        return min_lsn is None or (self.replay_lsn is not None and self.replay_lsn >= min_lsn)


# The replica's own measure of its lag: 0 while everything received is replayed, otherwise the
# age of its last replayed commit. An upper bound that overshoots while the primary writes WAL
# but few commits (a long bulk load): check() tightens it with the primary's recent positions.
# No WAL receiver means the replica hears nothing from the primary: it may be stale unawares.
STATUS_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_wal_replay_lsn()::text,
       CASE WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
            ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END,
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
"""

_statuses: dict[str, ReplicaStatus] = {}
_lock = threading.Lock()
# (time, the primary's WAL position then), one per check: a replica that has replayed a position
# the primary had at time t is at most now - t behind.
_primary_positions: deque[tuple[float, int]] = deque(maxlen=120)


def _lag_by_primary_positions(replay_lsn: int | None) -> float | None:
    """How far behind at most, by the newest recorded primary position the replica has passed."""
    now = time.monotonic()
    if replay_lsn is None:
        return None
    for at, position in reversed(_primary_positions):
        if position <= replay_lsn:
            return now - at
    return None


def check(alias: str) -> ReplicaStatus:
    """Ask the replica (one query): in recovery, receiving, replayed position, lag; the primary's
    WAL position, read first, bounds the lag more tightly than the replica alone can."""
    primary = primary_lsn()
    if primary is not None:
        _primary_positions.append((time.monotonic(), primary))
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(STATUS_SQL)
            in_recovery, replay_lsn, lag, receiving = cursor.fetchone()
    except DatabaseError as error:
        close_quietly(alias)
        return ReplicaStatus(up=False, reason=f"unreachable: {error}".strip())
    if not in_recovery:
        return ReplicaStatus(up=False, reason="not in recovery (promoted, or not a replica)")
    if not receiving:
        return ReplicaStatus(up=False, reason="not receiving WAL from the primary")
    replay_lsn = parse_lsn(replay_lsn)
    bounds = [float(lag)] if lag is not None else []
    if (by_primary := _lag_by_primary_positions(replay_lsn)) is not None:
        bounds.append(by_primary)
    lag = min(bounds, default=None)
    return ReplicaStatus(
        up=True,
        replay_lsn=replay_lsn,
        lag=lag,
        reason="" if lag is not None else "lag unknown (nothing replayed yet)",
    )


def status(alias: str) -> ReplicaStatus:
    """The replica's state, checked again once the cached one is old."""
    now = time.monotonic()
    cached = _statuses.get(alias)
    if cached is not None:
        ttl = settings.REPLICA_CHECK_INTERVAL if cached.up else settings.REPLICA_RETRY_AFTER
        if now - cached.checked_at < ttl:
            return cached
    fresh = replace(check(alias), checked_at=now)
    _remember(alias, fresh)
    return fresh


def mark_down(alias: str, reason: str) -> None:
    close_quietly(alias)
    _remember(alias, ReplicaStatus(up=False, reason=reason, checked_at=time.monotonic()))


def _remember(alias: str, fresh: ReplicaStatus) -> None:
    with _lock:
        before = _statuses.get(alias)
        _statuses[alias] = fresh
    max_lag = settings.REPLICA_MAX_LAG
    was_serving = before is None or before.serves(min_lsn=None, max_lag=max_lag)
    if was_serving and not fresh.serves(min_lsn=None, max_lag=max_lag):
        why = fresh.reason or (
            f"{fresh.lag:.1f} s behind (REPLICA_MAX_LAG {max_lag})"
            if fresh.lag is not None
            else "lag unknown"
        )
        logger.warning("replica %s skipped: %s", alias, why)
    elif not was_serving and fresh.serves(min_lsn=None, max_lag=max_lag):
        logger.info("replica %s serves reads again", alias)


def reset() -> None:
    """Forget every cached replica state (tests; a changed configuration)."""
    with _lock:
        _statuses.clear()
        _primary_positions.clear()


def close_quietly(alias: str) -> None:
    try:
        connections[alias].close()
    except DatabaseError:
        pass


# --- Per-request routing state -----------------------------------------------------------------
@dataclass
class RequestState:
    may_use_replica: bool
    min_lsn: int | None = None
    alias: str | None = None  # chosen on the first read
    wrote: bool = False


_request: ContextVar[RequestState | None] = ContextVar("replica_request", default=None)


@contextmanager
def request_routing(*, may_use_replica: bool, min_lsn: int | None = None):
    """The routing state of one request, for the code that runs inside."""
    state = RequestState(may_use_replica=may_use_replica, min_lsn=min_lsn)
    token = _request.set(state)
    try:
        yield state
    finally:
        _request.reset(token)


def alias_for_read() -> str:
    """The alias this request reads from: a serving replica, or the primary."""
    state = _request.get()
    if state is None or not state.may_use_replica or state.wrote:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS  # a transaction reads what it writes, on the primary
    if state.alias is None:
        state.alias = choose(min_lsn=state.min_lsn)
    return state.alias


def choose(*, min_lsn: int | None) -> str:
    serving = [
        alias
        for alias in settings.DATABASE_REPLICAS
        if status(alias).serves(min_lsn=min_lsn, max_lag=settings.REPLICA_MAX_LAG)
    ]
    return random.choice(serving) if serving else DEFAULT_DB_ALIAS


def note_write() -> None:
    """A write connection was asked for: the rest of the request reads from the primary."""
    state = _request.get()
    if state is not None:
        state.wrote = True


def primary_lsn() -> int | None:
    """The primary's WAL position now (after the request's commit); None if unknown."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            return parse_lsn(cursor.fetchone()[0])
    except DatabaseError:
        logger.warning("could not read the primary's WAL position", exc_info=True)
        return None


_admin_prefix: str | None = None


def _is_admin(path: str) -> bool:
    global _admin_prefix
    if _admin_prefix is None:
        _admin_prefix = reverse("admin:index")
    return path.startswith(_admin_prefix)


class ReplicaMiddleware:
    """Opens the request's routing state; answers the write's WAL position; retries on the
    primary a safe request whose replica failed. Sits outside WriteTransactionMiddleware, so
    the position it reads is after the request's commit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        client_lsn = [
            parse_lsn(request.headers.get(LSN_HEADER)),
            parse_lsn(request.COOKIES.get(LSN_COOKIE)),
        ]
        with request_routing(
            may_use_replica=request.method in SAFE_METHODS and not _is_admin(request.path_info),
            min_lsn=max((lsn for lsn in client_lsn if lsn is not None), default=None),
        ) as state:
            response = self.get_response(request)
        if request.method not in SAFE_METHODS or state.wrote:
            lsn = primary_lsn()
            if lsn is not None:
                response[LSN_HEADER] = format_lsn(lsn)
                response.set_cookie(
                    LSN_COOKIE,
                    format_lsn(lsn),
                    # Past any lag REPLICA_MAX_LAG lets through, the position no longer matters.
                    max_age=int(max(300, 2 * settings.REPLICA_MAX_LAG)),
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        return response

    def process_exception(self, request, exception):
        state = _request.get()
        if (
            state is None
            or state.alias in (None, DEFAULT_DB_ALIAS)
            or not isinstance(exception, OperationalError | InterfaceError)
            or request.resolver_match is None
        ):
            return None
        logger.warning(
            "replica %s failed mid-request (%s): %s %s answered by the primary",
            state.alias,
            str(exception).strip().splitlines()[0] if str(exception).strip() else type(exception),
            request.method,
            request.path,
        )
        mark_down(state.alias, reason=f"failed mid-request: {exception}".strip())
        state.alias = DEFAULT_DB_ALIAS
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
        return response
