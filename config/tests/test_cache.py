"""config/cache.py against a real Redis (127.0.0.1:6379, keys under this test's own prefix),
an unreachable one (a closed port) and the per-process store."""

import logging

import pytest
import redis

from config import cache
from conftest import CLOSED_REDIS_URL


@pytest.fixture
def shared_cache(redis_cache):
    redis_cache.point_at()
    return redis_cache


@pytest.fixture
def redis_down(redis_cache):
    redis_cache.point_at(CLOSED_REDIS_URL)


class Builder:
    """Counts its calls and returns a new value each time."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"build": self.calls}


# --- shared (Redis) ----------------------------------------------------------------------
def test_shared_entry_is_built_once_and_stored_in_redis(shared_cache):
    build = Builder()

    first = cache.cached("luna:test", build)
    cache.clear_local()  # another process: nothing of this one's memory
    second = cache.cached("luna:test", build)

    assert (first, second, build.calls) == ({"build": 1}, {"build": 1}, 1)
    assert cache.state() == "shared"
    keys = sorted(key.split(":", 2)[2].split("@")[0] for key in shared_cache.keys())
    assert keys == ["luna:test", "luna:test:generation"]


def test_shared_entry_invalidated_on_write_is_built_again(shared_cache):
    build = Builder()
    cache.cached("luna:test", build)

    cache.invalidate("luna:test")

    assert cache.cached("luna:test", build) == {"build": 2}
    assert cache.cached("luna:test", build) == {"build": 2}


def test_a_read_that_stores_after_a_concurrent_invalidation_is_not_served(shared_cache):
    calls = []

    def build_while_a_write_commits():
        calls.append(1)
        value = {"build": len(calls)}
        if len(calls) == 1:
            cache.invalidate("luna:test")  # the write commits while this read runs
        return value

    assert cache.cached("luna:test", build_while_a_write_commits) == {"build": 1}
    assert cache.cached("luna:test", build_while_a_write_commits) == {"build": 2}


def test_shared_entry_with_another_version_is_built_again(shared_cache):
    build = Builder()

    assert cache.cached("luna:test", build, version=1) == {"build": 1}
    assert cache.cached("luna:test", build, version=1) == {"build": 1}
    assert cache.cached("luna:test", build, version=2) == {"build": 2}


def test_cached_many_reads_hits_and_builds_only_misses(shared_cache):
    asked = []

    def build(ids):
        asked.append(sorted(ids))
        return {i: f"value-{i}" for i in ids}

    cache.cached_many({"a": "t:a"}, build)
    found = cache.cached_many({"a": "t:a", "b": "t:b"}, build)

    assert found == {"a": "value-a", "b": "value-b"}
    assert asked == [["a"], ["b"]]


@pytest.mark.django_db
def test_invalidation_inside_a_transaction_waits_for_the_commit(
    shared_cache, django_capture_on_commit_callbacks
):
    build = Builder()
    cache.cached("luna:test", build)
    with django_capture_on_commit_callbacks(execute=True):
        cache.invalidate("luna:test")
        inside = cache.cached("luna:test", build)

    assert inside == {"build": 1}
    assert cache.cached("luna:test", build) == {"build": 2}


# --- Redis unreachable -------------------------------------------------------------------
def test_redis_down_answers_from_the_source_and_warns_once(redis_down, caplog):
    build = Builder()

    with caplog.at_level(logging.WARNING, logger="config.cache"):
        values = [cache.cached("luna:test", build) for _ in range(3)]
        cache.invalidate("luna:test")

    assert values == [{"build": 1}, {"build": 2}, {"build": 3}]
    assert cache.state() == "unavailable"
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["shared cache unavailable"]


@pytest.mark.django_db
def test_healthz_says_the_cache_is_unavailable_and_still_answers_200(redis_down, client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["cache"] == "unavailable"


@pytest.mark.django_db
def test_healthz_says_the_shared_cache_answers(shared_cache, client):
    assert client.get("/healthz").json()["cache"] == "shared"


def test_invalidation_missed_while_redis_was_down_is_sent_when_it_answers(
    shared_cache, monkeypatch
):
    build = Builder()
    cache.cached("luna:test", build)
    working = cache._store

    class Down:
        def __getattr__(self, name):
            raise redis.ConnectionError("down")

    monkeypatch.setattr(cache, "_store", Down)
    cache.invalidate("luna:test")  # missed: Redis is down
    monkeypatch.setattr(cache, "_store", working)
    monkeypatch.setattr(cache, "RETRY_INTERVAL", 0)

    assert cache.cached("luna:test", build) == {"build": 2}
    assert cache.state() == "shared"


# --- per process (no Redis) --------------------------------------------------------------
def test_per_process_entry_is_kept_while_its_version_holds():
    build = Builder()

    assert cache.cached("luna:test", build, version="v1") == {"build": 1}
    assert cache.cached("luna:test", build, version="v1") == {"build": 1}
    assert cache.cached("luna:test", build, version="v2") == {"build": 2}
    cache.invalidate("luna:test")
    assert cache.cached("luna:test", build, version="v2") == {"build": 3}
    assert cache.state() == "local"


def test_per_process_entry_expires_after_cache_max_age(settings):
    settings.CACHE_MAX_AGE = 0
    build = Builder()

    cache.cached("luna:test", build)

    assert cache.cached("luna:test", build) == {"build": 2}


def test_per_process_store_keeps_at_most_its_bound_dropping_expired_then_oldest(monkeypatch):
    monkeypatch.setattr(cache, "LOCAL_MAX_ENTRIES", 3)
    cache.cached("luna:a", lambda: "a", max_age=0)  # expired at once
    cache.cached("luna:b", lambda: "b")
    cache.cached("luna:c", lambda: "c")
    cache.cached("luna:d", lambda: "d")  # 4 > 3: the expired one goes

    assert list(cache._local) == ["luna:b", "luna:c", "luna:d"]

    cache.cached_many({"e": "luna:e"}, lambda ids: {"e": "e"})  # none expired: the oldest goes

    assert list(cache._local) == ["luna:c", "luna:d", "luna:e"]
    assert cache.cached("luna:c", lambda: "built again") == "c"
