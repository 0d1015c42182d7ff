from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from config.middleware import _non_atomic
from memory.edgesoul.api import MemorySerializer
from memory.models import Memory
from memory.tests.factories import MemoryFactory

pytestmark = pytest.mark.django_db

URL = "/edgesoul/api/v1/memory/memories/search"


@pytest.fixture
def hiking_memories():
    """Memories of u1 whose ranking is the same on both engines (one occurrence each)."""
    now = timezone.now()

    def memory(key: str, days_ago: int, **fields) -> Memory:
        fields.setdefault("user__user_id", "u1")
        fields.setdefault("memory_type", "fact")
        return MemoryFactory(id=key, created_at=now - timedelta(days=days_ago), **fields)

    return {
        "older": memory("older", 3, content="User loves hiking in the mountains"),
        "important": memory("important", 2, content="Hiking boots are expensive", importance=0.9),
        "newer": memory("newer", 1, content="Hiking trip next week"),
        "in_context": memory(
            "in_context", 0, content="Weekend plans", context="we went hiking", importance=0.9
        ),
        "preference": memory(
            "preference", 0, content="Hiking poles", importance=0.1, memory_type="preference"
        ),
        "unsure": memory("unsure", 0, content="Hiking is fun", confidence=0.2),
        "other_user": memory("other_user", 0, content="Hiking", user__user_id="u2"),
        "unrelated": memory("unrelated", 0, content="Likes green tea"),
    }


def search(api_client, **body) -> list[str]:
    response = api_client.post(URL, {"user_id": "u1", **body}, format="json")
    assert response.status_code == 200, response.json()
    return [memory["id"] for memory in response.json()]


def test_content_matches_rank_above_context_matches_then_importance_then_newest(
    api_client, hiking_memories
):
    assert search(api_client, query="hiking", limit=10) == [
        "important",
        "newer",
        "older",
        "preference",
        "in_context",
    ]


def test_limit_and_memory_types(api_client, hiking_memories):
    assert search(api_client, query="hiking") == [
        "important",
        "newer",
        "older",
        "preference",
        "in_context",
    ]
    assert search(api_client, query="hiking", limit=2) == ["important", "newer"]
    assert search(api_client, query="hiking", memory_types=["preference"]) == ["preference"]
    assert search(api_client, query="HIKING", memory_types=["fact", "preference"], limit=3) == [
        "important",
        "newer",
        "older",
    ]


def test_min_confidence(api_client, hiking_memories):
    assert search(api_client, query="fun", min_confidence=0.1) == ["unsure"]
    assert search(api_client, query="fun") == []


def test_every_word_must_match(api_client, hiking_memories):
    assert search(api_client, query="hiking mountains") == ["older"]
    assert search(api_client, query="hiking volcano") == []


def test_returned_memories_are_touched_in_one_update(
    api_client, hiking_memories, django_assert_num_queries
):
    before = timezone.now()

    # SELECT + UPDATE: the search runs outside a request transaction (no SAVEPOINT/RELEASE
    # pair) and the service opens none of its own.
    with django_assert_num_queries(2) as captured:
        response = api_client.post(
            URL, {"user_id": "u1", "query": "hiking", "limit": 2}, format="json"
        )

    updates = [
        query["sql"] for query in captured.captured_queries if query["sql"].startswith("UPDATE")
    ]
    assert len(updates) == 1
    body = response.json()
    assert [(memory["id"], memory["access_count"]) for memory in body] == [
        ("important", 1),
        ("newer", 1),
    ]
    touched = {memory.id: memory for memory in Memory.objects.all()}
    assert touched["important"].access_count == 1
    assert touched["important"].last_accessed >= before
    assert body[0]["last_accessed"] == touched["important"].last_accessed.isoformat().replace(
        "+00:00", "Z"
    )
    assert touched["older"].access_count == 0
    assert touched["older"].last_accessed < before


@pytest.mark.parametrize("extra", [0, 40])
def test_search_query_budget(api_client, django_assert_num_queries, extra):
    MemoryFactory.create_batch(6 + extra, user__user_id="u1", content="hiking again")

    with django_assert_num_queries(2):
        response = api_client.post(URL, {"user_id": "u1", "query": "hiking"}, format="json")

    assert len(response.json()) == 5


def test_nothing_matches_touches_nothing(api_client, hiking_memories, django_assert_num_queries):
    # The SELECT alone: no UPDATE.
    with django_assert_num_queries(1):
        assert search(api_client, query="volcano") == []


def test_search_answers_what_the_memory_serializer_gives(api_client, hiking_memories):
    MemoryFactory(
        id="full",
        user__user_id="u1",
        memory_type="emotional",
        content="Hiking at dawn",
        context=None,
        confidence=0.75,
        importance=1.0,
        metadata={"mood": "calm", "tags": ["outdoors", 2]},
    )

    response = api_client.post(URL, {"user_id": "u1", "query": "dawn"}, format="json")

    memory = Memory.objects.get(id="full")
    assert response.json() == MemorySerializer([memory], many=True).data
    assert response.json()[0]["access_count"] == 1
    assert response.json()[0]["metadata"] == {"mood": "calm", "tags": ["outdoors", 2]}


def test_an_underscore_in_a_word_is_matched_literally(api_client):
    MemoryFactory(id="literal", user__user_id="u1", content="Uses snake_case names")
    MemoryFactory(id="wildcard", user__user_id="u1", content="Uses snakeXcase names")

    assert search(api_client, query="snake_case") == ["literal"]


def test_a_type_listed_twice_counts_once(api_client, hiking_memories):
    assert search(api_client, query="hiking", memory_types=["preference", "preference"]) == [
        "preference"
    ]


def test_search_outside_the_request_transaction():
    assert _non_atomic(RequestFactory().post(URL)) is True
    assert _non_atomic(RequestFactory().delete(URL)) is False


@pytest.mark.parametrize(
    ("body", "field", "message", "code"),
    [
        ({"query": ""}, "query", "This field may not be blank.", "blank"),
        (
            {"query": "x", "limit": 0},
            "limit",
            "Ensure this value is greater than or equal to 1.",
            "min_value",
        ),
        (
            {"query": "x", "min_confidence": 2},
            "min_confidence",
            "Ensure this value is less than or equal to 1.0.",
            "max_value",
        ),
        (
            {"query": "x", "memory_types": ["dream"]},
            "memory_types.0",
            '"dream" is not a valid choice.',
            "invalid_choice",
        ),
    ],
)
def test_search_rejects_bad_input(api_client, body, field, message, code):
    response = api_client.post(URL, {"user_id": "u1", **body}, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": [{"field": field, "message": message, "code": code}]}


def test_search_without_user_id_is_400(api_client):
    response = api_client.post(URL, {"query": "x"}, format="json")

    assert response.json() == {
        "detail": [{"field": "user_id", "message": "This field is required.", "code": "required"}]
    }


@pytest.mark.postgres
def test_postgres_search_stems_words(api_client, hiking_memories):
    # "hikes" and "hiking" share the stem "hike" in the english configuration.
    assert search(api_client, query="hikes", limit=10) == [
        "important",
        "newer",
        "older",
        "preference",
        "in_context",
    ]


@pytest.mark.postgres
def test_postgres_search_ranks_more_occurrences_higher(api_client):
    MemoryFactory(id="once", user__user_id="u1", content="Chess club", importance=1.0)
    MemoryFactory(id="twice", user__user_id="u1", content="Chess, chess and more chess")

    assert search(api_client, query="chess") == ["twice", "once"]


@pytest.mark.postgres
def test_postgres_search_ignores_stop_words(api_client, hiking_memories):
    assert search(api_client, query="the") == []
