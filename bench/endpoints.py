"""The endpoints `make bench` drives, with real ids from the generated data set.

Run inside Django (bench.py calls `python bench/endpoints.py OUT.json` with DATABASE_URL set):
it picks ids, prepares what write endpoints need, measures the queries one request of each
endpoint makes (Django test client + CaptureQueriesContext) and writes the list as JSON.
"""

import json
import os
import random
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

SAMPLE = 200
rng = random.Random(1)


@dataclass
class Endpoint:
    name: str
    method: str
    paths: list[str]
    bodies: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    auth: list[str] = field(default_factory=list)  # Authorization values, rotated with paths/bodies
    queries: int | None = None
    note: str = ""


def luna() -> list[Endpoint]:
    from venues.models import ActionItem, ActionItemMember, Interest, Member, Venue

    members = list(Member.objects.order_by("?").values_list("pk", flat=True)[:SAMPLE])
    venues = list(Venue.objects.order_by("?").values_list("pk", flat=True)[:SAMPLE])
    item_paths, dismiss_paths = [], []
    for n, venue_id in enumerate(venues[:20]):
        member_ids = list(
            Interest.objects.filter(venue_id=venue_id).values_list("member_id", flat=True)[:4]
        )
        if (
            not member_ids
            or ActionItem.objects.filter(venue_id=venue_id, status="pending").exists()
        ):
            continue
        item, _ = ActionItem.objects.get_or_create(
            id=f"action_bench_{n}",
            defaults={
                "venue_id": venue_id,
                "action_type": "visit_venue",
                "action_code": f"LUNA-bench-{n}",
                "description": "bench",
                "status": "completed",
                "threshold_met": True,
            },
        )
        ActionItemMember.objects.get_or_create(action_item=item, member_id=member_ids[0])
        item_paths.append((item.pk, member_ids[0]))
    points = [(rng.uniform(40.6, 40.85), rng.uniform(-74.05, -73.8)) for _ in range(SAMPLE)]
    words = [
        "garden",
        "harbor",
        "golden%20corner",
        "river",
        "union%20hill",
        "coffee",
        "little",
        "brick",
    ]
    for pk, member_id in item_paths:
        dismiss_paths.append(f"/luna/action-items/{pk}?user_id={member_id}")
    return [
        Endpoint("luna GET /", "GET", ["/luna/"]),
        Endpoint("luna GET /venues", "GET", ["/luna/venues"]),
        Endpoint("luna GET /venues/{id}", "GET", [f"/luna/venues/{v}" for v in venues]),
        Endpoint("luna GET /users/{id}", "GET", [f"/luna/users/{m}" for m in members]),
        Endpoint(
            "luna GET /recommendations",
            "GET",
            [f"/luna/recommendations?user_id={m}" for m in members],
        ),
        Endpoint(
            "luna POST /interests (toggle)",
            "POST",
            ["/luna/interests"],
            bodies=[
                json.dumps({"user_id": m, "venue_id": v})
                for m, v in zip(members, venues, strict=False)
            ],
        ),
        Endpoint(
            "luna POST /action-items/{id}/complete",
            "POST",
            [f"/luna/action-items/{pk}/complete" for pk, _ in item_paths[:1]],
            bodies=[json.dumps({"user_id": member_id}) for _, member_id in item_paths[:1]],
        ),
        Endpoint("luna DELETE /action-items/{id}", "DELETE", dismiss_paths),
        Endpoint(
            "luna GET /venues/nearby (1 km)",
            "GET",
            [f"/luna/venues/nearby?lat={lat:.5f}&lng={lng:.5f}&radius_km=1" for lat, lng in points],
        ),
        Endpoint("luna GET /venues/search", "GET", [f"/luna/venues/search?q={w}" for w in words]),
    ]


def yago() -> list[Endpoint]:
    return [
        Endpoint("yago GET /api/v1/projects", "GET", ["/yago/api/v1/projects"]),
        Endpoint(
            "yago GET /api/v1/projects?status=completed&limit=20",
            "GET",
            ["/yago/api/v1/projects?status=completed&limit=20"],
        ),
    ]


def pupmatch() -> list[Endpoint]:
    from rest_framework_simplejwt.tokens import AccessToken

    from matching.models import Conversation, Profile

    def bearer(user) -> str:
        return f"Bearer {AccessToken.for_user(user)}"

    viewers = list(
        Profile.objects.filter(latitude__isnull=False).select_related("user").order_by("?")[:SAMPLE]
    )
    targets = list(Profile.objects.order_by("?").values_list("pk", flat=True)[:SAMPLE])
    pairs = [(v, t) for v, t in zip(viewers, targets, strict=False) if v.pk != t]
    conversations = list(Conversation.objects.select_related("user1").order_by("?")[:SAMPLE])
    return [
        Endpoint(
            "pupmatch GET /discover",
            "GET",
            ["/pupmatch/discover"] * len(viewers),
            auth=[bearer(v.user) for v in viewers],
        ),
        Endpoint(
            "pupmatch POST /profiles/{id}/like",
            "POST",
            [f"/pupmatch/profiles/{t}/like" for _, t in pairs],
            auth=[bearer(v.user) for v, _ in pairs],
        ),
        Endpoint(
            "pupmatch POST /conversations/{id}/messages",
            "POST",
            [f"/pupmatch/conversations/{c.pk}/messages" for c in conversations],
            bodies=[
                json.dumps({"content": f"See you at the park at {n % 12 + 1}?"})
                for n in range(len(conversations))
            ],
            auth=[bearer(c.user1) for c in conversations],
        ),
    ]


def memory() -> list[Endpoint]:
    from memory.models import CompanionProfile, LearnerProfile

    users = list(CompanionProfile.objects.order_by("?").values_list("user_id", flat=True)[:SAMPLE])
    learners = list(LearnerProfile.objects.order_by("?").values_list("id", flat=True)[:SAMPLE])
    queries = ["tea", "hiking", "jazz music", "coffee", "family", "work stress"]
    return [
        Endpoint(
            "edgesoul POST /memories/search",
            "POST",
            ["/edgesoul/api/v1/memory/memories/search"],
            bodies=[
                json.dumps({"user_id": u, "query": queries[n % len(queries)]})
                for n, u in enumerate(users)
            ],
        ),
        Endpoint(
            "learning GET /profiles/{id}", "GET", [f"/learning/profiles/{pk}" for pk in learners]
        ),
    ]


def luna_seed() -> list[Endpoint]:
    """The four routes of issue 11's first table, on the contract's seed data."""
    return [
        Endpoint("luna GET /venues", "GET", ["/luna/venues"]),
        Endpoint("luna GET /venues/venue_1", "GET", ["/luna/venues/venue_1"]),
        Endpoint("luna GET /users/user_1", "GET", ["/luna/users/user_1"]),
        Endpoint(
            "luna GET /recommendations?user_id=user_1",
            "GET",
            ["/luna/recommendations?user_id=user_1"],
        ),
    ]


def luna_large() -> list[Endpoint]:
    """Recommendations with and without `limit` (a big data set: every venue per response)."""
    from venues.models import Member

    members = list(Member.objects.order_by("?").values_list("pk", flat=True)[:SAMPLE])
    return [
        Endpoint(
            "luna GET /recommendations?limit=20",
            "GET",
            [f"/luna/recommendations?user_id={m}&limit=20" for m in members],
        ),
    ]


APPS = {"luna": luna, "pupmatch": pupmatch, "yago": yago, "memory": memory}
if os.environ.get("BENCH_DATA") == "seed":
    APPS = {"luna": luna_seed}
else:
    APPS["luna-limit"] = luna_large
if os.environ.get("BENCH_APPS"):
    APPS = {name: APPS[name] for name in os.environ["BENCH_APPS"].split(",") if name in APPS}
# Mounts whose default access (BENCH_ACCESS=key) is an application key in X-API-Key.
KEY_MOUNTS = {"/luna/": "luna", "/edgesoul/": "edgesoul", "/learning/": "learning"}


def application_key_header() -> dict[str, str]:
    """A key for this run opening every key-mode mount (BENCH_ACCESS=key), else nothing."""
    if os.environ.get("BENCH_ACCESS") != "key":
        return {}
    from config.models import ApplicationKey

    ApplicationKey.objects.filter(name="bench").delete()
    _, raw = ApplicationKey.objects.create_key(
        name="bench", **dict.fromkeys(KEY_MOUNTS.values(), True)
    )
    return {"X-API-Key": raw}


def count_queries(endpoint: Endpoint) -> int:
    client = Client()
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in endpoint.headers.items()}
    if endpoint.auth:
        headers["HTTP_AUTHORIZATION"] = endpoint.auth[0]
    body = endpoint.bodies[0] if endpoint.bodies else None
    if endpoint.method == "GET":  # steady state: what a warm worker runs (process caches filled)
        client.get(endpoint.paths[0], **headers)
    with CaptureQueriesContext(connection) as queries:
        response = client.generic(
            endpoint.method,
            endpoint.paths[0],
            body or "",
            content_type="application/json",
            **headers,
        )
    if response.status_code >= 400:
        endpoint.note = f"status {response.status_code} in the query count run"
    return len(queries)


def main(out: str) -> None:
    endpoints: list[Endpoint] = []
    key_header = application_key_header()
    for name, prepare in APPS.items():
        try:
            prepared = prepare()
        except Exception as error:  # an app whose data or routes are missing is reported, not fatal
            print(f"skipping {name}: {error!r}", file=sys.stderr)
            continue
        for endpoint in prepared:
            if not endpoint.paths:
                continue
            if key_header and endpoint.paths[0].startswith(tuple(KEY_MOUNTS)):
                endpoint.headers = {**endpoint.headers, **key_header}
            endpoint.queries = count_queries(endpoint)
            endpoints.append(endpoint)
    Path(out).write_text(json.dumps([asdict(e) for e in endpoints], indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
