"""Execution as a job, the parts that need no consumer (jobs run in immediate mode here;
tests/test_jobs.py runs a real consumer)."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from config.middleware import _non_atomic
from projects import execution
from projects.models import ExecutionStatus, Project, ProjectExecution
from projects.tests.factories import ProjectFactory

BASE = "/yago/api/v1/projects"
pytestmark = pytest.mark.django_db


def test_execute_runs_outside_the_request_transaction_and_pause_does_not():
    factory = RequestFactory()
    assert _non_atomic(factory.post(f"{BASE}/some-id/execute")) is True
    assert _non_atomic(factory.post(f"{BASE}/some-id/pause")) is False
    assert _non_atomic(factory.post("/no/such/route")) is False


@pytest.mark.parametrize(
    "query, message",
    [
        ("wait=abc", "A valid number is required."),
        ("wait=-1", "Ensure this value is greater than or equal to 0."),
        ("wait=3.1", "wait must be at most 3 seconds"),
    ],
)
def test_execute_wait_out_of_range_is_422(api_client, query, message):
    project = ProjectFactory()

    response = api_client.post(f"{BASE}/{project.pk}/execute?{query}")

    assert response.status_code == 422
    assert [(p["field"], p["message"]) for p in response.json()["detail"]] == [("wait", message)]
    assert Project.objects.get().status == "creating"


def test_execute_with_wait_3_answers_the_success_body(api_client):
    project = ProjectFactory()

    response = api_client.post(f"{BASE}/{project.pk}/execute?wait=3")

    assert (response.status_code, response.json()["status"]) == (200, "success")


def test_execute_with_wait_0_answers_202_at_once(api_client):
    project = ProjectFactory()

    response = api_client.post(f"{BASE}/{project.pk}/execute?wait=0")

    assert (response.status_code, response.json()) == (
        202,
        {
            "project_id": str(project.pk),
            "status": "executing",
            "message": "Code generation is running: follow GET "
            f"/yago/api/v1/projects/{project.pk} for its progress and logs",
        },
    )


def test_a_queued_execution_whose_job_never_started_is_paused_by_the_check(settings):
    project = ProjectFactory()
    run = ProjectExecution.objects.create(project=project)
    Project.objects.filter(pk=project.pk).update(status="executing")
    stale = run.created_at + timedelta(seconds=settings.YAGO_EXECUTION_STALE_AFTER)

    assert execution.executions_reap_stale(now=stale) == 0  # exactly at the limit: not yet
    assert execution.executions_reap_stale(now=stale + timedelta(seconds=1)) == 1

    run.refresh_from_db()
    project.refresh_from_db()
    assert (run.status, project.status) == (ExecutionStatus.PAUSED, "paused")
    assert [e["error"] for e in project.errors] == [
        "Execution interrupted at step 1: the worker stopped responding (no heartbeat for 5 "
        "minutes). Resume to continue."
    ]


def test_a_job_error_frees_the_execution_for_its_retry_then_fails_it():
    project = ProjectFactory(status="executing")
    run = ProjectExecution.objects.create(
        project=project, status=ExecutionStatus.RUNNING, heartbeat_at=timezone.now()
    )

    execution.execution_job_failed(execution_id=run.pk, error=KeyError("x"), retrying=True)
    run.refresh_from_db()
    assert (run.status, run.heartbeat_at) == (ExecutionStatus.RUNNING, None)

    execution.execution_job_failed(execution_id=run.pk, error=KeyError("x"), retrying=False)
    run.refresh_from_db()
    project.refresh_from_db()
    assert (run.status, run.http_status, run.error) == (
        ExecutionStatus.FAILED,
        500,
        "Execution failed: KeyError: 'x'",
    )
    assert (project.status, [e["error"] for e in project.errors]) == (
        "failed",
        ["Execution failed: KeyError: 'x'"],
    )
