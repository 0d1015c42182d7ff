"""CPU per `GET /pupmatch/discover` in one process (Django's test client), and the bare view's.

    cd <checkout> && DATABASE_URL=... python <this repo>/bench/discovery_cpu.py [VIEWERS] [ROUNDS]

VIEWERS profiles with a location (the first by id, so every checkout asks the same) each
discover ROUNDS times, every page of 50 once per viewer and round is the first; "of ceiling" =
the bare view's median CPU ÷ discovery's. On SQLite the database work is in the process, on
PostgreSQL it is not (the wall time shows the server's share). `answers` is a digest of every
response with the photo URLs' signatures left out: two checkouts on the same data must agree.
"""

import hashlib
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.environ.get("BENCH_CODE") or os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from matching.models import Profile  # noqa: E402

SIGNED = re.compile(rb"\?expires=\d+&signature=[^\"]+")


def timed(request, n: int) -> tuple[float, float]:
    cpu, wall = [], []
    for i in range(n):
        c0, w0 = time.process_time(), time.perf_counter()
        request(i)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def main(viewers: int = 20, rounds: int = 5) -> None:
    profiles = list(
        Profile.objects.filter(latitude__isnull=False)
        .select_related("user")
        .order_by("pk")[:viewers]
    )
    tokens = [f"Bearer {AccessToken.for_user(profile.user)}" for profile in profiles]
    client = Client()
    with override_settings(ROOT_URLCONF="bench.ceiling"):
        for _ in range(3):
            client.get("/")
        bare_cpu, _ = timed(lambda i: client.get("/"), 300)

    def discover(i: int):
        response = client.get("/pupmatch/discover", HTTP_AUTHORIZATION=tokens[i % len(tokens)])
        assert response.status_code == 200, response.status_code
        return response

    digest = hashlib.sha256()
    counts = []
    for i in range(len(tokens)):  # warm-up, and the answers
        body = discover(i).content
        digest.update(SIGNED.sub(b"", body))
        counts.append(body.count(b'"user_id"'))
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        discover(0)
    cpu, wall = timed(discover, len(tokens) * rounds)
    print(
        f"{connection.vendor}: {Profile.objects.count():,} profiles, {len(tokens)} viewers × "
        f"{rounds}: discover CPU p50 {cpu:.2f} ms, wall p50 {wall:.2f} ms, "
        f"{len(queries)} queries, {sum(counts) / len(counts):.0f} cards per page; "
        f"bare view CPU {bare_cpu:.3f} ms → {bare_cpu / cpu:.1%} of ceiling; "
        f"answers {digest.hexdigest()[:16]}"
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
