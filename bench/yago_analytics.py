"""YAGO analytics on the current database: queries and median time of each analytics route.

DATABASE_URL=... python bench/yago_analytics.py [RUNS]     (after `manage.py generate_demo_data`)

Requests go through the Django test client (no network), access open (every project counts).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from projects.models import Project, ProviderUsage  # noqa: E402

ROUTES = [
    "/yago/api/v1/analytics?range=all",
    "/yago/api/v1/analytics?range=30d",
    "/yago/api/v1/analytics?range=7d",
    "/yago/api/v1/analytics/metrics",
    "/yago/api/v1/analytics/usage",
    "/yago/api/v1/analytics/models-usage",
    "/yago/api/v1/analytics/providers-usage",
]


def main(runs: int) -> None:
    settings.YAGO_ACCESS = "open"
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    print(
        f"{connection.vendor}: {Project.objects.count()} projects, "
        f"{ProviderUsage.objects.count()} provider-usage rows, {runs} runs per route"
    )
    print(f"{'route':45} {'status':>6} {'queries':>7} {'median ms':>9} {'max ms':>7}")
    for path in ROUTES:
        client.get(path)  # warm-up
        queries = []
        # Counted with a wrapper: the test client's request_started resets connection.queries.
        with connection.execute_wrapper(
            lambda run, sql, *args, seen=queries: seen.append(sql) or run(sql, *args)
        ):
            response = client.get(path)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{path:45} {response.status_code:>6} {len(queries):>7} "
            f"{statistics.median(times):>9.1f} {max(times):>7.1f}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
