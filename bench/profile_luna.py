"""CPU time per request of each Luna route, in process, against the bare view; pyinstrument.

    DATABASE_URL=... .venv/bin/python bench/profile_luna.py [--repeat 300] [--profile ROUTE]

Calls the WSGI application directly (no server, no network) `--repeat` times per route and
prints the process CPU time per request, for the bare Django JSON view (bench/ceiling.py) and
each route, and the ratio: what the wrk ceiling fraction would be on an idle machine, without
the noise of other processes (CPU time, not wall time). `--profile NAME` prints pyinstrument's
call tree for that route (a substring of its path).
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-elsewhere")
os.environ.setdefault("LOG_LEVEL", "WARNING")
for _name in ("LUNA_ACCESS", "EDGESOUL_ACCESS", "LEARNING_ACCESS", "YAGO_ACCESS"):
    os.environ.setdefault(_name, "open")

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from django.urls import clear_url_caches, set_urlconf  # noqa: E402


def environ(path: str, headers: dict[str, str]) -> dict:
    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    env.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    return env


def call(app, path: str, headers: dict[str, str]) -> tuple[str, bytes]:
    status = []
    body = b"".join(app(environ(path, headers), lambda s, h, e=None: status.append(s)))
    return status[0], body


def cpu_per_request(app, path: str, repeat: int, headers: dict[str, str]) -> float:
    call(app, path, headers)  # warm: imports, process caches
    started = time.process_time()
    for _ in range(repeat):
        call(app, path, headers)
    return (time.process_time() - started) / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--profile", help="print pyinstrument's tree for the route matching this")
    parser.add_argument("--paths", nargs="+", help="routes to time (default: the seed routes)")
    parser.add_argument("--key", help="an application key to send (X-API-Key)")
    args = parser.parse_args()
    headers = {"X-API-Key": args.key} if args.key else {}
    paths = args.paths or [
        "/luna/venues",
        "/luna/venues/venue_1",
        "/luna/users/user_1",
        "/luna/recommendations?user_id=user_1",
    ]
    app = WSGIHandler()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.ceiling"
    clear_url_caches()
    set_urlconf(None)
    bare = cpu_per_request(app, "/", args.repeat, headers)
    settings.ROOT_URLCONF = "config.urls"
    clear_url_caches()
    set_urlconf(None)
    print(f"{'route':<48} {'CPU ms/request':>15} {'bare ÷ route':>13}")
    print(f"{'bare view (bench/ceiling.py)':<48} {bare:>15.3f} {'100%':>13}")
    for path in paths:
        status, body = call(app, path, headers)
        ms = cpu_per_request(app, path, args.repeat, headers)
        print(f"{path:<48} {ms:>15.3f} {bare / ms:>12.0%}  ({status}, {len(body)} bytes)")
    close_old_connections()
    if args.profile:
        from pyinstrument import Profiler

        path = next(p for p in paths if args.profile in p)
        profiler = Profiler(interval=0.0002)
        with profiler:
            for _ in range(args.repeat):
                call(app, path, headers)
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
