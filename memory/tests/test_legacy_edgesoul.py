import sqlite3
from datetime import UTC, datetime

import pytest
from auditlog.models import LogEntry

from config.audit import named_actor
from config.legacy import LegacyImportError
from memory.edgesoul import legacy as legacy_edgesoul
from memory.models import CompanionProfile, ConversationContext, EmotionalPattern, Memory
from memory.tests.factories import CompanionProfileFactory
from memory.tests.legacy_edgesoul_store import (
    DDL,
    build_store,
    context_row,
    dumps,
    memory_row,
    pattern_row,
    profile_row,
)

pytestmark = pytest.mark.django_db

EXCHANGES = [
    {
        "user": "I love jokes",
        "assistant": "Ha!",
        "timestamp": "2025-11-02T09:20:03.532688",
        "emotion": "joy",
    },
    {
        "user": "Caf\u00e9 time \ud83c\udf70",
        "assistant": "Enjoy!",
        "timestamp": "2025-11-02T09:21:00",
        "emotion": None,
    },
]


def realistic_rows() -> dict:
    """Rows as the original wrote them, with its quirks."""
    return {
        "profiles": [
            profile_row("default"),
            profile_row(
                "local_1762071603123_k3j9x2a",
                name="Mia",
                gender="female",
                empathy_level=150,  # PUT /profile stored anything
                humor_level=72.6,
                voice_speed=3.0,
                preferred_tone="sarcastic",
                emoji_usage=0,
                auto_speak_responses=None,
                interests='["Caf\\u00e9s", "jazz"]',
                communication_patterns="null",
                created_at="2025-11-02 08:20:03.532688",
                updated_at="2025-11-03 10:00:00.000000",
            ),
            profile_row(
                "test_persistence_user", name="Test User", empathy_level=95, humor_level=75
            ),
        ],
        "memories": [
            memory_row("default_1762071603.532688", "default", content="User interest: hiking"),
            memory_row(
                "test_persistence_user_1762071700.1",
                "test_persistence_user",
                memory_type="fact",
                content="User works as a software engineer",
                context=None,
                confidence=None,
                importance=None,
                access_count=None,
                memory_metadata="null",
                created_at="2025-11-02 10:00:00.000000",
                last_accessed="2025-11-02 11:00:00.000000",
            ),
        ],
        "patterns": [
            pattern_row(
                "default",
                "joy",
                frequency=3,
                avg_intensity=81.5,
                triggers=dumps([f"word{i}" for i in range(12)]),
                time_patterns=dumps({"09:00": 2, "21:00": 1}),
            ),
            pattern_row(
                "test_persistence_user", "joy", frequency=2, avg_intensity=0.875, trend=None
            ),
        ],
        "contexts": [
            context_row(
                "default",
                messages=dumps(EXCHANGES),
                topics=dumps(["jokes", "caf\u00e9"]),
                current_emotion="joy",
                emotion_trajectory=dumps(["joy"]),
            )
        ],
    }


@pytest.fixture
def store(tmp_path):
    return build_store(tmp_path / "edgesoul.db", **realistic_rows())


def figures(report) -> dict:
    return {name: (t.read, t.written, t.unchanged, t.rejected) for name, t in report.tables.items()}


def test_import_reads_the_legacy_encodings(store, settings):
    settings.TIME_ZONE = "Europe/Berlin"  # the server's local time, for the local columns

    report = legacy_edgesoul.run(str(store))

    assert figures(report) == {
        "user_profiles": (3, 3, 0, []),
        "memories": (2, 2, 0, []),
        "emotional_patterns": (2, 2, 0, []),
        "conversation_contexts": (1, 1, 0, []),
    }
    mia = CompanionProfile.objects.get(user_id="local_1762071603123_k3j9x2a")
    assert (mia.name, mia.gender, mia.empathy_level, mia.humor_level) == ("Mia", "female", 100, 73)
    assert (mia.voice_speed, mia.preferred_tone, mia.emoji_usage, mia.auto_speak_responses) == (
        2.0,
        "friendly",
        False,
        False,
    )
    assert (mia.interests, mia.communication_patterns) == (["Cafés", "jazz"], {})
    assert mia.created_at == datetime(2025, 11, 2, 8, 20, 3, 532688, tzinfo=UTC)  # UTC column
    assert mia.updated_at == datetime(2025, 11, 3, 10, tzinfo=UTC)
    fact = Memory.objects.get(id="test_persistence_user_1762071700.1")
    assert (fact.confidence, fact.importance, fact.access_count, fact.metadata, fact.context) == (
        1.0,
        0.5,
        0,
        {},
        None,
    )
    assert fact.created_at == datetime(2025, 11, 2, 9, tzinfo=UTC)  # 10:00 in Berlin
    joy = EmotionalPattern.objects.get(user_id="default", emotion="joy")
    assert joy.triggers == [f"word{i}" for i in range(10)]
    assert (joy.frequency, joy.avg_intensity, joy.time_patterns) == (
        3,
        81.5,
        {"09:00": 2, "21:00": 1},
    )
    test_joy = EmotionalPattern.objects.get(user_id="test_persistence_user")
    assert (test_joy.avg_intensity, test_joy.trend) == (87.5, "stable")
    context = ConversationContext.objects.get()
    assert context.messages == [
        {
            "role": "user",
            "content": "I love jokes",
            "timestamp": "2025-11-02T08:20:03.532688Z",
            "emotion": "joy",
        },
        {
            "role": "assistant",
            "content": "Ha!",
            "timestamp": "2025-11-02T08:20:03.532688Z",
            "emotion": None,
        },
        {
            "role": "user",
            "content": "Café time 🍰",
            "timestamp": "2025-11-02T08:21:00Z",
            "emotion": None,
        },
        {
            "role": "assistant",
            "content": "Enjoy!",
            "timestamp": "2025-11-02T08:21:00Z",
            "emotion": None,
        },
    ]
    assert (context.topics, context.current_emotion) == (["jokes", "café"], "joy")


def test_the_default_user_stays_apart_and_the_api_serves_the_import(store, api_client):
    legacy_edgesoul.run(str(store))

    found = api_client.post(
        "/edgesoul/api/v1/memory/memories/search",
        {"user_id": "default", "query": "hiking"},
        format="json",
    ).json()
    profile = api_client.get("/edgesoul/api/v1/memory/profile/test_persistence_user").json()

    assert [memory["id"] for memory in found] == ["default_1762071603.532688"]
    assert (profile["name"], profile["empathy_level"], profile["humor_level"]) == (
        "Test User",
        95,
        75,
    )
    assert sorted(CompanionProfile.objects.values_list("user_id", flat=True)) == [
        "default",
        "local_1762071603123_k3j9x2a",
        "test_persistence_user",
    ]


def test_a_second_run_writes_nothing(store):
    legacy_edgesoul.run(str(store))

    report = legacy_edgesoul.run(str(store))

    assert figures(report) == {
        "user_profiles": (3, 0, 3, []),
        "memories": (2, 0, 2, []),
        "emotional_patterns": (2, 0, 2, []),
        "conversation_contexts": (1, 0, 1, []),
    }
    assert (CompanionProfile.objects.count(), Memory.objects.count()) == (3, 2)


def test_rows_already_here_are_left_as_they_are(store):
    CompanionProfileFactory(user_id="default", name="Changed since")

    report = legacy_edgesoul.run(str(store))

    assert figures(report)["user_profiles"] == (3, 2, 1, [])
    assert CompanionProfile.objects.get(user_id="default").name == "Changed since"


def test_dry_run_validates_and_writes_nothing(store):
    report = legacy_edgesoul.run(str(store), dry_run=True)

    assert report.dry_run is True
    assert figures(report)["memories"] == (2, 0, 0, [])
    assert CompanionProfile.objects.count() == 0


def test_a_live_wal_store_is_read_with_its_wal_file(tmp_path):
    path = build_store(tmp_path / "edgesoul.db", profiles=[profile_row("u1")], wal=True)
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute(
        "INSERT INTO user_profiles (user_id, created_at) VALUES ('only-in-wal', '2025-11-02 08:00:00.000000')"
    )
    writer.commit()
    try:
        assert (tmp_path / "edgesoul.db-wal").stat().st_size > 0
        legacy_edgesoul.run(str(path))
    finally:
        writer.close()

    assert sorted(CompanionProfile.objects.values_list("user_id", flat=True)) == [
        "only-in-wal",
        "u1",
    ]


def test_progress_is_reported_per_table(store):
    calls = []

    legacy_edgesoul.run(str(store), progress=lambda *call: calls.append(call))

    assert ("user_profiles", 3, 3) in calls
    assert ("memories", 2, 2) in calls


def _broken_store(tmp_path, kind: str):
    path = tmp_path / "edgesoul.db"
    rows = realistic_rows()
    if kind == "missing-table":
        return build_store(path, ddl=DDL.split("CREATE TABLE conversation_contexts")[0])
    if kind == "missing-column":
        return build_store(path, ddl=DDL.replace("memory_metadata JSON, ", ""))
    if kind == "wrong-column-type":
        return build_store(path, ddl=DDL.replace("confidence FLOAT", "confidence TEXT"))
    if kind == "wrong-value-type":
        rows["profiles"][1]["empathy_level"] = "very high"
    elif kind == "bad-json":
        rows["profiles"][2]["interests"] = '["jazz"'
    elif kind == "json-shape":
        rows["patterns"][0]["time_patterns"] = "[1, 2]"
    elif kind == "bad-datetime":
        rows["memories"][1]["created_at"] = "yesterday"
    elif kind == "unknown-memory-type":
        rows["memories"][0]["memory_type"] = "dream"
    elif kind == "dangling-user":
        rows["memories"].append(memory_row("ghost_1", "ghost"))
        return build_store(path, foreign_keys=False, **rows)
    elif kind == "nul-text":
        rows["memories"][0]["content"] = "a\x00b"
    elif kind == "nul-json":
        rows["profiles"][0]["interests"] = '["a\\u0000b"]'
    elif kind == "boolean":
        rows["profiles"][0]["voice_enabled"] = 7
    elif kind == "truncated":
        build_store(path, **rows)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        return path
    elif kind == "not-sqlite":
        path.write_text("this is not a database" * 100)
        return path
    return build_store(path, **rows)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing-table", "conversation_contexts, row -: table is missing"),
        ("missing-column", "memories, row -: column memory_metadata is missing"),
        ("wrong-column-type", "memories, row -: column confidence is TEXT, expected FLOAT"),
        (
            "wrong-value-type",
            "user_profiles, row id=2: empathy_level must be a number, not str 'very high'",
        ),
        (
            "bad-json",
            "user_profiles, row id=3: interests is not valid JSON (Expecting ',' delimiter)",
        ),
        (
            "json-shape",
            "emotional_patterns, row id=1: time_patterns must hold a JSON dict, not [1, 2]",
        ),
        ("bad-datetime", "memories, row id=2: created_at is not a datetime: 'yesterday'"),
        (
            "unknown-memory-type",
            "memories, row id=1: memory_type 'dream' is not one of preference, fact, pattern, "
            "conversation, emotional",
        ),
        ("dangling-user", "memories, row id=3: user_id 'ghost' has no row in user_profiles"),
        ("boolean", "user_profiles, row id=1: voice_enabled must be 0 or 1, not 7"),
        ("nul-text", "memories, row id=1: content contains a NUL character"),
        ("nul-json", "user_profiles, row id=1: interests contains a NUL character"),
    ],
)
def test_bad_input_names_table_and_row_and_writes_nothing(tmp_path, kind, message):
    path = _broken_store(tmp_path, kind)

    with pytest.raises(LegacyImportError) as raised:
        legacy_edgesoul.run(str(path))

    assert str(raised.value) == message
    assert (CompanionProfile.objects.count(), Memory.objects.count()) == (0, 0)


@pytest.mark.parametrize("kind", ["truncated", "not-sqlite"])
def test_a_damaged_file_is_refused(tmp_path, kind):
    path = _broken_store(tmp_path, kind)

    with pytest.raises(LegacyImportError) as raised:
        legacy_edgesoul.run(str(path))

    assert raised.value.table == "edgesoul.db"
    assert CompanionProfile.objects.count() == 0


def test_a_missing_file_is_refused_without_creating_one(tmp_path):
    with pytest.raises(LegacyImportError) as raised:
        legacy_edgesoul.run(str(tmp_path / "edgesoul.db"))

    assert raised.value.problem == f"no such file: {tmp_path / 'edgesoul.db'}"
    assert not (tmp_path / "edgesoul.db").exists()


def test_a_failure_while_writing_rolls_everything_back(store, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ConversationContext.objects, "bulk_create", fail)

    with pytest.raises(RuntimeError):
        legacy_edgesoul.run(str(store))

    assert (CompanionProfile.objects.count(), Memory.objects.count()) == (0, 0)


def test_the_import_writes_one_audit_entry_per_table_as_migration(store):
    legacy_edgesoul.run(str(store))

    entries = {
        entry.content_type.model: (entry.changes, named_actor(entry))
        for entry in LogEntry.objects.select_related("content_type")
    }
    assert entries == {
        "companionprofile": ({"rows": [None, 3]}, "migration"),
        "memory": ({"rows": [None, 2]}, "migration"),
        "emotionalpattern": ({"rows": [None, 2]}, "migration"),
        "conversationcontext": ({"rows": [None, 1]}, "migration"),
    }
