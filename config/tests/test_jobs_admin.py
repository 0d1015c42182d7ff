"""Admin pages of the job records and backup runs (read-only: written by the consumer)."""

import pytest
from django.utils import timezone

from config.models import BackupRun, JobRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    now = timezone.now()
    failed = JobRecord.objects.create(
        task_id="a" * 32,
        name="config.tasks.backup_scheduled_job",
        state="error",
        attempts=3,
        error="Traceback …\nBackupFailed: disk full",
        started_at=now,
        finished_at=now,
    )
    JobRecord.objects.create(task_id="b" * 32, name="config.tasks.ping", state="complete")
    run = BackupRun.objects.create(status="failed", check_result="integrity_check: page 3 bad")
    return failed, run


def test_job_changelist_search_filter_and_change_page(
    admin_client, records, django_assert_num_queries
):
    failed, _ = records

    def listed(query=""):
        response = admin_client.get(f"/admin/platform/jobrecord/{query}")
        return sorted(record.name for record in response.context["cl"].result_list)

    assert listed() == ["config.tasks.backup_scheduled_job", "config.tasks.ping"]
    assert listed("?q=disk+full") == ["config.tasks.backup_scheduled_job"]
    assert listed("?state__exact=error") == ["config.tasks.backup_scheduled_job"]
    change = admin_client.get(f"/admin/platform/jobrecord/{failed.pk}/change/")
    assert change.status_code == 200
    assert "BackupFailed: disk full" in change.content.decode()
    assert admin_client.get("/admin/platform/jobrecord/add/").status_code == 403


def test_backup_run_changelist_search_and_change_page(admin_client, records):
    _, run = records

    assert (
        "integrity_check"
        not in admin_client.get("/admin/platform/backuprun/?q=nothing-like-it").content.decode()
    )
    page = admin_client.get("/admin/platform/backuprun/?q=integrity").content.decode()
    assert "Failed" in page
    change = admin_client.get(f"/admin/platform/backuprun/{run.pk}/change/")
    assert "integrity_check: page 3 bad" in change.content.decode()
    assert admin_client.get("/admin/platform/backuprun/add/").status_code == 403
