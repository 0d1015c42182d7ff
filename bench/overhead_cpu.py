"""CPU per request of a few cheap routes and of the bare view, in one process (issue 11).

What every API route pays on top of its own work (DRF dispatch, access checks, middleware,
request log and metrics) shows as the gap between a cheap route and the bare JSON view
(bench/ceiling.py) under the same settings and middleware. Run with the bench's settings
(DEBUG off, LOG_LEVEL=WARNING, throttles off, open mounts), alternating the routes round by
round so that a busy neighbour on the machine slows all of them alike:

    DATABASE_URL=... python bench/overhead_cpu.py [-n 400] [--rounds 5] [--profile ROUTE]

`--profile NAME` prints cProfile's top functions (cumulative) for that route instead;
`--calls` the Python function calls per request of each route (cProfile's count): unlike CPU
time, the same on a busy machine as on a quiet one. Before → after: run this file from each
checkout's folder (`cd <checkout> && python <this file>`), the routes come from the checkout.
"""

import argparse
import contextlib
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.getcwd())  # the checkout to measure: run from its folder
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.update(
    DEBUG="0",
    LOG_LEVEL="WARNING",
    DISABLE_THROTTLES="1",
    LUNA_ACCESS="open",
    EDGESOUL_ACCESS="open",
    LEARNING_ACCESS="open",
    YAGO_ACCESS="open",
)

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402


def routes() -> dict[str, tuple[str, str, str]]:
    from memory.models import LearnerProfile
    from projects.models import Project

    learner = LearnerProfile.objects.order_by("pk").values_list("id", flat=True)[:1].get()
    project = Project.objects.order_by("pk").values_list("pk", flat=True)[:1].get()
    return {
        "bare view": ("GET", "/", ""),
        "learning GET /profiles/{id}": ("GET", f"/learning/profiles/{learner}", ""),
        "yago GET /api/v1/projects/{id}": ("GET", f"/yago/api/v1/projects/{project}", ""),
        "yago GET /api/v1/projects": ("GET", "/yago/api/v1/projects", ""),
        "yago GET /api/v1/projects?status=completed&limit=20": (
            "GET",
            "/yago/api/v1/projects?status=completed&limit=20",
            "",
        ),
        "yago PUT /api/v1/projects/{id}": (
            "PUT",
            f"/yago/api/v1/projects/{project}",
            '{"progress": 50}',
        ),
    }


def call(client: Client, route: tuple[str, str, str]):
    method, path, body = route
    return client.generic(method, path, body, content_type="application/json")


def urlconf(name: str):
    """The bare view's URLconf for its whole loop (switching per request would cost more)."""
    if name == "bare view":
        return override_settings(ROOT_URLCONF="bench.ceiling")
    return contextlib.nullcontext()


def cpu_per_request(client, name, route, n: int) -> float:
    with urlconf(name):
        started = time.process_time()
        for _ in range(n):
            response = call(client, route)
        elapsed = time.process_time() - started
    assert response.status_code == 200, (name, response.status_code, response.content[:200])
    return elapsed * 1000 / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--calls", action="store_true")
    args = parser.parse_args()
    client = Client()
    table = routes()
    for name, route in table.items():
        with urlconf(name):
            for _ in range(5):  # warm-up: imports, compiled queries, caches
                call(client, route)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        cpu_per_request(client, args.profile, table[args.profile], args.n)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        return
    if args.calls:
        print("| route | Python function calls per request |")
        print("|---|---:|")
        for name, route in table.items():
            with urlconf(name):
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(50):
                    call(client, route)
                profiler.disable()
            print(f"| {name} | {pstats.Stats(profiler).total_calls // 50} |")
        return
    samples = {name: [] for name in table}
    for _ in range(args.rounds):
        for name, route in table.items():
            samples[name].append(cpu_per_request(client, name, route, args.n))
    # The fastest round: the one a busy neighbour on the machine disturbed least.
    bare = min(samples["bare view"])
    print(f"| route | CPU ms/request (best of {args.rounds} × {args.n}) | of bare view |")
    print("|---|---:|---:|")
    for name, values in samples.items():
        ms = min(values)
        print(f"| {name} | {ms:.3f} | {bare / ms:.0%} |")


if __name__ == "__main__":
    main()
