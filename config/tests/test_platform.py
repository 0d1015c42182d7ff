import subprocess
import sys

import pytest
from django.conf import settings
from django.db import DatabaseError, connection

from config.views import engine_name


@pytest.mark.django_db
def test_healthz_reports_engine_and_migrations(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"engine": engine_name(), "vendor": connection.vendor},
        "migrations": {"up_to_date": True, "pending": 0},
        "backup": "overdue",  # no verified backup yet (config/tests/test_backup_schedule.py)
        "cache": "local",
    }


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": {"engine": engine_name()},
        "detail": "connection refused",
    }


def test_unknown_route_is_json_404(client):
    response = client.get("/no/such/route")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.django_db
def test_openapi_schema_and_offline_docs(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert schema["Content-Type"].startswith("application/vnd.oai.openapi")
    assert docs.status_code == 200
    # The docs UI is served from the sidecar package's static files, not a CDN.
    assert b"cdn.jsdelivr.net" not in docs.content
    assert b"drf_spectacular_sidecar/swagger-ui-dist" in docs.content


@pytest.mark.django_db
def test_admin_login_page_has_the_site_title(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert b"Backend administration" in response.content


@pytest.mark.sqlite
@pytest.mark.django_db
def test_sqlite_connection_options():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone() == (1,)
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone() == (1,)  # NORMAL
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connection_options():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'postgis'")
        assert cursor.fetchone() == ("postgis",)
    assert connection.settings_dict["CONN_MAX_AGE"] == 60


def test_settings_refuse_to_start_without_secret_key():
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(settings.BASE_DIR),
    )
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr
