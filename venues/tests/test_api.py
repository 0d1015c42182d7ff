import re

import factory
import pytest
from django.utils import timezone

from config.views import engine_name
from venues.models import ActionItem, Interest, Venue
from venues.tests.factories import (
    InterestFactory,
    MemberCategoryFactory,
    MemberFactory,
    VenueFactory,
    befriend,
)

pytestmark = pytest.mark.django_db

SEED_VENUES = [
    ("venue_1", "Blue Bottle Coffee", "Coffee Shop", 4),
    ("venue_2", "Stumptown Coffee", "Coffee Shop", 1),
    ("venue_3", "La Colombe Coffee", "Coffee Shop", 1),
    ("venue_4", "The Smith", "Restaurant", 3),
    ("venue_5", "Joe's Pizza", "Restaurant", 2),
    ("venue_6", "Sushi Place", "Restaurant", 2),
    ("venue_7", "Dead Rabbit", "Bar", 2),
    ("venue_8", "Employees Only", "Bar", 2),
    ("venue_9", "Rooftop Bar", "Bar", 2),
    ("venue_10", "MoMA", "Cultural", 2),
    ("venue_11", "Whitney Museum", "Cultural", 2),
    ("venue_12", "Comedy Cellar", "Cultural", 2),
]
BLUE_BOTTLE = {
    "id": "venue_1",
    "name": "Blue Bottle Coffee",
    "category": "Coffee Shop",
    "description": "Third-wave coffee bar in Chelsea Market with single-origin pour-overs.",
    "image": "https://picsum.photos/seed/luna-venue-1/800/600",
    "address": "450 W 15th St, NYC",
}


def venue_json(number: int) -> dict:
    venue = Venue.objects.get(pk=f"venue_{number}")
    return {
        "id": venue.pk,
        "name": venue.name,
        "category": venue.category,
        "description": venue.description,
        "image": f"https://picsum.photos/seed/luna-venue-{number}/800/600",
        "address": venue.address,
    }


def toggle(client, user_id, venue_id):
    return client.post("/luna/interests", {"user_id": user_id, "venue_id": venue_id}, format="json")


# --- GET /luna/ ----------------------------------------------------------------------------
def test_root_names_the_engine_in_use(api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get("/luna/")

    assert response.status_code == 200
    assert response.json() == {
        "message": "Luna Venue Discovery API",
        "status": "running",
        "version": "2.0.0",
        "database": engine_name(),
    }
    assert engine_name() in ("SQLite", "PostgreSQL")


# --- GET /luna/venues ----------------------------------------------------------------------
def test_venue_list_in_insertion_order(api_client, luna_seed, django_assert_num_queries):
    # ids and counts, last edit; the first request in a process also reads the summaries
    with django_assert_num_queries(3):
        response = api_client.get("/luna/venues")
    with django_assert_num_queries(2):
        again = api_client.get("/luna/venues")

    assert again.content == response.content

    assert response.status_code == 200
    assert response.json() == {
        "venues": [
            {
                "id": venue_id,
                "name": name,
                "category": category,
                "image": f"https://picsum.photos/seed/luna-{venue_id.replace('_', '-')}/800/600",
                "interested_count": count,
            }
            for venue_id, name, category, count in SEED_VENUES
        ]
    }


def test_venue_list_query_count_does_not_grow(api_client, luna_seed, django_assert_num_queries):
    for venue in VenueFactory.create_batch(30):
        InterestFactory.create_batch(3, venue=venue)

    api_client.get("/luna/venues")
    with django_assert_num_queries(2):
        response = api_client.get("/luna/venues")

    assert len(response.json()["venues"]) == 42


def test_venue_list_is_the_bytes_of_its_rows_serialized_whole(api_client, luna_seed):
    """The per-venue fragments give byte for byte what serializing the rows at once gives."""
    import orjson

    from venues import selectors

    toggle(api_client, "user_8", "venue_1")  # a count changed since the fragments were built
    api_client.get("/luna/venues")
    toggle(api_client, "user_7", "venue_2")

    response = api_client.get("/luna/venues")

    assert response.content == orjson.dumps({"venues": selectors.venue_summaries()})


def test_venue_list_follows_a_venue_edit(api_client, luna_seed):
    api_client.get("/luna/venues")
    Venue.objects.filter(pk="venue_2").update(name="Stumptown", updated_at=timezone.now())

    venues = api_client.get("/luna/venues").json()["venues"]

    assert (venues[1]["id"], venues[1]["name"]) == ("venue_2", "Stumptown")


def test_trailing_slash_is_not_part_of_the_contract(api_client, luna_seed):
    assert api_client.get("/luna/venues/").status_code == 404


# --- GET /luna/venues/{id} -----------------------------------------------------------------
def test_venue_detail_lists_interested_users_oldest_first(
    api_client, luna_seed, django_assert_num_queries
):
    with django_assert_num_queries(1):  # the venue LEFT JOIN its interests and members
        response = api_client.get("/luna/venues/venue_1")

    assert response.status_code == 200
    assert response.json() == {
        "venue": BLUE_BOTTLE,
        "interested_users": [
            {"id": "user_6", "name": "Casey Wu", "avatar": "https://i.pravatar.cc/150?img=6"},
            {"id": "user_1", "name": "Alex Chen", "avatar": "https://i.pravatar.cc/150?img=1"},
            {"id": "user_2", "name": "Jordan Kim", "avatar": "https://i.pravatar.cc/150?img=2"},
            {"id": "user_3", "name": "Sam Rivera", "avatar": "https://i.pravatar.cc/150?img=3"},
        ],
    }


def test_venue_detail_query_count_does_not_grow(api_client, django_assert_num_queries):
    venue = VenueFactory()
    InterestFactory.create_batch(40, venue=venue)

    with django_assert_num_queries(1):
        response = api_client.get(f"/luna/venues/{venue.pk}")

    assert len(response.json()["interested_users"]) == 40


def test_unknown_venue_is_404(api_client, luna_seed):
    response = api_client.get("/luna/venues/venue_99")

    assert response.status_code == 404
    assert response.json() == {"detail": "Venue with id 'venue_99' not found"}


# --- POST /luna/interests ------------------------------------------------------------------
def test_toggle_removes_an_existing_interest(api_client, luna_seed):
    response = toggle(api_client, "user_1", "venue_2")

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "Interest removed for Stumptown Coffee",
        "action_item": None,
    }
    assert not Interest.objects.filter(member_id="user_1", venue_id="venue_2").exists()
    assert Venue.objects.get(pk="venue_2").interested_count == 0


def test_toggle_adds_below_the_threshold_without_action_item(api_client, luna_seed):
    response = toggle(api_client, "user_1", "venue_5")

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "Interest recorded successfully",
        "action_item": None,
    }
    assert Venue.objects.get(pk="venue_5").interested_count == 3
    assert ActionItem.objects.count() == 0


def test_next_add_on_venue_1_creates_exactly_one_action_item(api_client, luna_seed):
    response = toggle(api_client, "user_4", "venue_1")

    assert response.status_code == 200
    body = response.json()
    item = body["action_item"]
    assert body["success"] is True
    assert body["message"] == "Interest recorded successfully"
    assert sorted(item) == [
        "action_code",
        "action_item_created",
        "action_item_id",
        "description",
        "interested_user_ids",
    ]
    assert item["action_item_created"] is True
    assert re.fullmatch(r"action_venue_1_\d{4}", item["action_item_id"])
    assert re.fullmatch(r"LUNA-venue_1-\d{4}", item["action_code"])
    assert item["description"] in {
        "5 friends interested - coordinate plans!",
        "5 friends ready to go!",
        "Goal reached! 5 people want to visit",
        "Perfect group size - 5 interested!",
    }
    assert item["interested_user_ids"] == ["user_6", "user_1", "user_2", "user_3", "user_4"]
    stored = ActionItem.objects.get()
    assert stored.pk == item["action_item_id"]
    assert stored.action_code == item["action_code"]
    assert stored.action_type == "visit_venue"  # "Coffee Shop" names none of the bookable kinds
    assert stored.status == "pending"
    assert stored.threshold_met is True
    assert (
        list(stored.memberships.values_list("member_id", flat=True)) == item["interested_user_ids"]
    )

    again = toggle(api_client, "user_5", "venue_1")

    assert again.json()["action_item"] is None
    assert ActionItem.objects.count() == 1


def test_bookable_venue_gets_a_book_venue_item(api_client, luna_seed):
    for user in ("user_1", "user_4"):  # venue_7 (Bar) has user_3 and user_5
        toggle(api_client, user, "venue_7")

    assert ActionItem.objects.get().action_type == "book_venue"


def test_removing_an_interest_keeps_the_action_item(api_client, luna_seed):
    toggle(api_client, "user_4", "venue_1")

    response = toggle(api_client, "user_4", "venue_1")

    assert response.json()["message"] == "Interest removed for Blue Bottle Coffee"
    assert ActionItem.objects.filter(status="pending").count() == 1


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {},
            [
                {"field": "user_id", "message": "This field is required.", "code": "required"},
                {"field": "venue_id", "message": "This field is required.", "code": "required"},
            ],
        ),
        (
            {"user_id": "", "venue_id": "venue_1"},
            [{"field": "user_id", "message": "This field may not be empty.", "code": "blank"}],
        ),
        (
            {"user_id": "   ", "venue_id": "venue_1"},
            [{"field": "user_id", "message": "This field may not be empty.", "code": "blank"}],
        ),
        (
            {"user_id": " user_1", "venue_id": "venue_1 "},
            [
                {
                    "field": "user_id",
                    "message": "Only letters, digits and underscore are allowed.",
                    "code": "invalid",
                },
                {
                    "field": "venue_id",
                    "message": "Only letters, digits and underscore are allowed.",
                    "code": "invalid",
                },
            ],
        ),
        (
            {"user_id": "user-1", "venue_id": "venue_1"},
            [
                {
                    "field": "user_id",
                    "message": "Only letters, digits and underscore are allowed.",
                    "code": "invalid",
                }
            ],
        ),
        (
            {"user_id": "u" * 101, "venue_id": "venue_1"},
            [
                {
                    "field": "user_id",
                    "message": "Ensure this field has no more than 100 characters.",
                    "code": "max_length",
                }
            ],
        ),
        (
            {"user_id": 1, "venue_id": None},
            [
                {"field": "user_id", "message": "Must be a string.", "code": "not_a_string"},
                {"field": "venue_id", "message": "This field may not be null.", "code": "null"},
            ],
        ),
    ],
)
def test_toggle_validation_errors_are_422(api_client, luna_seed, body, detail):
    response = api_client.post("/luna/interests", body, format="json")

    assert response.status_code == 422
    assert response.json() == {"detail": detail}
    assert Interest.objects.count() == 25


def test_toggle_with_malformed_json_is_400(api_client, luna_seed):
    response = api_client.generic(
        "POST", "/luna/interests", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_toggle_unknown_user_or_venue_is_404(api_client, luna_seed):
    unknown_user = toggle(api_client, "user_99", "venue_1")
    unknown_venue = toggle(api_client, "user_1", "venue_99")

    assert unknown_user.status_code == 404
    assert unknown_user.json() == {"detail": "User with id 'user_99' not found"}
    assert unknown_venue.status_code == 404
    assert unknown_venue.json() == {"detail": "Venue with id 'venue_99' not found"}


# --- GET /luna/users/{id} ------------------------------------------------------------------
def test_user_profile(api_client, luna_seed, django_assert_num_queries):
    with django_assert_num_queries(3):  # member and categories, venues, action items
        response = api_client.get("/luna/users/user_1")

    assert response.status_code == 200
    assert response.json() == {
        "user": {
            "id": "user_1",
            "name": "Alex Chen",
            "avatar": "https://i.pravatar.cc/150?img=1",
            "bio": "Coffee enthusiast",
            "interests": ["coffee", "food"],
        },
        "interested_venues": [
            {**venue_json(3), "interested_count": 1},
            {**venue_json(2), "interested_count": 1},
            {**venue_json(1), "interested_count": 4},
        ],
        "action_items": [],
    }


def test_user_profile_shows_pending_action_items(api_client, luna_seed, django_assert_num_queries):
    created = toggle(api_client, "user_4", "venue_1").json()["action_item"]
    item = ActionItem.objects.get()

    with django_assert_num_queries(4):  # + the item's interested-user ids, then cached
        response = api_client.get("/luna/users/user_1")
    with django_assert_num_queries(3):
        again = api_client.get("/luna/users/user_1")

    assert again.content == response.content
    assert response.json()["action_items"] == [
        {
            "id": created["action_item_id"],
            "venue_id": "venue_1",
            "interested_user_ids": ["user_6", "user_1", "user_2", "user_3", "user_4"],
            "action_type": "visit_venue",
            "action_code": created["action_code"],
            "description": created["description"],
            "threshold_met": True,
            "status": "pending",
            "created_at": item.created_at.isoformat(),
            "venue": BLUE_BOTTLE,
        }
    ]
    assert api_client.get("/luna/users/user_5").json()["action_items"] == []


def test_user_profile_query_count_does_not_grow(api_client, django_assert_num_queries):
    member = MemberFactory()
    MemberCategoryFactory.create_batch(
        5, member=member, category=factory.Iterator(["food", "art", "bars", "music", "coffee"])
    )
    for venue in VenueFactory.create_batch(20):
        InterestFactory(member=member, venue=venue)
        InterestFactory.create_batch(3, venue=venue)
    for venue in Venue.objects.all()[:5]:
        ActionItem.objects.create(
            id=f"action_{venue.pk}",
            venue=venue,
            action_type="visit_venue",
            action_code=f"C-{venue.pk}",
            description="d",
            threshold_met=True,
        ).memberships.create(member=member)

    with django_assert_num_queries(4):
        response = api_client.get(f"/luna/users/{member.pk}")

    assert len(response.json()["interested_venues"]) == 20
    assert len(response.json()["action_items"]) == 5


def test_unknown_user_is_404(api_client, luna_seed):
    response = api_client.get("/luna/users/user_99")

    assert response.status_code == 404
    assert response.json() == {"detail": "User with id 'user_99' not found"}


# --- GET /luna/recommendations -------------------------------------------------------------
def test_recommendations_worked_example(api_client, luna_seed, django_assert_num_queries):
    with django_assert_num_queries(5):  # the first request in a process reads venue details
        response = api_client.get("/luna/recommendations?user_id=user_1")
    with django_assert_num_queries(4):
        again = api_client.get("/luna/recommendations?user_id=user_1")

    assert again.json() == response.json()

    assert response.status_code == 200
    rows = response.json()["recommendations"]
    assert rows[0] == {
        "venue": {**venue_json(1), "interested_count": 4},
        "score": 8.0,
        "reason": "Popular venue, Matches your interests",
        "already_interested": True,
        "friends_interested": 3,
        "total_interested": 4,
    }
    assert [
        (
            r["venue"]["id"],
            r["score"],
            r["reason"],
            r["already_interested"],
            r["friends_interested"],
            r["total_interested"],
        )
        for r in rows
    ] == [
        ("venue_1", 8.0, "Popular venue, Matches your interests", True, 3, 4),
        ("venue_2", 4.0, "Matches your interests", True, 0, 1),
        ("venue_3", 4.0, "Matches your interests", True, 0, 1),
        ("venue_4", 4.0, "Popular venue", False, 3, 3),
        ("venue_5", 2.7, "Popular venue", False, 2, 2),
        ("venue_6", 2.7, "Popular venue", False, 2, 2),
        ("venue_7", 2.7, "Popular venue", False, 2, 2),
        ("venue_8", 2.7, "Popular venue", False, 2, 2),
        ("venue_9", 2.7, "Popular venue", False, 2, 2),
        ("venue_10", 2.7, "Popular venue", False, 2, 2),
        ("venue_11", 2.7, "Popular venue", False, 2, 2),
        ("venue_12", 2.7, "Popular venue", False, 2, 2),
    ]


def test_recommendations_follow_venue_edits_and_counts(api_client, luna_seed, admin_client):
    api_client.get("/luna/recommendations?user_id=user_1")  # venue details now cached
    venue = Venue.objects.get(pk="venue_12")
    changed = {
        "id": "venue_12",
        "name": "Comedy Cellar Village",
        "category": "Coffee Shop",
        "description": venue.description,
        "image": venue.image,
        "address": venue.address,
        "latitude": venue.latitude,
        "longitude": venue.longitude,
        "created_at_0": "2025-11-23",
        "created_at_1": "06:00:57",
        "interests-TOTAL_FORMS": "0",
        "interests-INITIAL_FORMS": "0",
    }
    assert admin_client.post(f"/admin/venues/venue/{venue.pk}/change/", changed).status_code == 302
    toggle(api_client, "user_1", "venue_12")

    rows = api_client.get("/luna/recommendations?user_id=user_1").json()["recommendations"]

    row = next(r for r in rows if r["venue"]["id"] == "venue_12")
    assert (row["venue"]["name"], row["venue"]["category"], row["venue"]["interested_count"]) == (
        "Comedy Cellar Village",
        "Coffee Shop",
        3,
    )
    assert (row["score"], row["reason"], row["already_interested"]) == (
        6.7,
        "Popular venue, Matches your interests",
        True,
    )


def test_recommendation_for_a_venue_nobody_likes(api_client):
    member = MemberFactory()
    VenueFactory(category="Park")

    rows = api_client.get(f"/luna/recommendations?user_id={member.pk}").json()["recommendations"]

    assert [(r["score"], r["reason"], r["already_interested"]) for r in rows] == [
        (0.0, "New venue to explore", False)
    ]


def test_recommendations_query_count_does_not_grow(api_client, django_assert_num_queries):
    member = MemberFactory()
    friends = MemberFactory.create_batch(10)
    for friend in friends:
        befriend(member, friend)
    for venue in VenueFactory.create_batch(30):
        for friend in friends[:4]:
            InterestFactory(member=friend, venue=venue)

    with django_assert_num_queries(5):
        response = api_client.get(f"/luna/recommendations?user_id={member.pk}")
    with django_assert_num_queries(4):
        api_client.get(f"/luna/recommendations?user_id={member.pk}")

    rows = response.json()["recommendations"]
    assert len(rows) == 30
    assert rows[0]["friends_interested"] == 4
    assert rows[0]["score"] == 4.3  # min(4/3, 3) + min(4, 3)


def test_recommendations_need_a_user_id(api_client, luna_seed):
    missing = api_client.get("/luna/recommendations")
    unknown = api_client.get("/luna/recommendations?user_id=user_99")

    assert missing.status_code == 422
    assert missing.json() == {
        "detail": [{"field": "user_id", "message": "This field is required.", "code": "required"}]
    }
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "User with id 'user_99' not found"}


# --- action items --------------------------------------------------------------------------
@pytest.fixture
def pending_item(api_client, luna_seed) -> str:
    return toggle(api_client, "user_4", "venue_1").json()["action_item"]["action_item_id"]


def test_complete_action_item(api_client, pending_item):
    response = api_client.post(
        f"/luna/action-items/{pending_item}/complete", {"user_id": "user_2"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Action item marked as completed"}
    assert ActionItem.objects.get().status == "completed"
    assert api_client.get("/luna/users/user_2").json()["action_items"] == []


def test_dismiss_action_item(api_client, pending_item):
    response = api_client.delete(f"/luna/action-items/{pending_item}?user_id=user_4")

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Action item dismissed"}
    assert ActionItem.objects.get().status == "dismissed"


def test_action_item_errors(api_client, pending_item):
    not_found = api_client.post(
        "/luna/action-items/action_x/complete", {"user_id": "user_1"}, format="json"
    )
    forbidden = api_client.post(
        f"/luna/action-items/{pending_item}/complete", {"user_id": "user_7"}, format="json"
    )
    forbidden_dismiss = api_client.delete(f"/luna/action-items/{pending_item}?user_id=user_7")
    not_found_dismiss = api_client.delete("/luna/action-items/action_x?user_id=user_1")
    missing_body = api_client.post(f"/luna/action-items/{pending_item}/complete", {}, format="json")
    missing_query = api_client.delete(f"/luna/action-items/{pending_item}")

    assert not_found.status_code == 404
    assert not_found.json() == {"detail": "Action item with id 'action_x' not found"}
    assert not_found_dismiss.status_code == 404
    assert not_found_dismiss.json() == {"detail": "Action item with id 'action_x' not found"}
    assert forbidden.status_code == 403
    assert forbidden.json() == {"detail": "User not authorized for this action item"}
    assert forbidden_dismiss.status_code == 403
    assert forbidden_dismiss.json() == {"detail": "User not authorized for this action item"}
    required = {
        "detail": [{"field": "user_id", "message": "This field is required.", "code": "required"}]
    }
    assert missing_body.status_code == 422
    assert missing_body.json() == required
    assert missing_query.status_code == 422
    assert missing_query.json() == required
    assert ActionItem.objects.get().status == "pending"


# --- GET /luna/venues/nearby (new) ---------------------------------------------------------
def test_nearby_venues_nearest_first(api_client, luna_seed, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api_client.get("/luna/venues/nearby?lat=40.74&lng=-74.0&radius_km=1")

    assert response.status_code == 200
    assert [(v["id"], v["distance_km"]) for v in response.json()["venues"]] == [
        ("venue_1", 0.136),
        ("venue_11", 0.751),
        ("venue_8", 0.865),
        ("venue_4", 0.896),
    ]
    assert response.json()["venues"][0] == {
        **BLUE_BOTTLE,
        "interested_count": 4,
        "latitude": 40.7406,
        "longitude": -74.0014,
        "distance_km": 0.136,
    }


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("lat=91&lng=0", "lat", "Ensure this value is less than or equal to 90."),
        ("lat=0&lng=-181", "lng", "Ensure this value is greater than or equal to -180."),
        ("lat=abc&lng=0", "lat", "A valid number is required."),
        ("lng=0", "lat", "This field is required."),
        (
            "lat=0&lng=0&radius_km=0",
            "radius_km",
            "Ensure this value is greater than or equal to 0.001.",
        ),
        (
            "lat=0&lng=0&radius_km=501",
            "radius_km",
            "Ensure this value is less than or equal to 500.",
        ),
    ],
)
def test_nearby_rejects_bad_parameters_with_400(api_client, query, field, message):
    response = api_client.get(f"/luna/venues/nearby?{query}")

    assert response.status_code == 400
    assert [(p["field"], p["message"]) for p in response.json()["detail"]] == [(field, message)]


# --- GET /luna/venues/search (new) ---------------------------------------------------------
def test_search_ranks_name_matches_first(api_client, luna_seed, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api_client.get("/luna/venues/search?q=museum")

    assert response.status_code == 200
    assert response.json() == {
        "query": "museum",
        "venues": [
            {**venue_json(11), "interested_count": 2},
            {**venue_json(10), "interested_count": 2},
        ],
    }


def test_search_needs_every_word(api_client, luna_seed):
    response = api_client.get("/luna/venues/search?q=coffee roaster")

    assert [v["id"] for v in response.json()["venues"]] == ["venue_2", "venue_3"]


def test_search_returns_the_best_limit_matches(api_client, luna_seed):
    response = api_client.get("/luna/venues/search?q=coffee&limit=2")
    too_many = api_client.get("/luna/venues/search?q=coffee&limit=101")

    assert [v["id"] for v in response.json()["venues"]] == ["venue_1", "venue_2"]
    assert too_many.status_code == 400
    assert too_many.json() == {
        "detail": [
            {
                "field": "limit",
                "message": "Ensure this value is less than or equal to 100.",
                "code": "max_value",
            }
        ]
    }


def test_search_without_query_is_400(api_client):
    response = api_client.get("/luna/venues/search")

    assert response.status_code == 400
    assert response.json() == {
        "detail": [{"field": "q", "message": "This field is required.", "code": "required"}]
    }


def test_toggle_query_budget(api_client, luna_seed, django_assert_num_queries):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(Interest)  # the audit log's content type, cached per process

    # The request's savepoint (a transaction outside tests) and its release; the lock with the
    # member check; what exists after it; the write and its audit entry; the count.
    with django_assert_num_queries(7):
        add = toggle(api_client, "user_1", "venue_5")
    with django_assert_num_queries(7):
        remove = toggle(api_client, "user_1", "venue_5")

    assert (add.status_code, remove.status_code) == (200, 200)


def test_openapi_schema_describes_every_luna_route(api_client):
    import yaml

    schema = yaml.safe_load(api_client.get("/api/schema/").content)
    paths = {
        path: sorted(ops) for path, ops in schema["paths"].items() if path.startswith("/luna/")
    }

    assert paths == {
        "/luna/": ["get"],
        "/luna/action-items/{id}": ["delete"],
        "/luna/action-items/{id}/complete": ["post"],
        "/luna/interests": ["post"],
        "/luna/recommendations": ["get"],
        "/luna/users/{id}": ["get"],
        "/luna/venues": ["get"],
        "/luna/venues/{id}": ["get"],
        "/luna/venues/nearby": ["get"],
        "/luna/venues/search": ["get"],
    }
    nearby = schema["paths"]["/luna/venues/nearby"]["get"]
    assert nearby["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NearbyVenues"
    }
    assert sorted(schema["components"]["schemas"]["LunaNearbyVenue"]["properties"]) == [
        "address",
        "category",
        "description",
        "distance_km",
        "id",
        "image",
        "interested_count",
        "latitude",
        "longitude",
        "name",
    ]
