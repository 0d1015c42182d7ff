"""Scheduled backups: cron slots, compression, verification, retention, health, admin."""

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection

from config import backup_runs
from config.backup_runs import backup_run, backup_state
from config.backups import (
    backup_compress,
    backup_create,
    backup_list,
    backup_prune,
    backup_verify,
)
from config.jobs import current_slot, parse_cron, previous_slots
from config.models import BackupRun, BackupStatus
from config.tests.helpers import dump_tables
from config.tests.test_backups import add_users, change_everything, run

DAILY_AT_3 = parse_cron("0 3 * * *")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- Schedule ---------------------------------------------------------------------------------


def test_a_cron_schedule_needs_five_fields():
    with pytest.raises(ValueError) as error:
        parse_cron("0 3 * *")

    assert str(error.value) == "A cron schedule has 5 fields, not 4: '0 3 * *'"


def test_current_slot_is_the_latest_matching_minute():
    assert current_slot(DAILY_AT_3, at("2026-11-29 03:00:00")) == at("2026-11-29 03:00")
    assert current_slot(DAILY_AT_3, at("2026-11-29 02:59:59")) == at("2026-11-28 03:00")
    assert previous_slots(parse_cron("*/15 * * * 1"), at("2026-11-30 00:20"), count=3) == [
        at("2026-11-30 00:15"),
        at("2026-11-30 00:00"),
        at("2026-11-23 23:45"),  # the Monday before
    ]


# --- Compression, verification, restore -------------------------------------------------------


def test_a_compressed_sqlite_backup_is_verified_and_restored(sqlite_file_database, tmp_path):
    live = sqlite_file_database("live")
    add_users(live, "ada@example.com", "bob@example.com")
    first_state = dump_tables(live)

    backup = backup_compress(backup_create(using=live, directory=tmp_path))

    assert backup.path.name.endswith(".sqlite3.gz")
    assert not backup.path.with_suffix("").exists()
    assert backup.manifest["compression"] == "gzip"
    assert backup.manifest["size_bytes"] == backup.path.stat().st_size
    assert backup.manifest["uncompressed_bytes"] > backup.manifest["size_bytes"]
    tables = backup.manifest["tables"]
    assert backup_verify(backup.path) == (
        True,
        f"integrity_check ok; {len(tables)} tables, {sum(tables.values())} rows as in the manifest",
    )
    change_everything(live)
    restored = run("restore", str(backup.path), "--yes", database=live)
    assert dump_tables(live) == first_state
    assert ["accounts_user", "2", "2"] in [line.split() for line in restored.splitlines()]


def test_verify_finds_a_damaged_file_and_rows_that_differ(sqlite_file_database, tmp_path):
    live = sqlite_file_database("live")
    add_users(live, "ada@example.com")
    backup = backup_compress(backup_create(using=live, directory=tmp_path))
    manifest = json.loads(backup.manifest_path.read_text())

    manifest["tables"]["accounts_user"] = 2
    backup.manifest_path.write_text(json.dumps(manifest))
    assert backup_verify(backup.path) == (
        False,
        "row counts differ from the manifest in accounts_user",
    )

    data = backup.path.read_bytes()
    backup.path.write_bytes(data[: len(data) // 2])
    assert backup_verify(backup.path) == (
        False,
        f"size {len(data) // 2} bytes, manifest says {len(data)}",
    )
    manifest["size_bytes"] = len(data) // 2
    backup.manifest_path.write_text(json.dumps(manifest))
    ok, detail = backup_verify(backup.path)
    assert (ok, detail.split(" (")[0]) == (False, f"{backup.path.name}: not a readable gzip file")


# A real backup reads committed rows: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_backup_run_records_a_verified_compressed_backup(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path

    run_ = backup_run()

    [manifest] = backup_list(tmp_path)
    tables = manifest["tables"]
    if connection.vendor == "sqlite":
        suffix = ".sqlite3.gz"
        detail = (
            f"integrity_check ok; {len(tables)} tables, {sum(tables.values())} rows as in the "
            "manifest"
        )
    else:
        suffix = ".dump"
        detail = f"pg_restore read it whole; {len(tables)} tables as in the manifest"
    assert (run_.status, run_.check_result, run_.file_name) == ("ok", detail, manifest["file"])
    assert run_.file_name.endswith(suffix)
    assert run_.size == (tmp_path / manifest["file"]).stat().st_size
    assert manifest["check"]["ok"] is True
    assert manifest["check"]["detail"] == detail


@pytest.mark.django_db
def test_a_failed_backup_is_recorded_with_the_reason(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.BACKUP_DIR = blocker / "backups"

    run_ = backup_run()

    assert run_.status == "failed"
    assert run_.check_result.startswith("FileExistsError: ") or run_.check_result.startswith(
        "NotADirectoryError: "
    )
    assert backup_state()["state"] == "overdue"


# A real backup reads committed rows: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_one_run_per_slot_and_a_failed_slot_is_tried_again(settings, tmp_path, monkeypatch):
    settings.BACKUP_DIR = tmp_path
    slot = at("2026-11-29 03:00")

    first = backup_run(slot=slot)
    second = backup_run(slot=slot)

    assert (first.status, second) == ("ok", None)
    BackupRun.objects.filter(pk=first.pk).update(status=BackupStatus.FAILED)
    again = backup_run(slot=slot)
    assert (again.pk, again.status) == (first.pk, "ok")
    assert BackupRun.objects.count() == 1


# --- Retention --------------------------------------------------------------------------------


def write_fake_backup(directory: Path, created: datetime) -> str:
    name = f"backup-{created:%Y%m%d-%H%M%S}"
    (directory / f"{name}.sqlite3.gz").write_bytes(b"x")
    manifest = {"file": f"{name}.sqlite3.gz", "engine": "sqlite", "tables": {}}
    manifest["created_at"] = created.isoformat()
    (directory / f"{name}.json").write_text(json.dumps(manifest))
    return f"{name}.sqlite3.gz"


def test_retention_keeps_7_daily_and_4_weekly(tmp_path):
    # Two backups a day (03:00 and 15:00) for 60 days up to Sunday 2026-11-29.
    start = at("2026-09-30 03:00")
    for day in range(61):
        for hour in (0, 12):
            write_fake_backup(tmp_path, start + timedelta(days=day, hours=hour))

    removed = backup_prune(daily=7, weekly=4, directory=tmp_path)

    kept = [manifest["created_at"][:16] for manifest in backup_list(tmp_path)]
    assert kept == [
        # the newest of each of the last 7 days
        "2026-11-29T15:00",
        "2026-11-28T15:00",
        "2026-11-27T15:00",
        "2026-11-26T15:00",
        "2026-11-25T15:00",
        "2026-11-24T15:00",
        "2026-11-23T15:00",
        # the newest of each of the 4 weeks before (ISO weeks end on Sunday)
        "2026-11-22T15:00",
        "2026-11-15T15:00",
        "2026-11-08T15:00",
        "2026-11-01T15:00",
    ]
    assert len(removed) == 122 - 11
    assert len(list(tmp_path.iterdir())) == 22  # data file and manifest of each


def test_retention_with_fewer_backups_keeps_them_all(tmp_path):
    names = [write_fake_backup(tmp_path, at(f"2026-11-2{day} 03:00")) for day in range(3)]

    assert backup_prune(daily=7, weekly=4, directory=tmp_path) == []
    assert sorted(m["file"] for m in backup_list(tmp_path)) == names


# --- Health ---------------------------------------------------------------------------------


def ok_run(started: datetime) -> BackupRun:
    return BackupRun.objects.create(status=BackupStatus.OK, started_at=started, file_name="b")


@pytest.mark.django_db
def test_backup_is_overdue_at_the_end_of_the_grace_period_not_a_minute_before(settings):
    settings.BACKUP_SCHEDULE = "0 3 * * *"
    settings.BACKUP_GRACE_MINUTES = 60
    ok_run(at("2026-11-28 03:00:05"))  # yesterday's

    assert backup_state(at("2026-11-29 03:59"))["state"] == "ok"
    assert backup_state(at("2026-11-29 04:00"))["state"] == "overdue"
    ok_run(at("2026-11-29 03:00:07"))
    assert backup_state(at("2026-11-29 04:00"))["state"] == "ok"


@pytest.mark.django_db
def test_a_failed_latest_run_is_overdue_even_with_a_recent_good_one(settings):
    settings.BACKUP_SCHEDULE = "0 3 * * *"
    ok_run(at("2026-11-29 03:00:05"))
    BackupRun.objects.create(
        status=BackupStatus.FAILED, started_at=at("2026-11-29 09:00"), check_result="disk full"
    )

    state = backup_state(at("2026-11-29 10:00"))

    assert (state["state"], state["last_error"]) == ("overdue", "disk full")


# A real backup reads committed rows: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_healthz_says_ok_after_a_verified_backup_and_overdue_after_a_failed_one(
    client, settings, tmp_path
):
    settings.BACKUP_DIR = tmp_path
    backup_run()

    assert (client.get("/healthz").status_code, client.get("/healthz").json()["backup"]) == (
        200,
        "ok",
    )
    BackupRun.objects.create(status=BackupStatus.FAILED, check_result="pg_dump failed")
    response = client.get("/healthz")
    assert (response.status_code, response.json()["backup"]) == (200, "overdue")


# A real backup reads committed rows: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_the_database_page_lists_backups_with_size_time_and_check(admin_client, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    done = backup_run()
    [manifest] = backup_list(tmp_path)

    page = admin_client.get("/admin/dbstats/").content.decode()

    assert f"<td>{done.file_name}</td>" in page
    assert f"<td>{manifest['created_at']}</td>" in page
    assert f"ok: {done.check_result}</td>" in page
    assert "Scheduled backups: <strong>ok</strong>" in page


@pytest.mark.django_db
def test_the_database_page_shows_a_failed_backup(admin_client, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    BackupRun.objects.create(status=BackupStatus.FAILED, check_result="pg_dump failed: disk full")

    page = admin_client.get("/admin/dbstats/").content.decode()

    assert "Scheduled backups: <strong>overdue</strong>" in page
    assert "the latest run failed: pg_dump failed: disk full" in page
    assert "No backups in BACKUP_DIR" in page


# A real backup reads committed rows: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_backups_are_copied_to_the_configured_storage(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "local"
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "offsite")},
        },
    }

    done = backup_run()

    assert done.copied_to == f"{backup_runs.BACKUP_STORAGE}:{done.file_name}"
    manifest_name = Path(done.file_name.removesuffix(".gz")).with_suffix(".json").name
    assert sorted(p.name for p in (tmp_path / "offsite").iterdir()) == sorted(
        [done.file_name, manifest_name]
    )
    assert (tmp_path / "offsite" / done.file_name).read_bytes() == (
        tmp_path / "local" / done.file_name
    ).read_bytes()
    if done.file_name.endswith(".gz"):
        with gzip.open(tmp_path / "offsite" / done.file_name) as packed:
            assert packed.read(16) == b"SQLite format 3\x00"


@pytest.mark.django_db(transaction=True)
def test_backups_are_copied_to_s3(settings, tmp_path, s3_bucket):
    """STORAGE_URL=s3://bucket/media makes `backups` the bucket's media/backups/ (settings.py)."""
    client, name, options = s3_bucket
    settings.BACKUP_DIR = tmp_path / "local"
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "location": "media/backups"},
        },
    }

    done = backup_run()

    manifest_name = Path(done.file_name.removesuffix(".gz")).with_suffix(".json").name
    assert (done.status, done.copied_to) == ("ok", f"backups:{done.file_name}")
    listed = client.list_objects_v2(Bucket=name)["Contents"]
    assert sorted(item["Key"] for item in listed) == sorted(
        [f"media/backups/{done.file_name}", f"media/backups/{manifest_name}"]
    )
    stored = client.get_object(Bucket=name, Key=f"media/backups/{done.file_name}")["Body"].read()
    assert stored == (tmp_path / "local" / done.file_name).read_bytes()
