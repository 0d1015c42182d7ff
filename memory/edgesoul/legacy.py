"""`import_legacy edgesoul SOURCE`: EdgeSoul's original `edgesoul.db` (SQLAlchemy on SQLite).

Reads the four tables as the original wrote them (see shared/contracts/legacy-stores.md):
datetimes as `YYYY-MM-DD HH:MM:SS.ffffff` text without offset (profiles in UTC, everything
else in the server's local time, read here in settings.TIME_ZONE), JSON in TEXT columns (`null`
for None), booleans as 0/1, enums as plain strings. Everything is read and validated before
anything is written; one transaction; rows already imported (profile by user_id, memory by id,
pattern by user and emotion, context by user) are left unchanged, so a second run writes
nothing. A missing table or column, a value of the wrong type, a dangling reference or a
damaged file raises LegacyImportError naming the table and the row; nothing is written.

Normalisation: personality levels rounded and clamped to 0-100, voice speed to 0.5-2.0 and
pitch to 0-2; unknown gender/tone/style → the default; `avg_intensity` written on the 0-1 scale
(≤ 1.0, the persistence test's) → × 100; at most 10 triggers, 15 topics, 20 emotions; each
legacy message (one user/assistant exchange) becomes two messages, the last 10 kept.
"""

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.audit import audit_batch, audit_bulk_write
from config.legacy import ImportReport, LegacyImportError, Progress

from .models import (
    LEVEL_FIELDS,
    CompanionProfile,
    ConversationContext,
    EmotionalPattern,
    Gender,
    Memory,
    MemoryType,
    ResponseStyle,
    Tone,
    Trend,
)

AUDIT_ACTOR = "migration"
BATCH_SIZE = 2000

# Columns the importer reads, with the declared SQLite types the original's DDL gives them.
SCHEMA: dict[str, dict[str, tuple[str, ...]]] = {
    "user_profiles": {
        "id": ("INTEGER",),
        "user_id": ("VARCHAR",),
        "name": ("VARCHAR",),
        "gender": ("VARCHAR",),
        **{level: ("INTEGER",) for level in LEVEL_FIELDS},
        "preferred_tone": ("VARCHAR",),
        "response_style": ("VARCHAR",),
        "emoji_usage": ("BOOLEAN",),
        "voice_enabled": ("BOOLEAN",),
        "voice_speed": ("FLOAT",),
        "voice_pitch": ("FLOAT",),
        "auto_speak_responses": ("BOOLEAN",),
        "interests": ("JSON",),
        "dislikes": ("JSON",),
        "communication_patterns": ("JSON",),
        "total_conversations": ("INTEGER",),
        "total_messages": ("INTEGER",),
        "avg_session_length": ("FLOAT",),
        "created_at": ("DATETIME",),
        "updated_at": ("DATETIME",),
    },
    "memories": {
        "id": ("INTEGER",),
        "memory_id": ("VARCHAR",),
        "user_id": ("VARCHAR",),
        "memory_type": ("VARCHAR",),
        "content": ("TEXT",),
        "context": ("TEXT",),
        "confidence": ("FLOAT",),
        "importance": ("FLOAT",),
        "access_count": ("INTEGER",),
        "memory_metadata": ("JSON",),
        "created_at": ("DATETIME",),
        "last_accessed": ("DATETIME",),
    },
    "emotional_patterns": {
        "id": ("INTEGER",),
        "user_id": ("VARCHAR",),
        "emotion": ("VARCHAR",),
        "frequency": ("INTEGER",),
        "avg_intensity": ("FLOAT",),
        "triggers": ("JSON",),
        "time_patterns": ("JSON",),
        "trend": ("VARCHAR",),
        "last_occurrence": ("DATETIME",),
    },
    "conversation_contexts": {
        "id": ("INTEGER",),
        "user_id": ("VARCHAR",),
        "session_id": ("VARCHAR",),
        "messages": ("JSON",),
        "topics": ("JSON",),
        "current_emotion": ("VARCHAR",),
        "emotion_trajectory": ("JSON",),
        "started_at": ("DATETIME",),
        "last_activity": ("DATETIME",),
    },
}
TABLES = tuple(SCHEMA)


class _Row:
    """One legacy row with typed accessors that raise LegacyImportError naming table and row."""

    def __init__(self, table: str, values: sqlite3.Row):
        self.table, self.values = table, values
        self.label = f"id={values['id']}"

    def fail(self, problem: str) -> LegacyImportError:
        return LegacyImportError(self.table, self.label, problem)

    def _get(self, column: str) -> Any:
        return self.values[column]

    def text(self, column: str, *, required: bool = False) -> str | None:
        value = self._get(column)
        if value is None:
            if required:
                raise self.fail(f"{column} is NULL")
            return None
        if not isinstance(value, str):
            raise self.fail(f"{column} must be text, not {type(value).__name__} {value!r}")
        if "\x00" in value:  # PostgreSQL cannot store NUL characters
            raise self.fail(f"{column} contains a NUL character")
        return value

    def number(self, column: str, *, integer: bool = False) -> float | int | None:
        value = self._get(column)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{column} must be a number, not {type(value).__name__} {value!r}")
        return round(value) if integer else float(value)

    def boolean(self, column: str, default: bool) -> bool:
        value = self._get(column)
        if value is None:
            return default
        if value not in (0, 1):
            raise self.fail(f"{column} must be 0 or 1, not {value!r}")
        return bool(value)

    def json(self, column: str, kind: type, default: Callable[[], Any]) -> Any:
        value = self._get(column)
        if value is None:
            return default()
        if not isinstance(value, str):
            raise self.fail(f"{column} must be JSON text, not {type(value).__name__} {value!r}")
        if "\\u0000" in value or "\x00" in value:
            raise self.fail(f"{column} contains a NUL character")
        try:
            decoded = json.loads(value)
        except json.JSONDecodeError as error:
            raise self.fail(f"{column} is not valid JSON ({error.msg})") from None
        if decoded is None:  # SQLAlchemy stores Python None as the JSON text `null`
            return default()
        if not isinstance(decoded, kind):
            raise self.fail(f"{column} must hold a JSON {kind.__name__}, not {decoded!r}")
        return decoded

    def moment(self, column: str, *, utc: bool) -> datetime | None:
        value = self._get(column)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(
                f"{column} must be a datetime text, not {type(value).__name__} {value!r}"
            )
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(f"{column} is not a datetime: {value!r}") from None
        return _aware(moment, utc=utc)


def _aware(moment: datetime, *, utc: bool) -> datetime:
    if timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=UTC) if utc else timezone.make_aware(moment)


def _clamp(value: float | int | None, low: float, high: float, default: float | int):
    return default if value is None else min(max(value, low), high)


def _choice(value: str | None, choices: type, default: str) -> str:
    return value if value in choices.values else default


@dataclass
class _Plan:
    profiles: list[CompanionProfile] = field(default_factory=list)
    memories: list[Memory] = field(default_factory=list)
    patterns: list[EmotionalPattern] = field(default_factory=list)
    contexts: list[ConversationContext] = field(default_factory=list)


@contextmanager
def _open(source: str) -> Iterator[sqlite3.Connection]:
    path = Path(source)
    if not path.is_file():
        raise LegacyImportError(path.name, "-", f"no such file: {source}")
    try:
        # mode=rw: never create an empty database where the file is missing; a WAL store
        # needs a writable folder for its -shm file (read-only would fail there).
        connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
    except sqlite3.Error as error:
        raise LegacyImportError(path.name, "-", f"cannot open: {error}") from None
    connection.row_factory = sqlite3.Row
    with closing(connection):
        try:
            result = connection.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError as error:
            raise LegacyImportError(
                path.name, "-", f"not a readable SQLite database: {error}"
            ) from None
        problems = [row[0] for row in result if row[0] != "ok"]
        if problems:
            raise LegacyImportError(path.name, "-", f"damaged database: {problems[0]}")
        yield connection


def _check_schema(connection: sqlite3.Connection) -> None:
    present = {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    for table, columns in SCHEMA.items():
        if table not in present:
            raise LegacyImportError(table, "-", "table is missing")
        declared = {
            row["name"]: row["type"].upper().split("(")[0].strip()
            for row in connection.execute(f'PRAGMA table_info("{table}")')
        }
        for column, types in columns.items():
            if column not in declared:
                raise LegacyImportError(table, "-", f"column {column} is missing")
            if declared[column] not in types:
                raise LegacyImportError(
                    table, "-", f"column {column} is {declared[column]}, expected {types[0]}"
                )


def _rows(connection: sqlite3.Connection, table: str, progress: Progress | None) -> Iterator[_Row]:
    columns = ", ".join(f'"{column}"' for column in SCHEMA[table])
    total = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    try:
        cursor = connection.execute(f'SELECT {columns} FROM "{table}" ORDER BY rowid')
        for index, values in enumerate(cursor, start=1):
            yield _Row(table, values)
            if progress and (index % 1000 == 0 or index == total):
                progress(table, index, total)
    except sqlite3.DatabaseError as error:
        raise LegacyImportError(table, "-", f"cannot read the table: {error}") from None


def _profile(row: _Row) -> CompanionProfile:
    defaults = CompanionProfile()
    profile = CompanionProfile(
        user_id=row.text("user_id", required=True),
        name=row.text("name"),
        gender=_choice(row.text("gender"), Gender, Gender.NOT_SET),
        preferred_tone=_choice(row.text("preferred_tone"), Tone, Tone.FRIENDLY),
        response_style=_choice(row.text("response_style"), ResponseStyle, ResponseStyle.BALANCED),
        emoji_usage=row.boolean("emoji_usage", defaults.emoji_usage),
        voice_enabled=row.boolean("voice_enabled", defaults.voice_enabled),
        voice_speed=_clamp(row.number("voice_speed"), 0.5, 2.0, defaults.voice_speed),
        voice_pitch=_clamp(row.number("voice_pitch"), 0.0, 2.0, defaults.voice_pitch),
        auto_speak_responses=row.boolean("auto_speak_responses", defaults.auto_speak_responses),
        interests=row.json("interests", list, list),
        dislikes=row.json("dislikes", list, list),
        communication_patterns=row.json("communication_patterns", dict, dict),
        total_conversations=max(row.number("total_conversations", integer=True) or 0, 0),
        total_messages=max(row.number("total_messages", integer=True) or 0, 0),
        avg_session_length=max(row.number("avg_session_length") or 0.0, 0.0),
        created_at=row.moment("created_at", utc=True) or timezone.now(),
    )
    for level in LEVEL_FIELDS:
        setattr(
            profile,
            level,
            _clamp(row.number(level, integer=True), 0, 100, getattr(defaults, level)),
        )
    profile.legacy_updated_at = row.moment("updated_at", utc=True) or profile.created_at
    return profile


def _memory(row: _Row) -> Memory:
    memory_type = row.text("memory_type", required=True)
    if memory_type not in MemoryType.values:
        raise row.fail(f"memory_type {memory_type!r} is not one of {', '.join(MemoryType.values)}")
    created = row.moment("created_at", utc=False) or timezone.now()
    return Memory(
        id=row.text("memory_id", required=True),
        user_id=row.text("user_id", required=True),
        memory_type=memory_type,
        content=row.text("content", required=True),
        context=row.text("context"),
        confidence=_clamp(row.number("confidence"), 0.0, 1.0, 1.0),
        importance=_clamp(row.number("importance"), 0.0, 1.0, 0.5),
        access_count=max(row.number("access_count", integer=True) or 0, 0),
        metadata=row.json("memory_metadata", dict, dict),
        created_at=created,
        last_accessed=row.moment("last_accessed", utc=False) or created,
    )


def _pattern(row: _Row) -> EmotionalPattern:
    frequency = max(row.number("frequency", integer=True) or 0, 0)
    intensity = row.number("avg_intensity") or 0.0
    if 0 < intensity <= 1.0:  # the persistence test's 0-1 scale; the chat path wrote 0-100
        intensity *= 100
    triggers = row.json("triggers", list, list)
    hours = row.json("time_patterns", dict, dict)
    if not all(isinstance(count, int) for count in hours.values()):
        raise row.fail("time_patterns must map hours to counts")
    return EmotionalPattern(
        user_id=row.text("user_id", required=True),
        emotion=row.text("emotion", required=True),
        frequency=frequency,
        avg_intensity=_clamp(intensity, 0.0, 100.0, 0.0),
        triggers=[str(trigger).lower() for trigger in triggers][:10],
        time_patterns=hours,
        trend=_choice(row.text("trend"), Trend, Trend.STABLE),
        last_occurrence=row.moment("last_occurrence", utc=False),
    )


def _iso_local(row: _Row, value: Any) -> str | None:
    if value is None:
        return None
    try:
        moment = _aware(datetime.fromisoformat(value), utc=False)
    except (TypeError, ValueError):
        raise row.fail(f"messages: timestamp {value!r} is not a datetime") from None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _context(row: _Row) -> ConversationContext:
    messages = []
    for exchange in row.json("messages", list, list):
        if not isinstance(exchange, dict):
            raise row.fail(f"messages: expected an object per exchange, not {exchange!r}")
        when = _iso_local(row, exchange.get("timestamp"))
        emotion = exchange.get("emotion")
        for role in ("user", "assistant"):
            if exchange.get(role) is not None:
                content = exchange[role]
                if not isinstance(content, str):
                    raise row.fail(f"messages: {role} text must be a string, not {content!r}")
                messages.append(
                    {
                        "role": role,
                        "content": content,
                        "timestamp": when,
                        "emotion": emotion if role == "user" else None,
                    }
                )
    started = row.moment("started_at", utc=False) or timezone.now()
    return ConversationContext(
        user_id=row.text("user_id", required=True),
        session_id=row.text("session_id", required=True),
        messages=messages[-ConversationContext.MAX_MESSAGES :],
        topics=[str(topic) for topic in row.json("topics", list, list)][
            -ConversationContext.MAX_TOPICS :
        ],
        current_emotion=row.text("current_emotion"),
        emotion_trajectory=[str(e) for e in row.json("emotion_trajectory", list, list)][
            -ConversationContext.MAX_EMOTIONS :
        ],
        started_at=started,
        last_activity=row.moment("last_activity", utc=False) or started,
    )


def _read(connection: sqlite3.Connection, report: ImportReport, progress: Progress | None) -> _Plan:
    plan = _Plan()
    user_ids: dict[str, str] = {}
    for row in _rows(connection, "user_profiles", progress):
        profile = _profile(row)
        if profile.user_id in user_ids:
            raise row.fail(f"user_id {profile.user_id!r} also in {user_ids[profile.user_id]}")
        user_ids[profile.user_id] = row.label
        plan.profiles.append(profile)
    seen: dict[Any, str] = {}
    for table, build, target, key in (
        ("memories", _memory, plan.memories, lambda m: m.id),
        ("emotional_patterns", _pattern, plan.patterns, lambda p: (p.user_id, p.emotion)),
        ("conversation_contexts", _context, plan.contexts, lambda c: c.user_id),
    ):
        for row in _rows(connection, table, progress):
            item = build(row)
            if item.user_id not in user_ids:
                raise row.fail(f"user_id {item.user_id!r} has no row in user_profiles")
            if (table, key(item)) in seen:
                raise row.fail(f"duplicate of {seen[(table, key(item))]}")
            seen[(table, key(item))] = row.label
            target.append(item)
    for table, items in zip(
        TABLES, (plan.profiles, plan.memories, plan.patterns, plan.contexts), strict=True
    ):
        report.table(table).read = len(items)
    return plan


def _fresh(report: ImportReport, table: str, items: list, stored: set, key: Callable) -> list:
    fresh = [item for item in items if key(item) not in stored]
    report.table(table).unchanged = len(items) - len(fresh)
    return fresh


def run(source: str, *, dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import EdgeSoul's `edgesoul.db` (validate all, then one transaction; see module doc)."""
    report = ImportReport(app="edgesoul", source=str(source), dry_run=dry_run)
    for table in TABLES:
        report.table(table)
    with _open(source) as connection:
        _check_schema(connection)
        plan = _read(connection, report, progress)

    user_ids = [profile.user_id for profile in plan.profiles]
    stored_users = set(
        CompanionProfile.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )
    stored_memories = set(
        Memory.objects.filter(id__in=[memory.id for memory in plan.memories]).values_list(
            "id", flat=True
        )
    )
    stored_patterns = set(
        EmotionalPattern.objects.filter(user_id__in=user_ids).values_list("user_id", "emotion")
    )
    stored_contexts = set(
        ConversationContext.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )
    writes = (
        (
            CompanionProfile,
            "user_profiles",
            _fresh(report, "user_profiles", plan.profiles, stored_users, lambda p: p.user_id),
        ),
        (
            Memory,
            "memories",
            _fresh(report, "memories", plan.memories, stored_memories, lambda m: m.id),
        ),
        (
            EmotionalPattern,
            "emotional_patterns",
            _fresh(
                report,
                "emotional_patterns",
                plan.patterns,
                stored_patterns,
                lambda p: (p.user_id, p.emotion),
            ),
        ),
        (
            ConversationContext,
            "conversation_contexts",
            _fresh(
                report, "conversation_contexts", plan.contexts, stored_contexts, lambda c: c.user_id
            ),
        ),
    )
    if dry_run:
        return report
    with transaction.atomic():
        with audit_bulk_write():
            for model, table, rows in writes:
                for start in range(0, len(rows), BATCH_SIZE):
                    model.objects.bulk_create(rows[start : start + BATCH_SIZE])
                    if progress:
                        progress(table, min(start + BATCH_SIZE, len(rows)), len(rows))
                report.table(table).written = len(rows)
            _restore_updated_at(writes[0][2])
        # One audit entry per table written (not per row), by the "migration" actor.
        for model, _table, rows in writes:
            if rows:
                audit_batch(actor=AUDIT_ACTOR, model=model, count=len(rows), source=str(source))
    return report


def _restore_updated_at(profiles: list[CompanionProfile]) -> None:
    """bulk_create stamps auto_now `updated_at` with now; put the legacy value back."""
    for profile in profiles:
        profile.updated_at = profile.legacy_updated_at
    CompanionProfile.objects.bulk_update(profiles, ["updated_at"], batch_size=BATCH_SIZE)
