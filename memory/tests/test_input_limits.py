"""EdgeSoul and Learning: no 5xx on any input, the same on both engines (issue 10)."""

import pytest

from memory.models import CompanionProfile, LearnerProfile, Memory
from memory.tests.factories import CompanionProfileFactory, LearnerProfileFactory, MemoryFactory

pytestmark = pytest.mark.django_db

BASE = "/edgesoul/api/v1/memory"
SEARCH = f"{BASE}/memories/search"
BIG_INT = "JSON parse error - Integers must fit in 64 bits (-2^63 .. 2^63-1)."
NUL = "JSON parse error - Null characters are not allowed."


def words(n: int) -> str:
    return " ".join(f"w{i}" for i in range(n))


def field_error(field: str, message: str, code: str) -> dict:
    return {"detail": [{"field": field, "message": message, "code": code}]}


# --- EdgeSoul search --------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["!!", "?", "--- ..."])
def test_a_query_without_words_finds_nothing(api_client, query):
    MemoryFactory(user__user_id="u", content="hello")

    response = api_client.post(SEARCH, {"user_id": "u", "query": query}, format="json")

    assert response.status_code == 200
    assert response.json() == []


def test_sixteen_words_are_searched_and_seventeen_are_400(api_client):
    at_limit = api_client.post(SEARCH, {"user_id": "u", "query": words(16)}, format="json")
    beyond = api_client.post(SEARCH, {"user_id": "u", "query": words(17)}, format="json")
    fifty = api_client.post(SEARCH, {"user_id": "u", "query": words(50)}, format="json")

    assert (at_limit.status_code, at_limit.json()) == (200, [])
    expected = field_error("query", "Search text has too many words: at most 16.", "invalid")
    assert (beyond.status_code, beyond.json()) == (400, expected)
    assert (fifty.status_code, fifty.json()) == (400, expected)


def test_two_hundred_characters_are_searched_and_one_more_is_400(api_client):
    at_limit = api_client.post(SEARCH, {"user_id": "u", "query": "a" * 200}, format="json")
    beyond = api_client.post(SEARCH, {"user_id": "u", "query": "a" * 201}, format="json")

    assert at_limit.status_code == 200
    assert beyond.status_code == 400
    assert beyond.json() == field_error(
        "query", "Ensure this field has no more than 200 characters.", "max_length"
    )


# --- EdgeSoul JSON values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metadata", "detail"),
    [({"n": 2**63}, BIG_INT), ({"n": [{"m": -(2**63) - 1}]}, BIG_INT), ({"k": "a\x00b"}, NUL)],
)
def test_memory_metadata_that_could_not_be_read_back_is_refused(api_client, metadata, detail):
    response = api_client.post(
        f"{BASE}/memory/u1",
        {"memory_type": "fact", "content": "x", "metadata": metadata},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert Memory.objects.count() == 0
    assert api_client.get(f"{BASE}/memories/u1").status_code == 200


def test_metadata_at_the_64_bit_edges_is_stored_and_read_back(api_client):
    metadata = {"max": 2**63 - 1, "min": -(2**63)}
    created = api_client.post(
        f"{BASE}/memory/u1",
        {"memory_type": "fact", "content": "x", "metadata": metadata},
        format="json",
    )

    listed = api_client.get(f"{BASE}/memories/u1")

    assert created.status_code == 201
    assert [memory["metadata"] for memory in listed.json()] == [metadata]


def test_a_memory_stored_with_a_huge_integer_before_the_limit_is_still_readable(api_client):
    MemoryFactory(user__user_id="u1", metadata={"n": 2**70})

    response = api_client.get(f"{BASE}/memories/u1")

    assert response.status_code == 200
    assert [memory["metadata"] for memory in response.json()] == [{"n": 2**70}]


@pytest.mark.parametrize("field", ["total_conversations", "total_messages"])
def test_profile_counters_are_bounded_at_2_31_minus_1_on_both_engines(api_client, field):
    CompanionProfileFactory(user_id="u1")

    at_limit = api_client.put(f"{BASE}/profile/u1", {field: 2**31 - 1}, format="json")
    beyond = api_client.put(f"{BASE}/profile/u1", {field: 2**31}, format="json")

    assert at_limit.status_code == 200
    assert beyond.status_code == 400
    assert beyond.json() == field_error(
        field, "Ensure this value is less than or equal to 2147483647.", "max_value"
    )
    assert getattr(CompanionProfile.objects.get(user_id="u1"), field) == 2**31 - 1


def test_profile_preferences_with_a_huge_integer_are_400(api_client):
    response = api_client.put(
        f"{BASE}/profile/u1", {"preferences": {"n": 2**64}}, format="json"
    )

    assert (response.status_code, response.json()) == (400, {"detail": BIG_INT})


# --- Learning --------------------------------------------------------------------------------


CREATE_BODY = {"name": "Ann", "dob": "2019-03-14", "gender": "female", "interests": ["cats"]}


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"extracted_data": {"n": 2**64}}, BIG_INT),
        ({"character_roster": [{"age": -(2**64)}]}, BIG_INT),
        ({"extracted_data": {"n": "\x00"}}, NUL),
    ],
)
def test_learning_profile_json_that_could_not_be_read_back_is_400(api_client, change, detail):
    response = api_client.post("/learning/profiles", {**CREATE_BODY, **change}, format="json")

    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert LearnerProfile.objects.count() == 0
    assert api_client.get("/learning/profiles").status_code == 200


@pytest.mark.parametrize(
    ("content", "detail"), [({"n": 2**64}, BIG_INT), ({"word": "猫\x00"}, NUL)]
)
def test_learning_card_content_that_could_not_be_read_back_is_400(api_client, content, detail):
    LearnerProfileFactory(id="ann")

    response = api_client.post(
        "/learning/profiles/ann/cards",
        {"card_type": "vocabulary", "content": content},
        format="json",
    )

    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert api_client.get("/learning/profiles/ann/cards").json() == []
