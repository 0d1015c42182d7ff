"""The project's one cache API: hot shared reads, invalidated explicitly on every write.

    details = cache.cached("luna:venue-details", build, version=last_edit)
    cache.invalidate("luna:venue-details")          # in the write's service, after commit

Two stores behind it, chosen by settings:

- **Shared** (`CACHE_URL=redis://…`: Django's RedisCache as the default cache): entries live in
  Redis, so every worker and app server reads the same one, and `invalidate()` (run when the
  write commits) deletes it for all of them. A `version`, when given, is stored with the value
  and compared too. When Redis does not answer, reads are built from the database, writes still
  invalidate what they can, a warning goes to the log (once per outage) and `/healthz` says
  `"cache": "unavailable"`: never an error to the client.
- **Per process** (the embedded default, no Redis): a dict in each process. Another process's
  write can't reach it, so an entry is only reused while its `version` (a cheap value the
  caller reads from the database on each call, or one that changes whenever the data does) is
  unchanged; `invalidate()` drops this process's entry at once.

Every entry also expires after `CACHE_MAX_AGE` seconds: a backstop, never the mechanism.
A process keeps at most `LOCAL_MAX_ENTRIES` entries: past that, expired ones go first, then
the oldest (keys come and go with the data: action items, the dashboard's days).
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import transaction

from config.metrics import record_cache

logger = logging.getLogger(__name__)

T = TypeVar("T")
SHARED_BACKENDS = ("django.core.cache.backends.redis.RedisCache",)
# After a failure the shared store is retried at most this often (seconds): an outage costs
# one timeout per interval per process, not one per request.
RETRY_INTERVAL = 5.0
LOCAL_MAX_ENTRIES = 10_000

_local: dict[str, tuple[Hashable, float, Any]] = {}  # key: (version, expires at, value)
_lock = threading.Lock()
_down_since: float | None = None  # monotonic time of the last shared-store failure
_pending: set[str] = set()  # invalidations Redis missed while down: sent when it is back


def shared() -> bool:
    """Whether the default cache is shared between processes (Redis)."""
    return settings.CACHES["default"]["BACKEND"] in SHARED_BACKENDS


def state() -> str:
    """For /healthz: `shared`, `unavailable` (Redis configured, not answering) or `local`."""
    if not shared():
        return "local"
    return "unavailable" if _down_since is not None else "shared"


def check() -> str:
    """`state()` after asking Redis (when configured and not paused after a failure)."""
    if shared():
        _shared_call("probe", lambda s: s.get("healthz:probe"), None)
    return state()


def _store():
    return caches["default"]


def cached(
    key: str,
    build: Callable[[], T],
    *,
    version: Hashable = None,
    per_process: bool = False,
    max_age: int | None = None,
) -> T:
    """The value stored under `key` for `version`, or `build()` stored there first.

    `per_process=True` keeps the entry in this process even when Redis is configured: for
    large values whose version the caller reads from the database anyway (every venue's
    details), where fetching megabytes from Redis would cost more than it saves.
    """
    if per_process or not shared():
        return _cached_local(key, build, version, max_age)
    found = cached_many(
        {key: key}, lambda ids: {key: build()}, versions={key: version}, max_age=max_age
    )
    return found[key]


def cached_many(
    keys: dict[Hashable, str],
    build: Callable[[list[Hashable]], dict[Hashable, T]],
    *,
    versions: dict | None = None,
    max_age: int | None = None,
) -> dict[Hashable, T]:
    """`cached` for many entries at once: {id: key} in, {id: value} out.

    `build(ids)` returns the values of the ids that missed; `versions` ({id: version}) as in
    `cached`. Shared store: two round trips (generations, then entries) whatever the count.
    """
    versions = versions or {}
    max_age = settings.CACHE_MAX_AGE if max_age is None else max_age
    found: dict[Hashable, T] = {}
    if shared():
        generations = _generations(list(keys.values()))
        stored_keys = {i: f"{k}@{generations.get(k, '-')}" for i, k in keys.items()}
        stored = _shared_call("get", lambda s: s.get_many(list(stored_keys.values())), {})
        for ident, key in stored_keys.items():
            entry = stored.get(key)
            if entry is not None and entry[0] == versions.get(ident):
                found[ident] = entry[1]
    else:
        now = time.monotonic()
        for ident, key in keys.items():
            entry = _local.get(key)
            if entry is not None and entry[0] == versions.get(ident) and entry[1] > now:
                found[ident] = entry[2]
    missing = [ident for ident in keys if ident not in found]
    for ident, key in keys.items():
        record_cache(ident in found, _metric_name(key))
    if missing:
        built = build(missing)
        found.update(built)
        if shared():
            entries = {
                stored_keys[i]: (versions.get(i), v)
                for i, v in built.items()
                if generations.get(keys[i]) is not None  # no generation: Redis is down
            }
            if entries:
                _shared_call("set", lambda s: s.set_many(entries, max_age), None)
        else:
            expires = time.monotonic() + max_age
            _store_local({keys[i]: (versions.get(i), expires, v) for i, v in built.items()})
    return found


def invalidate(*keys: str) -> None:
    """Forget `keys` everywhere this store reaches; inside a transaction, once it commits.

    Shared store: a new generation per key, so a read that started before the write and
    stores its (old) value afterwards stores it under the old generation, where nobody looks.
    A failed invalidation (Redis down) is retried by this process when Redis answers again.
    """
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _invalidate_now(keys), robust=True)
    else:
        _invalidate_now(keys)


def _cached_local(key: str, build: Callable[[], T], version: Hashable, max_age: int | None) -> T:
    now = time.monotonic()
    entry = _local.get(key)
    hit = entry is not None and entry[0] == version and entry[1] > now
    record_cache(hit, _metric_name(key))
    if hit:
        return entry[2]
    value = build()
    expires = now + (settings.CACHE_MAX_AGE if max_age is None else max_age)
    _store_local({key: (version, expires, value)})
    return value


def _store_local(entries: dict[str, tuple[Hashable, float, Any]]) -> None:
    with _lock:
        _local.update(entries)
        if len(_local) <= LOCAL_MAX_ENTRIES:
            return
        now = time.monotonic()
        for key in [key for key, entry in _local.items() if entry[1] <= now]:
            del _local[key]
        while len(_local) > LOCAL_MAX_ENTRIES:  # the oldest first (dicts keep insertion order)
            del _local[next(iter(_local))]


def _metric_name(key: str) -> str:
    """What a key caches, for the hit/miss counters: its first two parts (never an id)."""
    return ":".join(key.split(":", 2)[:2])


def _generation_key(key: str) -> str:
    return f"{key}:generation"


def _generations(keys: list[str]) -> dict[str, str]:
    """Each key's current generation (a new random one for a key that has none yet)."""
    names = {_generation_key(k): k for k in keys}
    found = _shared_call("get", lambda s: s.get_many(list(names)), None)
    if found is None:
        return {}
    generations = {names[name]: value for name, value in found.items()}
    for name, key in names.items():
        if key not in generations:
            # add(): of two processes starting a generation at once, one wins, both read it.
            _shared_call("set", lambda s, name=name: s.add(name, uuid.uuid4().hex, None), None)
            generations[key] = _shared_call("get", lambda s, name=name: s.get(name), None)
    return {k: v for k, v in generations.items() if v is not None}


def _invalidate_now(keys) -> None:
    with _lock:
        for key in keys:
            _local.pop(key, None)
    if shared():
        new = {_generation_key(k): uuid.uuid4().hex for k in keys}
        if _shared_call("invalidate", lambda s: s.set_many(new, None) or True, None) is None:
            _pending.update(keys)


def _shared_call(action: str, call: Callable, failed: Any) -> Any:
    """`call(store)`, or `failed` when Redis doesn't answer (then retried after a pause)."""
    if _down_since is not None and not _reconnect():
        return failed
    try:
        return call(_store())
    except Exception as error:  # noqa: BLE001 - unreachable, timed out, refused, out of memory
        _mark_down(action, error)
        return failed


def _mark_down(action: str, error: Exception) -> None:
    global _down_since
    if _down_since is None:
        logger.warning(
            "shared cache unavailable (%s: %r): answering from the database", action, error
        )
    _down_since = time.monotonic()


def _reconnect() -> bool:
    """After a pause, try Redis again, first sending the invalidations it missed meanwhile
    (before any read, so none can return what they cover)."""
    global _down_since
    if time.monotonic() - _down_since < RETRY_INTERVAL:
        return False
    missed = {_generation_key(k): uuid.uuid4().hex for k in _pending}
    try:
        _store().set_many(missed, None) if missed else _store().get("healthz:probe")
    except Exception as error:  # noqa: BLE001
        _mark_down("reconnect", error)
        return False
    _pending.difference_update(k for k in list(_pending) if _generation_key(k) in missed)
    _down_since = None
    logger.warning("shared cache available again")
    return True


def clear_local() -> None:
    """Forget this process's entries and the shared store's outage (tests, settings changes)."""
    global _down_since
    with _lock:
        _local.clear()
    _down_since = None
    _pending.clear()


def _settings_changed(*, setting, **kwargs) -> None:
    if setting in ("CACHES", "CACHE_MAX_AGE"):
        clear_local()


setting_changed.connect(_settings_changed)
