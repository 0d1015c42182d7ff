"""Metrics under gunicorn with two workers: a scrape of either one counts the requests of both
(prometheus_client's multiprocess mode, set up by config/gunicorn.py)."""

import http.client
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client import multiprocess
from prometheus_client.parser import text_string_to_metric_families

from config.tests.consumer import database_url, wait_for
from config.tests.test_serve import children, free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
TOKEN = "two-workers-token"
HEALTHZ = {"route": "healthz", "method": "GET", "status": "200"}

pytestmark = pytest.mark.django_db  # the workers read the (migrated) test database


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    except OSError:
        return 0, ""
    finally:
        connection.close()


def healthz_count(text: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "http_requests_total" and sample.labels == HEALTHZ
    )


def counts_per_worker(folder: Path) -> dict[int, float]:
    """Each worker's own file, read alone."""
    counts = {}
    for path in folder.glob("counter_*.db"):
        families = multiprocess.MultiProcessCollector.merge([str(path)], accumulate=False)
        counts[int(path.stem.split("_")[1])] = sum(
            sample.value
            for family in families
            for sample in family.samples
            if sample.name == "http_requests_total" and sample.labels == HEALTHZ
        )
    return counts


def test_a_scrape_counts_the_requests_of_both_workers(tmp_path):
    port = free_port()
    folder = tmp_path / "metrics"
    folder.mkdir()
    stale = folder / "counter_999999999.db"  # a previous run's worker: no such process
    stale.write_bytes(b"\0" * 16)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "GUNICORN_"))},
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "two-workers-test-key",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESSLOG": "",
    }
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [GUNICORN, "--config", "config/gunicorn.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        workers = wait_for(
            lambda: len(pids := children(process.pid)) == 2 and pids, timeout=90, what="2 workers"
        )
        # Ready when a worker answers (refused, as no token is sent: only healthz is counted).
        wait_for(lambda: get(port, "/metrics")[0] == 401, timeout=90, interval=0.2, what="up")
        assert not stale.exists()

        # Concurrent requests until both workers have answered some (the kernel picks).
        sent = 0
        with ThreadPoolExecutor(max_workers=4) as pool:
            for _ in range(20):
                statuses = list(pool.map(lambda _: get(port, "/healthz")[0], range(20)))
                assert statuses == [200] * 20
                sent += 20
                if len([c for c in counts_per_worker(folder).values() if c]) == 2:
                    break

        per_worker = counts_per_worker(folder)
        assert sorted(per_worker) == sorted(workers)
        assert all(count > 0 for count in per_worker.values())
        assert sum(per_worker.values()) == sent
        # Whichever worker answers the scrape, it reports every request.
        for _ in range(4):
            status, text = get(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
            assert status == 200
            assert healthz_count(text) == sent
        assert get(port, "/metrics")[0] == 401
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
