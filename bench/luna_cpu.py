"""CPU and wall time per request of Luna's routes in one process, the way gunicorn calls Django.

Django's WSGI handler itself (not the test client, which skips `close_old_connections` and so
the per-request connection health check): each request sends `request_started`, runs every
middleware and the view, and closes the response. The bare JSON view (bench/ceiling.py) is
measured the same way; "of ceiling" = its CPU per request ÷ the route's. On PostgreSQL the
server's own CPU is not in the process's CPU: the wall time shows it.

    DATABASE_URL=... python bench/luna_cpu.py [-n 400] [--rounds 3] [ROUTE ...]

ROUTE is `METHOD PATH [BODY]` as one string, e.g. 'POST /luna/interests {"user_id": ...}';
without one, the seed-data routes of bench/endpoints.py plus search and the toggle.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import clear_url_caches  # noqa: E402

ROUTES = [
    "GET /luna/venues",
    "GET /luna/venues/venue_1",
    "GET /luna/users/user_1",
    "GET /luna/recommendations?user_id=user_1",
    "GET /luna/venues/search?q=coffee",
    # Toggled twice per pair: the database ends as it began.
    'POST /luna/interests {"user_id": "user_8", "venue_id": "venue_12"}',
]


def environ(route: str) -> dict:
    method, rest = route.split(" ", 1)
    target, _, body = rest.partition(" ")
    path, _, query = target.partition("?")
    data = body.encode()
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "HTTP_HOST": "127.0.0.1",
        "wsgi.input": io.BytesIO(data),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(handler: WSGIHandler, route: str) -> tuple[str, bytes]:
    status = []
    result = handler(environ(route), lambda s, headers, exc_info=None: status.append(s))
    body = b"".join(result)
    result.close()  # request_finished, as gunicorn does
    return status[0], body


def measure(handler: WSGIHandler, route: str, n: int) -> dict:
    for _ in range(5):
        call(handler, route)
    cpu, wall = [], []
    for _ in range(n):
        c0, w0 = time.process_time(), time.perf_counter()
        status, body = call(handler, route)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)
    ):
        call(handler, route)
    return {
        "cpu_ms": statistics.median(cpu) * 1000,
        "wall_ms": statistics.median(wall) * 1000,
        "status": status,
        "bytes": len(body),
        "queries": len(queries),
        "sql": queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("routes", nargs="*", default=ROUTES)
    parser.add_argument("-n", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sql", action="store_true", help="print each route's queries")
    args = parser.parse_args()
    handler = WSGIHandler()
    print(f"engine {connection.vendor}, n={args.n}, rounds={args.rounds} (median of rounds)")
    results: dict[str, list[dict]] = {}
    for _ in range(args.rounds):
        with override_settings(ROOT_URLCONF="bench.ceiling"):
            clear_url_caches()
            results.setdefault("bare view", []).append(measure(handler, "GET /", args.n))
        clear_url_caches()
        for route in args.routes:
            results.setdefault(route, []).append(measure(handler, route, args.n))
    ceiling = statistics.median(r["cpu_ms"] for r in results["bare view"])
    print(f"{'route':58} {'cpu ms':>7} {'wall ms':>8} {'of ceil':>7} {'queries':>7} status")
    for route, rows in results.items():
        cpu = statistics.median(r["cpu_ms"] for r in rows)
        wall = statistics.median(r["wall_ms"] for r in rows)
        last = rows[-1]
        print(
            f"{route[:58]:58} {cpu:7.3f} {wall:8.3f} {ceiling / cpu:7.1%} {last['queries']:7} "
            f"{last['status'][:3]} {last['bytes']} B"
        )
        if args.sql:
            for sql in last["sql"]:
                print(f"    {sql[:160]}")


if __name__ == "__main__":
    main()
