"""Prometheus metrics at `/metrics` (the official prometheus_client).

Every gunicorn worker counts in files under `PROMETHEUS_MULTIPROC_DIR` (config/gunicorn.py
makes the folder and forgets dead workers), and a scrape of any worker adds up all of them:
client multiprocess mode. Without that variable (runserver, tests) the process counts alone.

- Counted as things happen: requests and their latency per route, method and status; database
  queries per request; cache hits and misses (`record_cache`, for the cache layer to call); job
  durations per task and outcome (recorded by the consumer, config/jobs.py).
- Read at scrape time (`StateCollector`): jobs waiting in the queue, the last good backup's age,
  each replica's replay lag.

A job consumer on a host of its own (no scrape reads its files) serves its job metrics itself
on `CONSUMER_METRICS_BIND` (`consumer_exporter_start`, started by config/jobs.py).

Closed by default: `METRICS_TOKEN` set, a scraper sends `Authorization: Bearer <token>`; staff
signed in to the admin may look in a browser. Without a token and a staff session: 404.
"""

import hmac
import logging
import os
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    make_wsgi_app,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import ThreadingWSGIServer

logger = logging.getLogger(__name__)

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
# `*_created` series say when a label set first appeared in this process: noise, and absent in
# multiprocess mode anyway.
disable_created_metrics()

# Seconds: from a cached health check to a slow PupMatch discovery.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
QUERY_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100, 200)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)

REQUESTS = Counter(
    "http_requests",
    "HTTP requests answered, per route, method and status.",
    ("route", "method", "status"),
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request, per route, method and status.",
    ("route", "method", "status"),
    buckets=LATENCY_BUCKETS,
)
QUERIES = Histogram(
    "http_request_db_queries",
    "Database queries run by one HTTP request, per route and method.",
    ("route", "method"),
    buckets=QUERY_BUCKETS,
)
CACHE = Counter(
    "cache_requests", "Cache reads, per cache and result (hit or miss).", ("cache", "result")
)
JOBS = Histogram(
    "jobs_duration_seconds",
    "Time a background job ran, per task and outcome (complete or error).",
    ("task", "outcome"),
    buckets=JOB_BUCKETS,
)


def record_request(*, route: str, method: str, status: int, seconds: float, queries: int) -> None:
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route, method, str(status)).observe(seconds)
    QUERIES.labels(route, method).observe(queries)


def record_cache(hit: bool, name: str = "default") -> None:
    """Count one cache read: `record_cache(value is not None, "venue_details")`.

    `name` says which cached thing (a fixed word per call site, never a key)."""
    CACHE.labels(name, "hit" if hit else "miss").inc()


def record_job(*, task: str, outcome: str, seconds: float) -> None:
    JOBS.labels(task, outcome).observe(seconds)


class StateCollector:
    """Gauges read when Prometheus scrapes: queue depth, backup age, replica lag.

    A part that cannot be read (Redis or a replica down) is left out or reported down,
    never an error: a scrape must answer when things are broken, that is when it matters.
    """

    NAMES = (
        "jobs_queue_depth",
        "jobs_scheduled",
        "backup_overdue",
        "backup_last_success_timestamp_seconds",
        "backup_last_success_age_seconds",
        "db_replica_up",
        "db_replica_lag_seconds",
    )

    def describe(self):
        """The names without reading anything (the registry asks when it registers us)."""
        return [GaugeMetricFamily(name, "") for name in self.NAMES]

    def collect(self):
        yield from self._queue()
        yield from self._backup()
        yield from self._replicas()

    def _queue(self):
        from config.jobs import huey

        try:
            pending, scheduled = huey.pending_count(), huey.scheduled_count()
        except Exception:  # noqa: BLE001 (the queue's storage is down: no sample)
            logger.warning("metrics: the job queue could not be read", exc_info=True)
            return
        yield GaugeMetricFamily("jobs_queue_depth", "Jobs waiting for a consumer.", value=pending)
        yield GaugeMetricFamily(
            "jobs_scheduled", "Jobs waiting for their time (delayed or retrying).", value=scheduled
        )

    def _backup(self):
        from config.backup_runs import backup_state

        try:
            state = backup_state()
        except DatabaseError:
            logger.warning("metrics: the backup state could not be read", exc_info=True)
            return
        yield GaugeMetricFamily(
            "backup_overdue",
            "1 when the last verified backup is older than the schedule allows or the latest "
            "run failed (as /healthz says), else 0.",
            value=int(state["state"] == "overdue"),
        )
        last_ok = state["last_ok"]
        if last_ok is not None:
            finished = last_ok.finished_at or last_ok.started_at
            yield GaugeMetricFamily(
                "backup_last_success_timestamp_seconds",
                "When the last verified backup finished (Unix time).",
                value=finished.timestamp(),
            )
            yield GaugeMetricFamily(
                "backup_last_success_age_seconds",
                "Seconds since the last verified backup finished.",
                value=(timezone.now() - finished).total_seconds(),
            )

    def _replicas(self):
        aliases = [
            alias
            for alias in connections.settings  # settings.DATABASES
            if alias != "default" and connections[alias].vendor == "postgresql"
        ]
        if not aliases:
            return
        up = GaugeMetricFamily("db_replica_up", "1 when the replica answers.", labels=["alias"])
        lag = GaugeMetricFamily(
            "db_replica_lag_seconds",
            "How far the replica's replay is behind (0 when it has replayed all it received).",
            labels=["alias"],
        )
        for alias in aliases:
            try:
                seconds = replica_lag(alias)
            except DatabaseError:
                up.add_metric([alias], 0)
                continue
            if seconds is None:  # not a standby: some other database
                continue
            up.add_metric([alias], 1)
            lag.add_metric([alias], seconds)
        yield up
        yield lag


REPLICA_LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
       END
"""


def replica_lag(alias: str) -> float | None:
    """Seconds the standby `alias` is behind; None when it is not a standby."""
    with connections[alias].cursor() as cursor:
        cursor.execute(REPLICA_LAG_SQL)
        in_recovery, seconds = cursor.fetchone()
    return float(seconds) if in_recovery else None


STATE = StateCollector()
if not MULTIPROCESS:
    REGISTRY.register(STATE)


def registry() -> CollectorRegistry:
    """What a scrape reads: every process's files (multiprocess mode) or this process."""
    if not MULTIPROCESS:
        return REGISTRY
    scrape = CollectorRegistry()
    multiprocess.MultiProcessCollector(scrape)
    scrape.register(STATE)
    return scrape


def _token_ok(authorization: str) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _, given = authorization.partition(" ")
    return bool(token) and (
        scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())
    )


def _allowed(request) -> bool:
    if _token_ok(request.headers.get("Authorization", "")):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_active and user.is_staff)


def metrics_view(request):
    """The Prometheus text format, for a scraper with the token or a staff session."""
    if not _allowed(request):
        if not settings.METRICS_TOKEN:
            raise Http404  # off unless configured: nothing to find for anyone else, any method
        response = JsonResponse({"detail": "A scrape token is required."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return _scrape(request)


@require_safe
def _scrape(request):
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


# --- A consumer on a host of its own --------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # one line per scrape would drown the job lines
        pass


def consumer_exporter_start(bind: str) -> WSGIServer:
    """Serve this consumer's job metrics at `http://<bind>/metrics` (CONSUMER_METRICS_BIND), with
    the same token as /metrics, for a consumer whose files no web server's scrape reads."""
    if MULTIPROCESS:
        scrape = CollectorRegistry()
        multiprocess.MultiProcessCollector(scrape)
    else:
        scrape = CollectorRegistry()
        scrape.register(JOBS)
    app = make_wsgi_app(scrape)

    def guarded(environ, start_response):
        if not _token_ok(environ.get("HTTP_AUTHORIZATION", "")):
            start_response(
                "401 Unauthorized",
                [
                    ("Content-Type", "application/json"),
                    ("WWW-Authenticate", 'Bearer realm="metrics"'),
                ],
            )
            return [b'{"detail": "A scrape token is required."}']
        return app(environ, start_response)

    host, _, port = bind.rpartition(":")
    server = make_server(host, int(port), guarded, ThreadingWSGIServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
