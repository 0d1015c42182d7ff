"""Where one route's time goes: pyinstrument over N requests through Django's test client.

    DATABASE_URL=... python bench/profile_route.py GET /pupmatch/discover --pupmatch-user 3 -n 50
    DATABASE_URL=... python bench/profile_route.py POST /edgesoul/api/v1/memory/memories/search \
        --body '{"user_id": "user_1", "query": "tea"}'

`--pupmatch-user K` sends a bearer token of the K-th profile (by id) that has a location.
Prints the call tree (pyinstrument's text output) and the queries of the last request.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pyinstrument import Profiler  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method")
    parser.add_argument("path")
    parser.add_argument("--body", default="")
    parser.add_argument("--pupmatch-user", type=int, default=None)
    parser.add_argument("-n", type=int, default=30)
    args = parser.parse_args()
    headers = {}
    if args.pupmatch_user is not None:
        from rest_framework_simplejwt.tokens import AccessToken

        from matching.models import Profile

        profile = (
            Profile.objects.filter(latitude__isnull=False)
            .select_related("user")
            .order_by("pk")[args.pupmatch_user]
        )
        headers["HTTP_AUTHORIZATION"] = f"Bearer {AccessToken.for_user(profile.user)}"
    client = Client()

    def request():
        return client.generic(
            args.method, args.path, args.body, content_type="application/json", **headers
        )

    request()  # warm-up: imports, caches
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.n):
        response = request()
    profiler.stop()
    with CaptureQueriesContext(connection) as queries:
        response = request()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"status {response.status_code}, {len(queries)} queries, {len(response.content)} bytes")
    for query in queries.captured_queries:
        print(f"  {query['time']}s  {query['sql'][:200]}")


if __name__ == "__main__":
    main()
