import pytest
from django.db import connection
from django.urls import reverse

from venues.models import ActionItem, Friendship, Interest, MemberCategory, Venue
from venues.tests.factories import InterestFactory, VenueFactory

pytestmark = pytest.mark.django_db

MODELS = ["member", "venue", "interest", "membercategory", "friendship", "actionitem"]


@pytest.fixture
def luna_world(luna_seed):
    ActionItem.objects.create(
        id="action_venue_1_0001",
        venue_id="venue_1",
        action_type="visit_venue",
        action_code="LUNA-venue_1-0001",
        description="4 friends ready to go!",
        threshold_met=True,
    ).memberships.create(member_id="user_1")


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_search(admin_client, luna_world, model):
    url = reverse(f"admin:venues_{model}_changelist")

    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "venue_1"}).status_code == 200


@pytest.mark.parametrize(
    ("model", "pk"),
    [
        ("member", "user_1"),
        ("venue", "venue_1"),
        # The seed's rows without a fixed key (natural keys): the first one.
        ("interest", None),
        ("membercategory", None),
        ("friendship", None),
        ("actionitem", "action_venue_1_0001"),
    ],
)
def test_change_page(admin_client, luna_world, model, pk):
    if pk is None:
        pk = {"interest": Interest, "membercategory": MemberCategory, "friendship": Friendship}[
            model
        ].objects.order_by("pk")[0].pk
    response = admin_client.get(reverse(f"admin:venues_{model}_change", args=[pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("model", ["member", "venue", "membercategory", "friendship", "actionitem"])
def test_add_page(admin_client, model):
    assert admin_client.get(reverse(f"admin:venues_{model}_add")).status_code == 200


def test_interests_are_not_added_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:venues_interest_add")).status_code == 403


def test_venue_changelist_shows_counts_without_per_row_queries(
    admin_client, luna_seed, django_assert_num_queries
):
    url = reverse("admin:venues_venue_changelist")
    admin_client.get(url)  # warm the session and content types

    # PostgreSQL reads the planner's row estimate first (config/admin_scale.py): one more query.
    queries = 6 if connection.vendor == "postgresql" else 5
    with django_assert_num_queries(queries):
        response = admin_client.get(url)
    VenueFactory.create_batch(30)
    with django_assert_num_queries(queries):
        more = admin_client.get(url)

    assert response.status_code == 200
    assert b"Blue Bottle Coffee" in response.content
    assert b"42 venues" in more.content


def test_add_venue_in_the_admin_puts_it_last(admin_client, luna_seed):
    response = admin_client.post(
        reverse("admin:venues_venue_add"),
        {
            "id": "venue_13",
            "name": "Brooklyn Bowl",
            "category": "Club",
            "description": "Bowling and concerts",
            "image": "https://example.com/bowl.jpg",
            "address": "61 Wythe Ave, NYC",
            "latitude": "40.7219",
            "longitude": "-73.9575",
            "created_at_0": "2026-01-01",
            "created_at_1": "10:00:00",
            "interests-TOTAL_FORMS": "0",
            "interests-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert Venue.objects.get(pk="venue_13").position == 13


def test_unordered_friendship_is_a_form_error_not_a_crash(admin_client, luna_seed):
    response = admin_client.post(
        reverse("admin:venues_friendship_add"),
        {
            "member": "user_2",
            "friend": "user_1",
            "created_at_0": "2026-01-01",
            "created_at_1": "10:00:00",
        },
    )

    assert response.status_code == 200
    assert b"Store each friendship once, with the smaller member id first." in response.content
    assert Friendship.objects.count() == 28


def test_deleting_an_interest_in_the_admin_recounts_the_venue(admin_client, luna_seed):
    interest = Interest.objects.get(member_id="user_1", venue_id="venue_1")

    response = admin_client.post(
        reverse("admin:venues_interest_delete", args=[interest.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert Venue.objects.get(pk="venue_1").interested_count == 3
    assert MemberCategory.objects.count() == 16


def _found(admin_client, model: str, query: str) -> list:
    response = admin_client.get(reverse(f"admin:venues_{model}_changelist"), {"q": query})
    assert response.status_code == 200
    return [row.pk for row in response.context["cl"].result_list]


def test_admin_searches_find_the_matching_rows(admin_client, luna_world):
    # Big tables are searched on exact ids only (an indexed lookup, never a scan).
    interests = _found(admin_client, "interest", "venue_1")

    assert _found(admin_client, "venue", "Blue Bottle") == ["venue_1"]
    assert _found(admin_client, "member", "user_2") == ["user_2"]
    assert _found(admin_client, "member", "Jordan") == []
    assert sorted(Interest.objects.get(pk=pk).member_id for pk in interests) == [
        "user_1",
        "user_2",
        "user_3",
        "user_6",
    ]
    assert _found(admin_client, "actionitem", "action_venue_1_0001") == ["action_venue_1_0001"]
    assert _found(admin_client, "venue", "no such venue") == []


def test_interests_filter_by_venue_category(admin_client, django_assert_num_queries):
    bar, cafe = VenueFactory(category="Bar"), VenueFactory(category="Coffee Shop")
    in_bar = InterestFactory.create_batch(2, venue=bar)
    InterestFactory(venue=cafe)
    url = reverse("admin:venues_interest_changelist")
    admin_client.get(url)  # session and permissions cached

    # Session, user, categories, the capped count, the page.
    with django_assert_num_queries(5):
        response = admin_client.get(url, {"venue__category": "Bar"})

    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [i.pk for i in in_bar]
    assert response.context["cl"].result_count == 2
    choices = [c["display"] for c in response.context["cl"].filter_specs[0].choices(response.context["cl"])]
    assert choices == ["All", "Bar", "Coffee Shop"]
    assert b'href="?venue__category=Coffee+Shop"' in response.content
