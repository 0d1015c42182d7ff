"""EdgeSoul memory search for a user with 200k memories: the query plan and the route's median.

    DATABASE_URL=postgres://.../wt_hotpaths_scale1 python bench/edgesoul_search.py [RUNS]

Adds the user `bench_search_200k` with 200,000 memories once (kept for later runs): 60 % of
them mention coffee; "spicy" and "ramen" each occur in a few percent and together in 0.5 %.
Then, for a two-word query matching under 1 % and a one-word query matching 60 % (top 5, the
route's default limit), prints EXPLAIN ANALYZE of the search query and the median time of
POST /edgesoul/api/v1/memory/memories/search over RUNS requests (test client, one process,
one connection; the access count updates included).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("EDGESOUL_ACCESS", "open")

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from memory.edgesoul import selectors  # noqa: E402
from memory.models import CompanionProfile, Memory  # noqa: E402

USER_ID = "bench_search_200k"
COUNT = 200_000
QUERIES = {"two words, 0.5 %": "spicy ramen", "one word, 60 %": "coffee"}
DISHES = ("pasta", "curry", "soup", "tacos", "salad", "noodles", "dumplings", "stew")
PLACES = ("the office", "her sister's flat", "the park", "the station", "a small cafe")


def content(index: int) -> str:
    """Deterministic text: 'coffee' in 60 %, 'spicy' in 4 %, 'ramen' in 2.5 %, both in 0.5 %."""
    drink = "coffee" if index % 5 < 3 else "green tea"
    if index % 200 == 0:
        dish = "spicy ramen"
    elif index % 40 == 1:
        dish = "ramen"
    elif index % 25 == 2:
        dish = f"spicy {DISHES[index % len(DISHES)]}"
    else:
        dish = DISHES[index % len(DISHES)]
    return f"User had {drink} and {dish} at {PLACES[index % len(PLACES)]}"


def ensure_user() -> None:
    profile, _ = CompanionProfile.objects.get_or_create(user_id=USER_ID)
    have = Memory.objects.filter(user=profile).count()
    if have >= COUNT:
        return
    print(f"adding {COUNT - have:,} memories to {USER_ID}...", flush=True)
    now = timezone.now()
    batch = []
    for index in range(have, COUNT):
        batch.append(
            Memory(
                id=f"{USER_ID}_{index:06d}",
                user=profile,
                memory_type=("fact", "preference", "conversation")[index % 3],
                content=content(index),
                context=f"I told you about {PLACES[index % 5]}" if index % 3 else None,
                confidence=0.3 + (index % 71) / 100,
                importance=0.1 + (index % 91) / 100,
                created_at=now - timedelta(minutes=index),
            )
        )
        if len(batch) == 5000:
            with transaction.atomic():
                Memory.objects.bulk_create(batch)
            batch = []
    if batch:
        Memory.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE memory_memory")


def main(runs: int) -> None:
    ensure_user()
    client = Client()
    print(f"{connection.vendor}: {Memory.objects.count():,} memories in all")
    for label, query in QUERIES.items():
        matching = selectors.memory_search_queryset(user_id=USER_ID, query=query).count()
        with CaptureQueriesContext(connection) as captured:
            list(selectors.memory_search_queryset(user_id=USER_ID, query=query)[:5])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + captured.captured_queries[-1]["sql"])
                print("\n".join(row[0] for row in cursor.fetchall()))
        body = json.dumps({"user_id": USER_ID, "query": query})
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.post(
                "/edgesoul/api/v1/memory/memories/search", body, content_type="application/json"
            )
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content
        print(
            f"{label}: {query!r} matches {matching:,} of {COUNT:,} ({matching / COUNT:.1%}); "
            f"route median {statistics.median(timings):.1f} ms, min {min(timings):.1f} ms "
            f"over {runs} requests; top 5: {[m['id'] for m in response.json()]}\n",
            flush=True,
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
