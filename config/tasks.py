"""Platform jobs (Huey): the queue's own ping, backups on a schedule, housekeeping."""

import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, task

from config import jobs  # noqa: F401 (registers the job records on the consumer)
from config.backup_runs import backup_run
from config.dashboard import dashboard_rollup_refresh
from config.jobs import current_slot, parse_cron
from config.models import BackupStatus, JobRecord, JobState


@task()
def ping() -> float:
    """When a consumer started this task (epoch seconds): readiness and queue latency."""
    return time.time()


class BackupFailed(Exception):
    pass


@db_periodic_task(parse_cron(settings.BACKUP_SCHEDULE), retries=2, retry_delay=300)
def backup_scheduled_job() -> str:
    """On BACKUP_SCHEDULE: a verified, compressed backup, once per slot however many consumers
    schedule it; a failure is retried twice, 5 minutes apart (and shows in the admin)."""
    slot = current_slot(parse_cron(settings.BACKUP_SCHEDULE))
    run = backup_run(slot=slot)
    if run is None:
        return "done by another consumer"
    if run.status == BackupStatus.FAILED:
        raise BackupFailed(run.check_result)
    return run.file_name


@db_periodic_task(crontab(minute="17", hour="4"))
def job_records_prune() -> int:
    """Daily: completed job records older than 7 days go (failed ones stay until handled)."""
    cutoff = timezone.now() - timedelta(days=7)
    deleted, _ = JobRecord.objects.filter(state=JobState.COMPLETE, updated_at__lt=cutoff).delete()
    return deleted


@db_periodic_task(crontab(minute="7"))
def dashboard_rollup_job() -> int:
    """Hourly: recount the admin dashboard's past days (config/dashboard.py) into its rollup."""
    return dashboard_rollup_refresh()
