"""This app's share of `generate_demo_data` (issue 7): EdgeSoul users with their memories,
emotional patterns and conversation contexts; learners with words, grammar, cards and chat.

At scale 1: 100k EdgeSoul users with 1M memories, 1k learners with 500k words. Deterministic for
a given `rng`; timestamps count back from a fixed moment so two runs give the same rows. Rows
are written as tuples in batches — COPY on PostgreSQL, executemany on SQLite — because building
millions of model instances costs more than the inserts. Ids carry a `demo` prefix; run it on a
database without demo rows (a second run would clash on the keys).
"""

import json
import random
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import islice

from django.db import connection, models, transaction
from django.utils import timezone

from config.db import is_postgresql
from config.legacy import Progress

from .edgesoul.models import PROFILE_FIELDS
from .learning.models import LEARNER_PROFILE_FIELDS
from .models import (
    ApprovedCard,
    ChatMessage,
    CompanionProfile,
    ConversationContext,
    EmotionalPattern,
    LearnerProfile,
    MasteredGrammar,
    MasteredWord,
    Memory,
    MemoryType,
)

PER_SCALE = {"edgesoul_users": 100_000, "memories": 1_000_000, "learners": 1_000, "words": 500_000}
EMOTIONS = ("joy", "sadness", "anger", "fear", "love", "surprise", "neutral")
TOPICS = (
    "work family music hiking cooking travel sleep exams football movies garden books pets "
    "health friends weather money holidays coffee running"
).split()
THINGS = (
    "green tea|jazz|hiking in the mountains|night shifts|her sister in Berlin|marathon training|"
    "learning Japanese|the piano|spicy food|rainy mornings|his dog Max|chess|yoga|old movies|"
    "gardening|board games|coffee|the beach|science fiction|painting"
).split("|")
TEMPLATES = {
    "preference": ("User prefers {}", "User likes {}", "User dislikes {}"),
    "fact": ("User mentioned {}", "User's hobby is {}", "User talks often about {}"),
    "pattern": ("User is stressed before {}", "User feels calm with {}"),
    "conversation": ("Talked about {}", "Long chat about {}"),
    "emotional": ("{} makes the user happy", "{} makes the user anxious"),
}
HANZI = "".join(chr(0x4E00 + index) for index in range(0, 3000, 7))
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _count(scale: float, key: str) -> int:
    return max(1, round(PER_SCALE[key] * scale))


def _columns(model: type[models.Model], names: Iterable[str]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in names]


def _write(
    model: type[models.Model],
    names: tuple[str, ...],
    rows: Iterator[tuple],
    *,
    total: int,
    table: str,
    batch_size: int,
    progress: Progress | None,
) -> int:
    """Insert `rows` (tuples in `names` order; JSON values as Python objects) in batches."""
    ops = connection.ops
    fields = _columns(model, names)
    quoted = ", ".join(ops.quote_name(field.column) for field in fields)
    db_table = ops.quote_name(model._meta.db_table)
    json_at = [index for index, field in enumerate(fields) if isinstance(field, models.JSONField)]
    written = 0
    with connection.cursor() as cursor:
        while batch := list(islice(rows, batch_size)):
            batch = [
                tuple(
                    json.dumps(value) if index in json_at else value
                    for index, value in enumerate(row)
                )
                for row in batch
            ]
            if is_postgresql(connection):
                with cursor.copy(f"COPY {db_table} ({quoted}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(
                    f"INSERT INTO {db_table} ({quoted}) VALUES ({marks})",
                    [
                        tuple(
                            ops.adapt_datetimefield_value(value)
                            if isinstance(value, datetime)
                            else value
                            for value in row
                        )
                        for row in batch
                    ],
                )
            written += len(batch)
            if progress:
                progress(table, written, total)
    return written


def _edgesoul(
    scale: float, rng: random.Random, batch_size: int, progress: Progress | None, now: datetime
) -> dict:
    users = _count(scale, "edgesoul_users")
    memories = _count(scale, "memories")
    user_ids = [f"demo_user_{index:06d}" for index in range(users)]

    def profiles():
        for user_id in user_ids:
            created = now - timedelta(days=rng.randint(30, 400))
            yield (
                user_id, None, rng.choice(("male", "female", "other", "not_set")),
                rng.randint(40, 100), rng.randint(0, 100), rng.randint(0, 100),
                rng.randint(20, 90), rng.randint(0, 100), "friendly", "balanced", True, True,
                1.0, 1.0, False, rng.sample(TOPICS, 2), [], {}, rng.randint(0, 40),
                rng.randint(0, 400), round(rng.uniform(1, 30), 1), created, created,
            )  # fmt: skip

    def memory_rows():
        types = MemoryType.values
        for index in range(memories):
            kind = types[index % len(types)]
            thing = rng.choice(THINGS)
            # Up to a year old, most of them recent (a 60-day mean age: 39 % within the
            # API's default 30-day window).
            created = now - timedelta(minutes=min(rng.expovariate(1 / 60), 365) * 24 * 60)
            yield (
                f"demo_mem_{index:07d}",
                # Skewed like real use: a few talkative users hold many memories.
                user_ids[
                    min(int(rng.paretovariate(1.2)) - 1, users - 1)
                    if index % 100 == 0
                    else rng.randrange(users)
                ],
                kind,
                rng.choice(TEMPLATES[kind]).format(thing),
                f"I told you about {thing}" if index % 3 else None,
                round(rng.uniform(0.3, 1.0), 2),
                round(rng.uniform(0.1, 1.0), 2),
                created,
                created,
                0,
                {},
            )

    def pattern_rows():
        for user_id in user_ids[::2]:
            for emotion in rng.sample(EMOTIONS, 3):
                hour = rng.randint(0, 23)
                yield (
                    user_id, emotion, rng.randint(1, 30), round(rng.uniform(10, 95), 1),
                    rng.sample(TOPICS, 2), {f"{hour:02d}:00": 1},
                    now - timedelta(hours=rng.randint(0, 24 * 60)), "stable", [],
                )  # fmt: skip

    def context_rows():
        for user_id in user_ids[::4]:
            when = now - timedelta(hours=rng.randint(0, 24 * 30))
            emotion = rng.choice(EMOTIONS)
            messages = [
                {
                    "role": role,
                    "content": f"{role} says hi",
                    "timestamp": when.isoformat(),
                    "emotion": None,
                }
                for role in ("user", "assistant")
            ]
            yield (
                user_id,
                f"session_{user_id}",
                messages,
                rng.sample(TOPICS, 3),
                emotion,
                [emotion],
                when,
                when,
            )

    return {
        "memory_companionprofile": _write(
            CompanionProfile,
            PROFILE_FIELDS,
            profiles(),
            total=users,
            table="edgesoul profiles",
            batch_size=batch_size,
            progress=progress,
        ),  # fmt: skip
        "memory_memory": _write(
            Memory,
            (
                "id",
                "user",
                "memory_type",
                "content",
                "context",
                "confidence",
                "importance",
                "created_at",
                "last_accessed",
                "access_count",
                "metadata",
            ),
            memory_rows(),
            total=memories,
            table="memories",
            batch_size=batch_size,
            progress=progress,
        ),  # fmt: skip
        "memory_emotionalpattern": _write(
            EmotionalPattern,
            (
                "user",
                "emotion",
                "frequency",
                "avg_intensity",
                "triggers",
                "time_patterns",
                "last_occurrence",
                "trend",
                "recent_intensities",
            ),
            pattern_rows(),
            total=len(user_ids[::2]) * 3,
            table="emotional patterns",
            batch_size=batch_size,
            progress=progress,
        ),  # fmt: skip
        "memory_conversationcontext": _write(
            ConversationContext,
            (
                "user",
                "session_id",
                "messages",
                "topics",
                "current_emotion",
                "emotion_trajectory",
                "started_at",
                "last_activity",
            ),
            context_rows(),
            total=len(user_ids[::4]),
            table="conversation contexts",
            batch_size=batch_size,
            progress=progress,
        ),  # fmt: skip
    }


def _learning(
    scale: float, rng: random.Random, batch_size: int, progress: Progress | None, now: datetime
) -> dict:
    learners = _count(scale, "learners")
    words = _count(scale, "words")
    ids = [f"demo-learner-{index:04d}" for index in range(learners)]

    def profile_rows():
        for index, learner_id in enumerate(ids):
            created = now - timedelta(days=rng.randint(1, 700))
            yield (
                learner_id, f"Demo Learner {index}", f"201{rng.randint(5, 9)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                rng.choice(("male", "female")), "", f"School {index % 40}", f"District {index % 12}",
                rng.sample(TOPICS, 3), [], None, None, round(rng.uniform(3, 9), 1), None, {},
                created, created,
            )  # fmt: skip

    def word_rows():
        per_learner, extra = divmod(words, learners)
        for index, learner_id in enumerate(ids):
            count = per_learner + (1 if index < extra else 0)
            added = now - timedelta(days=rng.randint(0, 300))
            zh = count * 6 // 10
            # Distinct per learner by construction: the word number is part of the word.
            for number in range(zh):
                yield (
                    learner_id,
                    HANZI[number % len(HANZI)]
                    + HANZI[number // len(HANZI) % len(HANZI)]
                    + str(number // len(HANZI) ** 2 or ""),
                    "zh",
                    added,
                )
            for number in range(count - zh):
                yield (
                    learner_id,
                    LETTERS[number % 26] + LETTERS[number // 26 % 26] + f"word{number}",
                    "en",
                    added,
                )

    def grammar_rows():
        for learner_id in ids:
            for number in range(20):
                yield (learner_id, f"grammar:point-{number}", now)

    def card_rows():
        for learner_id in ids:
            for number in range(5):
                yield (
                    learner_id,
                    "vocabulary",
                    {"word": HANZI[number], "english": TOPICS[number]},
                    now,
                    None,
                )

    def chat_rows():
        for learner_id in ids:
            for number in range(10):
                role = "user" if number % 2 == 0 else "assistant"
                yield (
                    learner_id,
                    role,
                    f"{role} message {number}",
                    now + timedelta(minutes=number),
                    None,
                )

    def write(model, names, rows, total, table):
        return _write(
            model, names, rows, total=total, table=table, batch_size=batch_size, progress=progress
        )

    return {
        "memory_learnerprofile": write(
            LearnerProfile,
            ("id", *LEARNER_PROFILE_FIELDS, "created_at", "updated_at"),
            profile_rows(),
            learners,
            "learners",
        ),  # fmt: skip
        "memory_masteredword": write(
            MasteredWord, ("profile", "word", "language", "added_at"), word_rows(), words, "words"
        ),
        "memory_masteredgrammar": write(
            MasteredGrammar,
            ("profile", "grammar_uri", "added_at"),
            grammar_rows(),
            learners * 20,
            "grammar",
        ),
        "memory_approvedcard": write(
            ApprovedCard,
            ("profile", "card_type", "content", "approved_at", "import_key"),
            card_rows(),
            learners * 5,
            "cards",
        ),  # fmt: skip
        "memory_chatmessage": write(
            ChatMessage,
            ("profile", "role", "content", "timestamp", "import_key"),
            chat_rows(),
            learners * 10,
            "chat",
        ),  # fmt: skip
    }


def generate(
    *,
    scale: float,
    rng: random.Random,
    batch_size: int = 5000,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Create this app's demo rows in proportion to `scale`; returns rows written per table.

    Times are relative to `now` (the current time by default), so the API's default windows
    (EdgeSoul's last 30 days of memories) show data right after generation.
    """
    now = (now or timezone.now()).replace(microsecond=0)
    with transaction.atomic():
        written = _edgesoul(scale, rng, batch_size, progress, now)
        written |= _learning(scale, rng, batch_size, progress, now)
    if is_postgresql(connection):
        with connection.cursor() as cursor:
            for table in written:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return written
