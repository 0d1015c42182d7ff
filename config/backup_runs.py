"""Scheduled, verified backups: one run per schedule slot, its check result, and whether the
last good backup is overdue (for /healthz and the admin's database page)."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from config.backups import (
    Backup,
    BackupError,
    _write_json,
    backup_compress,
    backup_create,
    backup_prune,
    backup_verify,
)
from config.jobs import parse_cron, previous_slots
from config.models import BackupRun, BackupStatus

BACKUP_STORAGE = "backups"  # an entry of settings.STORAGES when backups are copied off


def _claim(slot) -> BackupRun | None:
    """The run for `slot`, or None when another consumer did it (or is doing it)."""
    with transaction.atomic():
        run, created = BackupRun.objects.select_for_update().get_or_create(slot=slot)
        if not created and run.status != BackupStatus.FAILED:
            return None
        run.status = BackupStatus.RUNNING
        run.started_at = timezone.now()
        run.finished_at = None
        run.save()
    return run


def backup_run(*, slot=None, directory: Path | None = None) -> BackupRun | None:
    """Back up, compress, verify, prune and copy off; None when `slot` was already done."""
    run = _claim(slot) if slot is not None else BackupRun.objects.create()
    if run is None:
        return None
    backup = None
    try:
        backup, ok, detail, run.copied_to = backup_check_and_copy(
            backup_create(directory=directory)
        )
        if ok:
            keep = settings.BACKUP_KEEP
            backup_prune(
                daily=keep.get("daily", 7), weekly=keep.get("weekly", 4), directory=directory
            )
    except (BackupError, OSError) as error:
        ok, detail = False, f"{type(error).__name__}: {error}"
    run.status = BackupStatus.OK if ok else BackupStatus.FAILED
    run.check_result = detail
    if backup is not None:
        run.file_name = backup.path.name
        run.size = backup.manifest["size_bytes"]
    run.finished_at = timezone.now()
    run.save()
    return run


def backup_check_and_copy(backup: Backup) -> tuple[Backup, bool, str, str]:
    """Compress, verify (the result goes into the manifest) and, when good, copy off:
    (the compressed backup, ok, what the check found, where it was copied or "")."""
    backup = backup_compress(backup)
    ok, detail = backup_verify(backup.path)
    _record_check(backup, ok, detail)
    return backup, ok, detail, backup_copy_off(backup) if ok else ""


def _record_check(backup: Backup, ok: bool, detail: str) -> None:
    backup.manifest["check"] = {
        "ok": ok,
        "detail": detail,
        "checked_at": timezone.now().isoformat(),
    }
    _write_json(backup.manifest_path, backup.manifest)


def backup_copy_off(backup: Backup) -> str:
    """Copy the backup and its manifest to the `backups` storage when one is configured."""
    if BACKUP_STORAGE not in settings.STORAGES:
        return ""
    storage = storages[BACKUP_STORAGE]
    for path in (backup.path, backup.manifest_path):
        with open(path, "rb") as handle:
            storage.save(path.name, File(handle, name=path.name))
    return f"{BACKUP_STORAGE}:{backup.path.name}"


def backup_due_since(now=None):
    """The slot whose backup must exist by now (the previous one during the grace period)."""
    now = now or timezone.now()
    slots = previous_slots(parse_cron(settings.BACKUP_SCHEDULE), now, count=2)
    if not slots:
        return None
    if now >= slots[0] + timedelta(minutes=settings.BACKUP_GRACE_MINUTES) or len(slots) == 1:
        return slots[0]
    return slots[1]


def backup_state(now=None) -> dict:
    """{"state": "ok"|"overdue", "last_ok", "due_since", "last_error"} for health and admin."""
    due = backup_due_since(now)
    last_ok = BackupRun.objects.filter(status=BackupStatus.OK).order_by("-started_at").first()
    latest = BackupRun.objects.exclude(status=BackupStatus.RUNNING).order_by("-started_at").first()
    failed = latest is not None and latest.status == BackupStatus.FAILED
    overdue = failed or last_ok is None or (due is not None and last_ok.started_at < due)
    return {
        "state": "overdue" if overdue else "ok",
        "last_ok": last_ok,
        "due_since": due,
        "last_error": latest.check_result if failed else "",
    }
