"""bench/hotpaths.py's routes: bench/endpoints.py's PupMatch, YAGO and memory endpoints plus
the YAGO and EdgeSoul writes it lacks, with ids from the data set and queries per request.

Runs inside Django of the checkout in BENCH_CODE (hotpaths.py sets it and DATABASE_URL).
"""

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, os.environ.get("BENCH_CODE") or str(Path(__file__).resolve().parent.parent))

from bench import endpoints  # noqa: E402  (sets Django up)
from bench.endpoints import SAMPLE, Endpoint, count_queries, rng  # noqa: E402


def writes() -> list[Endpoint]:
    from memory.models import CompanionProfile
    from projects.models import Project

    projects = list(Project.objects.order_by("?").values_list("pk", flat=True)[:SAMPLE])
    users = list(CompanionProfile.objects.order_by("?").values_list("user_id", flat=True)[:SAMPLE])
    emotions = ["joy", "sadness", "calm", "anger", "love", "fear"]
    return [
        Endpoint(
            "yago PUT /api/v1/projects/{id}",
            "PUT",
            [f"/yago/api/v1/projects/{pk}" for pk in projects],
            bodies=[json.dumps({"progress": rng.randrange(101)}) for _ in projects],
        ),
        Endpoint(
            "edgesoul POST /memory/{user_id}",
            "POST",
            [f"/edgesoul/api/v1/memory/memory/{u}" for u in users],
            bodies=[
                json.dumps({"memory_type": "fact", "content": f"Walked the dog {n} times today"})
                for n in range(len(users))
            ],
        ),
        Endpoint(
            "edgesoul POST /emotion/{user_id}",
            "POST",
            [f"/edgesoul/api/v1/memory/emotion/{u}" for u in users],
            bodies=[
                json.dumps(
                    {"emotion": emotions[n % 6], "intensity": 40 + n % 50, "triggers": ["work"]}
                )
                for n in range(len(users))
            ],
        ),
    ]


def main(out: str) -> None:
    prepared = endpoints.pupmatch() + endpoints.yago() + endpoints.memory() + writes()
    for endpoint in prepared:
        endpoint.queries = count_queries(endpoint)
    Path(out).write_text(json.dumps([asdict(e) for e in prepared], indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
