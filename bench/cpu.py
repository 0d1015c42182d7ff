"""CPU per request of any route in one process, the way gunicorn calls Django, against the bare view.

wrk's throughput on a machine other jobs load is mostly their noise; the app process's CPU time
per request is not. Each request goes through Django's WSGI handler (not the test client, which
skips `close_old_connections` and so the connection health check): `request_started`, every
middleware, the view, the response closed (`request_finished`). Each round measures the bare
JSON view (bench/ceiling.py), then every route, N requests each, so a busy neighbour slows a
whole round alike; the table shows medians over the rounds. "of ceiling" = the bare view's CPU
per request ÷ the route's: wrk's fraction on an idle core. On PostgreSQL the server's own CPU
is not in the process's: the wall column shows it.

    cd <checkout> && DATABASE_URL=... python <this repo>/bench/cpu.py [options] [ROUTE ...]

ROUTE is `METHOD PATH [BODY]` as one string, e.g. 'POST /luna/interests {"user_id": ...}';
`--endpoints FILE` takes the routes of bench.py's `bench/out/<engine>.endpoints.json` (real ids,
bodies and tokens of a generated data set, rotated request by request). `--pupmatch-users K`
signs the routes' bearer tokens for the first K PupMatch profiles with a location, in turn.
`--profile TEXT` prints pyinstrument's call tree of the first route containing TEXT, `--calls`
Python function calls per request (cProfile: the same on a busy machine as on an idle one),
`--sql` each route's statements, `--digest` a hash of every route's responses (signed URLs'
signatures left out: two checkouts on the same data must agree), `--json FILE` the figures.
`--instructions` counts machine instructions per request instead of CPU time (valgrind's
callgrind: the same count whatever else the machine runs, so a before → after of a few per
cent shows on a busy machine; about 50× slower, so use a small -n): the script runs itself
under valgrind, switches counting on around N requests of a route and around none, and
divides the difference by N. The bare view is counted the same way.
Before → after: run it from each checkout's folder; the code measured is the checkout's.
Settings as bench.py's trial mode unless the environment says otherwise: DEBUG off, open
mounts, throttles off, LOG_LEVEL=WARNING.
"""

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("BENCH_CODE") or os.getcwd())  # the checkout to measure
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
for _name, _value in {
    "DEBUG": "0",
    "LOG_LEVEL": "WARNING",
    "DISABLE_THROTTLES": "1",
    "LUNA_ACCESS": "open",
    "EDGESOUL_ACCESS": "open",
    "LEARNING_ACCESS": "open",
    "YAGO_ACCESS": "open",
}.items():
    os.environ.setdefault(_name, _value)

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import clear_url_caches  # noqa: E402

SIGNED = re.compile(rb"\?expires=\d+&signature=[^\"]+")
BARE = {"name": "bare view", "method": "GET", "paths": ["/"]}


def parse_route(route: str) -> dict:
    method, rest = route.split(" ", 1)
    path, _, body = rest.partition(" ")
    return {"name": route, "method": method, "paths": [path], "bodies": [body] if body else []}


def pupmatch_tokens(count: int) -> list[str]:
    from rest_framework_simplejwt.tokens import AccessToken

    from matching.models import Profile

    profiles = Profile.objects.filter(latitude__isnull=False).select_related("user")
    return [f"Bearer {AccessToken.for_user(p.user)}" for p in profiles.order_by("pk")[:count]]


def environ(method: str, target: str, body: str, auth: str | None) -> dict:
    path, _, query = target.partition("?")
    data = body.encode()
    env = {
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
    if auth:
        env["HTTP_AUTHORIZATION"] = auth
    return env


class Route:
    def __init__(self, endpoint: dict, tokens: list[str]):
        self.name = endpoint["name"]
        self.method = endpoint["method"]
        self.paths = endpoint["paths"]
        self.bodies = endpoint.get("bodies") or [""]
        self.auth = endpoint.get("auth") or tokens or [None]
        self.bare = endpoint is BARE
        self.count = 0

    def call(self, handler: WSGIHandler) -> tuple[str, bytes]:
        i, self.count = self.count, self.count + 1
        env = environ(
            self.method,
            self.paths[i % len(self.paths)],
            self.bodies[i % len(self.bodies)],
            self.auth[i % len(self.auth)],
        )
        status = []
        result = handler(env, lambda s, headers, exc_info=None: status.append(s))
        body = b"".join(result)
        result.close()  # request_finished, as gunicorn does
        return status[0], body

    def loop(self, handler: WSGIHandler, n: int) -> list[tuple[float, float, str, bytes]]:
        """n requests: (CPU s, wall s, status, body) each. The bare view gets its own URLconf
        for the whole loop (switching per request would cost more than it measures)."""
        if self.bare:
            with override_settings(ROOT_URLCONF="bench.ceiling"):
                clear_url_caches()
                return self._loop(handler, n)
        clear_url_caches()
        return self._loop(handler, n)

    def _loop(self, handler, n):
        samples = []
        for _ in range(n):
            c0, w0 = time.process_time(), time.perf_counter()
            status, body = self.call(handler)
            samples.append((time.process_time() - c0, time.perf_counter() - w0, status, body))
        return samples


def statements(handler: WSGIHandler, route: Route) -> list[str]:
    sql = []
    with connection.execute_wrapper(lambda execute, s, *a: sql.append(s) or execute(s, *a)):
        route.loop(handler, 1)
    return sql


def profile(handler: WSGIHandler, route: Route, n: int) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    profiler.start()
    route.loop(handler, n)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    for sql in statements(handler, route):
        print(f"  {sql[:200]}")


def calls_per_request(handler: WSGIHandler, route: Route, n: int) -> int:
    profiler = cProfile.Profile()
    profiler.enable()
    route.loop(handler, n)
    profiler.disable()
    return pstats.Stats(profiler).total_calls // n


def run_under_callgrind() -> int:
    """This script again, under valgrind with counting off until `instructions` turns it on."""
    with tempfile.TemporaryDirectory(prefix="callgrind-") as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={folder}/out.%p",
            sys.executable,
            *sys.argv,
        ]
        env = {**os.environ, "BENCH_CALLGRIND_DIR": folder}
        return subprocess.run(command, env=env, stderr=subprocess.DEVNULL).returncode


def instructions(
    handler: WSGIHandler, route: Route, n: int, dumps: list[str]
) -> tuple[float, list[str]]:
    """Instructions per request of `route` and the statuses it answered: counted around n
    requests and around none (what switching the counter costs), the difference divided by n."""
    pid = str(os.getpid())
    totals, statuses = [], set()
    for count in (0, n):
        subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
        statuses.update(sample[2][:3] for sample in route.loop(handler, count))
        subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "--dump", pid], check=True, capture_output=True)
        dumps.append(f"{os.environ['BENCH_CALLGRIND_DIR']}/out.{pid}.{len(dumps) + 1}")
        text = Path(dumps[-1]).read_text()
        totals.append(int(re.search(r"^totals: (\d+)", text, re.MULTILINE).group(1)))
    return (totals[1] - totals[0]) / n, sorted(statuses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("routes", nargs="*", help="'METHOD PATH [BODY]'")
    parser.add_argument("--endpoints", type=Path, help="bench.py's endpoints JSON")
    parser.add_argument("--only", nargs="+", default=[], help="endpoints whose name has this")
    parser.add_argument("--pupmatch-users", type=int, default=0)
    parser.add_argument("-n", type=int, default=300, help="requests per route and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", metavar="TEXT")
    parser.add_argument("--calls", action="store_true")
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--digest", action="store_true")
    parser.add_argument("--json", type=Path, metavar="FILE")
    parser.add_argument("--instructions", action="store_true")
    args = parser.parse_args()
    if args.instructions and "BENCH_CALLGRIND_DIR" not in os.environ:
        sys.exit(run_under_callgrind())

    endpoints = [parse_route(route) for route in args.routes]
    if args.endpoints:
        endpoints += [
            e
            for e in json.loads(args.endpoints.read_text())
            if not args.only or any(text in e["name"] for text in args.only)
        ]
    tokens = pupmatch_tokens(args.pupmatch_users) if args.pupmatch_users else []
    handler = WSGIHandler()
    bare = Route(BARE, [])
    routes = [Route(e, tokens) for e in endpoints]
    for route in [bare, *routes]:  # warm-up: imports, compiled queries, caches
        route.loop(handler, 5)

    if args.profile:
        profile(handler, next(r for r in routes if args.profile in r.name), args.n)
        return
    if args.instructions:
        print(f"engine {connection.vendor}, instructions per request (callgrind), n={args.n}")
        print(f"{'route':58} {'instructions':>13} {'of ceil':>7} status")
        dumps: list[str] = []
        bare_count, _ = instructions(handler, bare, args.n, dumps)
        for route in routes:
            count, statuses = instructions(handler, route, args.n, dumps)
            print(
                f"{route.name[:58]:58} {count / 1e6:12.3f}M {bare_count / count:7.1%} "
                f"{','.join(statuses)}"
            )
        print(f"{'bare view':58} {bare_count / 1e6:12.3f}M {1:7.1%}")
        return
    if args.calls:
        print("| route | Python function calls per request |\n|---|---:|")
        for route in [bare, *routes]:
            print(f"| {route.name} | {calls_per_request(handler, route, 50)} |")
        return

    print(f"engine {connection.vendor}, n={args.n}, rounds={args.rounds} (median of rounds)")
    rounds: dict[str, list[list]] = {route.name: [] for route in [bare, *routes]}
    for _ in range(args.rounds):
        for route in [bare, *routes]:
            rounds[route.name].append(route.loop(handler, args.n))
    ceiling = statistics.median(statistics.median(s[0] for s in r) for r in rounds[bare.name])
    print(f"{'route':58} {'cpu ms':>7} {'wall ms':>8} {'of ceil':>7} {'queries':>7} status")
    rows = []
    for route in [bare, *routes]:
        samples = rounds[route.name]
        cpu = statistics.median(statistics.median(s[0] for s in r) for r in samples)
        wall = statistics.median(statistics.median(s[1] for s in r) for r in samples)
        sql = statements(handler, route)
        statuses = sorted({s[2][:3] for r in samples for s in r})
        row = {
            "name": route.name,
            "cpu_ms": round(cpu * 1000, 3),
            "wall_ms": round(wall * 1000, 3),
            "of_ceiling": round(ceiling / cpu, 3),
            "queries": len(sql),
            "statuses": statuses,
        }
        if args.digest:
            digest = hashlib.sha256()
            for body in sorted({SIGNED.sub(b"", s[3]) for s in samples[0]}):
                digest.update(body)
            row["digest"] = digest.hexdigest()[:16]
        rows.append(row)
        print(
            f"{route.name[:58]:58} {row['cpu_ms']:7.3f} {row['wall_ms']:8.3f} "
            f"{ceiling / cpu:7.1%} {row['queries']:7} {','.join(statuses)}"
            + (f" {row['digest']}" if args.digest else "")
        )
        if args.sql:
            for statement in sql:
                print(f"    {statement[:160]}")
    if args.json:
        args.json.write_text(json.dumps({"n": args.n, "rounds": args.rounds, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
