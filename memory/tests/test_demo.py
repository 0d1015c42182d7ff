import random
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from memory import demo
from memory.models import (
    ApprovedCard,
    ChatMessage,
    CompanionProfile,
    ConversationContext,
    EmotionalPattern,
    LearnerProfile,
    MasteredGrammar,
    MasteredWord,
    Memory,
)

pytestmark = pytest.mark.django_db

MODELS = (
    CompanionProfile,
    Memory,
    EmotionalPattern,
    ConversationContext,
    LearnerProfile,
    MasteredWord,
    MasteredGrammar,
    ApprovedCard,
    ChatMessage,
)


def snapshot() -> dict:
    return {
        "memories": list(
            Memory.objects.order_by("id").values_list("id", "user_id", "content", "created_at")
        ),
        "words": list(
            MasteredWord.objects.order_by("profile_id", "language", "word").values_list(
                "profile_id", "word", "language"
            )
        ),
        "profiles": list(
            CompanionProfile.objects.order_by("user_id").values_list("user_id", "empathy_level")
        ),
    }


def test_generate_at_a_tiny_scale_writes_what_it_reports():
    calls = []

    written = demo.generate(
        scale=0.0002, rng=random.Random(7), batch_size=40, progress=lambda *c: calls.append(c)
    )

    assert written == {
        "memory_companionprofile": 20,
        "memory_memory": 200,
        "memory_emotionalpattern": 30,
        "memory_conversationcontext": 5,
        "memory_learnerprofile": 1,
        "memory_masteredword": 100,
        "memory_masteredgrammar": 20,
        "memory_approvedcard": 5,
        "memory_chatmessage": 10,
    }
    assert {model._meta.db_table: model.objects.count() for model in MODELS} == written
    assert ("memories", 200, 200) in calls
    assert MasteredWord.objects.filter(language="zh").count() == 60


NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_generate_is_deterministic_and_served_by_the_api(api_client):
    demo.generate(scale=0.0002, rng=random.Random(7), now=NOW)
    first = snapshot()
    for model in MODELS:
        model.objects.all().delete()

    demo.generate(scale=0.0002, rng=random.Random(7), now=NOW)

    assert snapshot() == first
    user = first["memories"][1][1]
    response = api_client.get(f"/edgesoul/api/v1/memory/memories/{user}?days=365&limit=100")
    assert response.status_code == 200
    assert (
        api_client.get("/learning/profiles/demo-learner-0000")
        .json()["mastered_english_words"]
        .startswith("aaword0, baword1")
    )


def test_memories_are_dated_relative_to_now_within_a_year():
    demo.generate(scale=0.0002, rng=random.Random(7), now=NOW)

    times = list(Memory.objects.values_list("created_at", flat=True))
    assert max(times) <= NOW
    assert min(times) >= datetime(2025, 11, 29, 12, 0, tzinfo=UTC)
    assert sum(1 for time in times if (NOW - time).days < 30) == 80


def test_after_generate_demo_data_the_default_memory_window_has_rows(api_client):
    call_command("generate_demo_data", "--scale", "0.0002", "--seed", "7", "--only", "memory")

    response = api_client.get("/edgesoul/api/v1/memory/memories/demo_user_000000")

    assert response.status_code == 200
    assert len(response.json()) == 6
