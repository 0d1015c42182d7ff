"""YAGO execution as a job, with a real consumer process on each queue storage (SQLite, Redis).

The provider is a slow fake OpenAI served over HTTP (projects/tests/fake_llm.py), so the test
can watch the project while the job waits on the network.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from config.tests.consumer import wait_for
from projects import execution, storage
from projects.models import ExecutionStatus, GeneratedFile, Project, ProjectExecution, ProviderUsage
from projects.tests.factories import ProjectFactory
from projects.tests.fake_llm import PROJECT_JSON, FakeLLMServer, openai_reply

BASE = "/yago/api/v1/projects"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slow_llm(settings):
    server = FakeLLMServer().start()
    settings.YAGO_PROVIDER = "openai"
    settings.YAGO_OPENAI_API_KEY = "sk-test"
    settings.YAGO_OPENAI_BASE_URL = f"{server.url}/v1"
    settings.YAGO_OPENAI_MODEL = "gpt-4o-mini"
    settings.YAGO_PROVIDER_TIMEOUT = 60.0
    yield server
    server.stop()


def project_state(project_id) -> dict:
    project = Project.objects.get(pk=project_id)
    return {
        "status": project.status,
        "progress": project.progress,
        "logs": [entry["log"] for entry in project.logs],
        "errors": [entry["error"] for entry in project.errors],
    }


def execution_of(project) -> ProjectExecution:
    return ProjectExecution.objects.get(project=project)


def test_execute_answers_the_contract_body_when_the_job_finishes_in_time(
    api_client, job_queue, settings
):
    settings.YAGO_PROVIDER = "offline"
    job_queue.start_consumer()
    project = ProjectFactory(name="Todo", brief={"project_idea": "A todo list"})

    response = api_client.post(f"{BASE}/{project.pk}/execute")

    assert response.status_code == 200
    body = response.json()
    project.refresh_from_db()
    assert body["status"] == "success"
    assert body["message"] == (
        f"Generated {project.files_generated} files ({project.lines_of_code} lines of code)"
    )
    assert body["result"]["status"] == "completed"
    assert body["result"]["project_path"] == f"generated_projects/{project.pk}"
    assert (
        body["result"]["files_generated"] == GeneratedFile.objects.filter(project=project).count()
    )
    assert (project.status, project.progress) == ("completed", 100)
    assert execution_of(project).status == ExecutionStatus.COMPLETED
    assert set(storage.disk_files(project.pk)) == {f["path"] for f in body["result"]["files"]}


def test_slow_provider_answers_202_and_the_project_shows_progress(api_client, job_queue, slow_llm):
    slow_llm.queue(200, openai_reply(PROJECT_JSON, tokens_in=1200, tokens_out=3400), delay=2.0)
    job_queue.start_consumer()
    project = ProjectFactory(name="Greeter")

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
    calling = wait_for(
        lambda: (s := api_client.get(f"{BASE}/{project.pk}").json())["progress"] == 5 and s,
        what="the provider call",
    )
    assert calling["status"] == "executing"
    assert [entry["log"] for entry in calling["logs"]] == [
        "Execution queued",
        "Generating code with openai",
    ]
    done = wait_for(
        lambda: (s := api_client.get(f"{BASE}/{project.pk}").json())["status"] == "completed" and s,
        what="completion",
    )
    assert done["progress"] == 100
    assert [entry["log"] for entry in done["logs"]] == [
        "Execution queued",
        "Generating code with openai",
        "openai answered with 3 files",
        "Wrote hello/__init__.py (2 lines)",
        "Wrote tests/test_hello.py (5 lines)",
        "Wrote README.md (1 lines)",
        "Generated 3 files with openai",
    ]
    assert (done["files_generated"], done["actual_cost"]) == (3, 0.00222)


def test_a_failing_provider_call_is_recorded_and_answered_in_time(
    api_client, job_queue, slow_llm, settings
):
    settings.YAGO_EXECUTE_WAIT = 30  # the consumer's first SDK import is slow on a busy machine
    slow_llm.queue(429, {"error": {"message": "Rate limit reached"}})
    job_queue.start_consumer()
    project = ProjectFactory()

    response = api_client.post(f"{BASE}/{project.pk}/execute")

    message = "OpenAI API error 429: Rate limit reached"
    assert (response.status_code, response.json()) == (502, {"error": message, "detail": message})
    state = project_state(project.pk)
    assert (state["status"], state["errors"]) == ("failed", [message])
    [usage] = ProviderUsage.objects.filter(project=project)
    assert (usage.success, usage.error) == (False, message)


def test_pause_stops_after_the_current_step_and_resume_continues_from_there(
    api_client, job_queue, slow_llm
):
    slow_llm.queue(200, openai_reply(PROJECT_JSON), delay=2.0)
    job_queue.start_consumer()
    project = ProjectFactory()
    api_client.post(f"{BASE}/{project.pk}/execute?wait=0")
    wait_for(lambda: project_state(project.pk)["progress"] == 5, what="the provider call")

    paused = api_client.post(f"{BASE}/{project.pk}/pause")

    assert paused.json()["status"] == "paused"
    run = wait_for(
        lambda: (e := execution_of(project)).status == ExecutionStatus.PAUSED and e,
        what="the job to stop",
    )
    # The provider call finished and was kept: its answer and its usage.
    assert (run.step, run.files_total) == (1, 3)
    assert ProviderUsage.objects.filter(project=project).count() == 1
    state = project_state(project.pk)
    assert (state["status"], state["progress"]) == ("paused", 20)
    assert state["logs"][-1] == "Execution paused before step 2"
    assert GeneratedFile.objects.filter(project=project).count() == 0

    resumed = api_client.post(f"{BASE}/{project.pk}/resume")

    assert resumed.json()["status"] == "resumed"
    wait_for(lambda: project_state(project.pk)["status"] == "completed", what="completion")
    assert len(slow_llm.requests) == 1  # resumed from step 2: no second provider call
    assert GeneratedFile.objects.filter(project=project).count() == 3
    assert ProviderUsage.objects.filter(project=project).count() == 1


def test_delete_cancels_a_running_execution_and_keeps_its_cost(api_client, job_queue, slow_llm):
    slow_llm.queue(200, openai_reply(PROJECT_JSON, tokens_in=1200, tokens_out=3400), delay=2.0)
    job_queue.start_consumer()
    project = ProjectFactory()
    api_client.post(f"{BASE}/{project.pk}/execute?wait=0")
    wait_for(lambda: project_state(project.pk)["progress"] == 5, what="the provider call")

    response = api_client.delete(f"{BASE}/{project.pk}")

    assert response.json()["status"] == "deleted"
    usage = wait_for(lambda: ProviderUsage.objects.first(), what="the call's usage")
    assert (usage.project_id, usage.cost) == (None, Decimal("0.002220"))
    assert not Project.objects.filter(pk=project.pk).exists()
    assert GeneratedFile.objects.count() == 0
    assert storage.disk_files(project.pk) == {}


def test_a_consumer_killed_mid_job_leaves_the_project_resumable(
    api_client, job_queue, slow_llm, settings
):
    settings.YAGO_EXECUTION_HEARTBEAT = 0.5
    slow_llm.queue(200, openai_reply(PROJECT_JSON), delay=30.0)
    consumer = job_queue.start_consumer()
    project = ProjectFactory()
    api_client.post(f"{BASE}/{project.pk}/execute?wait=0")
    wait_for(lambda: project_state(project.pk)["progress"] == 5, what="the provider call")
    wait_for(lambda: execution_of(project).heartbeat_at, what="a heartbeat")

    job_queue.kill(consumer)

    assert project_state(project.pk)["status"] == "executing"
    # Not yet stale: the check leaves it alone.
    assert execution.executions_reap_stale() == 0
    later = timezone.now() + timedelta(seconds=settings.YAGO_EXECUTION_STALE_AFTER + 1)
    assert execution.executions_reap_stale(now=later) == 1
    state = project_state(project.pk)
    reason = (
        "Execution interrupted at step 1: the worker stopped responding "
        "(no heartbeat for 5 minutes). Resume to continue."
    )
    assert (state["status"], state["errors"]) == ("paused", [reason])

    slow_llm.responses.clear()
    slow_llm.queue(200, openai_reply(PROJECT_JSON))
    job_queue.start_consumer()
    assert api_client.post(f"{BASE}/{project.pk}/resume").json()["status"] == "resumed"

    wait_for(lambda: project_state(project.pk)["status"] == "completed", what="completion")
    assert GeneratedFile.objects.filter(project=project).count() == 3
