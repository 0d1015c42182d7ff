"""config.throttling: exact, atomic counters in Redis, the database or the process cache."""

import os
import threading
import uuid

import pytest
import redis
from django.core import mail
from django.core.cache import caches
from django.db import connection
from rest_framework.throttling import SimpleRateThrottle

from config import throttling
from config.throttling import CacheCounterStore, CounterRateThrottle, counter_store
from matching.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# This project's Redis database in development and CI (.ci/run starts Redis when it is down).
REDIS_URL = os.environ.get("THROTTLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
LOGIN = "/pupmatch/auth/login"
RESET = "/pupmatch/auth/password-reset/request"


# 30 s into a minute, an hour and a day: a fixed window of any of them has room on both sides.
MID_WINDOW = 1_800_000_030.0


@pytest.fixture
def rates(monkeypatch, settings):
    base = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    # Windows are aligned to the clock: a test must not straddle a minute's end by chance.
    monkeypatch.setattr(CounterRateThrottle, "timer", lambda self: MID_WINDOW)

    def apply(**overrides):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**base, **overrides})

    return apply


@pytest.fixture
def redis_store(settings):
    """The Redis store on database 1 under a key prefix of this test's own."""
    prefix = f"test-throttle-{uuid.uuid4().hex}"
    settings.THROTTLE_REDIS_URL = REDIS_URL
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        },
    }
    client = redis.Redis.from_url(REDIS_URL)
    yield client, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture(params=["redis", "database", "local"])
def store(request, settings):
    if request.param == "redis":
        request.getfixturevalue("redis_store")
        return counter_store("anything")
    if request.param == "database":
        return throttling.counter_store_database()
    return CacheCounterStore()


def test_increments_are_exact(store):
    assert [store.incr("k:1", 60) for _ in range(3)] == [1, 2, 3]
    assert store.incr("k:2", 60) == 1  # the next window starts from one
    assert store.incr("other:1", 60) == 1


def test_concurrent_increments_each_get_their_own_count(store):
    threads, per_thread = 8, 25
    seen: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def hammer():
        start.wait()
        counts = [store.incr("race:7", 60) for _ in range(per_thread)]
        with lock:
            seen.extend(counts)
        if isinstance(store, throttling.DatabaseCounterStore):
            store.close()  # this thread's own connection

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    # Atomic increments: no two callers saw the same count, none was lost.
    assert sorted(seen) == list(range(1, threads * per_thread + 1))
    assert store.incr("race:7", 60) == threads * per_thread + 1


def test_redis_store_keeps_counters_under_the_prefix_with_an_expiry(redis_store):
    client, prefix = redis_store
    assert counter_store("pupmatch").incr("throttle_x_1.2.3.4:100", 60) == 1
    keys = [key.decode() for key in client.scan_iter(f"{prefix}:*")]
    assert keys == [f"{prefix}:1:throttle_x_1.2.3.4:100"]
    assert 0 < client.ttl(keys[0]) <= 60


def test_store_choice(settings):
    local, database = throttling._cache_store, throttling.counter_store_database()
    sensitive = ["pupmatch_auth", "login_account", "password_reset_account", "pupmatch_upload"]
    for scope in sensitive + ["pupmatch_message", "yago_auth"]:
        assert counter_store(scope) is database
    # The generous scopes: per process on SQLite, in the database on PostgreSQL.
    expected = local if connection.vendor == "sqlite" else database
    assert counter_store("pupmatch") is expected
    assert counter_store("user") is expected
    settings.THROTTLE_REDIS_URL = REDIS_URL
    assert counter_store("pupmatch_auth") is local  # caches["throttle"], Redis when configured
    assert counter_store("pupmatch") is local


def _database_count(scope: str, ident: str) -> int:
    store = throttling.counter_store_database()
    conn = store.connection()
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT SUM(count) FROM {store.table(conn)} WHERE counter_key = %s",
            [f"throttle_{scope}_{ident}"],
        )
        return cursor.fetchone()[0] or 0


def test_failed_logins_count_although_their_request_is_rolled_back(api_client, rates):
    rates(pupmatch_auth="2/minute", login_account="100/hour")
    UserFactory(email="bella@example.com")
    wrong = {"email": "bella@example.com", "password": "wrong password"}
    assert api_client.post(LOGIN, wrong).status_code == 401
    assert api_client.post(LOGIN, wrong).status_code == 401
    # Both 401s rolled their request's transaction back; the counts live on another connection.
    assert _database_count("pupmatch_auth", "127.0.0.1") == 2
    response = api_client.post(LOGIN, {**wrong, "password": PASSWORD})
    assert response.status_code == 429
    assert _database_count("pupmatch_auth", "127.0.0.1") == 3


@pytest.mark.sqlite  # on PostgreSQL every throttle counts in the database, by design
def test_ordinary_reads_never_write_on_sqlite(api_client, rates):
    rates(pupmatch="1/minute")
    from matching.tests.conftest import bearer
    from matching.tests.factories import ProfileFactory

    client = bearer(ProfileFactory().user)
    assert client.get("/pupmatch/profile").status_code == 200
    assert client.get("/pupmatch/profile").status_code == 429
    assert throttling.counter_store_database().used is False


def test_the_redis_store_throttles_login_end_to_end(api_client, rates, redis_store):
    client, prefix = redis_store
    rates(pupmatch_auth="2/minute")
    UserFactory(email="bella@example.com")
    wrong = {"email": "bella@example.com", "password": "wrong password"}
    assert [api_client.post(LOGIN, wrong).status_code for _ in range(3)] == [401, 401, 429]
    assert throttling.counter_store_database().used is False
    assert sorted(key.decode().split(":")[2] for key in client.scan_iter(f"{prefix}:*")) == [
        "throttle_login_account_" + _digest("bella@example.com"),
        "throttle_pupmatch_auth_127.0.0.1",
        "throttle_user_127.0.0.1",
    ]


def _digest(email: str) -> str:
    import hashlib

    return hashlib.sha256(email.encode()).hexdigest()[:32]


def test_windows_are_fixed_and_retry_after_says_when_the_next_opens(api_client, rates, monkeypatch):
    rates(pupmatch_auth="2/minute", login_account="100/hour")
    clock = {"now": 999_975.0}  # 45 s before a minute boundary (1,000,020 = 16,667 × 60)
    monkeypatch.setattr(CounterRateThrottle, "timer", lambda self: clock["now"])
    payload = {"email": "nobody@example.com", "password": "x"}
    assert api_client.post(LOGIN, payload).status_code == 401
    assert api_client.post(LOGIN, payload).status_code == 401
    refused = api_client.post(LOGIN, payload)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert refused.json() == {
        "detail": "Request was throttled. Expected available in 45 seconds.",
    }
    clock["now"] = 1_000_019.0  # one second before the boundary: still the same window
    assert api_client.post(LOGIN, payload).status_code == 429
    clock["now"] = 1_000_020.0  # the next window
    assert api_client.post(LOGIN, payload).status_code == 401


# --- Client address -------------------------------------------------------------------------


def test_rotating_x_forwarded_for_gives_no_extra_attempts_by_default(api_client, rates):
    rates(pupmatch_auth="3/minute", login_account="100/hour")
    payload = {"email": "nobody@example.com", "password": "x"}
    codes = [
        api_client.post(LOGIN, payload, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(
    api_client, rates, settings
):
    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]
    rates(pupmatch_auth="1/minute", login_account="100/hour")
    payload = {"email": "nobody@example.com", "password": "x"}

    def attempt(forwarded):
        return api_client.post(LOGIN, payload, HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert attempt("203.0.113.1") == 401
    assert attempt("203.0.113.1") == 429
    assert attempt("203.0.113.2") == 401
    # A client-written entry left of the real one changes nothing.
    assert attempt("198.51.100.9, 203.0.113.1") == 429


# --- Per-account limits ----------------------------------------------------------------------


def test_fifty_reset_requests_send_the_victim_three_emails(api_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    UserFactory(email="victim@example.com")
    codes = [
        api_client.post(
            RESET, {"email": "Victim@example.com"}, REMOTE_ADDR=f"198.51.100.{n}"
        ).status_code
        for n in range(50)
    ]
    assert codes == [204] * 3 + [429] * 47
    assert len(mail.outbox) == 3


def test_password_reset_per_account_limit_at_the_edge(api_client, rates, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    rates(password_reset_account="2/hour")
    UserFactory(email="victim@example.com")
    UserFactory(email="other@example.com")
    assert api_client.post(RESET, {"email": "victim@example.com"}).status_code == 204
    assert api_client.post(RESET, {"email": "victim@example.com"}).status_code == 204
    assert api_client.post(RESET, {"email": "victim@example.com"}).status_code == 429
    assert api_client.post(RESET, {"email": "other@example.com"}).status_code == 204
    assert [message.to for message in mail.outbox] == [
        ["victim@example.com"],
        ["victim@example.com"],
        ["other@example.com"],
    ]


def test_login_per_account_limit_holds_when_addresses_rotate(api_client, rates):
    rates(login_account="3/hour")
    UserFactory(email="bella@example.com")
    wrong = {"email": "bella@example.com", "password": "wrong password"}
    codes = [
        api_client.post(LOGIN, wrong, REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    # Even the right password waits for the window: the guesser cannot tell it was right.
    right = api_client.post(LOGIN, {**wrong, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1")
    assert right.status_code == 429


def test_account_throttles_ignore_bodies_without_an_email(api_client, rates):
    rates(login_account="1/hour")
    for _ in range(2):
        response = api_client.post(LOGIN, {"password": "x"})
        assert response.status_code == 400


def test_the_default_caches_are_untouched(api_client, rates):
    rates(pupmatch_auth="5/minute")
    api_client.post(LOGIN, {"email": "nobody@example.com", "password": "x"})
    assert caches["default"].get("throttle_pupmatch_auth_127.0.0.1") is None


def _rows() -> list[tuple]:
    store = throttling.counter_store_database()
    conn = store.connection()
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT counter_key, slot, count FROM {store.table(conn)} ORDER BY counter_key, slot"
        )
        return [tuple(row) for row in cursor.fetchall()]


def test_a_new_window_deletes_the_keys_earlier_windows_only(monkeypatch):
    monkeypatch.setattr(throttling.random, "random", lambda: 0.5)  # no global sweep
    store = throttling.counter_store_database()
    store.incr("a:10", 60)
    store.incr("a:10", 60)
    store.incr("b:10", 60)
    assert _rows() == [("a", 10, 2), ("b", 10, 1)]
    store.incr("a:11", 60)
    assert _rows() == [("a", 11, 1), ("b", 10, 1)]


def test_now_and_then_a_new_window_sweeps_every_window_that_is_over(monkeypatch):
    store = throttling.counter_store_database()
    monkeypatch.setattr(throttling.random, "random", lambda: 0.5)
    store.incr("a:10", 60)  # expires at 660
    store.incr("hour:0", 3600)  # expires at 3600
    monkeypatch.setattr(throttling.random, "random", lambda: 0.0)
    store.incr("c:11", 60)  # window 660..720: a:10 is over, hour:0 is not
    assert _rows() == [("c", 11, 1), ("hour", 0, 1)]


def _count_in_child(store, key, times, results):
    # A forked worker: its own connections (the parent's stay the parent's).
    if isinstance(store, throttling.DatabaseCounterStore):
        store._local = threading.local()
    results.put([store.incr(key, 60) for _ in range(times)])


@pytest.mark.parametrize("kind", ["redis", "database"])
def test_worker_processes_share_one_exact_count(request, kind):
    import multiprocessing

    if kind == "redis":
        request.getfixturevalue("redis_store")
    store = counter_store("pupmatch_auth")
    assert isinstance(
        store, CacheCounterStore if kind == "redis" else throttling.DatabaseCounterStore
    )
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [
        context.Process(target=_count_in_child, args=(store, "workers:3", 25, results))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    seen = sorted(count for _ in workers for count in results.get(timeout=60))
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    assert seen == list(range(1, 101))
