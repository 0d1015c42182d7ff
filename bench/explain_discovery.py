"""PupMatch discovery on the current database: the page query's plan and the route's median time.

DATABASE_URL=postgres://.../bench_backend python bench/explain_discovery.py [RUNS]
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
from django.test import Client  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from matching import selectors  # noqa: E402
from matching.models import Profile  # noqa: E402


def main(runs: int) -> None:
    total = Profile.objects.count()
    viewers = list(
        Profile.objects.filter(latitude__isnull=False).select_related("user").order_by("pk")[:runs]
    )
    viewer = viewers[0]
    prefs = selectors.preferences_for(viewer)
    print(f"{total:,} profiles; viewer {viewer.pk}, radius {selectors.radius_km(prefs):.1f} km")
    # The statement discovery_page runs for the first page, explained instead of evaluated.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        selectors.discovery_page(
            profile=viewer, prefs=prefs, limit=50, pool=settings.PUPMATCH_DISCOVERY_POOL
        )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + captured.captured_queries[-1]["sql"])
        print("\n".join(row[0] for row in cursor.fetchall()))
    client = Client()
    timings = []
    for profile in viewers:
        token = AccessToken.for_user(profile.user)
        started = time.perf_counter()
        response = client.get("/pupmatch/discover", HTTP_AUTHORIZATION=f"Bearer {token}")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    print(
        f"GET /pupmatch/discover over {len(timings)} viewers: median {statistics.median(timings):.1f} ms, "
        f"max {max(timings):.1f} ms (test client, one process)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 25)
