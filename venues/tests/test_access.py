"""Luna under each LUNA_ACCESS mode: open, key (valid, revoked, another app's, none) and user
(own data, and one account trying every route on another member's data)."""

import pytest
from django.contrib.auth import get_user_model

from config.tests.access_helpers import (
    KEY_INVALID,
    KEY_REQUIRED,
    NOT_YOUR_USER_ID,
    TOKEN_REQUIRED,
    key_client,
    make_key,
    token_client,
    wrong_mount,
)
from venues.models import ActionItem, Interest, Member

pytestmark = pytest.mark.django_db


def _routes(item: str, user: str) -> list[tuple[str, str, dict | None]]:
    """Every Luna route: (method, path, JSON body)."""
    return [
        ("get", "/luna/", None),
        ("get", "/luna/venues", None),
        ("get", "/luna/venues/venue_1", None),
        ("get", "/luna/venues/nearby?lat=40.75&lng=-73.98", None),
        ("get", "/luna/venues/search?q=coffee", None),
        ("post", "/luna/interests", {"user_id": user, "venue_id": "venue_2"}),
        ("get", f"/luna/users/{user}", None),
        ("get", f"/luna/recommendations?user_id={user}", None),
        ("post", f"/luna/action-items/{item}/complete", {"user_id": user}),
        ("delete", f"/luna/action-items/{item}?user_id={user}", None),
    ]


def call(client, method: str, path: str, body):
    return (
        getattr(client, method)(path, body, format="json")
        if body
        else getattr(client, method)(path)
    )


@pytest.fixture
def item(api_client, luna_seed) -> str:
    """A pending action item for venue_1 (user_2, user_3 and user_4 interested)."""
    response = api_client.post(
        "/luna/interests", {"user_id": "user_4", "venue_id": "venue_1"}, format="json"
    )
    return response.json()["action_item"]["action_item_id"]


# --- open ---------------------------------------------------------------------------------


def test_open_mode_answers_every_route_without_credentials(api_client, item, settings):
    settings.LUNA_ACCESS = "open"
    statuses = [call(api_client, *route).status_code for route in _routes(item, "user_2")]
    assert statuses == [200] * 10


# --- key ----------------------------------------------------------------------------------


@pytest.fixture
def key_mode(settings, item):
    settings.LUNA_ACCESS = "key"
    return item


def test_key_mode_refuses_every_route_without_a_key(api_client, key_mode):
    for route in _routes(key_mode, "user_2"):
        response = call(api_client, *route)
        assert (route[1], response.status_code, response.json()) == (route[1], 401, KEY_REQUIRED)
    assert ActionItem.objects.get().status == "pending"


def test_key_mode_answers_every_route_with_a_luna_key(key_mode):
    _, raw = make_key(luna=True)
    statuses = [call(key_client(raw), *route).status_code for route in _routes(key_mode, "user_2")]
    assert statuses == [200] * 10


@pytest.mark.parametrize("kind", ["revoked", "expired"])
def test_key_mode_refuses_a_revoked_or_expired_key(key_mode, kind):
    _, raw = make_key(luna=True, revoked=kind == "revoked", expired=kind == "expired")
    for route in _routes(key_mode, "user_2"):
        response = call(key_client(raw), *route)
        assert (response.status_code, response.json()) == (401, KEY_INVALID)


def test_key_mode_refuses_another_apps_key(key_mode):
    _, raw = make_key(edgesoul=True, learning=True, yago=True)
    for route in _routes(key_mode, "user_2"):
        response = call(key_client(raw), *route)
        assert (response.status_code, response.json()) == (403, wrong_mount("/luna/"))
    assert Interest.objects.filter(venue_id="venue_2", member_id="user_2").exists() is False


# --- user ---------------------------------------------------------------------------------


@pytest.fixture
def accounts(settings, item):
    """alice is member user_4, bob is user_2; carol has no Luna member."""
    settings.LUNA_ACCESS = "user"
    users = get_user_model().objects
    alice = users.create_user("alice@example.com", "pw-alice-123")
    bob = users.create_user("bob@example.com", "pw-bob-12345")
    carol = users.create_user("carol@example.com", "pw-carol-1234")
    Member.objects.filter(pk="user_4").update(account=alice)
    Member.objects.filter(pk="user_2").update(account=bob)
    return {"alice": alice, "bob": bob, "carol": carol, "item": item}


def test_user_mode_refuses_every_route_without_a_token(api_client, accounts):
    for route in _routes(accounts["item"], "user_2"):
        response = call(api_client, *route)
        assert (response.status_code, response.json()) == (401, TOKEN_REQUIRED)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_user_mode_an_api_key_is_no_token(accounts):
    _, raw = make_key(luna=True)
    response = key_client(raw).get("/luna/venues")
    assert (response.status_code, response.json()) == (401, TOKEN_REQUIRED)


def test_user_mode_a_member_uses_every_route_on_their_own_data(accounts):
    bob = token_client(accounts["bob"])
    statuses = [call(bob, *route).status_code for route in _routes(accounts["item"], "user_2")]
    assert statuses == [200] * 10
    assert bob.get("/luna/users/user_2").json()["user"]["id"] == "user_2"


def test_user_mode_one_account_tries_every_route_on_another_members_data(accounts):
    alice = token_client(accounts["alice"])
    item = accounts["item"]
    answers = {
        route[1]: (response.status_code, response.json())
        for route in _routes(item, "user_2")
        for response in [call(alice, *route)]
    }

    # Public venue data answers; everything naming user_2 is 404 (path, query) or 403 (body).
    assert [answers[path][0] for path, _ in list(answers.items())[:5]] == [200] * 5
    assert answers["/luna/interests"] == (403, NOT_YOUR_USER_ID)
    assert answers["/luna/users/user_2"] == (404, {"detail": "User with id 'user_2' not found"})
    assert answers["/luna/recommendations?user_id=user_2"] == (
        404,
        {"detail": "User with id 'user_2' not found"},
    )
    assert answers[f"/luna/action-items/{item}/complete"] == (403, NOT_YOUR_USER_ID)
    assert answers[f"/luna/action-items/{item}?user_id=user_2"] == (
        404,
        {"detail": "User with id 'user_2' not found"},
    )
    assert not Interest.objects.filter(member_id="user_2", venue_id="venue_2").exists()
    assert ActionItem.objects.get().status == "pending"


def test_user_mode_another_members_id_is_as_unknown_as_a_missing_one(accounts):
    alice = token_client(accounts["alice"])
    other = alice.get("/luna/users/user_2")
    missing = alice.get("/luna/users/user_99")
    assert (other.status_code, missing.status_code) == (404, 404)
    assert other.json() == {"detail": "User with id 'user_2' not found"}
    assert missing.json() == {"detail": "User with id 'user_99' not found"}


def test_user_mode_an_account_without_a_member_reaches_nobody(accounts):
    carol = token_client(accounts["carol"])
    profile = carol.get("/luna/users/user_1")
    toggle = carol.post("/luna/interests", {"user_id": "user_1", "venue_id": "venue_2"})
    assert (profile.status_code, toggle.status_code) == (404, 403)
    assert toggle.json() == NOT_YOUR_USER_ID


def test_user_mode_own_body_user_id_acts(accounts):
    alice = token_client(accounts["alice"])
    response = alice.post("/luna/interests", {"user_id": "user_4", "venue_id": "venue_2"})
    assert response.status_code == 200
    assert Interest.objects.filter(member_id="user_4", venue_id="venue_2").exists()


def test_user_mode_own_recommendations_query_budget(accounts, django_assert_num_queries):
    bob = token_client(accounts["bob"])
    bob.get("/luna/recommendations?user_id=user_2")  # the process caches venue details
    # the contract's 4 + the token's user; the member is found by id AND account at once
    with django_assert_num_queries(5):
        assert bob.get("/luna/recommendations?user_id=user_2").status_code == 200
