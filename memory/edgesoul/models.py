"""EdgeSoul (served under /edgesoul/): a companion profile per client-chosen `user_id`, its
long-term memories, emotional patterns and the recent conversation context. The other tables
reference the profile by its natural key `user_id` (as the original store did), so every
per-user query filters one indexed column without a join.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.natural_keys import NaturalKeyManager, NaturalKeyMixin

from ..constraints import choices_check, range_check


class Gender(models.TextChoices):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    NOT_SET = "not_set"


class Tone(models.TextChoices):
    FRIENDLY = "friendly"
    PROFESSIONAL = "professional"
    CASUAL = "casual"


class ResponseStyle(models.TextChoices):
    CONCISE = "concise"
    BALANCED = "balanced"
    DETAILED = "detailed"


class MemoryType(models.TextChoices):
    PREFERENCE = "preference"
    FACT = "fact"
    PATTERN = "pattern"
    CONVERSATION = "conversation"
    EMOTIONAL = "emotional"


class Trend(models.TextChoices):
    INCREASING = "increasing"
    DECREASING = "decreasing"
    STABLE = "stable"


LEVEL_FIELDS = (
    "empathy_level",
    "humor_level",
    "formality_level",
    "verbosity_level",
    "proactiveness_level",
)


# The profile object's fields in the contract's order: the API answers them, the demo data
# generator writes its rows in this column order.
PROFILE_FIELDS = (
    "user_id",
    "name",
    "gender",
    "empathy_level",
    "humor_level",
    "formality_level",
    "verbosity_level",
    "proactiveness_level",
    "preferred_tone",
    "response_style",
    "emoji_usage",
    "voice_enabled",
    "voice_speed",
    "voice_pitch",
    "auto_speak_responses",
    "interests",
    "dislikes",
    "communication_patterns",
    "total_conversations",
    "total_messages",
    "avg_session_length",
    "created_at",
    "updated_at",
)


class CompanionProfile(NaturalKeyMixin, models.Model):
    """An EdgeSoul user's profile and personality settings (one per `user_id`)."""

    user_id = models.CharField(max_length=255, unique=True)
    # The login account this EdgeSoul user is (EDGESOUL_ACCESS=user: only its token may use
    # this user_id; an account with no profile claims a free user_id on first use).
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="edgesoul_profile",
    )
    name = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001 (the contract returns null)
    gender = models.CharField(max_length=16, choices=Gender.choices, default=Gender.NOT_SET)
    empathy_level = models.PositiveSmallIntegerField(default=75)
    humor_level = models.PositiveSmallIntegerField(default=50)
    formality_level = models.PositiveSmallIntegerField(default=40)
    verbosity_level = models.PositiveSmallIntegerField(default=60)
    proactiveness_level = models.PositiveSmallIntegerField(default=50)
    preferred_tone = models.CharField(max_length=16, choices=Tone.choices, default=Tone.FRIENDLY)
    response_style = models.CharField(
        max_length=16, choices=ResponseStyle.choices, default=ResponseStyle.BALANCED
    )
    emoji_usage = models.BooleanField(default=True)
    voice_enabled = models.BooleanField(default=True)
    voice_speed = models.FloatField(default=1.0)
    voice_pitch = models.FloatField(default=1.0)
    auto_speak_responses = models.BooleanField(default=False)
    interests = models.JSONField(default=list, blank=True)
    dislikes = models.JSONField(default=list, blank=True)
    communication_patterns = models.JSONField(default=dict, blank=True)
    total_conversations = models.PositiveIntegerField(default=0)
    total_messages = models.PositiveIntegerField(default=0)
    avg_session_length = models.FloatField("average session length (minutes)", default=0.0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("user_id",)
    objects = NaturalKeyManager()

    class Meta:
        verbose_name = "EdgeSoul profile"
        verbose_name_plural = "EdgeSoul profiles"
        ordering = ("user_id",)
        constraints = [
            *(
                range_check(field, 0, 100, f"memory_profile_{field}_0_100")
                for field in LEVEL_FIELDS
            ),
            range_check("voice_speed", 0.5, 2.0, "memory_profile_voice_speed_range"),
            range_check("voice_pitch", 0.0, 2.0, "memory_profile_voice_pitch_range"),
            models.CheckConstraint(
                condition=Q(avg_session_length__gte=0),
                name="memory_profile_avg_session_length_gte_0",
            ),
            choices_check("gender", Gender, "memory_profile_gender_valid"),
            choices_check("preferred_tone", Tone, "memory_profile_preferred_tone_valid"),
            choices_check("response_style", ResponseStyle, "memory_profile_response_style_valid"),
        ]

    def __str__(self) -> str:
        return self.user_id


def new_memory_id() -> str:
    return f"mem_{uuid.uuid4().hex}"


class Memory(models.Model):
    """One long-term memory. `id` is the public string id (legacy `memory_id` kept on import)."""

    id = models.CharField(primary_key=True, max_length=255, default=new_memory_id, editable=False)
    user = models.ForeignKey(
        CompanionProfile,
        to_field="user_id",
        db_column="user_id",
        on_delete=models.CASCADE,
        related_name="memories",
        db_index=False,  # served by the (user, ...) indexes below
    )
    memory_type = models.CharField(max_length=16, choices=MemoryType.choices)
    content = models.TextField()
    context = models.TextField(null=True, blank=True)  # noqa: DJ001 (the contract returns null)
    confidence = models.FloatField(default=1.0)
    importance = models.FloatField(default=0.5)
    created_at = models.DateTimeField(default=timezone.now)
    last_accessed = models.DateTimeField(default=timezone.now)
    access_count = models.PositiveIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "memory"
        verbose_name_plural = "memories"
        ordering = ("-created_at", "-id")
        indexes = [
            # user_id alone is served by the leading column of the next two.
            models.Index(fields=["user", "memory_type"], name="memory_mem_user_type_idx"),
            models.Index(fields=["user", "-created_at"], name="memory_mem_user_created_idx"),
            models.Index(fields=["created_at"], name="memory_mem_created_idx"),
        ]
        constraints = [
            choices_check("memory_type", MemoryType, "memory_memory_type_valid"),
            range_check("confidence", 0.0, 1.0, "memory_memory_confidence_0_1"),
            range_check("importance", 0.0, 1.0, "memory_memory_importance_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.memory_type}: {self.content[:60]}"


class EmotionalPattern(NaturalKeyMixin, models.Model):
    """How often and how strongly one user feels one emotion (unique per user and emotion)."""

    user = models.ForeignKey(
        CompanionProfile,
        to_field="user_id",
        db_column="user_id",
        on_delete=models.CASCADE,
        related_name="emotional_patterns",
        db_index=False,  # served by the unique (user, emotion) index
    )
    emotion = models.CharField(max_length=50)
    frequency = models.PositiveIntegerField(default=0)
    avg_intensity = models.FloatField("average intensity (0-100)", default=0.0)
    triggers = models.JSONField(default=list, blank=True)
    time_patterns = models.JSONField(default=dict, blank=True)
    last_occurrence = models.DateTimeField(null=True, blank=True)
    trend = models.CharField(max_length=16, choices=Trend.choices, default=Trend.STABLE)
    # The latest occurrences, oldest first: [{"at": ISO time, "intensity": 0-100}, ...], at most
    # TREND_WINDOW; `trend` is computed from them (services.emotion_trend).
    recent_intensities = models.JSONField(default=list, blank=True, editable=False)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("user_id", "emotion")
    objects = NaturalKeyManager()

    class Meta:
        verbose_name = "emotional pattern"
        ordering = ("user_id", "-frequency", "emotion")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "emotion"], name="memory_pattern_user_emotion_uniq"
            ),
            range_check("avg_intensity", 0.0, 100.0, "memory_pattern_avg_intensity_0_100"),
            choices_check("trend", Trend, "memory_pattern_trend_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.emotion}"


class ConversationContext(NaturalKeyMixin, models.Model):
    """The recent conversation of one user: last 10 messages, 15 topics, 20 emotions."""

    MAX_MESSAGES = 10
    MAX_TOPICS = 15
    MAX_EMOTIONS = 20

    user = models.OneToOneField(
        CompanionProfile,
        to_field="user_id",
        db_column="user_id",
        on_delete=models.CASCADE,
        related_name="conversation_context",
    )
    session_id = models.CharField(max_length=255)
    messages = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    current_emotion = models.CharField(max_length=50, null=True, blank=True)  # noqa: DJ001 (the contract returns null)
    emotion_trajectory = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_activity = models.DateTimeField(default=timezone.now, db_index=True)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("user_id",)
    objects = NaturalKeyManager()

    class Meta:
        verbose_name = "conversation context"
        ordering = ("-last_activity",)

    def __str__(self) -> str:
        return f"{self.user_id} / {self.session_id}"


