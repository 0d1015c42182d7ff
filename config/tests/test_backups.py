import json
import sqlite3
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from accounts.models import User
from config import backups
from config.audit import audit_bulk_write
from config.backups import backup_create, backup_latest, backup_list
from config.tests.helpers import dump_tables


def add_users(alias, *emails, staff=False):
    with audit_bulk_write():
        for email in emails:
            User.objects.db_manager(alias).create_user(email, "secret-pass", is_staff=staff)


def change_everything(alias):
    # Raw SQL: an ORM delete would also visit the other apps' tables.
    with connections[alias].cursor() as cursor:
        cursor.execute("DELETE FROM accounts_user WHERE email = 'ada@example.com'")
        cursor.execute(
            "UPDATE accounts_user SET is_staff = %s, email = 'robert@example.com' "
            "WHERE email = 'bob@example.com'",
            [True],
        )
    add_users(alias, "eve@example.com")


def rows_of(output):
    return [line.split() for line in output.splitlines()]


def run(*args, **options):
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_sqlite_backup_change_restore_gives_back_the_first_state_exactly(
    sqlite_file_database, tmp_path
):
    live = sqlite_file_database("live")
    add_users(live, "ada@example.com", "bob@example.com")
    first_state = dump_tables(live)

    output = run("backup", "--database", live, "--dir", str(tmp_path / "backups"))
    change_everything(live)
    assert dump_tables(live) != first_state
    [manifest] = backup_list(tmp_path / "backups")
    restored = run("restore", str(tmp_path / "backups" / manifest["file"]), "--yes", database=live)

    assert dump_tables(live) == first_state
    assert f"file:     {tmp_path / 'backups' / manifest['file']}" in output
    assert ["accounts_user", "2", "2"] in rows_of(restored)
    assert f"restore: {len(first_state)} tables match the manifest" in restored


def test_a_hand_run_backup_is_compressed_and_verified_like_a_scheduled_one(
    sqlite_file_database, tmp_path
):
    live = sqlite_file_database("live")
    add_users(live, "ada@example.com", "bob@example.com")

    output = run("backup", "--database", live, "--dir", str(tmp_path / "backups"))

    [manifest] = backup_list(tmp_path / "backups")
    assert manifest["file"].endswith(".sqlite3.gz")
    assert manifest["compression"] == "gzip"
    detail = (
        f"integrity_check ok; {len(manifest['tables'])} tables, "
        f"{manifest['total_rows']} rows as in the manifest"
    )
    assert (manifest["check"]["ok"], manifest["check"]["detail"]) == (True, detail)
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == sorted(
        [manifest["file"], manifest["file"].removesuffix(".sqlite3.gz") + ".json"]
    )
    assert f"  check:    ok: {detail}" in output.splitlines()


def test_sqlite_manifest_records_engine_migrations_and_rows_per_table(
    sqlite_file_database, tmp_path
):
    live = sqlite_file_database("live")
    add_users(live, "ada@example.com", "bob@example.com", "cy@example.com")

    backup = backup_create(using=live, directory=tmp_path)

    manifest = json.loads(backup.manifest_path.read_text())
    assert manifest == backup.manifest
    assert (manifest["format"], manifest["engine"], manifest["file"]) == (
        1,
        "sqlite",
        backup.path.name,
    )
    assert backup.path.name.startswith("backup-") and backup.path.suffix == ".sqlite3"
    assert manifest["tables"] == {table: len(rows) for table, rows in dump_tables(live).items()}
    assert manifest["tables"]["accounts_user"] == 3
    assert manifest["total_rows"] == sum(manifest["tables"].values())
    assert manifest["size_bytes"] == backup.path.stat().st_size
    assert manifest["migrations"]["accounts"] == ["0001_initial"]
    # The copy is a self-contained file with the same rows.
    with sqlite3.connect(backup.path) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT COUNT(*) FROM accounts_user").fetchone() == (3,)
    assert backup_latest(tmp_path)["file"] == backup.path.name


def test_sqlite_backup_runs_while_another_connection_is_writing(sqlite_file_database, tmp_path):
    live = sqlite_file_database("live")
    add_users(live, "ada@example.com")
    # A server worker in the middle of a write transaction (WAL: readers go on).
    writer = sqlite3.connect(connections[live].settings_dict["NAME"], isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE accounts_user SET is_staff = 1")

    backup = backup_create(using=live, directory=tmp_path)

    writer.execute("COMMIT")
    writer.close()
    with sqlite3.connect(backup.path) as copy:
        # The snapshot holds the committed state only.
        assert copy.execute("SELECT email, is_staff FROM accounts_user").fetchall() == [
            ("ada@example.com", 0)
        ]


def test_two_backups_in_the_same_second_get_different_names(sqlite_file_database, tmp_path):
    live = sqlite_file_database("live")

    first = backup_create(using=live, directory=tmp_path)
    second = backup_create(using=live, directory=tmp_path)

    assert first.path != second.path
    assert {m["file"] for m in backup_list(tmp_path)} == {first.path.name, second.path.name}


def test_restore_refuses_a_database_with_data_without_yes(sqlite_file_database, tmp_path):
    live = sqlite_file_database("live")
    add_users(live, "ada@example.com", "bob@example.com")
    backup = backup_create(using=live, directory=tmp_path)
    change_everything(live)
    changed = dump_tables(live)

    with pytest.raises(CommandError) as error:
        run("restore", str(backup.path), database=live)

    assert str(error.value) == (
        "The database is not empty; pass --yes to replace its contents with the backup"
    )
    assert dump_tables(live) == changed


def test_restore_into_an_empty_database_needs_no_yes(sqlite_file_database, tmp_path):
    live = sqlite_file_database("live")
    add_users(live, "ada@example.com", "bob@example.com")
    backup = backup_create(using=live, directory=tmp_path)
    fresh = sqlite_file_database("fresh")

    run("restore", str(backup.manifest_path), database=fresh)

    assert dump_tables(fresh) == dump_tables(live)


def test_restore_fails_when_rows_differ_from_the_manifest(sqlite_file_database, tmp_path):
    live = sqlite_file_database("live")
    add_users(live, "ada@example.com")
    backup = backup_create(using=live, directory=tmp_path)
    manifest = json.loads(backup.manifest_path.read_text())
    manifest["tables"]["accounts_user"] = 5
    backup.manifest_path.write_text(json.dumps(manifest))

    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("restore", str(backup.path), "--yes", database=live, stdout=out)

    assert str(error.value) == "restore: row counts differ from the manifest in accounts_user"
    assert ["accounts_user", "5", "1", "MISMATCH"] in rows_of(out.getvalue())


def test_restore_names_a_missing_manifest_a_damaged_file_and_a_missing_file(
    sqlite_file_database, tmp_path
):
    live = sqlite_file_database("live")
    backup = backup_create(using=live, directory=tmp_path)
    stray = tmp_path / "stray.sqlite3"
    stray.write_bytes(backup.path.read_bytes())
    backup.path.write_bytes(b"not a database at all" * 100)

    with pytest.raises(CommandError) as missing_manifest:
        run("restore", str(stray), "--yes", database=live)
    with pytest.raises(CommandError) as damaged:
        run("restore", str(backup.path), "--yes", database=live)
    with pytest.raises(CommandError) as missing_file:
        run("restore", str(tmp_path / "nope.sqlite3"), "--yes", database=live)

    assert str(missing_manifest.value) == f"{stray}: its manifest stray.json is missing"
    assert str(damaged.value) == (
        f"{backup.path.name}: not a readable SQLite backup (file is not a database)"
    )
    assert str(missing_file.value) == f"{tmp_path / 'nope.sqlite3'}: no such file"


def test_restore_refuses_a_backup_of_the_other_engine(sqlite_file_database, tmp_path):
    live = sqlite_file_database("live")
    backup = backup_create(using=live, directory=tmp_path)
    manifest = json.loads(backup.manifest_path.read_text())
    manifest["engine"] = "postgresql"
    backup.manifest_path.write_text(json.dumps(manifest))

    with pytest.raises(CommandError) as error:
        run("restore", str(backup.path), "--yes", database=live)

    assert str(error.value) == (
        f"{backup.path.name} is a postgresql backup and this database is sqlite; "
        "use `manage.py transfer` to move data between engines"
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_change_restore_gives_back_the_first_state_exactly(tmp_path):
    add_users("default", "ada@example.com", "bob@example.com")
    first_state = dump_tables("default")

    output = run("backup", "--dir", str(tmp_path))
    change_everything("default")
    assert dump_tables("default") != first_state
    [manifest] = backup_list(tmp_path)
    with pytest.raises(CommandError):
        run("restore", str(tmp_path / manifest["file"]))
    restored = run("restore", str(tmp_path / manifest["file"]), "--yes")

    assert dump_tables("default") == first_state
    assert manifest["engine"] == "postgresql"
    assert manifest["file"].endswith(".dump")
    assert manifest["tables"]["accounts_user"] == 2
    assert "postgresql" in output
    assert ["accounts_user", "2", "2"] in rows_of(restored)


def test_restore_of_an_older_backup_says_to_migrate(sqlite_file_database, tmp_path):
    old = sqlite_file_database("old", migrate=False)
    call_command("migrate", "contenttypes", database=old, verbosity=0)
    backup = backup_create(using=old, directory=tmp_path)
    live = sqlite_file_database("live")

    output = run("restore", str(backup.path), "--yes", database=live)

    plan = run("showmigrations", "--plan", database=live)
    unapplied = sum(line.startswith("[ ]") for line in plan.splitlines())
    assert unapplied == len(plan.splitlines()) - 2  # all but contenttypes' two
    assert (
        f"  the backup predates {unapplied} migrations of this code: run `manage.py migrate`"
        in output.splitlines()
    )
    assert "restore: " in output.splitlines()[-1]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_backup_without_pg_dump_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda program: None)

    with pytest.raises(CommandError) as error:
        run("backup", "--dir", str(tmp_path))

    assert str(error.value) == "pg_dump is not installed (PostgreSQL client tools are needed)"
    assert list(tmp_path.iterdir()) == []
