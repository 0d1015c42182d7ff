"""What the system remembers of a person.

EdgeSoul (served under /edgesoul/): a companion profile per client-chosen `user_id`, its
long-term memories, emotional patterns and the recent conversation context. The other tables
reference the profile by its natural key `user_id` (as the original store did), so every
per-user query filters one indexed column without a join.

Learning (served under /learning/): a child's profile (slug id), the zh/en words and grammar
points mastered, the flash cards a parent approved and the chat with the tutor.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

# --- EdgeSoul ----------------------------------------------------------------------------


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


def _choices_check(field: str, choices: type[models.TextChoices], name: str):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


def _range_check(field: str, low: float, high: float, name: str):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": low, f"{field}__lte": high}), name=name
    )


class CompanionProfile(models.Model):
    """An EdgeSoul user's profile and personality settings (one per `user_id`)."""

    user_id = models.CharField(max_length=255, unique=True)
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

    class Meta:
        verbose_name = "EdgeSoul profile"
        verbose_name_plural = "EdgeSoul profiles"
        ordering = ("user_id",)
        constraints = [
            *(
                _range_check(field, 0, 100, f"memory_profile_{field}_0_100")
                for field in LEVEL_FIELDS
            ),
            _range_check("voice_speed", 0.5, 2.0, "memory_profile_voice_speed_range"),
            _range_check("voice_pitch", 0.0, 2.0, "memory_profile_voice_pitch_range"),
            models.CheckConstraint(
                condition=Q(avg_session_length__gte=0),
                name="memory_profile_avg_session_length_gte_0",
            ),
            _choices_check("gender", Gender, "memory_profile_gender_valid"),
            _choices_check("preferred_tone", Tone, "memory_profile_preferred_tone_valid"),
            _choices_check("response_style", ResponseStyle, "memory_profile_response_style_valid"),
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
            _choices_check("memory_type", MemoryType, "memory_memory_type_valid"),
            _range_check("confidence", 0.0, 1.0, "memory_memory_confidence_0_1"),
            _range_check("importance", 0.0, 1.0, "memory_memory_importance_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.memory_type}: {self.content[:60]}"


class EmotionalPattern(models.Model):
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

    class Meta:
        verbose_name = "emotional pattern"
        ordering = ("user_id", "-frequency", "emotion")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "emotion"], name="memory_pattern_user_emotion_uniq"
            ),
            _range_check("avg_intensity", 0.0, 100.0, "memory_pattern_avg_intensity_0_100"),
            _choices_check("trend", Trend, "memory_pattern_trend_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.emotion}"


class ConversationContext(models.Model):
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

    class Meta:
        verbose_name = "conversation context"
        ordering = ("-last_activity",)

    def __str__(self) -> str:
        return f"{self.user_id} / {self.session_id}"


# --- Learning ----------------------------------------------------------------------------


class Language(models.TextChoices):
    CHINESE = "zh", "Chinese"
    ENGLISH = "en", "English"


class ChatRole(models.TextChoices):
    USER = "user"
    ASSISTANT = "assistant"


class LearnerProfile(models.Model):
    """A child's learning profile; `id` is the slug of the name (`-2`, `-3`... on a clash)."""

    id = models.CharField(primary_key=True, max_length=255)
    name = models.CharField(max_length=255, db_index=True)
    dob = models.CharField("date of birth", max_length=64, blank=True, default="")
    gender = models.CharField(max_length=64, blank=True, default="")
    address = models.TextField(blank=True, default="")
    school = models.CharField(max_length=255, blank=True, default="")
    neighborhood = models.CharField(max_length=255, blank=True, default="")
    interests = models.JSONField(default=list, blank=True)
    character_roster = models.JSONField(default=list, blank=True)
    verbal_fluency = models.TextField(null=True, blank=True)  # noqa: DJ001 (the contract returns null)
    passive_language_level = models.TextField(null=True, blank=True)  # noqa: DJ001 (the contract returns null)
    mental_age = models.FloatField(null=True, blank=True)
    raw_input = models.TextField(null=True, blank=True)  # noqa: DJ001 (the contract returns null)
    extracted_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "learner profile"
        ordering = ("created_at", "id")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="memory_learner_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class MasteredWord(models.Model):
    profile = models.ForeignKey(
        LearnerProfile, on_delete=models.CASCADE, related_name="mastered_words"
    )
    word = models.CharField(max_length=255)
    language = models.CharField(max_length=2, choices=Language.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "mastered word"
        ordering = ("profile_id", "id")
        indexes = [models.Index(fields=["language"], name="memory_word_language_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "word", "language"], name="memory_word_profile_word_lang_uniq"
            ),
            _choices_check("language", Language, "memory_word_language_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.word} ({self.language})"


class MasteredGrammar(models.Model):
    profile = models.ForeignKey(
        LearnerProfile, on_delete=models.CASCADE, related_name="mastered_grammar"
    )
    grammar_uri = models.CharField(max_length=500)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "mastered grammar point"
        ordering = ("profile_id", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "grammar_uri"], name="memory_grammar_profile_uri_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.grammar_uri


class ApprovedCard(models.Model):
    profile = models.ForeignKey(
        LearnerProfile, on_delete=models.CASCADE, related_name="approved_cards"
    )
    card_type = models.CharField(max_length=100)
    content = models.JSONField(default=dict)
    approved_at = models.DateTimeField(default=timezone.now)
    # Set by the JSON import: a digest of the source record, so a second run skips it.
    import_key = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001 (NULLs are distinct in the unique key)

    class Meta:
        verbose_name = "approved card"
        ordering = ("profile_id", "approved_at", "id")
        indexes = [models.Index(fields=["profile", "approved_at"], name="memory_card_profile_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "import_key"], name="memory_card_profile_import_key_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_type} card"


class ChatMessage(models.Model):
    profile = models.ForeignKey(
        LearnerProfile, on_delete=models.CASCADE, related_name="chat_messages"
    )
    role = models.CharField(max_length=16, choices=ChatRole.choices)
    content = models.TextField()
    timestamp = models.DateTimeField(default=timezone.now, db_index=True)
    import_key = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001 (NULLs are distinct in the unique key)

    class Meta:
        verbose_name = "chat message"
        ordering = ("profile_id", "timestamp", "id")
        indexes = [models.Index(fields=["profile", "timestamp"], name="memory_chat_profile_ts_idx")]
        constraints = [
            _choices_check("role", ChatRole, "memory_chat_role_valid"),
            models.UniqueConstraint(
                fields=["profile", "import_key"], name="memory_chat_profile_import_key_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"
