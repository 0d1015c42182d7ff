import random
from datetime import timedelta

import orjson
import pytest
from django.utils import timezone

from venues import selectors, services
from venues.models import Friendship, Interest, MemberCategory, Venue
from venues.selectors import category_matches
from venues.tests.factories import MemberFactory, VenueFactory

pytestmark = pytest.mark.django_db

CATEGORIES = ("Coffee Shop", "Restaurant", "Bar", "Cultural", "Club", "Bistro", "Park", "Café")
ONE_DAY = timedelta(days=1)
MEMBER_CATEGORIES = ("coffee", "food", "bars", "CULTURE", "art", "club", "café", "restaurant")


def python_recommendations(member_id: str) -> list[dict]:
    """The recommendations as the route computed them before scoring moved to SQL: every venue
    scored in Python from its interest rows, then a stable sort (ties keep venue order)."""
    categories = list(
        MemberCategory.objects.filter(member_id=member_id)
        .order_by("created_at", "id")
        .values_list("category", flat=True)
    )
    friends = set(
        Friendship.objects.filter(member_id=member_id).values_list("friend_id", flat=True)
    ) | set(Friendship.objects.filter(friend_id=member_id).values_list("member_id", flat=True))
    interested: dict[str, set[str]] = {}
    for venue_id, interested_id in Interest.objects.values_list("venue_id", "member_id"):
        interested.setdefault(venue_id, set()).add(interested_id)
    rows = []
    for venue in Venue.objects.order_by("position"):
        people = interested.get(venue.pk, set())
        already = member_id in people
        others = venue.interested_count - (1 if already else 0)
        matched = category_matches(categories, venue.category)
        friends_interested = len(people & friends)
        reasons = (["Popular venue"] if others > 0 else []) + (
            ["Matches your interests"] if matched else []
        )
        rows.append(
            {
                "venue": {
                    "id": venue.pk,
                    "name": venue.name,
                    "category": venue.category,
                    "description": venue.description,
                    "image": venue.image,
                    "address": venue.address,
                    "interested_count": venue.interested_count,
                },
                "score": round(
                    min(others / 3, 3) + (4 if matched else 0) + min(friends_interested, 3), 1
                ),
                "reason": ", ".join(reasons) or "New venue to explore",
                "already_interested": already,
                "friends_interested": friends_interested,
                "total_interested": venue.interested_count,
            }
        )
    rows.sort(key=lambda row: row["score"], reverse=True)
    return rows


@pytest.fixture
def generated(db) -> list[str]:
    """80 venues, 40 members with categories, friendships and interests drawn at random: many
    ties, counts past the popularity cap, friends past the friend cap, mixed-case and accented
    categories. Returns the member ids."""
    rng = random.Random(11)
    members = MemberFactory.create_batch(40)
    venues = [VenueFactory(category=rng.choice(CATEGORIES)) for _ in range(80)]
    rng.shuffle(venues)  # positions no longer follow the ids
    for position, venue in enumerate(venues, start=5000):
        Venue.objects.filter(pk=venue.pk).update(position=position)
    MemberCategory.objects.bulk_create(
        MemberCategory(member=m, category=c)
        for m in members
        for c in rng.sample(MEMBER_CATEGORIES, rng.randint(0, 2))
    )
    pairs = {tuple(sorted(rng.sample([m.pk for m in members], 2))) for _ in range(200)}
    Friendship.objects.bulk_create(Friendship(member_id=a, friend_id=b) for a, b in pairs)
    weights = [1 / (rank + 1) for rank in range(len(venues))]
    wanted = {(rng.choice(members).pk, rng.choices(venues, weights)[0].pk) for _ in range(700)}
    Interest.objects.bulk_create(Interest(member_id=m, venue_id=v) for m, v in wanted)
    services.venue_recount()
    return [m.pk for m in members]


def test_sql_scoring_gives_the_python_order_and_bytes(api_client, generated):
    for member_id in generated[:12]:
        expected = python_recommendations(member_id)

        full = api_client.get(f"/luna/recommendations?user_id={member_id}")
        best = api_client.get(f"/luna/recommendations?user_id={member_id}&limit=7")

        assert full.content == orjson.dumps({"recommendations": expected})
        assert best.content == orjson.dumps({"recommendations": expected[:7]})


def test_the_data_has_ties_and_capped_scores(generated):
    """What the test above relies on: it would prove little on data without these cases."""
    scores = [row["score"] for row in python_recommendations(generated[0])]

    assert len(scores) - len(set(scores)) > 40  # ties
    assert any(type(s) is int for s in scores)  # past the popularity cap: min() returns int 3
    assert any(s % 1 for s in scores)  # thirds


def test_a_venue_added_without_a_newer_last_edit_is_recommended(api_client, luna_seed):
    api_client.get("/luna/recommendations?user_id=user_1")  # the venue details are cached
    VenueFactory(id="venue_13", category="Coffee Shop", updated_at=timezone.now() - ONE_DAY)

    full = api_client.get("/luna/recommendations?user_id=user_1").json()["recommendations"]
    best = api_client.get("/luna/recommendations?user_id=user_1&limit=5").json()

    assert [r["venue"]["id"] for r in full][:5] == [
        "venue_1",
        "venue_2",
        "venue_3",
        "venue_4",
        "venue_13",
    ]
    assert [r["venue"]["id"] for r in best["recommendations"]] == [
        "venue_1",
        "venue_2",
        "venue_3",
        "venue_4",
        "venue_13",
    ]
    assert full[4]["score"] == 4.0


@pytest.mark.postgres
def test_hot_reads_are_prepared_once_per_connection(api_client, luna_seed):
    from django.db import connection

    api_client.get("/luna/venues/venue_1")
    api_client.get("/luna/venues/venue_2")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ['%LEFT OUTER JOIN "venues_member"%'],
        )
        [(statement, runs)] = cursor.fetchall()
    assert statement.startswith('SELECT "venues_venue"."id" AS "id"')
    assert runs == 2


def test_members_with_any_numbers_of_interests_share_one_compiled_ranking(api_client, luna_seed):
    """The score groups are JSON parameters: a statement per limit, not per member's counts."""
    for member, count in (("user_3", 1), ("user_4", 5)):
        Interest.objects.filter(member_id=member).delete()
        for n in range(1, count + 1):
            Interest.objects.create(member_id=member, venue_id=f"venue_{n + 4}")
    selectors._ranked_rows.cache_clear()

    assert api_client.get("/luna/recommendations?user_id=user_3").status_code == 200
    assert api_client.get("/luna/recommendations?user_id=user_4").status_code == 200
    assert api_client.get("/luna/recommendations?user_id=user_4&limit=3").status_code == 200

    info = selectors._ranked_rows.cache_info()
    assert (info.misses, info.hits) == (2, 1)  # no limit, then limit=3
