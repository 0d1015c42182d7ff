"""Learning (served under /learning/): a child's profile (slug id), the zh/en words and grammar
points mastered, the flash cards a parent approved and the chat with the tutor.
"""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.natural_keys import NaturalKeyManager, NaturalKeyMixin

from ..constraints import choices_check


class Language(models.TextChoices):
    CHINESE = "zh", "Chinese"
    ENGLISH = "en", "English"


class ChatRole(models.TextChoices):
    USER = "user"
    ASSISTANT = "assistant"


# A profile's own fields in the contract's order (the API's profile object without its word
# lists; the demo data generator writes them in this column order).
LEARNER_PROFILE_FIELDS = (
    "name",
    "dob",
    "gender",
    "address",
    "school",
    "neighborhood",
    "interests",
    "character_roster",
    "verbal_fluency",
    "passive_language_level",
    "mental_age",
    "raw_input",
    "extracted_data",
)


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
    # The account that created it (LEARNING_ACCESS=user: only it sees the profile); empty for
    # imported and seeded profiles, which only staff see in that mode.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="learner_profiles",
    )
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


class MasteredWord(NaturalKeyMixin, models.Model):
    profile = models.ForeignKey(
        LearnerProfile, on_delete=models.CASCADE, related_name="mastered_words"
    )
    word = models.CharField(max_length=255)
    language = models.CharField(max_length=2, choices=Language.choices)
    added_at = models.DateTimeField(default=timezone.now)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("profile_id", "word", "language")
    objects = NaturalKeyManager()

    class Meta:
        verbose_name = "mastered word"
        ordering = ("profile_id", "id")
        indexes = [
            # The admin's language filter in its order (a language's 250k words at demo scale
            # 1 would otherwise be sorted to show 50).
            models.Index(fields=["language", "profile", "id"], name="memory_word_lang_order_idx"),
            # The admin dashboard's words mastered per day (500k words at demo scale 1).
            models.Index(fields=["added_at"], name="memory_word_added_idx"),
            models.Index(fields=["word"], name="memory_word_word_idx"),  # the admin's search
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "word", "language"], name="memory_word_profile_word_lang_uniq"
            ),
            choices_check("language", Language, "memory_word_language_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.word} ({self.language})"


class MasteredGrammar(NaturalKeyMixin, models.Model):
    profile = models.ForeignKey(
        LearnerProfile, on_delete=models.CASCADE, related_name="mastered_grammar"
    )
    grammar_uri = models.CharField(max_length=500)
    added_at = models.DateTimeField(default=timezone.now)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("profile_id", "grammar_uri")
    objects = NaturalKeyManager()

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


class ApprovedCard(NaturalKeyMixin, models.Model):
    profile = models.ForeignKey(
        LearnerProfile, on_delete=models.CASCADE, related_name="approved_cards"
    )
    card_type = models.CharField(max_length=100)
    content = models.JSONField(default=dict)
    approved_at = models.DateTimeField(default=timezone.now)
    # Set by the JSON import: a digest of the source record, so a second run skips it.
    import_key = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001 (NULLs are distinct in the unique key)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("profile_id", "import_key")
    objects = NaturalKeyManager()

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


class ChatMessage(NaturalKeyMixin, models.Model):
    profile = models.ForeignKey(
        LearnerProfile, on_delete=models.CASCADE, related_name="chat_messages"
    )
    role = models.CharField(max_length=16, choices=ChatRole.choices)
    content = models.TextField()
    timestamp = models.DateTimeField(default=timezone.now, db_index=True)
    import_key = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001 (NULLs are distinct in the unique key)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("profile_id", "import_key")
    objects = NaturalKeyManager()

    class Meta:
        verbose_name = "chat message"
        ordering = ("profile_id", "timestamp", "id")
        indexes = [models.Index(fields=["profile", "timestamp"], name="memory_chat_profile_ts_idx")]
        constraints = [
            choices_check("role", ChatRole, "memory_chat_role_valid"),
            models.UniqueConstraint(
                fields=["profile", "import_key"], name="memory_chat_profile_import_key_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"
