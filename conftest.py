"""Shared pytest setup: the suite runs on SQLite by default and on PostgreSQL via DATABASE_URL."""

import pytest


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostGIS, full-text search or real concurrency.

    On SQLite they are deselected (not skipped): they run in the PostgreSQL pass.
    """
    from django.db import connection

    other = "sqlite" if connection.vendor == "postgresql" else "postgres"
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker(other) else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True)
def _open_mounts(settings):
    """The contract tests call the mounts as the original clients did: every mount `open`.

    Never read from .env; the access tests (`config/tests/test_access*.py` and the apps'
    `test_access.py`) set the mode they test.
    """
    settings.LUNA_ACCESS = "open"
    settings.EDGESOUL_ACCESS = "open"
    settings.LEARNING_ACCESS = "open"
    settings.YAGO_ACCESS = "open"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # bcrypt is the production hasher; tests that check it ask for it explicitly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path, worker_id):
    from django.core.cache import cache

    # Each pytest-xdist worker ("gw0", "gw1"... or "master" when serial) has its own database
    # (pytest-django), temp folders (tmp_path) and, should the cache be shared (Redis), keys.
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{worker_id}"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    # The manifest exists only after collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from config import cache as app_cache  # config/cache.py's per-process entries

    cache.clear()
    app_cache.clear_local()
    yield
    cache.clear()
    app_cache.clear_local()


@pytest.fixture(autouse=True)
def _isolated_throttles(request, settings, tmp_path):
    """Every test counts from zero in its own stores, whatever `.env` configures.

    The process-local cache by default; the database store in a SQLite file of the test's own
    (SQLite) or the test database's `throttle` schema, emptied afterwards (PostgreSQL).
    Tests of the Redis store point `THROTTLE_REDIS_URL` at Redis themselves.
    """
    from django.core.cache import caches
    from django.db import connection

    from config import throttling

    settings.THROTTLE_REDIS_URL = ""
    if settings.CACHES["throttle"]["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache":
        settings.CACHES = {
            **settings.CACHES,
            "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        }
    if connection.vendor == "sqlite":
        settings.THROTTLE_DATABASE = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(tmp_path / "throttle.sqlite3"),
            "OPTIONS": {"timeout": 20},
        }
    else:
        settings.THROTTLE_DATABASE = None
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()
    store = throttling.counter_store_database()
    if store.used:
        with request.getfixturevalue("django_db_blocker").unblock():
            store.clear()
    store.close()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _warm_content_type_cache(request):
    """The audit log looks up a model's content type on its first write in a process; warm the
    cache so that query budgets don't depend on which test happened to write first."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    request.getfixturevalue("django_db_blocker")
    ContentType.objects.get_for_models(*apps.get_models())


@pytest.fixture(autouse=True)
def _immediate_jobs(monkeypatch):
    """Unit tests run jobs in Huey's immediate mode, at once where they would be enqueued on
    commit (the test's transaction never commits). The queue tests (config/tests/test_jobs.py,
    projects/tests/test_jobs.py) run a real consumer on Redis and on SQLite instead."""
    from config import jobs

    monkeypatch.setattr(jobs.huey, "immediate", True)
    monkeypatch.setattr(jobs, "_on_commit", lambda callback: callback())


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests use a file database (not :memory:), so a consumer process can share it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        folder = tmp_path_factory.mktemp("sqlite")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
    # Read replicas are no test databases of their own: physical replication copies the test
    # database there by itself, and a standby refuses CREATE DATABASE. pytest-django never
    # sees them; the `streaming_replica` fixture adds one back under the test database's name.
    from config.tests import replica

    for alias in settings.DATABASE_REPLICAS:
        replica.CONFIGURED[alias] = settings.DATABASES.pop(alias)
    settings.DATABASE_REPLICAS = []


REDIS_TEST_URL = "redis://127.0.0.1:6379/2"


@pytest.fixture(params=["sqlite", "redis"])
def job_queue(request, monkeypatch, tmp_path, settings):
    """A real queue on each storage (SqliteHuey file, RedisHuey on Redis db 2 under a name
    unique to this test), and `start_consumer()` to run `manage.py run_huey` against it and
    the test database. Tests using it need `django_db(transaction=True)`."""
    from config import jobs
    from config.tests.consumer import QueueUnderTest

    monkeypatch.setattr(jobs, "_on_commit", __import__("django").db.transaction.on_commit)
    queue = QueueUnderTest(request.param, tmp_path, settings, redis_url=REDIS_TEST_URL)
    monkeypatch.setattr(jobs.huey, "immediate", False)
    monkeypatch.setattr(jobs.huey, "storage", queue.storage)
    yield queue
    queue.close()


@pytest.fixture(scope="session")
def s3_server():
    """An S3-compatible server on a free port of 127.0.0.1 (moto's server mode, never the
    internet), for the tests of what goes to the configured storage."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server._server.server_address[:2]
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_server, monkeypatch):
    """A fresh bucket; returns (boto3 client, bucket name, storage OPTIONS as STORAGE_URL sets)."""
    import uuid

    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"bucket-{uuid.uuid4().hex[:10]}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    options = {
        "bucket_name": name,
        "location": "media",
        "endpoint_url": s3_server,
        "region_name": "us-east-1",
        "querystring_auth": True,
        "signature_version": "s3v4",
        "default_acl": None,
        "file_overwrite": False,
    }
    return client, name, options


REDIS_CACHE_URL = "redis://127.0.0.1:6379/0"
CLOSED_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: Redis down


class RedisCacheUnderTest:
    """The default cache on Redis under a key prefix of this test's own; `point_at(url)`."""

    def __init__(self, settings, prefix: str):
        import redis

        self.settings, self.prefix = settings, prefix
        self.before = settings.CACHES
        self.client = redis.Redis.from_url(REDIS_CACHE_URL)

    def point_at(self, url: str = REDIS_CACHE_URL) -> None:
        self.settings.CACHES = {
            **self.before,
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": self.prefix,
                "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
            },
        }

    def keys(self) -> list[str]:
        return [key.decode() for key in self.client.scan_iter(f"{self.prefix}:*")]


@pytest.fixture
def redis_cache(settings, worker_id):
    """Tests of config/cache.py on a real Redis (or a closed port). CACHES is put back before
    the suite's own teardown runs `cache.clear()`: on Redis that is FLUSHDB, which would empty
    the whole shared database, not only this prefix."""
    import uuid

    from config import cache

    under_test = RedisCacheUnderTest(settings, f"test-{worker_id}-{uuid.uuid4().hex[:8]}")
    yield under_test
    for key in under_test.client.scan_iter(f"{under_test.prefix}:*"):
        under_test.client.delete(key)
    settings.CACHES = under_test.before
    cache.clear_local()
