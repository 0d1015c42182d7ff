import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from config.dbinfo import row_counts
from config.dbstats import database_stats, human_size

ENGINE = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]


def write_backup(directory, stem, created_at, rows, *, with_data=True):
    manifest = {
        "format": 1,
        "file": f"{stem}.sqlite3",
        "engine": "sqlite",
        "created_at": created_at,
        "size_bytes": 4096,
        "migrations": {},
        "tables": {"accounts_user": rows},
        "total_rows": rows,
    }
    (directory / f"{stem}.json").write_text(json.dumps(manifest))
    if with_data:
        (directory / f"{stem}.sqlite3").write_bytes(b"x" * 4096)
    return manifest


@pytest.fixture
def backup_dir(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_DIR.mkdir()
    return settings.BACKUP_DIR


@pytest.mark.django_db
def test_dbstats_json_has_engine_size_rows_per_table_and_last_backup(backup_dir):
    User.objects.create_user("ada@example.com")
    User.objects.create_user("bob@example.com")
    write_backup(backup_dir, "backup-20261126-090000", "2026-11-26T09:00:00+00:00", 1)
    newest = write_backup(backup_dir, "backup-20261126-100000", "2026-11-26T10:00:00+00:00", 2)
    # A manifest whose data file is gone is not a backup.
    write_backup(
        backup_dir, "backup-20261126-110000", "2026-11-26T11:00:00+00:00", 3, with_data=False
    )
    out = StringIO()

    call_command("dbstats", "--json", stdout=out)

    figures = json.loads(out.getvalue())
    assert figures["engine"] == ENGINE
    assert figures["name"] == connection.settings_dict["NAME"]
    assert figures["tables"] == row_counts()
    assert figures["tables"]["accounts_user"] == 2
    assert figures["total_rows"] == sum(figures["tables"].values())
    assert figures["size_bytes"] == database_stats().size_bytes
    assert figures["last_backup"] == {**newest, "manifest": "backup-20261126-100000.json"}


@pytest.mark.django_db
def test_dbstats_text_report(backup_dir):
    User.objects.create_user("ada@example.com")
    out = StringIO()

    call_command("dbstats", stdout=out)

    lines = [line.split() for line in out.getvalue().splitlines()]
    assert lines[0][:2] == ["engine:", ENGINE]
    assert lines[2] == ["last", "backup:", "none"]
    assert ["accounts_user", "1"] in lines
    assert lines[-1] == [
        "dbstats:",
        f"{len(row_counts())}",
        "tables,",
        f"{sum(row_counts().values())}",
        "rows",
    ]


def test_human_size():
    assert [human_size(n) for n in (512, 2048, 5 * 1024**2, 3 * 1024**3)] == [
        "512 B",
        "2.0 KB",
        "5.0 MB",
        "3.0 GB",
    ]


@pytest.mark.django_db
def test_admin_dbstats_page_shows_the_same_figures(admin_client, backup_dir):
    write_backup(backup_dir, "backup-20261126-100000", "2026-11-26T10:00:00+00:00", 2)
    stats = database_stats()

    response = admin_client.get("/admin/dbstats/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<td id="dbstats-engine">{ENGINE}</td>' in html
    assert f"{human_size(stats.size_bytes)} ({stats.size_bytes} bytes)" in html
    assert (
        "2026-11-26T10:00:00+00:00 &middot; backup-20261126-100000.sqlite3 &middot; 2 rows" in html
    )
    assert f"<tr><td>accounts_user</td><td>{stats.tables['accounts_user']}</td></tr>" in html
    assert response.context["tables"] == sorted(stats.tables.items())


@pytest.mark.django_db
def test_admin_index_links_the_database_page(admin_client):
    response = admin_client.get("/admin/")

    assert response.status_code == 200
    assert b'href="/admin/dbstats/"' in response.content
    assert b"Database statistics" in response.content


@pytest.mark.django_db
def test_admin_dbstats_page_is_staff_only(client):
    member = User.objects.create_user("member@example.com", "secret-pass")
    client.force_login(member)

    response = client.get("/admin/dbstats/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/dbstats/"
