"""Location privacy: others see a whole-unit distance, never coordinates; location changes are
rate-limited (`pupmatch_location`)."""

import pytest
from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from config.geo import KM_PER_MILE
from matching.selectors import whole_units
from matching.tests.conftest import bearer
from matching.tests.factories import PreferencesFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME = (40.7580, -73.9855)  # Times Square
# 0.03° of latitude north: 3.336 km, 2.073 miles
NORTH = (40.7880, -73.9855)


def test_whole_units_round_half_up_in_the_viewers_unit():
    assert whole_units(2.5, "kilometers") == 3
    assert whole_units(2.4999, "kilometers") == 2
    assert whole_units(0.4999, "kilometers") == 0
    assert whole_units(KM_PER_MILE / 2, "miles") == 1
    assert whole_units(KM_PER_MILE * 0.49, "miles") == 0
    assert whole_units(KM_PER_MILE * 2.5, "kilometers") == 4  # 4.02 km


def test_another_profile_shows_a_whole_distance_and_no_coordinates():
    viewer = ProfileFactory(name="Rex", latitude=HOME[0], longitude=HOME[1])
    other = ProfileFactory(name="Luna", latitude=NORTH[0], longitude=NORTH[1], bio="Hi")

    response = bearer(viewer.user).get(f"/pupmatch/profiles/{other.pk}")

    assert response.status_code == 200
    assert response.json() == {
        "id": str(other.pk),
        "user_id": str(other.user_id),
        "name": "Luna",
        "age": 3,
        "bio": "Hi",
        "latitude": None,
        "longitude": None,
        "photos": [],
        "prompts": [],
        "preferences": {
            "min_age": 0,
            "max_age": 20,
            "max_distance": 25.0,
            "activity_level": "medium",
            "distance_unit": "miles",
        },
        "favourite_playgrounds": [],
        "created_at": response.json()["created_at"],
        "updated_at": response.json()["updated_at"],
        "distance": 2,
        "distance_unit": "miles",
    }


def test_another_profile_distance_in_the_viewers_kilometers():
    viewer = ProfileFactory(latitude=HOME[0], longitude=HOME[1])
    PreferencesFactory(profile=viewer, distance_unit="kilometers")
    other = ProfileFactory(latitude=NORTH[0], longitude=NORTH[1])

    body = bearer(viewer.user).get(f"/pupmatch/profiles/{other.pk}").json()

    assert (body["distance"], body["distance_unit"]) == (3, "kilometers")
    assert (body["latitude"], body["longitude"]) == (None, None)


@pytest.mark.parametrize("missing", ["viewer", "other"])
def test_no_distance_when_either_has_no_location(missing):
    viewer = ProfileFactory(
        **({"latitude": None, "longitude": None} if missing == "viewer" else {})
    )
    other = ProfileFactory(**({"latitude": None, "longitude": None} if missing == "other" else {}))

    body = bearer(viewer.user).get(f"/pupmatch/profiles/{other.pk}").json()

    assert (body["distance"], body["distance_unit"], body["latitude"]) == (None, "miles", None)


def test_viewer_without_a_profile_sees_no_distance_in_the_default_unit():
    other = ProfileFactory()

    body = bearer(UserFactory()).get(f"/pupmatch/profiles/{other.pk}").json()

    assert (body["distance"], body["distance_unit"], body["longitude"]) == (None, "miles", None)


def test_the_owner_sees_their_own_coordinates_by_id(django_assert_num_queries):
    me = ProfileFactory(latitude=HOME[0], longitude=HOME[1])

    PreferencesFactory(profile=me, distance_unit="kilometers")

    with django_assert_num_queries(5):  # as GET profile: no viewer lookup for the owner
        body = bearer(me.user).get(f"/pupmatch/profiles/{me.pk}").json()

    assert (body["latitude"], body["longitude"]) == HOME
    assert (body["distance"], body["distance_unit"]) == (0, "kilometers")


def test_discovery_cards_carry_no_coordinates():
    viewer = ProfileFactory(latitude=HOME[0], longitude=HOME[1])
    ProfileFactory(latitude=NORTH[0], longitude=NORTH[1])

    card = bearer(viewer.user).get("/pupmatch/discover").json()["results"][0]

    assert "latitude" not in card and "longitude" not in card
    assert (card["distance"], card["distance_unit"]) == (2, "miles")


@pytest.fixture
def location_rate(monkeypatch):
    base = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {**base, "pupmatch_location": "2/hour"}
    )


def test_location_changes_have_their_own_default_rate():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["pupmatch_location"] == "10/hour"


def test_location_changes_are_rate_limited(location_rate):
    me = ProfileFactory()
    client = bearer(me.user)
    move = {"latitude": 40.70, "longitude": -73.90}

    first = client.patch("/pupmatch/profile", move, format="json")
    second = client.patch("/pupmatch/profile", {**move, "latitude": 40.71}, format="json")
    third = client.patch("/pupmatch/profile", {**move, "latitude": 40.72}, format="json")

    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert third.json()["detail"].startswith("Request was throttled.")
    me.refresh_from_db()
    assert me.latitude == 40.71
    # Other profile edits and reads are not counted.
    assert (
        client.patch("/pupmatch/profile", {"bio": "still here"}, format="json").status_code == 200
    )
    assert client.get("/pupmatch/profile").status_code == 200


def test_creating_a_profile_with_a_location_counts(location_rate):
    client = bearer(UserFactory())
    client.patch("/pupmatch/profile", {"latitude": 1.0, "longitude": 1.0}, format="json")
    client.patch("/pupmatch/profile", {"latitude": 1.0, "longitude": 1.0}, format="json")

    response = client.post(
        "/pupmatch/profile",
        {"name": "Rex", "age": 2, "latitude": 1.0, "longitude": 1.0},
        format="json",
    )

    assert response.status_code == 429


def test_location_limit_is_per_user(location_rate):
    first, second = ProfileFactory(), ProfileFactory()
    move = {"latitude": 40.70, "longitude": -73.90}
    for _ in range(2):
        bearer(first.user).patch("/pupmatch/profile", move, format="json")

    assert bearer(first.user).patch("/pupmatch/profile", move, format="json").status_code == 429
    assert bearer(second.user).patch("/pupmatch/profile", move, format="json").status_code == 200
