"""/metrics: Prometheus's text format, closed without the scrape token, counters that move."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from config import metrics
from config.models import BackupRun, BackupStatus

TOKEN = "scrape-token-for-tests"
SCRAPE = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape: {(name, sorted labels): value}."""
    response = client.get("/metrics", **SCRAPE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def moved(before, after, name: str, **labels) -> float:
    """How far one sample moved between two scrapes."""
    return value(after, name, **labels) - value(before, name, **labels)


def test_requests_are_counted_per_route_method_and_status(client):
    before = scrape(client)

    client.get("/")
    client.get("/")
    client.post("/")

    after = scrape(client)
    delta = {
        (method, status): value(
            after, "http_requests_total", route="home", method=method, status=status
        )
        - value(before, "http_requests_total", route="home", method=method, status=status)
        for method, status in (("GET", "200"), ("POST", "200"), ("POST", "405"))
    }
    assert delta == {("GET", "200"): 2.0, ("POST", "200"): 0.0, ("POST", "405"): 1.0}
    latency = dict(route="home", method="GET", status="200")
    assert moved(before, after, "http_request_duration_seconds_count", **latency) == 2.0
    assert moved(before, after, "http_request_duration_seconds_bucket", **latency, le="+Inf") == 2.0


def test_database_queries_per_request_are_counted(client):
    labels = dict(route="healthz", method="GET")
    before = scrape(client)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200
    ran = len(queries)  # SELECT 1, migrations (introspection differs per engine), backups

    after = scrape(client)
    count = "http_request_db_queries_count"
    total = "http_request_db_queries_sum"
    assert moved(before, after, count, **labels) == 1.0
    assert moved(before, after, total, **labels) == ran
    bucket = "http_request_db_queries_bucket"
    assert moved(before, after, bucket, **labels, le="3.0") == 0
    assert moved(before, after, bucket, **labels, le="5.0") == 1


def test_unknown_paths_share_one_label_and_odd_methods_another(client):
    before = scrape(client)

    client.get("/no-such-page-1")
    client.get("/no-such-page-2/deeper")
    client.generic("BREW", "/")

    after = scrape(client)
    unmatched = dict(route="<unmatched>", method="GET", status="404")
    brewed = dict(route="home", method="other", status="405")
    assert moved(before, after, "http_requests_total", **unmatched) == 2.0
    assert moved(before, after, "http_requests_total", **brewed) == 1.0
    assert not any("no-such-page" in str(labels) for _, labels in after)


def test_cache_reads_are_counted_by_name(client):
    before = scrape(client)

    metrics.record_cache(True, "venue_details")
    metrics.record_cache(True, "venue_details")
    metrics.record_cache(False, "venue_details")

    after = scrape(client)
    assert {
        result: moved(before, after, "cache_requests_total", cache="venue_details", result=result)
        for result in ("hit", "miss")
    } == {"hit": 2.0, "miss": 1.0}


def test_the_project_cache_counts_its_hits_and_misses_by_what_it_caches(client):
    from config import cache

    cache.clear_local()
    before = scrape(client)

    cache.cached("metrics-test:thing:1", lambda: "built", version=1)  # miss
    cache.cached("metrics-test:thing:1", lambda: "built", version=1)  # hit
    cache.cached("metrics-test:thing:2", lambda: "built", version=1)  # miss
    cache.cached_many({1: "metrics-test:thing:1"}, lambda ids: {}, versions={1: 1})  # hit

    after = scrape(client)
    assert {
        result: moved(
            before, after, "cache_requests_total", cache="metrics-test:thing", result=result
        )
        for result in ("hit", "miss")
    } == {"hit": 2.0, "miss": 2.0}


def test_jobs_are_timed_per_task_and_outcome(client):
    from config.tasks import ping

    before = scrape(client)

    ping()  # immediate mode in unit tests: runs here, through the same hooks as a consumer

    after = scrape(client)
    labels = dict(task="ping", outcome="complete")
    count = "jobs_duration_seconds_count"
    assert moved(before, after, count, **labels) == 1.0
    assert value(after, "jobs_queue_depth") == 0.0
    assert value(after, "jobs_scheduled") == 0.0


def test_backup_age_and_overdue_are_read_at_scrape_time(client, monkeypatch):
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    assert value(scrape(client), "backup_overdue") == 1.0  # no backup yet
    assert ("backup_last_success_age_seconds", ()) not in scrape(client)

    BackupRun.objects.create(
        status=BackupStatus.OK,
        started_at=now - timedelta(minutes=95),
        finished_at=now - timedelta(minutes=90),
    )

    samples = scrape(client)
    assert value(samples, "backup_overdue") == 0.0
    assert value(samples, "backup_last_success_age_seconds") == 5400.0
    assert (
        value(samples, "backup_last_success_timestamp_seconds")
        == (now - timedelta(minutes=90)).timestamp()
    )


def test_no_replica_means_no_replica_series(client):
    samples = scrape(client)

    assert [name for name, _ in samples if name.startswith("db_replica")] == []


# --- Who may scrape ------------------------------------------------------------------------


def test_without_a_token_configured_metrics_is_not_there(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.post("/metrics").status_code == 404  # any method: nothing to find


def test_only_a_scraper_learns_that_metrics_answers_get_alone(client):
    assert client.post("/metrics").status_code == 401
    assert client.post("/metrics", **SCRAPE).status_code == 405


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", TOKEN],
    ids=["none", "wrong", "basic", "longer", "no-scheme"],
)
def test_a_scrape_without_the_right_token_is_refused(client, authorization):
    response = client.get("/metrics", HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 401
    assert response.json() == {"detail": "A scrape token is required."}
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'


def test_the_token_scheme_is_case_insensitive(client):
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"bearer {TOKEN}").status_code == 200


def test_staff_may_look_without_a_token_others_may_not(client, admin_client, settings):
    from accounts.models import User

    settings.METRICS_TOKEN = ""
    member = User.objects.create_user(email="member@example.com", password="x")
    client.force_login(member)

    assert admin_client.get("/metrics").status_code == 200
    assert client.get("/metrics").status_code == 404


def test_prometheus_scrapes_each_server_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/metrics", **SCRAPE).status_code == 200
    assert client.get("/luna/venues").status_code == 301


def test_metrics_is_not_in_the_api_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert "/metrics" not in schema["paths"]
