"""CPU per request of bench/hotpaths.py's routes, in one process (Django's test client).

wrk's throughput on a machine other jobs load is mostly the others' noise; CPU time per
request of the app process is not. For each route (the endpoints file hotpaths.py wrote),
N requests rotating through its paths, bodies and tokens; the bare JSON view the same way.
"of ceiling" = the bare view's CPU per request ÷ the route's (what throughput would be on
an otherwise idle core). On SQLite the database work is in the process; on PostgreSQL it is
not (the server's own CPU is left out, the wall time shows it).

    cd <checkout> && DATABASE_URL=... python <this repo>/bench/hotpaths_cpu.py ENDPOINTS.json OUT.json [N]
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("BENCH_CODE") or os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402


def measure(client: Client, endpoint: dict, n: int) -> dict:
    paths, bodies, auths = (
        endpoint["paths"],
        endpoint.get("bodies") or [],
        endpoint.get("auth") or [],
    )

    def request(i: int):
        headers = {"HTTP_AUTHORIZATION": auths[i % len(auths)]} if auths else {}
        body = bodies[i % len(bodies)] if bodies else ""
        return client.generic(
            endpoint["method"],
            paths[i % len(paths)],
            body,
            content_type="application/json",
            **headers,
        )

    for i in range(3):  # warm-up
        request(i)
    cpu, wall, statuses = [], [], set()
    for i in range(n):
        c0, w0 = time.process_time(), time.perf_counter()
        response = request(i)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        statuses.add(response.status_code)
    return {
        "name": endpoint["name"],
        "cpu_ms": round(statistics.median(cpu), 2),
        "wall_ms": round(statistics.median(wall), 2),
        "statuses": sorted(statuses),
    }


def main(endpoints_path: str, out: str, n: int) -> None:
    client = Client()
    with override_settings(ROOT_URLCONF="bench.ceiling"):
        ceiling = measure(client, {"name": "bare view", "method": "GET", "paths": ["/"]}, n * 3)
    rows = []
    for endpoint in json.loads(Path(endpoint_path := endpoints_path).read_text()):
        row = measure(client, endpoint, n)
        row["of_ceiling"] = round(ceiling["cpu_ms"] / row["cpu_ms"], 3)
        row["queries"] = endpoint["queries"]
        rows.append(row)
        print(
            f"{row['name']}: {row['cpu_ms']} ms CPU ({row['of_ceiling']:.1%}), wall {row['wall_ms']}",
            flush=True,
        )
    Path(out).write_text(
        json.dumps(
            {"endpoints_file": endpoint_path, "n": n, "ceiling": ceiling, "rows": rows}, indent=2
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 60)
