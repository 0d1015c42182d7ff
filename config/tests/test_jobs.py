"""The job queue with real consumer processes, on the SQLite and the Redis storage."""

import pytest

from config.models import BackupRun, JobRecord
from config.tasks import backup_scheduled_job, ping
from config.tests.consumer import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_job_runs_on_the_consumer_and_is_recorded(job_queue):
    job_queue.start_consumer()

    result = ping()
    started = result.get(blocking=True, timeout=30)

    assert started > 0
    record = wait_for(
        lambda: JobRecord.objects.filter(task_id=result.id, state="complete").first(),
        what="the job record",
    )
    assert (record.name, record.attempts, record.error) == ("config.tasks.ping", 1, "")
    assert record.started_at <= record.finished_at


def test_a_failing_job_is_retried_and_shown_in_the_admin(job_queue, admin_client, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    job_queue.start_consumer(BACKUP_DIR=blocker / "backups")

    result = backup_scheduled_job()

    record = wait_for(
        lambda: JobRecord.objects.filter(task_id=result.id, state="retrying").first(),
        timeout=60,
        what="the failed job to be retried",
    )
    assert (record.name, record.attempts, record.retries_left) == (
        "config.tasks.backup_scheduled_job",
        1,
        1,
    )
    assert "BackupFailed: NotADirectoryError" in record.error
    [run] = BackupRun.objects.all()
    assert run.status == "failed"
    page = admin_client.get("/admin/platform/jobrecord/?state__exact=retrying").content.decode()
    assert "config.tasks.backup_scheduled_job" in page
    detail = admin_client.get(f"/admin/platform/jobrecord/{record.pk}/change/").content.decode()
    assert "NotADirectoryError" in detail


def test_two_schedulers_back_up_once_per_slot(job_queue, settings, tmp_path):
    backups = tmp_path / "backups"
    for _ in range(2):
        job_queue.start_consumer(
            periodic=True,
            BACKUP_SCHEDULE="* * * * *",
            BACKUP_DIR=backups,
        )

    name = "config.tasks.backup_scheduled_job"
    wait_for(
        lambda: JobRecord.objects.filter(name=name, state="complete").count() >= 4,
        timeout=180,
        interval=0.5,
        what="both schedulers' backup jobs for two slots",
    )

    jobs = JobRecord.objects.filter(name=name, state="complete").count()
    runs = list(BackupRun.objects.order_by("slot"))
    files = sorted(path.name for path in backups.iterdir() if path.suffix != ".json")
    # Every slot was enqueued by both schedulers, and backed up once.
    assert len(runs) < jobs
    assert len({run.slot for run in runs}) == len(runs)
    made = [run.file_name for run in runs if run.status == "ok"]
    assert len(made) >= 2
    assert files == made[-1:]  # retention keeps the newest backup of the day
