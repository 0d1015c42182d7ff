"""Two app servers, one truth: two gunicorn instances on different ports share the test database
(PostgreSQL) and Redis, and requests alternate between them from concurrent threads. Every
invariant holds exactly as with one server: one pending action item per venue, exact interest
counts, one match per mutual pair, a cost alert dismissed once, a rate limit counted once.

One server borrows connections from psycopg's pool (DATABASE_POOL=1), the other keeps one per
worker (CONN_MAX_AGE): the two ways config/settings.py offers, side by side.
"""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import redis
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from config.tests.appservers import PORT_RANGE, AppServer
from matching.models import Conversation, Like, Match
from matching.tests.factories import ProfileFactory
from projects.api import iso
from projects.models import CostAlertDismissal
from projects.tests.factories import ProjectFactory
from venues.models import ActionItem, Interest, Venue
from venues.tests.factories import MemberFactory, VenueFactory

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = "redis://127.0.0.1:6379/0"
THREADS = 8


@pytest.fixture(scope="module")
def servers(tmp_path_factory, django_db_setup):
    if connection.vendor != "postgresql":
        pytest.skip("two app servers share one database server: PostgreSQL only")
    prefix = f"wt_scaleout-two-servers-{uuid.uuid4().hex[:8]}"
    shared = {
        "THROTTLE_REDIS_URL": REDIS_URL,
        "THROTTLE_KEY_PREFIX": prefix,
        # Login attempts per client address, per day: a window the test can't cross by chance.
        "THROTTLE_SCOPES": "pupmatch_auth=10/day",
    }
    folder = tmp_path_factory.mktemp("servers")
    one = AppServer(PORT_RANGE[0], folder / "one", DATABASE_POOL="1", **shared)
    two = AppServer(PORT_RANGE[1], folder / "two", CONN_MAX_AGE="60", **shared)
    try:
        one.wait_until_up()
        two.wait_until_up()
        yield one, two
    finally:
        one.stop()
        two.stop()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def alternate(servers, calls):
    """Run `call(server)` for each call, on the two servers in turn, from THREADS threads."""
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(call, servers[n % 2]) for n, call in enumerate(calls)]
        return [future.result() for future in futures]


def toggle(member_id, venue_id):
    return lambda server: server.request(
        "POST", "/luna/interests", {"user_id": member_id, "venue_id": venue_id}
    )


def test_interest_toggles_keep_exact_counts_and_one_pending_action_item(servers):
    venue = VenueFactory()
    members = [MemberFactory() for _ in range(12)]

    added = alternate(servers, [toggle(m.pk, venue.pk) for m in members])

    assert sorted(status for status, _ in added) == [200] * 12
    assert Interest.objects.filter(venue=venue).count() == 12
    assert Venue.objects.get(pk=venue.pk).interested_count == 12
    items = list(ActionItem.objects.filter(venue=venue))
    assert [(item.status, item.memberships.count()) for item in items] == [("pending", 4)]

    # Both servers complete the item at once, each for one of its members.
    first, second = items[0].memberships.order_by("position")[:2]
    done = alternate(
        servers,
        [
            lambda server, m=m: server.request(
                "POST", f"/luna/action-items/{items[0].pk}/complete", {"user_id": m.member_id}
            )
            for m in (first, second)
        ],
    )
    assert done == [(200, {"success": True, "message": "Action item marked as completed"})] * 2

    # Everyone leaves and comes back: the count ends where it was, with one new pending item.
    removed = alternate(servers, [toggle(m.pk, venue.pk) for m in members])
    assert sorted(status for status, _ in removed) == [200] * 12
    assert Venue.objects.get(pk=venue.pk).interested_count == 0
    alternate(servers, [toggle(m.pk, venue.pk) for m in members])

    assert Interest.objects.filter(venue=venue).count() == 12
    assert Venue.objects.get(pk=venue.pk).interested_count == 12
    assert sorted(ActionItem.objects.filter(venue=venue).values_list("status", flat=True)) == [
        "completed",
        "pending",
    ]


def test_mutual_likes_from_both_servers_make_one_match_per_pair(servers):
    pairs = [(ProfileFactory(), ProfileFactory()) for _ in range(8)]
    tokens = {p.pk: str(AccessToken.for_user(p.user)) for pair in pairs for p in pair}

    def like(liker, target):
        return lambda server: server.request(
            "POST", f"/pupmatch/profiles/{target.pk}/like", {}, token=tokens[liker.pk]
        )

    # The two of a pair like each other at the same moment, one on each server.
    calls = [call for a, b in pairs for call in (like(a, b), like(b, a))]
    first = alternate(servers, calls)
    again = alternate(servers, calls)  # liking twice is harmless

    assert {status for status, _ in first + again} == {200}
    # Of each pair's two likes, the one that commits first finds no like back.
    assert [body["is_match"] for _, body in first].count(True) == 8
    assert [body["is_match"] for _, body in again] == [True] * 16
    assert Like.objects.count() == 16
    assert Conversation.objects.count() == 8
    assert sorted(Match.objects.values_list("user1_id", "user2_id")) == sorted(
        tuple(sorted([a.user_id, b.user_id])) for a, b in pairs
    )


def test_a_cost_alert_is_dismissed_once_across_servers(servers):
    project = ProjectFactory(cost_estimate=Decimal("1.00"), actual_cost=Decimal("2.00"))
    alert_id = f"budget_{project.pk}"

    listed = alternate(servers, [lambda s: s.request("GET", "/yago/api/v1/costs/alerts")] * 2)
    assert [[a["id"] for a in body["alerts"]] for _, body in listed] == [[alert_id]] * 2

    dismissed = alternate(
        servers,
        [lambda s: s.request("POST", f"/yago/api/v1/costs/alerts/{alert_id}/dismiss")] * 8,
    )

    dismissal = CostAlertDismissal.objects.get()
    assert dismissal.alert_id == alert_id
    assert {(status, body["alert_id"], body["dismissed_at"]) for status, body in dismissed} == {
        (200, alert_id, iso(dismissal.dismissed_at))
    }
    listed = alternate(servers, [lambda s: s.request("GET", "/yago/api/v1/costs/alerts")] * 2)
    assert [(body["alerts"], body["total_alerts"]) for _, body in listed] == [([], 0)] * 2


def test_a_rate_limit_is_counted_once_across_servers(servers):
    day_left = 86400 - datetime.now(UTC).timestamp() % 86400
    if day_left < 60:
        pytest.skip("too close to the end of the throttle's daily window")

    results = alternate(
        servers,
        [
            lambda s, n=n: s.request(
                "POST", "/pupmatch/auth/login", {"email": f"nobody{n}@example.com", "password": "x"}
            )
            for n in range(30)
        ],
    )

    statuses = sorted(status for status, _ in results)
    assert statuses == [401] * 10 + [429] * 20
