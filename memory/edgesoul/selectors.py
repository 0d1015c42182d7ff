"""EdgeSoul reads: memory lists, emotional summaries, per-user and global statistics."""

import functools
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum, Value
from django.utils import timezone

from config.db import is_postgresql
from config.search import full_text_search, query_words
from config.sql import Prepared

from .models import CompanionProfile, ConversationContext, EmotionalPattern, Memory, MemoryType

POSITIVE_EMOTIONS = ("joy", "love", "surprise")
NEGATIVE_EMOTIONS = ("sadness", "anger", "fear")
NOTABLE_FREQUENCY = 5
SEARCH_FIELDS = ("content", "context")
# A memory as the API returns it: api.MemorySerializer's fields, and a search's value row.
MEMORY_FIELDS = (
    "id",
    "user_id",
    "memory_type",
    "content",
    "context",
    "confidence",
    "importance",
    "created_at",
    "last_accessed",
    "access_count",
    "metadata",
)


def memory_list(
    *, user_id: str, memory_type: str | None = None, days: int = 30, limit: int = 20
) -> QuerySet[Memory]:
    """The user's memories of the last `days` days, newest first."""
    since = timezone.now() - timedelta(days=days)
    queryset = Memory.objects.filter(user_id=user_id, created_at__gte=since)
    if memory_type:
        queryset = queryset.filter(memory_type=memory_type)
    return queryset.order_by("-created_at", "-id")[:limit]


def memory_search_queryset(
    *,
    user_id: str,
    query: str,
    memory_types: Sequence[str] | None = None,
    min_confidence: float = 0.3,
) -> QuerySet[Memory]:
    """The user's memories matching `query` in content or context, annotated `rank`.

    Best match first; ties go to the more important, then the newer memory. PostgreSQL
    matches and ranks with the stored content/context tsvector and the GIN index over
    (user_id, search_vector) (migrations 0007, 0008); SQLite matches the words in the text.
    """
    return _search_queryset(user_id, min_confidence, query_words(query), memory_types or ())


def _search_queryset(user_id, min_confidence, words, memory_types) -> QuerySet[Memory]:
    # Value(): the parameter reaches the SQL as it is given (a compiled query's marker).
    queryset = Memory.objects.filter(user_id=user_id, confidence__gte=Value(min_confidence))
    if memory_types:
        queryset = queryset.filter(memory_type__in=list(memory_types))
    ranked = full_text_search(
        queryset, "", SEARCH_FIELDS, stored_vector="search_vector", words=words
    )
    return ranked.order_by("-rank", "-importance", "-created_at", "-id")


@functools.lru_cache(maxsize=256)
def _search_rows_prepared(word_count: int, type_count: int, limit: int) -> Prepared:
    """The search of that shape, compiled once per process (config/sql.py); its parameters:
    user_id, min_confidence, the words (PostgreSQL: their text, one parameter), the types."""

    def build(user_id, min_confidence, *terms):
        words = terms[:word_count]
        if is_postgresql(connection):
            words = [word or "" for word in words]  # None: Prepared learning the model
        else:
            words = [Value(word) for word in words]
        return _search_queryset(user_id, min_confidence, words, terms[word_count:]).values_list(
            *MEMORY_FIELDS
        )[:limit]

    # Compiled once, not prepared on the server: PostgreSQL's generic plan of the prepared
    # statement ranked a one-word search of a 200k-memory user in 213-230 ms, the plan made for
    # the actual words in 88 ms (bench/RESULTS-scale1-issue11.md).
    return Prepared(build, server_side=False)


def memory_search_rows(
    *,
    user_id: str,
    query: str,
    memory_types: Sequence[str] | None = None,
    limit: int = 5,
    min_confidence: float = 0.3,
) -> list[dict[str, Any]]:
    """The best `limit` matches of `memory_search_queryset` as value rows (MEMORY_FIELDS).

    The SQL is compiled once per shape (number of words and types, limit): building and
    compiling the ranked queryset cost several times more than running it for a user."""
    words = query_words(query)
    if not words:
        return []
    if is_postgresql(connection):
        words = [" ".join(words)]  # websearch_to_tsquery reads the words as one text
    types = list(dict.fromkeys(memory_types or ()))  # SQL's IN () lists each once
    prepared = _search_rows_prepared(len(words), len(types), limit)
    rows = prepared.rows(user_id, min_confidence, *words, *types)
    return [dict(zip(MEMORY_FIELDS, row, strict=True)) for row in rows]


def pattern_list(*, user_id: str) -> QuerySet[EmotionalPattern]:
    """The user's emotional patterns, most frequent first."""
    return EmotionalPattern.objects.filter(user_id=user_id).order_by("-frequency", "emotion")


def emotion_summary(*, user_id: str, days: int = 7) -> dict[str, Any] | None:
    """The contract's summary of the patterns seen in the last `days` days, or None.

    Distribution is the percentage of occurrences per emotion; the mood trend is "improving"
    when positive emotions (joy, love, surprise) outweigh negative ones (sadness, anger, fear)
    by more than 1.5 times, "declining" for the reverse, else "stable".
    """
    now = timezone.now()
    patterns = list(
        pattern_list(user_id=user_id).filter(
            last_occurrence__gte=now - timedelta(days=days), frequency__gt=0
        )
    )
    if not patterns:
        return None
    total = sum(pattern.frequency for pattern in patterns)
    distribution = {pattern.emotion: pattern.frequency / total * 100 for pattern in patterns}
    positive = sum(distribution.get(emotion, 0) for emotion in POSITIVE_EMOTIONS)
    negative = sum(distribution.get(emotion, 0) for emotion in NEGATIVE_EMOTIONS)
    if positive > negative * 1.5:
        trend = "improving"
    elif negative > positive * 1.5:
        trend = "declining"
    else:
        trend = "stable"
    return {
        "user_id": user_id,
        "time_period": f"{days} days",
        "dominant_emotion": patterns[0].emotion,
        "emotion_distribution": {
            emotion: round(share, 2) for emotion, share in distribution.items()
        },
        "mood_trend": trend,
        "notable_patterns": [
            f"Frequent {pattern.emotion} ({pattern.frequency} times)"
            for pattern in patterns
            if pattern.frequency >= NOTABLE_FREQUENCY
        ],
        "generated_at": now,
    }


def profile_of_account(*, account) -> CompanionProfile | None:
    """The EdgeSoul profile linked to a login account (EDGESOUL_ACCESS=user), or None."""
    return CompanionProfile.objects.filter(account=account).first()


def context_get(*, user_id: str) -> ConversationContext | None:
    return ConversationContext.objects.filter(user_id=user_id).first()


def user_stats(*, profile: CompanionProfile) -> dict[str, Any]:
    """Counts for one user: memories by type, patterns, conversation, profile usage."""
    user_id = profile.user_id
    week_ago = timezone.now() - timedelta(days=7)
    memory_counts = Memory.objects.filter(user_id=user_id).aggregate(
        total=Count("id"),
        recent=Count("id", filter=Q(created_at__gte=week_ago)),
        **{kind: Count("id", filter=Q(memory_type=kind)) for kind in MemoryType.values},
    )
    patterns = list(pattern_list(user_id=user_id).values("emotion", "frequency"))
    context = context_get(user_id=user_id)
    return {
        "user_id": user_id,
        "profile": {
            "name": profile.name,
            "total_conversations": profile.total_conversations,
            "total_messages": profile.total_messages,
            "avg_session_length": profile.avg_session_length,
            "preferences": {
                "empathy": profile.empathy_level,
                "humor": profile.humor_level,
                "formality": profile.formality_level,
                "verbosity": profile.verbosity_level,
                "proactiveness": profile.proactiveness_level,
            },
        },
        "memory": {
            "total_memories": memory_counts["total"],
            "by_type": {kind: memory_counts[kind] for kind in MemoryType.values},
            "recent_count": memory_counts["recent"],
        },
        "emotions": {
            "patterns_tracked": len(patterns),
            "most_common": patterns[0]["emotion"] if patterns else None,
            "total_occurrences": sum(pattern["frequency"] for pattern in patterns),
        },
        "conversation": {
            "current_session": context.session_id if context else None,
            "message_count": len(context.messages) if context else 0,
            "topics": context.topics[-5:] if context else [],
            "current_emotion": context.current_emotion if context else None,
        },
    }


def edgesoul_totals(*, active_since_hours: int = 24) -> dict[str, int]:
    """Database statistics for staff: users, memories, patterns, conversations."""
    since = timezone.now() - timedelta(hours=active_since_hours)
    return {
        "users": CompanionProfile.objects.count(),
        "memories": Memory.objects.count(),
        "emotional_patterns": EmotionalPattern.objects.count(),
        "emotion_occurrences": EmotionalPattern.objects.aggregate(n=Sum("frequency"))["n"] or 0,
        "conversations": ConversationContext.objects.count(),
        "active_conversations": ConversationContext.objects.filter(
            last_activity__gte=since
        ).count(),
    }
