import pytest

from matching.models import Preferences, Profile, Prompt
from matching.tests.conftest import bearer
from matching.tests.factories import (
    FavouriteFactory,
    PhotoFactory,
    PlaygroundFactory,
    PreferencesFactory,
    ProfileFactory,
    PromptFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def test_create_profile_with_prompts_and_default_preferences():
    user = UserFactory()
    response = bearer(user).post(
        "/pupmatch/profile",
        {
            "name": "Biscuit",
            "age": 2,
            "bio": "Loves frisbees",
            "prompts": [
                {"question": "Best trick?", "answer": "Roll over"},
                {"question": "Favourite snack?", "answer": "Cheese"},
            ],
        },
    )
    assert response.status_code == 201
    profile = Profile.objects.get()
    prompts = list(Prompt.objects.order_by("order"))
    assert response.json() == {
        "id": str(profile.pk),
        "user_id": str(user.pk),
        "name": "Biscuit",
        "age": 2,
        "bio": "Loves frisbees",
        "latitude": None,
        "longitude": None,
        "photos": [],
        "prompts": [
            {
                "id": str(prompts[0].pk),
                "question": "Best trick?",
                "answer": "Roll over",
                "order": 0,
            },
            {
                "id": str(prompts[1].pk),
                "question": "Favourite snack?",
                "answer": "Cheese",
                "order": 1,
            },
        ],
        "preferences": {
            "min_age": 0,
            "max_age": 20,
            "max_distance": 25.0,
            "activity_level": "medium",
            "distance_unit": "miles",
        },
        "favourite_playgrounds": [],
        "created_at": iso(profile.created_at),
        "updated_at": iso(profile.updated_at),
    }


def test_create_profile_twice_is_409(profile, me):
    response = me.post("/pupmatch/profile", {"name": "Again", "age": 2})
    assert response.status_code == 409
    assert response.json() == {"detail": "Profile already exists"}


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "A", "age": 21}, "age"),
        ({"name": "A", "age": -1}, "age"),
        ({"name": "A", "age": 2, "latitude": 91, "longitude": 0}, "latitude"),
        ({"name": "A", "age": 2, "latitude": -90.5, "longitude": 0}, "latitude"),
        ({"name": "A", "age": 2, "latitude": 0, "longitude": 180.1}, "longitude"),
        ({"name": "A", "age": 2, "latitude": 10}, "location"),
        ({"age": 2}, "name"),
        (
            {"name": "A", "age": 2, "preferences": {"min_age": 9, "max_age": 3}},
            "preferences.min_age",
        ),
        (
            {"name": "A", "age": 2, "preferences": {"activity_level": "wild"}},
            "preferences.activity_level",
        ),
    ],
)
def test_create_profile_validation(payload, field):
    response = bearer(UserFactory()).post("/pupmatch/profile", payload, format="json")
    assert response.status_code == 400
    assert [problem["field"] for problem in response.json()["detail"]] == [field]
    assert Profile.objects.count() == 0


def test_update_changes_only_what_is_sent(profile, me):
    PromptFactory(profile=profile, question="Old?", answer="Old", order=0)
    response = me.patch(
        "/pupmatch/profile",
        {
            "bio": "New bio",
            "latitude": 40.0,
            "longitude": -74.0,
            "prompts": [{"question": "New?", "answer": "Yes", "order": 3}],
            "preferences": {"max_distance": 5, "distance_unit": "kilometers"},
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["age"], body["bio"]) == ("Rex", 3, "New bio")
    assert (body["latitude"], body["longitude"]) == (40.0, -74.0)
    assert [(p["question"], p["order"]) for p in body["prompts"]] == [("New?", 3)]
    assert body["preferences"] == {
        "min_age": 0,
        "max_age": 20,
        "max_distance": 5.0,
        "activity_level": "medium",
        "distance_unit": "kilometers",
    }
    assert Preferences.objects.get().max_distance == 5.0


def test_update_without_location_keeps_it(profile, me):
    me.patch("/pupmatch/profile", {"name": "Max"}, format="json")
    profile.refresh_from_db()
    assert (profile.name, profile.latitude, profile.longitude) == ("Max", 40.758, -73.9855)


def test_update_bad_latitude_is_400(profile, me):
    response = me.patch("/pupmatch/profile", {"latitude": 100, "longitude": 0}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "latitude"


def test_get_profile_without_one_is_404():
    response = bearer(UserFactory()).get("/pupmatch/profile")
    assert response.status_code == 404
    assert response.json() == {"detail": "Profile not found"}


def _rich_profile(profile, n):
    PreferencesFactory(profile=profile, max_age=10)
    for index in range(n):
        PhotoFactory(profile=profile, order=index)
        PromptFactory(profile=profile, order=index)
        FavouriteFactory(user=profile.user, playground=PlaygroundFactory(name=f"Run {index}"))


@pytest.mark.parametrize("n", [1, 5])
def test_get_profile_query_budget(profile, me, django_assert_num_queries, n):
    _rich_profile(profile, n)
    # auth user, profile + preferences + user, photos, prompts, favourites + playgrounds
    with django_assert_num_queries(5):
        response = me.get("/pupmatch/profile")
    body = response.json()
    assert len(body["photos"]) == n
    assert len(body["prompts"]) == n
    assert [p["name"] for p in body["favourite_playgrounds"]] == [f"Run {i}" for i in range(n)]
    assert body["preferences"]["max_age"] == 10


@pytest.mark.parametrize("n", [1, 5])
def test_get_other_profile_query_budget(me, django_assert_num_queries, n):
    other = ProfileFactory(name="Luna")
    _rich_profile(other, n)
    # auth user, profile + preferences + user, photos, prompts, favourites, viewer + preferences
    with django_assert_num_queries(6):
        response = me.get(f"/pupmatch/profiles/{other.pk}")
    assert response.json()["name"] == "Luna"
    assert len(response.json()["photos"]) == n


def test_get_unknown_profile_is_404(me):
    response = me.get("/pupmatch/profiles/00000000-0000-0000-0000-000000000001")
    assert response.status_code == 404


def test_favourite_playgrounds_show_on_profile(profile, me):
    playground = PlaygroundFactory(name="Central Park Dog Run", latitude=40.78, longitude=-73.96)
    FavouriteFactory(user=profile.user, playground=playground)
    assert me.get("/pupmatch/profile").json()["favourite_playgrounds"] == [
        {
            "id": str(playground.pk),
            "name": "Central Park Dog Run",
            "description": "Fenced, with water",
            "latitude": 40.78,
            "longitude": -73.96,
        }
    ]
