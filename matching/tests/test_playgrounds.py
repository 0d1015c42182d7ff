import pytest

from config.geo import haversine_km
from matching.models import Playground, PlaygroundFavourite
from matching.tests.factories import FavouriteFactory, PlaygroundFactory

pytestmark = pytest.mark.django_db


def test_add_playground_is_also_a_favourite(profile, me):
    response = me.post(
        "/pupmatch/playgrounds",
        {
            "name": "Washington Square Dog Run",
            "description": "Small",
            "latitude": 40.7308,
            "longitude": -73.9973,
        },
    )
    assert response.status_code == 201
    playground = Playground.objects.get()
    assert response.json() == {
        "id": str(playground.pk),
        "owner_id": str(profile.user_id),
        "name": "Washington Square Dog Run",
        "description": "Small",
        "latitude": 40.7308,
        "longitude": -73.9973,
        "is_favourite": True,
        "distance_km": None,
        "created_at": playground.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert PlaygroundFavourite.objects.get().user == profile.user


@pytest.mark.parametrize(
    "lat, lng, field", [(90.1, 0, "latitude"), (0, -181, "longitude"), ("x", 0, "latitude")]
)
def test_add_playground_bad_coordinates_is_400(me, lat, lng, field):
    response = me.post("/pupmatch/playgrounds", {"name": "X", "latitude": lat, "longitude": lng})
    assert response.status_code == 400
    assert [p["field"] for p in response.json()["detail"]] == [field]


def test_nearby_within_radius_nearest_first(me):
    PlaygroundFactory(name="Far", latitude=40.85, longitude=-73.94)
    near = PlaygroundFactory(name="Near", latitude=40.759, longitude=-73.985)
    PlaygroundFactory(name="Mid", latitude=40.78, longitude=-73.97)
    response = me.get("/pupmatch/playgrounds?latitude=40.758&longitude=-73.9855&radius_km=5")
    body = response.json()
    assert [row["name"] for row in body["results"]] == ["Near", "Mid"]
    assert body["results"][0]["distance_km"] == round(
        haversine_km(40.758, -73.9855, near.latitude, near.longitude), 3
    )


def test_search_by_name(me):
    PlaygroundFactory(name="Central Park Dog Run")
    PlaygroundFactory(name="Tompkins Square Dog Run")
    PlaygroundFactory(name="Hudson River Park")
    response = me.get("/pupmatch/playgrounds?q=dog run")
    assert [row["name"] for row in response.json()["results"]] == [
        "Central Park Dog Run",
        "Tompkins Square Dog Run",
    ]


def test_search_and_radius_together(me):
    PlaygroundFactory(name="Dog Run Near", latitude=40.759, longitude=-73.985)
    PlaygroundFactory(name="Dog Run Far", latitude=41.5, longitude=-73.985)
    PlaygroundFactory(name="Park Near", latitude=40.759, longitude=-73.985)
    response = me.get("/pupmatch/playgrounds?q=run&latitude=40.758&longitude=-73.9855")
    assert [row["name"] for row in response.json()["results"]] == ["Dog Run Near"]


def test_nearby_needs_both_coordinates(me):
    response = me.get("/pupmatch/playgrounds?latitude=40")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "location"


def test_nearby_bad_latitude_is_400(me):
    response = me.get("/pupmatch/playgrounds?latitude=123&longitude=0")
    assert response.status_code == 400


def test_favourite_and_unfavourite_are_idempotent(profile, me):
    playground = PlaygroundFactory()
    assert me.post(f"/pupmatch/playgrounds/{playground.pk}/favourite").json() == {
        "is_favourite": True
    }
    assert me.post(f"/pupmatch/playgrounds/{playground.pk}/favourite").status_code == 200
    assert PlaygroundFavourite.objects.filter(user=profile.user).count() == 1
    assert me.get(f"/pupmatch/playgrounds/{playground.pk}").json()["is_favourite"] is True
    assert [p["id"] for p in me.get("/pupmatch/playgrounds/favourites").json()["results"]] == [
        str(playground.pk)
    ]
    assert me.delete(f"/pupmatch/playgrounds/{playground.pk}/favourite").status_code == 204
    assert me.delete(f"/pupmatch/playgrounds/{playground.pk}/favourite").status_code == 204
    assert PlaygroundFavourite.objects.count() == 0
    assert me.get(f"/pupmatch/playgrounds/{playground.pk}").json()["is_favourite"] is False


def test_favourite_unknown_playground_is_404(me):
    response = me.post("/pupmatch/playgrounds/00000000-0000-0000-0000-000000000001/favourite")
    assert response.status_code == 404


@pytest.mark.parametrize("n", [2, 8])
def test_list_query_budget(profile, me, django_assert_num_queries, n):
    for index in range(n):
        playground = PlaygroundFactory(name=f"P{index}", latitude=40.758 + index * 0.001)
        FavouriteFactory(user=profile.user, playground=playground)
    with django_assert_num_queries(3):  # auth, count, page
        response = me.get("/pupmatch/playgrounds")
    assert [row["is_favourite"] for row in response.json()["results"]] == [True] * n
    with django_assert_num_queries(3):
        me.get("/pupmatch/playgrounds?latitude=40.758&longitude=-73.9665&radius_km=50&q=P")
    with django_assert_num_queries(3):
        me.get("/pupmatch/playgrounds/favourites")
    with django_assert_num_queries(2):  # auth, row
        me.get(f"/pupmatch/playgrounds/{playground.pk}")
