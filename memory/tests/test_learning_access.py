"""Learning under each LEARNING_ACCESS mode: with `user`, profiles belong to the account that
created them; profiles nobody owns (imported, seeded) are visible to staff only."""

import pytest
from django.contrib.auth import get_user_model

from config.tests.access_helpers import (
    KEY_INVALID,
    KEY_REQUIRED,
    TOKEN_REQUIRED,
    key_client,
    make_key,
    token_client,
    wrong_mount,
)
from memory.models import ApprovedCard, ChatMessage, LearnerProfile
from memory.tests.factories import LearnerProfileFactory

pytestmark = pytest.mark.django_db
URL = "/learning/profiles"
NOT_FOUND = {"detail": "Profile not found"}
CREATE_BODY = {
    "name": "Xiao Ming",
    "dob": "2019-03-14",
    "gender": "male",
    "address": "1 Garden Road",
    "school": "Sunshine Kindergarten",
    "neighborhood": "Riverside",
    "interests": ["dinosaurs"],
}


def _object_routes(pk: str) -> list[tuple[str, str, dict | None, int]]:
    """Every route on one profile: (method, path, JSON body, status when allowed)."""
    return [
        ("get", f"{URL}/{pk}", None, 200),
        ("put", f"{URL}/{pk}", {"school": "Elsewhere"}, 200),
        ("get", f"{URL}/{pk}/cards", None, 200),
        ("post", f"{URL}/{pk}/cards", {"card_type": "vocabulary", "content": {"w": "猫"}}, 201),
        ("get", f"{URL}/{pk}/chat", None, 200),
        ("post", f"{URL}/{pk}/chat", {"role": "user", "content": "hi"}, 201),
        ("delete", f"{URL}/{pk}", None, 200),
    ]


def _routes(pk: str) -> list[tuple[str, str, dict | None, int]]:
    return [
        ("get", URL, None, 200),
        ("post", URL, CREATE_BODY, 200),
        *_object_routes(pk),
    ]


def call(client, method, path, body, *_):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, format="json")


def _rows() -> tuple[int, int, int]:
    return LearnerProfile.objects.count(), ApprovedCard.objects.count(), ChatMessage.objects.count()


# --- open and key -----------------------------------------------------------------------------


def test_open_mode_answers_every_route_without_credentials(api_client, settings):
    settings.LEARNING_ACCESS = "open"
    LearnerProfileFactory(id="ann", name="Ann")
    routes = _routes("ann")
    assert [call(api_client, *r).status_code for r in routes] == [r[3] for r in routes]
    assert LearnerProfile.objects.get(name="Xiao Ming").owner is None


@pytest.fixture
def key_mode(settings):
    settings.LEARNING_ACCESS = "key"
    LearnerProfileFactory(id="ann", name="Ann")


def test_key_mode_refuses_every_route_without_a_key(api_client, key_mode):
    before = _rows()
    for route in _routes("ann"):
        response = call(api_client, *route)
        assert (route[1], response.status_code, response.json()) == (route[1], 401, KEY_REQUIRED)
    assert _rows() == before


def test_key_mode_answers_every_route_with_a_learning_key(key_mode):
    _, raw = make_key(learning=True)
    routes = _routes("ann")
    assert [call(key_client(raw), *r).status_code for r in routes] == [r[3] for r in routes]


@pytest.mark.parametrize("kind", ["revoked", "expired", "other-app"])
def test_key_mode_refuses_bad_keys(key_mode, kind):
    _, raw = make_key(
        learning=kind != "other-app",
        yago=kind == "other-app",
        revoked=kind == "revoked",
        expired=kind == "expired",
    )
    expected = (403, wrong_mount("/learning/")) if kind == "other-app" else (401, KEY_INVALID)
    before = _rows()
    for route in _routes("ann"):
        response = call(key_client(raw), *route)
        assert (response.status_code, response.json()) == expected
    assert _rows() == before


# --- user ---------------------------------------------------------------------------------


@pytest.fixture
def accounts(settings):
    """bob owns `ben`, alice owns `amy`; `seeded` has no owner; staff is staff."""
    settings.LEARNING_ACCESS = "user"
    users = get_user_model().objects
    alice = users.create_user("alice@example.com", "pw-alice-123")
    bob = users.create_user("bob@example.com", "pw-bob-12345")
    staff = users.create_user("staff@example.com", "pw-staff-1234", is_staff=True)
    LearnerProfileFactory(id="amy", name="Amy", owner=alice)
    LearnerProfileFactory(id="ben", name="Ben", owner=bob)
    LearnerProfileFactory(id="seeded", name="Seeded")
    return {"alice": alice, "bob": bob, "staff": staff}


def _listed(client) -> list[str]:
    return [profile["id"] for profile in client.get(URL).json()]


def test_user_mode_refuses_every_route_without_a_token(api_client, accounts):
    before = _rows()
    for route in _routes("ben"):
        response = call(api_client, *route)
        assert (response.status_code, response.json()) == (401, TOKEN_REQUIRED)
    assert _rows() == before


def test_user_mode_each_account_lists_its_own_profiles_and_staff_the_unowned(accounts):
    assert _listed(token_client(accounts["alice"])) == ["amy"]
    assert _listed(token_client(accounts["bob"])) == ["ben"]
    assert _listed(token_client(accounts["staff"])) == ["seeded"]


def test_user_mode_an_account_uses_every_route_on_its_own_profile(accounts):
    bob = token_client(accounts["bob"])
    routes = _routes("ben")
    assert [call(bob, *r).status_code for r in routes] == [r[3] for r in routes]


def test_user_mode_a_created_profile_belongs_to_its_creator(accounts):
    alice = token_client(accounts["alice"])
    response = alice.post(URL, CREATE_BODY, format="json")
    assert (response.status_code, response.json()["id"]) == (200, "xiao-ming")
    assert LearnerProfile.objects.get(pk="xiao-ming").owner == accounts["alice"]
    assert _listed(alice) == ["amy", "xiao-ming"]
    assert _listed(token_client(accounts["bob"])) == ["ben"]


def test_user_mode_one_account_tries_every_route_on_another_accounts_profile(accounts):
    alice = token_client(accounts["alice"])
    before = _rows()

    for by in ("ben", "Ben"):  # by id and by name
        answers = [(route[1], call(alice, *route)) for route in _object_routes(by)]
        assert [(path, r.status_code, r.json()) for path, r in answers] == [
            (path, 404, NOT_FOUND) for path, _ in answers
        ]

    assert _rows() == before
    assert LearnerProfile.objects.get(pk="ben").school == ""


def test_user_mode_unowned_profiles_are_staff_only(accounts):
    alice = token_client(accounts["alice"])
    staff = token_client(accounts["staff"])
    assert (alice.get(f"{URL}/seeded").status_code, alice.get(f"{URL}/seeded").json()) == (
        404,
        NOT_FOUND,
    )
    assert staff.get(f"{URL}/seeded").json()["name"] == "Seeded"
    assert staff.get(f"{URL}/ben").status_code == 404


def test_user_mode_a_name_lookup_finds_only_own_profiles(accounts):
    LearnerProfileFactory(id="ben-2", name="Ben", owner=accounts["alice"])
    alice = token_client(accounts["alice"])
    assert alice.get(f"{URL}/Ben").json()["id"] == "ben-2"


def test_user_mode_list_query_budget(accounts, django_assert_num_queries):
    bob = token_client(accounts["bob"])
    with django_assert_num_queries(4):  # the token's user + the contract's 3
        assert bob.get(URL).status_code == 200
