"""X-Request-ID, one JSON log line per request, and the request id carried into its jobs."""

import copy
import io
import json
import logging
import logging.config
import re

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from huey.contrib.djhuey import task
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from config import jobs, requestid
from config.tests.consumer import wait_for

GENERATED = re.compile(r"[0-9a-f]{32}")
seen_by_job: list[str | None] = []


@task()
def request_id_probe() -> None:
    seen_by_job.append(requestid.current())


def formatter(name: str) -> logging.Formatter:
    """The formatter config/settings.py configures under `name`."""
    configurator = logging.config.DictConfigurator(copy.deepcopy(django_settings.LOGGING))
    return configurator.configure_formatter(
        copy.deepcopy(django_settings.LOGGING["formatters"][name])
    )


@pytest.fixture
def log_lines():
    """The lines the console handler prints in production (JSON), parsed, per logger."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter("json"))
    handler.addFilter(requestid.RequestIdFilter())
    loggers = [logging.getLogger(), logging.getLogger("huey")]
    for logger in loggers:
        logger.addHandler(handler)

    def lines(logger_name: str) -> list[dict]:
        parsed = [json.loads(line) for line in buffer.getvalue().splitlines()]
        return [line for line in parsed if line["logger"] == logger_name]

    yield lines
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_one_json_line_per_request_with_its_id(client, log_lines):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            "/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c01", HTTP_X_FORWARDED_FOR="203.0.113.9"
        )

    assert response["X-Request-ID"] == "lb-7f3a9c01"
    [line] = log_lines("config.requestlog")
    duration = line.pop("duration_ms")
    assert isinstance(duration, float)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", line.pop("time"))
    assert line == {
        "level": "INFO",
        "logger": "config.requestlog",
        "message": f"GET /healthz 200 {duration:.1f}ms {len(queries)}q",
        "method": "GET",
        "route": "healthz",
        "path": "/healthz",
        "status": 200,
        "db_queries": len(queries),
        "client_ip": "127.0.0.1",  # X-Forwarded-For is not believed without TRUSTED_PROXIES
        "request_id": "lb-7f3a9c01",
    }


@pytest.mark.parametrize(
    "incoming",
    ["", " ", "has space", "x" * 129, 'quote"d', "-leading-dash", "ünïcode", "line\nbreak", "a/b"],
    ids=["empty", "blank", "space", "too-long", "quote", "dash", "unicode", "newline", "slash"],
)
def test_an_invalid_incoming_id_is_replaced(client, incoming):
    response = client.get("/favicon.ico", HTTP_X_REQUEST_ID=incoming)

    assert GENERATED.fullmatch(response["X-Request-ID"])


@pytest.mark.parametrize(
    "incoming",
    ["a", "0f8e2b7c-6a1d-4c3e-9b5a-2d7e8f9a0b1c", "req_01HX.abc:1", "y" * 128],
    ids=["one-char", "uuid", "punctuation", "longest"],
)
def test_a_well_formed_incoming_id_is_kept(client, incoming):
    assert client.get("/favicon.ico", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"] == incoming


def test_without_an_incoming_id_each_request_gets_its_own(client):
    first = client.get("/favicon.ico")["X-Request-ID"]
    second = client.get("/favicon.ico")["X-Request-ID"]

    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.django_db
def test_the_line_names_the_authenticated_account(api_client, log_lines):
    from rest_framework_simplejwt.tokens import AccessToken

    from matching.tests.factories import ProfileFactory

    profile = ProfileFactory(name="Rex")

    api_client.get(
        "/pupmatch/auth/me", HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(profile.user)}"
    )

    [line] = log_lines("config.requestlog")
    assert (line["route"], line["status"], line["user"]) == (
        "pupmatch-me",
        200,
        str(profile.user.pk),
    )


def test_text_lines_carry_the_id_too():
    record = logging.LogRecord("config.jobs", logging.INFO, __file__, 1, "job done", None, None)
    outside = logging.LogRecord("config.jobs", logging.INFO, __file__, 1, "idle", None, None)
    with requestid.bound("req-9"):
        requestid.RequestIdFilter().filter(record)
    requestid.RequestIdFilter().filter(outside)

    assert formatter("text").format(record).endswith(" INFO config.jobs [req-9] job done")
    assert formatter("text").format(outside).endswith(" INFO config.jobs [-] idle")


# --- Into the jobs -------------------------------------------------------------------------


def test_a_job_is_stored_with_the_request_id_and_read_back():
    with requestid.bound("req-stored-1"):
        data = jobs.huey.serialize_task(request_id_probe.s())

    assert jobs.huey.deserialize_task(data).request_id == "req-stored-1"


def test_a_job_stored_without_an_id_is_still_read():
    # As Huey stores it: a bare message (enqueued before the id travelled, or outside requests).
    data = jobs.huey.serializer.serialize(jobs.huey._registry.create_message(request_id_probe.s()))

    restored = jobs.huey.deserialize_task(data)
    assert (type(restored).__name__, restored.request_id) == ("request_id_probe", None)


def test_enqueue_on_commit_keeps_the_id_of_the_moment_it_was_called(monkeypatch):
    callbacks = []
    monkeypatch.setattr(jobs, "_on_commit", callbacks.append)
    seen_by_job.clear()

    with requestid.bound("req-at-call"):
        jobs.enqueue_on_commit(request_id_probe)
    callbacks.pop()()  # the commit happens later, outside the request

    assert seen_by_job == ["req-at-call"]
    assert requestid.current() is None


@pytest.mark.django_db(transaction=True)
def test_the_request_id_reaches_the_job_log_on_a_real_consumer(
    api_client, job_queue, settings, tmp_path
):
    from projects.tests.factories import ProjectFactory

    settings.YAGO_PROVIDER = "offline"
    metrics_dir = tmp_path / "metrics"  # as `make serve` shares one with gunicorn
    metrics_dir.mkdir()
    job_queue.start_consumer(LOG_FORMAT="json", PROMETHEUS_MULTIPROC_DIR=metrics_dir)
    project = ProjectFactory(name="Todo", brief={"project_idea": "A todo list"})

    response = api_client.post(
        f"/yago/api/v1/projects/{project.pk}/execute", HTTP_X_REQUEST_ID="client-req-42"
    )

    assert response.status_code == 200
    assert response["X-Request-ID"] == "client-req-42"

    def job_lines():
        lines = [json.loads(line) for line in job_queue.logs().splitlines() if line.startswith("{")]
        return [line for line in lines if line.get("request_id") == "client-req-42"]

    lines = wait_for(
        lambda: [line for line in job_lines() if line["logger"] == "config.jobs"],
        what="the job's own log line",
    )
    [finished] = lines
    assert isinstance(finished.pop("duration_ms"), float)
    assert (finished["task"], finished["outcome"], finished["level"]) == (
        "projects.tasks.project_execute_job",
        "complete",
        "INFO",
    )
    # Huey's own line about the job carries it too.
    assert any(
        line["logger"] == "huey" and "executed in" in line["message"] for line in job_lines()
    )
    # The consumer timed the job where the web's scrape reads it.
    durations = {
        sample.labels["task"]: sample.value
        for family in MultiProcessCollector(None, path=str(metrics_dir)).collect()
        for sample in family.samples
        if sample.name == "jobs_duration_seconds_count" and sample.labels["outcome"] == "complete"
    }
    assert durations["project_execute_job"] == 1.0


@pytest.mark.django_db(transaction=True)
def test_a_consumer_on_a_host_of_its_own_serves_its_job_metrics(job_queue, settings):
    from config.tests.test_metrics_gunicorn import get
    from config.tests.test_serve import free_port

    port = free_port()
    job_queue.start_consumer(CONSUMER_METRICS_BIND=f"127.0.0.1:{port}", METRICS_TOKEN="c-token")

    status, text = wait_for(
        lambda: (r := get(port, "/metrics", {"Authorization": "Bearer c-token"}))[0] == 200 and r,
        what="the consumer's metrics",
    )
    pings = [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "jobs_duration_seconds_count"
        and sample.labels == {"task": "ping", "outcome": "complete"}
    ]
    assert pings == [1.0]  # start_consumer's readiness ping
    assert get(port, "/metrics")[0] == 401
    assert get(port, "/metrics", {"Authorization": "Bearer wrong"})[0] == 401
