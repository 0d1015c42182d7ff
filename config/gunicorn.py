"""gunicorn settings for `make run`: one gthread worker per core, 4 threads each.

Chosen by measurement (bench/WORKERS.md, `python bench/workers.py --rounds 2 --duration 4`,
2 cores, seed data, the models side by side): gthread 2×4 served 2–3× the requests of the
old default, gunicorn's 2 × cores + 1 sync workers, on both engines (SQLite: bare view 2166
vs 1082 req/s, /luna/venues/venue_1 753 vs 358; PostgreSQL: 1798 vs 657, 668 vs 324) in 194
instead of 455 MiB of workers. Sync workers close every connection after one response (no
keep-alive) and five processes fight over two cores; threads overlap the database waits.
3×4 was no better than 2×4. Re-measure on a bigger machine before raising either.

Read like config/settings.py: the process environment first, then `.env` in the project folder,
so `GUNICORN_BIND=127.0.0.1:8011` in `.env` moves the server to port 8011.
"""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

import environ

env = environ.Env()
environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env")

bind = env("GUNICORN_BIND", default="127.0.0.1:8000")
workers = env.int("GUNICORN_WORKERS", default=multiprocessing.cpu_count())
threads = env.int("GUNICORN_THREADS", default=4)
worker_class = "sync" if threads == 1 else "gthread"
timeout = env.int("GUNICORN_TIMEOUT", default=60)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (a backstop against slow leaks, jittered so the
# workers don't restart together). Each restart costs a cold start (imports, per-process caches,
# prepared statements) that lands in the tail latency: at 1,000 req/s the old 10,000 restarted
# each worker every ~20 s. Memory no longer grows with requests (ReleaseViewMiddleware; RSS flat
# over bench/rss.py's routes), so 100,000.
max_requests = env.int("GUNICORN_MAX_REQUESTS", default=100_000)
max_requests_jitter = max_requests // 10
accesslog = env("GUNICORN_ACCESSLOG", default="-") or None  # empty: no access log (benchmarks)
errorlog = "-"
wsgi_app = "config.wsgi:application"


# Prometheus (config/metrics.py): every worker counts in files of one folder, and a scrape of
# any worker adds them all up. `PROMETHEUS_MULTIPROC_DIR` names it (a folder shared with a job
# consumer on this host, as config/serve.sh does); else the master makes a temporary one,
# removed when it exits. Set in the master, before any worker imports prometheus_client.
_owned_metrics_dir: list[str] = []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def on_starting(server):
    """Counts start at zero: forget the files of processes that are gone (a previous run)."""
    folder = env("PROMETHEUS_MULTIPROC_DIR", default="")
    if not folder:
        folder = tempfile.mkdtemp(prefix="metrics-")
        _owned_metrics_dir.append(folder)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    Path(folder).mkdir(parents=True, exist_ok=True)
    for path in Path(folder).glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if not pid.isdigit() or not _alive(int(pid)):
            path.unlink(missing_ok=True)


def post_worker_init(worker):
    """Import every view now, then take what the worker holds out of garbage collection.

    Python's full collections walk every tracked object: ~140,000 once Django and the views are
    loaded, a pause of tens of milliseconds in whichever request triggers it (issue 11, tail
    latency). What is loaded here lives as long as the worker, so gc.freeze() moves it out of
    every later collection, as large Django deployments do; the requests' own short-lived
    objects are still collected as before. Importing the URLconf here also spares the first
    request the import.
    """
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every app's views)
    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    for folder in _owned_metrics_dir:
        shutil.rmtree(folder, ignore_errors=True)
