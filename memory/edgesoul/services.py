"""EdgeSoul writes: profiles, memories, emotion tracking, conversation context."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, IntegerField, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from .models import CompanionProfile, ConversationContext, EmotionalPattern, Memory, Trend
from .selectors import memory_search_rows, profile_of_account

MAX_TRIGGERS = 10
# Trend: the newest TREND_WINDOW intensities (by occurrence time), at least TREND_MIN_SAMPLES of
# them; the mean of the newer half minus the mean of the older half (the middle one of an odd
# count is in neither) beyond ±TREND_THRESHOLD points (0-100 scale) is a trend, else stable.
TREND_WINDOW = 6
TREND_MIN_SAMPLES = 4
TREND_THRESHOLD = 10.0


def profile_get_or_create(*, user_id: str) -> CompanionProfile:
    """The user's profile, created with the contract's defaults on first use (race-free)."""
    profile, _ = CompanionProfile.objects.get_or_create(user_id=user_id)
    return profile


def profile_for_account(*, user_id: str, account) -> CompanionProfile | None:
    """The profile `user_id` if it is the account's own (EDGESOUL_ACCESS=user), else None.

    An account with no profile yet claims a `user_id` nobody has: the profile is created
    with the contract's defaults and linked to it (EdgeSoul's create-on-first-use, for the
    authorised caller only). Someone else's or an unlinked (imported) profile is None.
    """
    own = profile_of_account(account=account)
    if own is not None:
        return own if own.user_id == user_id else None
    try:
        with transaction.atomic():
            profile, _ = CompanionProfile.objects.get_or_create(
                user_id=user_id, defaults={"account": account}
            )
    except IntegrityError:  # the same account claimed another user_id at this moment
        return None
    return profile if profile.account_id == account.pk else None


@transaction.atomic
def profile_update(
    *, user_id: str, fields: dict[str, Any], preferences: dict[str, Any] | None = None
) -> CompanionProfile:
    """Partial update: `fields` are model fields (already validated); `preferences` are merged
    into `communication_patterns` (existing keys kept unless overwritten)."""
    profile_get_or_create(user_id=user_id)
    profile = CompanionProfile.objects.select_for_update().get(user_id=user_id)
    for name, value in fields.items():
        setattr(profile, name, value)
    if preferences:
        profile.communication_patterns = {**(profile.communication_patterns or {}), **preferences}
    profile.save()
    return profile


# Services run inside the request's transaction (config.middleware rolls the whole request
# back on any error), so the hot ones below need no savepoint of their own: two round trips
# less per request. Called outside a transaction they still open one.


@transaction.atomic(savepoint=False)
def memory_create(
    *,
    user_id: str,
    memory_type: str,
    content: str,
    context: str | None = None,
    confidence: float = 1.0,
    importance: float = 0.5,
    metadata: dict[str, Any] | None = None,
) -> Memory:
    """Store one memory for the user (the profile is created if it does not exist yet)."""
    profile_get_or_create(user_id=user_id)
    return Memory.objects.create(
        user_id=user_id,
        memory_type=memory_type,
        content=content,
        context=context,
        confidence=confidence,
        importance=importance,
        metadata=metadata or {},
    )


@transaction.atomic
def memories_delete(*, user_id: str, memory_type: str | None = None) -> int:
    """Really delete the user's memories (all, or of one type); returns how many."""
    queryset = Memory.objects.filter(user_id=user_id)
    if memory_type:
        queryset = queryset.filter(memory_type=memory_type)
    deleted, _ = queryset.delete()
    return deleted


def memory_search(
    *,
    user_id: str,
    query: str,
    memory_types: Sequence[str] | None = None,
    limit: int = 5,
    min_confidence: float = 0.3,
) -> list[dict[str, Any]]:
    """Memories whose content or context matches `query`, best match first, as value rows
    (selectors.MEMORY_FIELDS).

    Ties go to the more important, then the newer memory. The returned memories' access count
    and last-accessed time are updated in one UPDATE (F() expression, no read-modify-write).
    Called outside a transaction (the search view is non-atomic) the read takes no lock and
    the UPDATE is one autocommitted statement: on SQLite the write lock is held for that
    statement alone, not for the whole request.
    """
    rows = memory_search_rows(
        user_id=user_id,
        query=query,
        memory_types=memory_types,
        limit=limit,
        min_confidence=min_confidence,
    )
    if rows:
        now = timezone.now()
        Memory.objects.filter(pk__in=[row["id"] for row in rows]).update(
            access_count=F("access_count") + 1, last_accessed=now
        )
        for row in rows:
            row["access_count"] += 1
            row["last_accessed"] = now
    return rows


def _iso(moment: datetime) -> str:
    """ISO 8601 as the API renders datetimes (UTC with a Z)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _unique_lower(words: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for word in words:
        cleaned = word.strip().lower()
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


@transaction.atomic(savepoint=False)
def emotion_track(
    *,
    user_id: str,
    emotion: str,
    intensity: float,
    triggers: Sequence[str] = (),
    timestamp: datetime | None = None,
) -> EmotionalPattern:
    """Record one occurrence of `emotion` (intensity 0-100) in the user's pattern.

    Keeps the running mean of the intensity, at most 10 trigger keywords (the first ones
    seen stay), a count per local hour ("HH:00") and the latest occurrence. The pattern row
    is locked while it is updated, so concurrent tracking never loses an occurrence.
    """
    when = timestamp or timezone.now()
    patterns = EmotionalPattern.objects.select_for_update()
    pattern = patterns.filter(user_id=user_id, emotion=emotion).first()
    if pattern is None:  # the first occurrence (a pattern implies its profile exists)
        profile_get_or_create(user_id=user_id)
        EmotionalPattern.objects.get_or_create(user_id=user_id, emotion=emotion)
        pattern = patterns.get(user_id=user_id, emotion=emotion)
    pattern.avg_intensity = (pattern.avg_intensity * pattern.frequency + intensity) / (
        pattern.frequency + 1
    )
    pattern.frequency += 1
    known = list(pattern.triggers or [])
    for keyword in _unique_lower(triggers):
        if len(known) >= MAX_TRIGGERS:
            break
        if keyword not in known:
            known.append(keyword)
    pattern.triggers = known
    slot = f"{timezone.localtime(when).hour:02d}:00"
    hours = dict(pattern.time_patterns or {})
    hours[slot] = hours.get(slot, 0) + 1
    pattern.time_patterns = dict(sorted(hours.items()))
    if pattern.last_occurrence is None or when > pattern.last_occurrence:
        pattern.last_occurrence = when
    # Fixed-width UTC times sort as strings; equal times keep their tracking order.
    at = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    recent = [*pattern.recent_intensities, {"at": at, "intensity": intensity}]
    pattern.recent_intensities = sorted(recent, key=lambda sample: sample["at"])[-TREND_WINDOW:]
    pattern.trend = emotion_trend([sample["intensity"] for sample in pattern.recent_intensities])
    pattern.save()
    return pattern


def emotion_trend(intensities: Sequence[float]) -> str:
    """`increasing`, `decreasing` or `stable` for intensities oldest first (see TREND_*)."""
    recent = list(intensities)[-TREND_WINDOW:]
    if len(recent) < TREND_MIN_SAMPLES:
        return Trend.STABLE
    half = len(recent) // 2
    older, newer = recent[:half], recent[-half:]
    change = sum(newer) / half - sum(older) / half
    if change > TREND_THRESHOLD:
        return Trend.INCREASING
    if change < -TREND_THRESHOLD:
        return Trend.DECREASING
    return Trend.STABLE


@dataclass(frozen=True)
class ConversationAppendResult:
    context: ConversationContext
    new_session: bool


@transaction.atomic
def conversation_append(
    *,
    user_id: str,
    session_id: str,
    role: str,
    content: str,
    topics: Sequence[str] = (),
    emotion: str | None = None,
) -> ConversationAppendResult:
    """Append one message to the user's conversation context, trimming to the limits.

    A different `session_id` starts a new context (messages, topics and emotions cleared).
    The profile's usage counters (`total_messages`, `total_conversations`) follow with F().
    """
    now = timezone.now()
    profile_get_or_create(user_id=user_id)
    _, created = ConversationContext.objects.get_or_create(
        user_id=user_id, defaults={"session_id": session_id, "started_at": now}
    )
    context = ConversationContext.objects.select_for_update().get(user_id=user_id)
    new_session = created or context.session_id != session_id
    if new_session and not created:
        context.session_id = session_id
        context.messages, context.topics, context.emotion_trajectory = [], [], []
        context.current_emotion = None
        context.started_at = now
    context.messages = [
        *context.messages,
        {"role": role, "content": content, "timestamp": _iso(now), "emotion": emotion},
    ][-ConversationContext.MAX_MESSAGES :]
    seen = list(context.topics)
    for topic in _unique_lower(topics):
        if topic in seen:
            seen.remove(topic)  # a topic mentioned again becomes the most recent one
        seen.append(topic)
    context.topics = seen[-ConversationContext.MAX_TOPICS :]
    if emotion:
        context.current_emotion = emotion
        context.emotion_trajectory = [*context.emotion_trajectory, emotion][
            -ConversationContext.MAX_EMOTIONS :
        ]
    # The session's length grows by the time since its previous message (0 for a new one; 0
    # when a concurrent message, which took the lock first, was stamped after this one's `now`).
    grown = 0.0 if new_session else max((now - context.last_activity).total_seconds() / 60, 0.0)
    context.last_activity = now
    context.save()
    CompanionProfile.objects.filter(user_id=user_id).update(
        total_messages=F("total_messages") + 1,
        total_conversations=F("total_conversations") + (1 if new_session else 0),
        avg_session_length=_session_average(new_session=new_session, grown_minutes=grown),
    )
    return ConversationAppendResult(context=context, new_session=new_session)


def _session_average(*, new_session: bool, grown_minutes: float):
    """`avg_session_length`: the mean, in minutes, of the lengths of the user's sessions
    (`total_conversations` of them), a session lasting from its first message to its latest;
    the current session counts with its length so far.

    A new session adds a session of length 0: avg × n / (n + 1). A message in the current
    session lengthens it by `grown_minutes`: avg + grown / n. (SQL reads the old n on the right.)
    """
    sessions = Greatest(F("total_conversations"), Value(1), output_field=IntegerField())
    if new_session:
        return F("avg_session_length") * F("total_conversations") / (F("total_conversations") + 1.0)
    return F("avg_session_length") + Value(grown_minutes) / sessions
