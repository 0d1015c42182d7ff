"""Discovery: exclusions, ranges, units, score order, pagination; same answers on both engines."""

import pytest

from config.geo import KM_PER_MILE, haversine_km
from matching.models import Preferences
from matching.selectors import discovery_candidates
from matching.tests.conftest import bearer
from matching.tests.factories import (
    LikeFactory,
    PassFactory,
    PreferencesFactory,
    ProfileFactory,
)

pytestmark = pytest.mark.django_db

# The viewer sits in Times Square; the others at known distances north along Manhattan.
HOME = (40.7580, -73.9855)


def dog(name, lat, lng, age=3, activity=None):
    profile = ProfileFactory(name=name, latitude=lat, longitude=lng, age=age)
    if activity:
        PreferencesFactory(profile=profile, activity_level=activity)
    return profile


@pytest.fixture
def viewer(db):
    profile = dog("Viewer", *HOME)
    PreferencesFactory(profile=profile, min_age=1, max_age=5, max_distance=10)
    return profile


def ids(response):
    return [card["name"] for card in response.json()["results"]]


def test_discovery_orders_by_score_and_reports_distance_in_miles(viewer):
    near = dog("Near", 40.7680, -73.9820, age=3)  # ~1.1 km, perfect age
    far = dog("Far", 40.8500, -73.9400, age=3)  # ~11 km
    old = dog("Older", 40.7600, -73.9850, age=5, activity="high")
    response = bearer(viewer.user).get("/pupmatch/discover")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    # Older is nearest but at the edge of the age range and more active: 0.59 < Far's 0.66.
    assert ids(response) == ["Near", "Far", "Older"]
    # Distances in whole miles only (0.71, 6.79, 0.14 rounded half up); scores worked out by hand from the README's formula (0.5 distance + 0.3 age + 0.2 activity fit):
    # Near: 0.5 × (1 − 1.1504/16.0934) + 0.3 × 1 + 0.2 × 1 = 0.9643.
    assert [
        (card["distance"], card["distance_unit"], card["compatibility_score"])
        for card in body["results"]
    ] == [(1, "miles", 0.9643), (7, "miles", 0.6606), (0, "miles", 0.593)]
    assert [card["id"] for card in body["results"]] == [str(near.pk), str(far.pk), str(old.pk)]


def test_discovery_in_kilometers_uses_the_radius_in_km(viewer):
    Preferences.objects.filter(profile=viewer).update(distance_unit="kilometers", max_distance=5)
    dog("Inside", 40.7880, -73.9700)  # ~3.6 km
    dog("Outside", 40.8100, -73.9600)  # ~6.2 km, inside 5 miles
    response = bearer(viewer.user).get("/pupmatch/discover")
    assert ids(response) == ["Inside"]
    card = response.json()["results"][0]
    assert card["distance_unit"] == "kilometers"
    assert round(haversine_km(*HOME, 40.7880, -73.9700), 2) == 3.58
    assert card["distance"] == 4  # whole km only


def test_discovery_exclusions(viewer):
    liked = dog("Liked", 40.7590, -73.9850)
    passed = dog("Passed", 40.7590, -73.9850)
    passed_on_me = dog("PassedOnMe", 40.7590, -73.9850)
    liked_me = dog("LikedMe", 40.7590, -73.9850)
    dog("TooOld", 40.7590, -73.9850, age=6)
    dog("TooYoung", 40.7590, -73.9850, age=0)
    dog("NoLocation", None, None)
    dog("Fine", 40.7590, -73.9850)
    LikeFactory(user=viewer.user, target=liked.user)
    PassFactory(user=viewer.user, target=passed.user)
    PassFactory(user=passed_on_me.user, target=viewer.user)
    LikeFactory(user=liked_me.user, target=viewer.user)
    response = bearer(viewer.user).get("/pupmatch/discover")
    assert sorted(ids(response)) == ["Fine", "LikedMe"]


def test_discovery_empty(viewer):
    response = bearer(viewer.user).get("/pupmatch/discover")
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_discovery_needs_a_location():
    profile = dog("Nowhere", None, None)
    response = bearer(profile.user).get("/pupmatch/discover")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "location"


def test_discovery_without_profile_is_404(db):
    from matching.tests.factories import UserFactory

    assert bearer(UserFactory()).get("/pupmatch/discover").status_code == 404


def test_discovery_without_preferences_uses_defaults(db):
    viewer = dog("Viewer", *HOME)
    dog("TwentyMiles", 40.7580 + 20 * KM_PER_MILE / 111.195, -73.9855)
    dog("ThirtyMiles", 40.7580 + 30 * KM_PER_MILE / 111.195, -73.9855)
    response = bearer(viewer.user).get("/pupmatch/discover")
    assert ids(response) == ["TwentyMiles"]
    assert response.json()["results"][0]["distance"] == 20


def test_discovery_is_paginated(viewer):
    for index in range(5):
        dog(f"D{index}", 40.7580 + 0.001 * (index + 1), -73.9855)
    response = bearer(viewer.user).get("/pupmatch/discover?limit=2&offset=2")
    body = response.json()
    assert body["count"] == 5
    assert ids(response) == ["D2", "D3"]
    assert body["next"] == "http://testserver/pupmatch/discover?limit=2&offset=4"


@pytest.mark.parametrize("n", [2, 8])
def test_discovery_query_budget(viewer, django_assert_num_queries, n):
    from matching.tests.factories import PhotoFactory, PromptFactory

    for index in range(n):
        other = dog(f"D{index}", 40.7580 + 0.001 * (index + 1), -73.9855)
        PhotoFactory(profile=other)
        PromptFactory(profile=other)
    # auth user, own profile with preferences, the nearest candidates, photos, prompts
    with django_assert_num_queries(5):
        response = bearer(viewer.user).get("/pupmatch/discover")
    assert len(response.json()["results"]) == n
    assert all(len(card["photos"]) == 1 for card in response.json()["results"])


def test_selector_matches_python_formula_for_every_row(viewer):
    """The candidate query's distance is the great-circle distance (both engines); the scores
    are pinned by literals below."""
    dogs = [
        dog("A", 40.7700, -73.9800, age=1, activity="low"),
        dog("B", 40.7400, -73.9900, age=5, activity="high"),
        dog("C", 40.7900, -73.9500, age=2),
    ]
    rows = list(discovery_candidates(profile=viewer))
    assert len(rows) == 3
    for row in rows:
        source = next(d for d in dogs if d.pk == row.id)
        distance = haversine_km(*HOME, source.latitude, source.longitude)
        assert row.distance_km == pytest.approx(distance, abs=1e-6)
    scores = [row.compatibility_score for row in rows]
    assert scores == sorted(scores, reverse=True)
    # Literal values (by hand from the README's formula), so a change of weights shows.
    assert [(row.name, round(row.compatibility_score, 6)) for row in rows] == [
        ("C", 0.705615),
        ("A", 0.556117),
        ("B", 0.53671),
    ]


def test_score_ranks_only_the_nearest_eligible_pool(viewer, settings):
    settings.PUPMATCH_DISCOVERY_POOL = 2
    liked = dog("LikedNearest", 40.7581, -73.9855)
    LikeFactory(user=viewer.user, target=liked.user)
    dog("Near", 40.7590, -73.9855, age=5)  # nearest eligible, poor age fit
    dog("Second", 40.7600, -73.9855, age=5)
    dog("FarButPerfect", 40.7700, -73.9855, age=3)  # better score, outside the pool
    response = bearer(viewer.user).get("/pupmatch/discover")
    assert response.json()["count"] == 2
    assert ids(response) == ["Near", "Second"]


def test_card_photos_and_prompts_are_the_serializers_shapes(viewer):
    """discovery_cards builds cards from value rows: the same JSON as the serializers."""
    from matching.models import Photo, Prompt
    from matching.serializers import PhotoSerializer, PromptSerializer
    from matching.tests.conftest import signed_url
    from matching.tests.factories import PhotoFactory, PromptFactory

    other = dog("Pics", 40.7590, -73.9850)
    PhotoFactory(profile=other, order=1)
    PhotoFactory(profile=other, order=0, thumbnail="pupmatch/thumbnails/t.webp")
    PromptFactory(profile=other, order=0)
    response = bearer(viewer.user).get("/pupmatch/discover")
    card = response.json()["results"][0]
    request = response.wsgi_request
    photos = Photo.objects.filter(profile=other).order_by("order", "created_at")
    assert card["photos"] == PhotoSerializer(photos, many=True, context={"request": request}).data
    assert card["photos"][0]["thumbnail_url"] == signed_url("pupmatch/thumbnails/t.webp")
    assert card["photos"][1]["thumbnail_url"] is None
    prompts = Prompt.objects.filter(profile=other).order_by("order", "id")
    assert card["prompts"] == PromptSerializer(prompts, many=True).data


def test_the_pool_is_the_nearest_eligible_across_distance_bands(viewer):
    """SQLite reads distance bands innermost first (PostgreSQL the KNN index): the pool is
    the nearest eligible profiles whatever band they are in, nearest first."""
    from matching.selectors import nearest_eligible

    # 0.5 to 15 km north: spread over SQLite's bands (10 miles / 16 ≈ 1 km up to 16 km).
    steps = [0.5, 0.9, 1.2, 2.1, 2.9, 4.2, 5.9, 8.3, 11.8, 15.0]
    for km in reversed(steps):
        dog(f"D{km}", HOME[0] + km / 111.195, HOME[1])
    dog("TooOld", HOME[0] + 0.001, HOME[1], age=9)  # nearest of all, but outside 1-5 years
    prefs = Preferences.objects.get(profile=viewer)
    rows = nearest_eligible(profile=viewer, prefs=prefs, pool=7)
    assert [row["name"] for row in rows] == [f"D{km}" for km in steps[:7]]
    assert [round(row["distance_km"], 1) for row in rows] == steps[:7]


def activity_copy(profile):
    from django.db import connection

    key = type(profile)._meta.pk.get_db_prep_value(profile.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT activity_level FROM matching_profile WHERE id = %s", [key])
        return cursor.fetchone()[0]


def test_the_profile_row_copies_its_preferences_activity_level(db):
    """Discovery reads activity_level from the profile row (migration 0005's triggers keep it
    equal to the preferences', 'medium' without any)."""
    from matching import services

    other, third = ProfileFactory(), ProfileFactory()
    assert activity_copy(other) == "medium"
    preferences = PreferencesFactory(profile=other, activity_level="high")
    assert activity_copy(other) == "high"
    services.profile_update(profile=other, preferences={"activity_level": "low"})
    assert activity_copy(other) == "low"
    Preferences.objects.filter(pk=preferences.pk).update(min_age=2)  # other columns: no change
    assert activity_copy(other) == "low"
    Preferences.objects.filter(pk=preferences.pk).update(profile=third)
    assert (activity_copy(other), activity_copy(third)) == ("medium", "low")
    Preferences.objects.filter(profile=third).delete()
    assert activity_copy(third) == "medium"


def test_a_profile_inserted_after_its_preferences_copies_them(db):
    """loaddata may write the preferences first (foreign keys are checked at commit)."""
    import uuid

    profile_id = uuid.uuid4()
    Preferences(profile_id=profile_id, activity_level="low").save()
    profile = ProfileFactory(pk=profile_id)
    assert activity_copy(profile) == "low"
