"""Worker memory at scale: gunicorn's RSS per worker after each Luna route is driven.

    .venv/bin/python bench/rss.py --database-url postgres://postgres@127.0.0.1:5432/NAME

Serves the database as `make run` would (config/gunicorn.py's defaults: a gthread worker per
core, 4 threads), then sends 8 concurrent clients through each route with distinct ids (reads
only: the database is not changed) and prints each worker's resident memory after it. A
worker's RSS grows to the peak of the requests it ran at once and Python keeps most of that
memory for reuse, so the figure after the largest route is what a host must budget per worker.
"""

import argparse
import os
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bench  # noqa: E402

PORT = 8055


def fetch(path: str) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=120) as response:
        return len(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database with data")
    parser.add_argument("--requests", type=int, default=60, help="per route")
    args = parser.parse_args()
    with psycopg.connect(args.database_url) as connection:
        members = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM venues_member ORDER BY random() LIMIT %s", [args.requests]
            )
        ]
        venues = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM venues_venue ORDER BY random() LIMIT %s", [args.requests]
            )
        ]
    routes = {
        "GET /luna/venues": ["/luna/venues"] * 20,
        "GET /luna/venues/{id}": [f"/luna/venues/{v}" for v in venues],
        "GET /luna/users/{id}": [f"/luna/users/{m}" for m in members],
        "GET /luna/recommendations?limit=20": [
            f"/luna/recommendations?user_id={m}&limit=20" for m in members
        ],
        "GET /luna/recommendations": [f"/luna/recommendations?user_id={m}" for m in members],
    }
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "LUNA_ACCESS": "open",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_ACCESSLOG": "",
    }
    server = bench.serve(env, PORT)
    try:
        print(f"started: worker RSS {bench.workers_rss_mb(server)} MiB")
        for name, paths in routes.items():
            started = time.monotonic()
            with ThreadPoolExecutor(8) as pool:
                largest = max(pool.map(fetch, paths))
            print(
                f"{name}: {len(paths)} requests in {time.monotonic() - started:.1f} s, "
                f"largest body {largest:,} B, worker RSS {bench.workers_rss_mb(server)} MiB",
                flush=True,
            )
    finally:
        bench.stop(server)


if __name__ == "__main__":
    main()
