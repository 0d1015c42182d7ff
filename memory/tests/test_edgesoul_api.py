from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from memory.models import CompanionProfile, ConversationContext, EmotionalPattern, Memory
from memory.tests.factories import (
    CompanionProfileFactory,
    ConversationContextFactory,
    EmotionalPatternFactory,
    MemoryFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/edgesoul/api/v1/memory"


def iso(moment: datetime | None) -> str | None:
    return serializers.DateTimeField().to_representation(moment) if moment else None


def profile_json(profile: CompanionProfile, **changes) -> dict:
    body = {
        "user_id": profile.user_id,
        "name": None,
        "gender": "not_set",
        "empathy_level": 75,
        "humor_level": 50,
        "formality_level": 40,
        "verbosity_level": 60,
        "proactiveness_level": 50,
        "preferred_tone": "friendly",
        "response_style": "balanced",
        "emoji_usage": True,
        "voice_enabled": True,
        "voice_speed": 1.0,
        "voice_pitch": 1.0,
        "auto_speak_responses": False,
        "interests": [],
        "dislikes": [],
        "communication_patterns": {},
        "total_conversations": 0,
        "total_messages": 0,
        "avg_session_length": 0.0,
        "created_at": iso(profile.created_at),
        "updated_at": iso(profile.updated_at),
    }
    return {**body, **changes}


def memory_json(memory: Memory) -> dict:
    memory.refresh_from_db()
    return {
        "id": memory.id,
        "user_id": memory.user_id,
        "memory_type": memory.memory_type,
        "content": memory.content,
        "context": memory.context,
        "confidence": memory.confidence,
        "importance": memory.importance,
        "created_at": iso(memory.created_at),
        "last_accessed": iso(memory.last_accessed),
        "access_count": memory.access_count,
        "metadata": memory.metadata,
    }


def validation_error(field: str, message: str, code: str) -> dict:
    return {"detail": [{"field": field, "message": message, "code": code}]}


# --- Profile ------------------------------------------------------------------------------


def test_profile_is_created_with_the_defaults_on_first_read(api_client):
    response = api_client.get(f"{BASE}/profile/local_1762071603_abc1234")

    assert response.status_code == 200
    profile = CompanionProfile.objects.get(user_id="local_1762071603_abc1234")
    assert response.json() == profile_json(profile)


@pytest.mark.parametrize("other_profiles", [0, 20])
def test_profile_read_costs_one_query(api_client, django_assert_num_queries, other_profiles):
    CompanionProfileFactory.create_batch(other_profiles)
    CompanionProfileFactory(user_id="u1")

    with django_assert_num_queries(1):
        response = api_client.get(f"{BASE}/profile/u1")

    assert response.status_code == 200


def test_profile_put_maps_personality_and_merges_preferences(api_client):
    CompanionProfileFactory(user_id="u1", communication_patterns={"theme": "dark", "lang": "en"})

    response = api_client.put(
        f"{BASE}/profile/u1",
        {
            "name": "Test User",
            "gender": "female",
            "personality": {"empathy": 95, "humor": 75, "proactiveness": 10},
            "formality_level": 5,
            "preferences": {"lang": "de", "notifications": True},
            "voice_speed": 1.5,
            "interests": ["music"],
            "unknown_key": "ignored",
        },
        format="json",
    )

    assert response.status_code == 200
    profile = CompanionProfile.objects.get(user_id="u1")
    assert response.json() == profile_json(
        profile,
        name="Test User",
        gender="female",
        empathy_level=95,
        humor_level=75,
        proactiveness_level=10,
        formality_level=5,
        voice_speed=1.5,
        interests=["music"],
        communication_patterns={"theme": "dark", "lang": "de", "notifications": True},
    )


def test_profile_put_creates_the_profile_when_missing(api_client):
    response = api_client.put(f"{BASE}/profile/new-user", {"name": "New"}, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == "New"
    assert CompanionProfile.objects.filter(user_id="new-user").count() == 1


@pytest.mark.parametrize(
    ("body", "field", "message", "code"),
    [
        (
            {"personality": {"empathy": 101}},
            "personality.empathy",
            "Ensure this value is less than or equal to 100.",
            "max_value",
        ),
        (
            {"humor_level": -1},
            "humor_level",
            "Ensure this value is greater than or equal to 0.",
            "min_value",
        ),
        (
            {"voice_speed": 2.5},
            "voice_speed",
            "Ensure this value is less than or equal to 2.0.",
            "max_value",
        ),
        (
            {"voice_pitch": -0.1},
            "voice_pitch",
            "Ensure this value is greater than or equal to 0.0.",
            "min_value",
        ),
        ({"gender": "robot"}, "gender", '"robot" is not a valid choice.', "invalid_choice"),
        (
            {"preferred_tone": "grumpy"},
            "preferred_tone",
            '"grumpy" is not a valid choice.',
            "invalid_choice",
        ),
    ],
)
def test_profile_put_out_of_range_is_400_naming_the_field(api_client, body, field, message, code):
    CompanionProfileFactory(user_id="u1")

    response = api_client.put(f"{BASE}/profile/u1", body, format="json")

    assert response.status_code == 400
    assert response.json() == validation_error(field, message, code)
    assert profile_json(CompanionProfile.objects.get(user_id="u1"))["empathy_level"] == 75


# --- Memories -----------------------------------------------------------------------------


def test_memory_create_returns_201_with_the_id(api_client):
    response = api_client.post(
        f"{BASE}/memory/u1",
        {
            "memory_type": "preference",
            "content": "User prefers green tea",
            "context": "I love green tea",
            "confidence": 0.8,
            "importance": 0.7,
            "metadata": {"source": "chat"},
        },
        format="json",
    )

    assert response.status_code == 201
    memory = Memory.objects.get()
    assert response.json() == {"status": "success", "message": "Memory created", "id": memory.id}
    assert memory_json(memory) == {
        "id": memory.id,
        "user_id": "u1",
        "memory_type": "preference",
        "content": "User prefers green tea",
        "context": "I love green tea",
        "confidence": 0.8,
        "importance": 0.7,
        "created_at": iso(memory.created_at),
        "last_accessed": iso(memory.last_accessed),
        "access_count": 0,
        "metadata": {"source": "chat"},
    }


def test_memory_create_uses_the_contract_defaults(api_client):
    response = api_client.post(
        f"{BASE}/memory/u1", {"memory_type": "fact", "content": "Lives in Berlin"}, format="json"
    )

    assert response.status_code == 201
    memory = Memory.objects.get()
    assert (memory.context, memory.confidence, memory.importance, memory.metadata) == (
        None,
        1.0,
        0.5,
        {},
    )


@pytest.mark.parametrize(
    ("body", "field", "message", "code"),
    [
        (
            {"memory_type": "dream", "content": "x"},
            "memory_type",
            '"dream" is not a valid choice.',
            "invalid_choice",
        ),
        ({"memory_type": "fact"}, "content", "This field is required.", "required"),
        (
            {"memory_type": "fact", "content": "x", "confidence": 1.5},
            "confidence",
            "Ensure this value is less than or equal to 1.0.",
            "max_value",
        ),
        (
            {"memory_type": "fact", "content": "x", "importance": -0.5},
            "importance",
            "Ensure this value is greater than or equal to 0.0.",
            "min_value",
        ),
    ],
)
def test_memory_create_rejects_bad_input(api_client, body, field, message, code):
    response = api_client.post(f"{BASE}/memory/u1", body, format="json")

    assert response.status_code == 400
    assert response.json() == validation_error(field, message, code)
    assert Memory.objects.count() == 0


def test_memories_list_is_newest_first_within_the_window(api_client):
    now = timezone.now()
    old = MemoryFactory(user__user_id="u1", created_at=now - timedelta(days=40))
    first = MemoryFactory(user__user_id="u1", created_at=now - timedelta(days=3))
    second = MemoryFactory(
        user__user_id="u1", memory_type="preference", created_at=now - timedelta(days=1)
    )
    MemoryFactory(user__user_id="someone-else")

    default = api_client.get(f"{BASE}/memories/u1")
    wide = api_client.get(f"{BASE}/memories/u1?days=60&limit=2")
    typed = api_client.get(f"{BASE}/memories/u1?memory_type=fact&days=365")

    assert default.json() == [memory_json(second), memory_json(first)]
    assert wide.json() == [memory_json(second), memory_json(first)]
    assert typed.json() == [memory_json(first), memory_json(old)]


@pytest.mark.parametrize(
    ("query", "field", "message", "code"),
    [
        ("days=0", "days", "Ensure this value is greater than or equal to 1.", "min_value"),
        ("days=366", "days", "Ensure this value is less than or equal to 365.", "max_value"),
        ("limit=101", "limit", "Ensure this value is less than or equal to 100.", "max_value"),
        ("limit=x", "limit", "A valid integer is required.", "invalid"),
        ("memory_type=dream", "memory_type", '"dream" is not a valid choice.', "invalid_choice"),
    ],
)
def test_memories_list_rejects_bad_parameters(api_client, query, field, message, code):
    response = api_client.get(f"{BASE}/memories/u1?{query}")

    assert response.status_code == 400
    assert response.json() == validation_error(field, message, code)


@pytest.mark.parametrize("count", [2, 30])
def test_memories_list_query_budget(api_client, django_assert_num_queries, count):
    MemoryFactory.create_batch(count, user__user_id="u1")

    with django_assert_num_queries(1):
        response = api_client.get(f"{BASE}/memories/u1?limit=100")

    assert len(response.json()) == count


def test_delete_really_deletes_all_memories_of_the_user(api_client):
    MemoryFactory.create_batch(3, user__user_id="u1")
    kept = MemoryFactory(user__user_id="u2")

    response = api_client.delete(f"{BASE}/memories/u1")

    assert response.status_code == 200
    assert response.json() == {
        "message": "Memories cleared for user u1",
        "memory_type": None,
        "deleted": 3,
    }
    assert list(Memory.objects.values_list("id", flat=True)) == [kept.id]


def test_delete_by_type_keeps_the_other_types(api_client):
    MemoryFactory.create_batch(2, user__user_id="u1", memory_type="fact")
    preference = MemoryFactory(user__user_id="u1", memory_type="preference")

    response = api_client.delete(f"{BASE}/memories/u1?memory_type=fact")

    assert response.json() == {
        "message": "Memories cleared for user u1",
        "memory_type": "fact",
        "deleted": 2,
    }
    assert list(Memory.objects.values_list("id", flat=True)) == [preference.id]


def test_delete_with_unknown_type_is_400_and_deletes_nothing(api_client):
    MemoryFactory(user__user_id="u1")

    response = api_client.delete(f"{BASE}/memories/u1?memory_type=dream")

    assert response.status_code == 400
    assert response.json() == validation_error(
        "memory_type", '"dream" is not a valid choice.', "invalid_choice"
    )
    assert Memory.objects.count() == 1


def test_a_user_named_search_can_still_list_and_clear(api_client):
    expected = [memory_json(MemoryFactory(user__user_id="search"))]

    listed = api_client.get(f"{BASE}/memories/search")
    cleared = api_client.delete(f"{BASE}/memories/search")

    assert listed.json() == expected
    assert cleared.json()["deleted"] == 1


# --- Emotions ----------------------------------------------------------------------------


def track(api_client, user_id: str, **body):
    return api_client.post(f"{BASE}/emotion/{user_id}", body, format="json")


def test_emotion_tracking_keeps_the_running_mean_and_hour_counts(api_client):
    first = track(
        api_client,
        "u1",
        emotion="Joy",
        intensity=80,
        triggers=["Music", "friends"],
        timestamp="2026-11-20T09:15:00Z",
    )
    track(
        api_client,
        "u1",
        emotion="joy",
        intensity=90,
        triggers=["music", "sun"],
        timestamp="2026-11-21T09:45:00Z",
    )
    track(api_client, "u1", emotion="joy", intensity=40, timestamp="2026-11-19T21:00:00Z")

    assert first.status_code == 201
    assert first.json() == {"status": "success", "message": "Emotion created"}
    pattern = EmotionalPattern.objects.get()
    assert (pattern.user_id, pattern.emotion, pattern.frequency, pattern.avg_intensity) == (
        "u1",
        "joy",
        3,
        70.0,
    )
    assert pattern.triggers == ["music", "friends", "sun"]
    assert pattern.time_patterns == {"09:00": 2, "21:00": 1}
    # An older timestamp does not move the latest occurrence back.
    assert pattern.last_occurrence == datetime(2026, 11, 21, 9, 45, tzinfo=UTC)
    assert pattern.trend == "stable"


def test_emotion_triggers_stop_at_ten(api_client):
    track(api_client, "u1", emotion="fear", intensity=10, triggers=[f"t{i}" for i in range(8)])
    track(api_client, "u1", emotion="fear", intensity=10, triggers=[f"t{i}" for i in range(5, 15)])

    assert EmotionalPattern.objects.get().triggers == [f"t{i}" for i in range(10)]


def test_emotion_on_the_zero_to_one_scale_is_kept_as_given(api_client):
    track(api_client, "u1", emotion="joy", intensity=0.85)
    track(api_client, "u1", emotion="joy", intensity=0.9)

    assert EmotionalPattern.objects.get().avg_intensity == 0.875


@pytest.mark.parametrize(
    ("body", "field", "message", "code"),
    [
        (
            {"emotion": "joy", "intensity": 101},
            "intensity",
            "Ensure this value is less than or equal to 100.0.",
            "max_value",
        ),
        ({"emotion": "joy"}, "intensity", "This field is required.", "required"),
        ({"intensity": 5}, "emotion", "This field is required.", "required"),
        (
            {"emotion": "joy", "intensity": 5, "triggers": "music"},
            "triggers",
            'Expected a list of items but got type "str".',
            "not_a_list",
        ),
    ],
)
def test_emotion_tracking_rejects_bad_input(api_client, body, field, message, code):
    response = api_client.post(f"{BASE}/emotion/u1", body, format="json")

    assert response.status_code == 400
    assert response.json() == validation_error(field, message, code)
    assert EmotionalPattern.objects.count() == 0


def pattern_json(pattern: EmotionalPattern) -> dict:
    return {
        "user_id": pattern.user_id,
        "emotion": pattern.emotion,
        "frequency": pattern.frequency,
        "avg_intensity": pattern.avg_intensity,
        "triggers": pattern.triggers,
        "time_patterns": pattern.time_patterns,
        "last_occurrence": iso(pattern.last_occurrence),
        "trend": pattern.trend,
    }


def test_emotions_list_and_patterns(api_client):
    when = timezone.now()
    joy = EmotionalPatternFactory(
        user__user_id="u1",
        emotion="joy",
        frequency=3,
        avg_intensity=70.0,
        triggers=["music"],
        time_patterns={"09:00": 3},
        last_occurrence=when,
    )
    sadness = EmotionalPatternFactory(
        user__user_id="u1", emotion="sadness", frequency=1, avg_intensity=30.0
    )
    EmotionalPatternFactory(user__user_id="u2", emotion="anger")

    listed = api_client.get(f"{BASE}/emotions/u1")
    patterns = api_client.get(f"{BASE}/emotions/u1/patterns")

    assert listed.json() == [pattern_json(joy), pattern_json(sadness)]
    assert patterns.json() == {
        "user_id": "u1",
        "patterns": {
            "joy": {
                "frequency": 3,
                "avg_intensity": 70.0,
                "triggers": ["music"],
                "last_occurrence": iso(when),
            },
            "sadness": {
                "frequency": 1,
                "avg_intensity": 30.0,
                "triggers": [],
                "last_occurrence": None,
            },
        },
    }


@pytest.mark.parametrize("count", [2, 6])
@pytest.mark.parametrize("route", ["", "/patterns", "/summary"])
def test_emotion_routes_query_budget(api_client, django_assert_num_queries, count, route):
    for emotion in ["joy", "sadness", "anger", "fear", "love", "surprise"][:count]:
        EmotionalPatternFactory(user__user_id="u1", emotion=emotion, last_occurrence=timezone.now())

    with django_assert_num_queries(1):
        response = api_client.get(f"{BASE}/emotions/u1{route}")

    assert response.status_code == 200


def summary_of(api_client, user_id: str, query: str = "") -> dict | None:
    response = api_client.get(f"{BASE}/emotions/{user_id}/summary{query}")
    assert response.status_code == 200
    body = response.json()
    if body is not None:
        assert body.pop("generated_at")
    return body


def make_patterns(user_id: str, **frequencies: int) -> None:
    for emotion, frequency in frequencies.items():
        EmotionalPatternFactory(
            user__user_id=user_id,
            emotion=emotion,
            frequency=frequency,
            last_occurrence=timezone.now(),
        )


def test_summary_improving_with_notable_patterns(api_client):
    make_patterns("u1", joy=6, love=2, sadness=2)

    assert summary_of(api_client, "u1") == {
        "user_id": "u1",
        "time_period": "7 days",
        "dominant_emotion": "joy",
        "emotion_distribution": {"joy": 60.0, "love": 20.0, "sadness": 20.0},
        "mood_trend": "improving",
        "notable_patterns": ["Frequent joy (6 times)"],
    }


def test_summary_declining(api_client):
    make_patterns("u1", sadness=2, anger=2, fear=1, joy=2)

    body = summary_of(api_client, "u1", "?days=30")

    assert body["time_period"] == "30 days"
    assert body["emotion_distribution"] == {
        "anger": 28.57,
        "sadness": 28.57,
        "joy": 28.57,
        "fear": 14.29,
    }
    assert body["dominant_emotion"] == "anger"
    assert body["mood_trend"] == "declining"
    assert body["notable_patterns"] == []


def test_summary_stable_at_exactly_one_and_a_half_times(api_client):
    # 60% positive is exactly 1.5 times 40% negative: not more, so stable.
    make_patterns("u1", joy=3, sadness=2)

    assert summary_of(api_client, "u1")["mood_trend"] == "stable"


def test_summary_counts_only_patterns_seen_in_the_window(api_client):
    EmotionalPatternFactory(
        user__user_id="u1",
        emotion="sadness",
        frequency=9,
        last_occurrence=timezone.now() - timedelta(days=10),
    )
    make_patterns("u1", joy=1)

    assert summary_of(api_client, "u1")["emotion_distribution"] == {"joy": 100.0}
    assert summary_of(api_client, "u1", "?days=30")["emotion_distribution"] == {
        "sadness": 90.0,
        "joy": 10.0,
    }


def test_summary_is_null_when_there_is_nothing(api_client):
    assert summary_of(api_client, "nobody") is None


def test_summary_days_out_of_range_is_400(api_client):
    response = api_client.get(f"{BASE}/emotions/u1/summary?days=91")

    assert response.status_code == 400
    assert response.json() == validation_error(
        "days", "Ensure this value is less than or equal to 90.", "max_value"
    )


# --- Conversation ------------------------------------------------------------------------


def say(api_client, user_id: str, **body):
    body.setdefault("session_id", "s1")
    body.setdefault("role", "user")
    return api_client.post(f"{BASE}/conversation/{user_id}", body, format="json")


def test_conversation_append_and_context(api_client):
    created = say(api_client, "u1", content="I love my dog", topics=["Dogs", "pets"], emotion="joy")
    say(api_client, "u1", role="assistant", content="Tell me more!", topics=["dogs"])

    assert created.status_code == 201
    assert created.json() == {"status": "success", "message": "Conversation created"}
    context = ConversationContext.objects.get()
    assert api_client.get(f"{BASE}/context/u1").json() == {
        "user_id": "u1",
        "session_id": "s1",
        "message_count": 2,
        "topics": ["pets", "dogs"],
        "current_emotion": "joy",
        "emotion_trajectory": ["joy"],
        "last_activity": iso(context.last_activity),
    }
    first, second = context.messages
    assert api_client.get(f"{BASE}/conversations/u1").json() == [
        {
            "role": "user",
            "content": "I love my dog",
            "timestamp": first["timestamp"],
            "emotion": "joy",
        },
        {
            "role": "assistant",
            "content": "Tell me more!",
            "timestamp": second["timestamp"],
            "emotion": None,
        },
    ]
    assert first["timestamp"] == iso(context.started_at)
    profile = CompanionProfile.objects.get(user_id="u1")
    assert (profile.total_conversations, profile.total_messages) == (1, 2)


def test_conversation_keeps_its_limits(api_client):
    for index in range(22):
        say(
            api_client,
            "u1",
            content=f"message {index}",
            topics=[f"topic{index}"],
            emotion=f"e{index}",
        )

    context = ConversationContext.objects.get()
    assert [message["content"] for message in context.messages] == [
        f"message {index}" for index in range(12, 22)
    ]
    assert context.topics == [f"topic{index}" for index in range(7, 22)]
    assert context.emotion_trajectory == [f"e{index}" for index in range(2, 22)]
    assert context.current_emotion == "e21"


def test_a_new_session_starts_a_new_context(api_client):
    say(api_client, "u1", content="old", topics=["old"], emotion="sadness")

    say(api_client, "u1", session_id="s2", content="new")

    context = ConversationContext.objects.get()
    assert (context.session_id, context.topics, context.current_emotion) == ("s2", [], None)
    assert [message["content"] for message in context.messages] == ["new"]
    profile = CompanionProfile.objects.get(user_id="u1")
    assert (profile.total_conversations, profile.total_messages) == (2, 2)


@pytest.mark.parametrize(
    ("body", "field", "message", "code"),
    [
        (
            {"role": "system", "content": "x"},
            "role",
            '"system" is not a valid choice.',
            "invalid_choice",
        ),
        ({"content": ""}, "content", "This field may not be blank.", "blank"),
        (
            {"content": "x", "topics": "dogs"},
            "topics",
            'Expected a list of items but got type "str".',
            "not_a_list",
        ),
    ],
)
def test_conversation_rejects_bad_input(api_client, body, field, message, code):
    response = say(api_client, "u1", **body)

    assert response.status_code == 400
    assert response.json() == validation_error(field, message, code)
    assert ConversationContext.objects.count() == 0


def test_context_without_conversation(api_client):
    assert api_client.get(f"{BASE}/context/nobody").json() == {
        "message": "No active conversation context"
    }
    assert api_client.get(f"{BASE}/conversations/nobody").json() == []


@pytest.mark.parametrize("messages", [1, 10])
@pytest.mark.parametrize("route", ["context", "conversations"])
def test_context_routes_query_budget(api_client, django_assert_num_queries, messages, route):
    ConversationContextFactory(
        user__user_id="u1",
        messages=[
            {"role": "user", "content": str(i), "timestamp": "t", "emotion": None}
            for i in range(messages)
        ],
    )

    with django_assert_num_queries(1):
        response = api_client.get(f"{BASE}/{route}/u1")

    assert response.status_code == 200


# --- Stats -------------------------------------------------------------------------------


def test_stats_counts_everything_of_the_user(api_client):
    profile = CompanionProfileFactory(
        user_id="u1", name="Ann", total_conversations=2, total_messages=9
    )
    MemoryFactory.create_batch(2, user=profile, memory_type="fact")
    MemoryFactory(user=profile, memory_type="preference")
    MemoryFactory(
        user=profile, memory_type="emotional", created_at=timezone.now() - timedelta(days=8)
    )
    MemoryFactory(user__user_id="u2")
    make_patterns("u1", joy=4, fear=1)
    ConversationContextFactory(
        user=profile,
        session_id="s9",
        topics=[f"t{i}" for i in range(7)],
        current_emotion="joy",
        messages=[{"role": "user", "content": "hi", "timestamp": "t", "emotion": None}],
    )

    response = api_client.get(f"{BASE}/stats/u1")

    assert response.json() == {
        "user_id": "u1",
        "profile": {
            "name": "Ann",
            "total_conversations": 2,
            "total_messages": 9,
            "avg_session_length": 0.0,
            "preferences": {
                "empathy": 75,
                "humor": 50,
                "formality": 40,
                "verbosity": 60,
                "proactiveness": 50,
            },
        },
        "memory": {
            "total_memories": 4,
            "by_type": {
                "preference": 1,
                "fact": 2,
                "pattern": 0,
                "conversation": 0,
                "emotional": 1,
            },
            "recent_count": 3,
        },
        "emotions": {"patterns_tracked": 2, "most_common": "joy", "total_occurrences": 5},
        "conversation": {
            "current_session": "s9",
            "message_count": 1,
            "topics": ["t2", "t3", "t4", "t5", "t6"],
            "current_emotion": "joy",
        },
    }


@pytest.mark.parametrize("count", [1, 20])
def test_stats_query_budget(api_client, django_assert_num_queries, count):
    profile = CompanionProfileFactory(user_id="u1")
    MemoryFactory.create_batch(count, user=profile)
    make_patterns("u1", **{f"e{i}": 1 for i in range(count)})

    with django_assert_num_queries(4):
        response = api_client.get(f"{BASE}/stats/u1")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("user_id", "expected"),
    [
        (
            "u" * 256,
            validation_error(
                "user_id", "Ensure this field has no more than 255 characters.", "max_length"
            ),
        ),
        # Refused for every route by config.middleware.RejectNulCharactersMiddleware.
        ("bad%00id", {"detail": "Null characters are not allowed in the URL."}),
    ],
)
def test_an_impossible_user_id_is_400_on_every_route(api_client, user_id, expected):
    for method, route in [
        ("get", "profile"),
        ("put", "profile"),
        ("get", "memories"),
        ("delete", "memories"),
        ("post", "memory"),
        ("post", "emotion"),
        ("get", "emotions"),
        ("post", "conversation"),
        ("get", "context"),
        ("get", "stats"),
    ]:
        response = getattr(api_client, method)(f"{BASE}/{route}/{user_id}", {}, format="json")

        assert response.status_code == 400, (method, route)
        assert response.json() == expected
    assert CompanionProfile.objects.count() == 0


def test_nul_characters_in_json_values_are_400(api_client):
    response = api_client.post(
        f"{BASE}/memory/u1",
        {"memory_type": "fact", "content": "x", "metadata": {"note": ["ok", "bad\x00"]}},
        format="json",
    )

    assert response.status_code == 400
    # Refused by the JSON parser (config/parsers.py) before the serializer runs.
    assert response.json() == {"detail": "JSON parse error - Null characters are not allowed."}


def test_emotion_tracking_query_budget(api_client, django_assert_num_queries):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(CompanionProfile, EmotionalPattern)  # cached in a process
    # First occurrence: savepoint (the request's transaction), the pattern (none yet), the
    # profile (get_or_create: select, savepoint, insert, audit, release), the pattern
    # (the same five), the pattern locked, its update and audit entry, release.
    with django_assert_num_queries(17):
        assert track(api_client, "u1", emotion="joy", intensity=50).status_code == 201
    # Later ones: savepoint, the pattern locked, the audit log's read of the old row, the
    # update and its audit entry, release.
    with django_assert_num_queries(6):
        assert track(api_client, "u1", emotion="joy", intensity=70).status_code == 201
    assert EmotionalPattern.objects.get(user_id="u1", emotion="joy").frequency == 2


def test_memory_create_query_budget(api_client, django_assert_num_queries):
    from django.contrib.contenttypes.models import ContentType

    CompanionProfileFactory(user_id="u1")
    ContentType.objects.get_for_model(Memory)  # cached, as in a running process
    # savepoint (the request's transaction), the profile, the memory, its audit entry, release
    with django_assert_num_queries(5):
        response = api_client.post(
            f"{BASE}/memory/u1", {"memory_type": "fact", "content": "Likes tea"}, format="json"
        )
    assert response.status_code == 201
