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
def _fast_password_hashing(settings):
    # bcrypt is the production hasher; tests that check it ask for it explicitly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    # The manifest exists only after collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    yield
    cache.clear()


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
