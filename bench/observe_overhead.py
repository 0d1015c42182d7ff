"""What the request id, log line and metrics cost per request (config/requestlog.py).

The ceiling view (bench/ceiling.py: a bare JSON view, no query) behind every middleware, called
in-process through Django's WSGI handler, in CPU time per request (`time.process_time`: on a
shared, loaded machine wall-clock throughput mostly measures the neighbours). Three variants,
alternated for --rounds rounds:

- `without`: RequestLogMiddleware left out (no id, no metrics, no log line);
- `metrics`: with it, its log line below the level (LOG_LEVEL=WARNING, as `make bench` runs);
- `metrics+log`: with it and one JSON line per request written (to a file).

Metrics in multiprocess mode, as under gunicorn.

    .venv/bin/python bench/observe_overhead.py --requests 2000 --rounds 5
"""

import argparse
import io
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FOLDER = tempfile.mkdtemp(prefix="overhead-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{FOLDER}/ceiling.sqlite3",
        "SECRET_KEY": "overhead-bench-key",
        "DEBUG": "0",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "PROMETHEUS_MULTIPROC_DIR": FOLDER,
    }
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

MIDDLEWARE = "config.requestlog.RequestLogMiddleware"


def handler(without: bool) -> WSGIHandler:
    middleware = [name for name in settings.MIDDLEWARE if not (without and name == MIDDLEWARE)]
    with override_settings(MIDDLEWARE=middleware, ROOT_URLCONF="bench.ceiling"):
        wsgi = WSGIHandler()  # loads the middleware now
    return wsgi


def environ() -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }


def cpu_per_request(wsgi: WSGIHandler, requests: int) -> float:
    """Microseconds of CPU per request."""
    statuses = set()
    started = time.process_time()
    with override_settings(ROOT_URLCONF="bench.ceiling"):
        for _ in range(requests):
            body = wsgi(environ(), lambda status, headers: statuses.add(status))
            b"".join(body)
            body.close()
    spent = time.process_time() - started
    assert statuses == {"200 OK"}, statuses
    return spent / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import bench.ceiling  # noqa: F401 (it runs django.setup() again: logging is set up anew)

    console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    console.setStream(open(Path(FOLDER) / "requests.log", "w"))  # noqa: SIM115
    request_logger = logging.getLogger("config.requestlog")
    variants = {
        "without": (handler(without=True), logging.INFO),
        "metrics": (handler(without=False), logging.WARNING),
        "metrics+log": (handler(without=False), logging.INFO),
    }
    results: dict[str, list[float]] = {name: [] for name in variants}
    for wsgi, level in variants.values():  # warm up: imports, URL resolver, first files
        request_logger.setLevel(level)
        cpu_per_request(wsgi, 200)
    for _ in range(args.rounds):
        for name, (wsgi, level) in variants.items():
            request_logger.setLevel(level)
            results[name].append(cpu_per_request(wsgi, args.requests))
    shutil.rmtree(FOLDER, ignore_errors=True)
    base = statistics.median(results["without"])
    print(f"{args.rounds} rounds x {args.requests} requests, CPU µs per request")
    print("| variant | median µs | min µs | added vs without (median) |")
    print("|---|---:|---:|---:|")
    for name, values in results.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.0f} | {min(values):.0f} | {median - base:+.0f} µs |")


if __name__ == "__main__":
    main()
