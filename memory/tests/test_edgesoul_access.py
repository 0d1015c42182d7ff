"""EdgeSoul under each EDGESOUL_ACCESS mode. Create-on-first-read happens only for an
authorised caller; an unauthorised GET never creates a row."""

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
from memory.edgesoul.models import CompanionProfile, ConversationContext, EmotionalPattern, Memory
from memory.tests.factories import CompanionProfileFactory, MemoryFactory

pytestmark = pytest.mark.django_db
BASE = "/edgesoul/api/v1/memory"
USER_NOT_FOUND = {"detail": "User not found"}


def _routes(uid: str) -> list[tuple[str, str, dict | None, int]]:
    """Every EdgeSoul route: (method, path, JSON body, status when allowed)."""
    return [
        ("get", f"{BASE}/profile/{uid}", None, 200),
        ("put", f"{BASE}/profile/{uid}", {"name": "Changed"}, 200),
        ("get", f"{BASE}/memories/{uid}", None, 200),
        ("post", f"{BASE}/memories/search", {"user_id": uid, "query": "coffee"}, 200),
        ("post", f"{BASE}/memory/{uid}", {"memory_type": "fact", "content": "x"}, 201),
        ("post", f"{BASE}/emotion/{uid}", {"emotion": "joy", "intensity": 50}, 201),
        ("get", f"{BASE}/emotions/{uid}", None, 200),
        ("get", f"{BASE}/emotions/{uid}/patterns", None, 200),
        ("get", f"{BASE}/emotions/{uid}/summary", None, 200),
        (
            "post",
            f"{BASE}/conversation/{uid}",
            {"session_id": "s1", "role": "user", "content": "hi"},
            201,
        ),
        ("get", f"{BASE}/context/{uid}", None, 200),
        ("get", f"{BASE}/conversations/{uid}", None, 200),
        ("get", f"{BASE}/stats/{uid}", None, 200),
        ("delete", f"{BASE}/memories/{uid}", None, 200),
    ]


def call(client, method, path, body, *_):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, format="json")


def _rows() -> tuple[int, int, int, int]:
    return (
        CompanionProfile.objects.count(),
        Memory.objects.count(),
        EmotionalPattern.objects.count(),
        ConversationContext.objects.count(),
    )


# --- open ---------------------------------------------------------------------------------


def test_open_mode_answers_every_route_without_credentials(api_client, settings):
    settings.EDGESOUL_ACCESS = "open"
    MemoryFactory(user=CompanionProfileFactory(user_id="anna"), content="coffee")
    routes = _routes("anna")
    assert [call(api_client, *r).status_code for r in routes] == [r[3] for r in routes]


def test_open_mode_creates_a_profile_on_first_read(api_client, settings):
    settings.EDGESOUL_ACCESS = "open"
    assert api_client.get(f"{BASE}/profile/newcomer").status_code == 200
    assert CompanionProfile.objects.filter(user_id="newcomer", account=None).exists()


# --- key ----------------------------------------------------------------------------------


@pytest.fixture
def key_mode(settings):
    settings.EDGESOUL_ACCESS = "key"
    MemoryFactory(user=CompanionProfileFactory(user_id="anna"), content="coffee")


def test_key_mode_refuses_every_route_without_a_key_and_creates_nothing(api_client, key_mode):
    before = _rows()
    for route in _routes("stranger"):
        response = call(api_client, *route)
        assert (route[1], response.status_code, response.json()) == (route[1], 401, KEY_REQUIRED)
    assert _rows() == before


def test_key_mode_answers_every_route_with_an_edgesoul_key(key_mode):
    _, raw = make_key(edgesoul=True)
    routes = _routes("anna")
    assert [call(key_client(raw), *r).status_code for r in routes] == [r[3] for r in routes]


def test_key_mode_creates_on_first_read_for_a_key_holder(key_mode):
    _, raw = make_key(edgesoul=True)
    response = key_client(raw).get(f"{BASE}/profile/newcomer")
    assert (response.status_code, response.json()["user_id"]) == (200, "newcomer")
    assert CompanionProfile.objects.filter(user_id="newcomer").exists()


@pytest.mark.parametrize("kind", ["revoked", "expired", "other-app"])
def test_key_mode_refuses_bad_keys_and_creates_nothing(key_mode, kind):
    _, raw = make_key(
        edgesoul=kind != "other-app",
        luna=kind == "other-app",
        revoked=kind == "revoked",
        expired=kind == "expired",
    )
    expected = (403, wrong_mount("/edgesoul/")) if kind == "other-app" else (401, KEY_INVALID)
    before = _rows()
    for route in _routes("stranger"):
        response = call(key_client(raw), *route)
        assert (response.status_code, response.json()) == expected
    assert _rows() == before


# --- user ---------------------------------------------------------------------------------


@pytest.fixture
def accounts(settings):
    """alice is EdgeSoul user `alice-phone`, bob is `bob-phone`; carol has no profile yet."""
    settings.EDGESOUL_ACCESS = "user"
    users = get_user_model().objects
    alice = users.create_user("alice@example.com", "pw-alice-123")
    bob = users.create_user("bob@example.com", "pw-bob-12345")
    carol = users.create_user("carol@example.com", "pw-carol-1234")
    CompanionProfile.objects.create(user_id="alice-phone", account=alice)
    bobs = CompanionProfile.objects.create(user_id="bob-phone", account=bob)
    MemoryFactory(user=bobs, content="coffee with Ben")
    CompanionProfile.objects.create(user_id="imported")  # linked to no account
    return {"alice": alice, "bob": bob, "carol": carol}


def test_user_mode_refuses_every_route_without_a_token_and_creates_nothing(api_client, accounts):
    before = _rows()
    for route in _routes("newcomer"):
        response = call(api_client, *route)
        assert (response.status_code, response.json()) == (401, TOKEN_REQUIRED)
    assert _rows() == before


def test_user_mode_an_account_uses_every_route_on_its_own_user_id(accounts):
    bob = token_client(accounts["bob"])
    routes = _routes("bob-phone")
    assert [call(bob, *r).status_code for r in routes] == [r[3] for r in routes]


def test_user_mode_one_account_tries_every_route_on_another_users_data(accounts):
    alice = token_client(accounts["alice"])
    before = _rows()
    answers = [(route[1], call(alice, *route)) for route in _routes("bob-phone")]

    assert [(path, response.status_code, response.json()) for path, response in answers] == [
        (path, 403, NOT_YOUR_USER_ID)
        if path.endswith("/memories/search")
        else (path, 404, USER_NOT_FOUND)
        for path, _ in answers
    ]
    assert _rows() == before
    assert CompanionProfile.objects.get(user_id="bob-phone").name is None
    assert Memory.objects.filter(user_id="bob-phone").count() == 1


def test_user_mode_an_unlinked_imported_user_is_nobodys(accounts):
    carol = token_client(accounts["carol"])
    response = carol.get(f"{BASE}/memories/imported")
    assert (response.status_code, response.json()) == (404, USER_NOT_FOUND)
    assert CompanionProfile.objects.get(user_id="imported").account is None


def test_user_mode_an_account_without_a_profile_claims_a_free_user_id_on_first_read(accounts):
    carol = token_client(accounts["carol"])

    first = carol.get(f"{BASE}/profile/carol-phone")
    second_id = carol.get(f"{BASE}/profile/carol-tablet")

    assert (first.status_code, first.json()["user_id"]) == (200, "carol-phone")
    assert CompanionProfile.objects.get(user_id="carol-phone").account == accounts["carol"]
    assert (second_id.status_code, second_id.json()) == (404, USER_NOT_FOUND)
    assert not CompanionProfile.objects.filter(user_id="carol-tablet").exists()


def test_user_mode_search_body_user_id_must_be_own(accounts):
    bob = token_client(accounts["bob"])
    own = bob.post(f"{BASE}/memories/search", {"user_id": "bob-phone", "query": "coffee"})
    other = bob.post(f"{BASE}/memories/search", {"user_id": "alice-phone", "query": "coffee"})
    assert [memory["content"] for memory in own.json()] == ["coffee with Ben"]
    assert (other.status_code, other.json()) == (403, NOT_YOUR_USER_ID)


def test_user_mode_a_failed_write_does_not_keep_the_claim(accounts):
    carol = token_client(accounts["carol"])
    response = carol.post(f"{BASE}/memory/carol-phone", {"memory_type": "nope", "content": "x"})
    assert response.status_code == 400
    assert not CompanionProfile.objects.filter(account=accounts["carol"]).exists()


def test_user_mode_own_memory_list_query_budget(accounts, django_assert_num_queries):
    bob = token_client(accounts["bob"])
    # the token's user, the account's profile, the memories
    with django_assert_num_queries(3):
        assert bob.get(f"{BASE}/memories/bob-phone").status_code == 200


def test_user_mode_options_needs_no_token_and_creates_nothing(api_client, accounts):
    before = _rows()
    response = api_client.options(f"{BASE}/profile/newcomer")
    assert response.status_code == 200
    assert _rows() == before


def _race(calls) -> list:
    """Run the calls at the same moment in threads; their results in order."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call_):
        try:
            barrier.wait()
            results[index] = call_()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_account_claiming_several_user_ids_at_once_gets_one():
    from memory.edgesoul import services

    carol = get_user_model().objects.create_user("carol@example.com", "pw-carol-1234")
    ids = [f"carol-{n}" for n in range(6)]

    results = _race(
        [lambda uid=uid: services.profile_for_account(user_id=uid, account=carol) for uid in ids]
    )

    claimed = [profile.user_id for profile in results if profile is not None]
    assert len(claimed) == 1
    assert list(CompanionProfile.objects.values_list("user_id", "account")) == [
        (claimed[0], carol.pk)
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_several_accounts_claiming_one_user_id_at_once_one_wins():
    from memory.edgesoul import services

    users = [
        get_user_model().objects.create_user(f"u{n}@example.com", "pw-user-12345") for n in range(6)
    ]

    results = _race(
        [
            lambda user=user: services.profile_for_account(user_id="shared", account=user)
            for user in users
        ]
    )

    winners = [profile for profile in results if profile is not None]
    assert len(winners) == 1
    assert CompanionProfile.objects.get(user_id="shared").account_id == winners[0].account_id
