"""PupMatch: dog profiles, photos, prompts, preferences, likes, passes, matches, conversations,
messages and playgrounds (the seed's 11 tables; `users` is accounts.User).

Locations are latitude/longitude columns on both engines; on PostgreSQL the migration adds a
generated PostGIS `geog` point with a GiST index (config.geo.AddGeographyColumn).
Ids are UUIDs, like the original's `str(uuid4())` keys, so imported rows keep their ids.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from config.natural_keys import NaturalKeyManager, NaturalKeyMixin

MIN_AGE, MAX_AGE = 0, 20


class ActivityLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class DistanceUnit(models.TextChoices):
    MILES = "miles", "Miles"
    KILOMETERS = "kilometers", "Kilometers"


def _point_constraints(prefix: str, nullable: bool) -> list[models.BaseConstraint]:
    lat_ok = Q(latitude__gte=-90.0, latitude__lte=90.0)
    lng_ok = Q(longitude__gte=-180.0, longitude__lte=180.0)
    if nullable:
        both_or_none = Q(latitude__isnull=True, longitude__isnull=True) | Q(
            latitude__isnull=False, longitude__isnull=False
        )
        return [
            models.CheckConstraint(
                condition=lat_ok | Q(latitude__isnull=True), name=f"{prefix}_latitude_range"
            ),
            models.CheckConstraint(
                condition=lng_ok | Q(longitude__isnull=True), name=f"{prefix}_longitude_range"
            ),
            models.CheckConstraint(condition=both_or_none, name=f"{prefix}_point_complete"),
        ]
    return [
        models.CheckConstraint(condition=lat_ok, name=f"{prefix}_latitude_range"),
        models.CheckConstraint(condition=lng_ok, name=f"{prefix}_longitude_range"),
    ]


class Profile(models.Model):
    # The table also has columns the ORM does not know, read by discovery's SQL: `geog` on
    # PostgreSQL (migration 0001) and `activity_level`, the preferences' copy kept by triggers
    # (migration 0005).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dog_profile"
    )
    name = models.CharField(max_length=100)
    age = models.PositiveSmallIntegerField(help_text="The dog's age in years (0–20).")
    bio = models.TextField(blank=True, default="", max_length=2000)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name", "id")
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="pm_profile_lat_lng"),
            # The admin's order and its date drill-down (100k profiles at demo scale 1).
            models.Index(fields=["name", "id"], name="pm_profile_name"),
            models.Index(fields=["created_at"], name="pm_profile_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(age__gte=MIN_AGE, age__lte=MAX_AGE), name="pm_profile_age_range"
            ),
            *_point_constraints("pm_profile", nullable=True),
        ]

    def __str__(self) -> str:
        return self.name


def photo_upload_to(instance: "Photo", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"pupmatch/photos/{instance.id}.{extension}"


class Photo(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_upload_to, max_length=500)
    # A 320 px wide WebP made by a job after the upload (empty until it ran).
    thumbnail = models.FileField(max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("profile", "order", "created_at")
        indexes = [models.Index(fields=["profile", "order"], name="pm_photo_profile_order")]

    def __str__(self) -> str:
        return self.image.name


class Prompt(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="prompts")
    question = models.CharField(max_length=500)
    answer = models.TextField(max_length=1000)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("profile", "order", "id")
        indexes = [models.Index(fields=["profile", "order"], name="pm_prompt_profile_order")]

    def __str__(self) -> str:
        return self.question


class Preferences(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    profile = models.OneToOneField(Profile, on_delete=models.CASCADE, related_name="preferences")
    min_age = models.PositiveSmallIntegerField(default=MIN_AGE)
    max_age = models.PositiveSmallIntegerField(default=MAX_AGE)
    max_distance = models.FloatField(
        default=25.0,
        help_text="How far away matches may live, in the distance unit below (miles or km).",
    )
    activity_level = models.CharField(
        max_length=10, choices=ActivityLevel.choices, default=ActivityLevel.MEDIUM
    )
    distance_unit = models.CharField(
        max_length=10, choices=DistanceUnit.choices, default=DistanceUnit.MILES
    )

    class Meta:
        verbose_name = "preferences"
        verbose_name_plural = "preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__gte=MIN_AGE, max_age__lte=MAX_AGE, min_age__lte=F("max_age")),
                name="pm_preferences_age_range",
            ),
            models.CheckConstraint(
                condition=Q(max_distance__gt=0), name="pm_preferences_distance_positive"
            ),
            # The seed's enum types, as checks (SQLite has no enums).
            models.CheckConstraint(
                condition=Q(activity_level__in=ActivityLevel.values),
                name="pm_preferences_activity_level",
            ),
            models.CheckConstraint(
                condition=Q(distance_unit__in=DistanceUnit.values),
                name="pm_preferences_distance_unit",
            ),
        ]

    def __str__(self) -> str:
        # The dog's name: the profile page's inline is titled "Preferences: Rex".
        return self.profile.name


class Like(NaturalKeyMixin, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pupmatch_likes"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pupmatch_liked_by"
    )
    created_at = models.DateTimeField(default=timezone.now)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("user_id", "target_id")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=["user", "target"], name="uq_like_user_target"),
            models.CheckConstraint(condition=~Q(user=F("target")), name="pm_like_not_self"),
        ]
        indexes = [
            # Mutual-like lookup: "has target already liked user?"
            models.Index(fields=["target", "user"], name="ix_likes_target_user"),
            # Newest first in the admin, and the dashboard's likes per day.
            models.Index(fields=["created_at"], name="ix_likes_created"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.target_id}"


class Pass(NaturalKeyMixin, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pupmatch_passes"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pupmatch_passed_by"
    )
    created_at = models.DateTimeField(default=timezone.now)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("user_id", "target_id")
    objects = NaturalKeyManager()

    class Meta:
        verbose_name_plural = "passes"
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=["user", "target"], name="uq_pass_user_target"),
            models.CheckConstraint(condition=~Q(user=F("target")), name="pm_pass_not_self"),
        ]
        indexes = [models.Index(fields=["created_at"], name="ix_passes_created")]

    def __str__(self) -> str:
        return f"{self.user_id} passed on {self.target_id}"


class Match(NaturalKeyMixin, models.Model):
    """A mutual like. The pair is stored ordered (user1 < user2) so it exists only once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user1 = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pupmatch_matches_as_1"
    )
    user2 = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pupmatch_matches_as_2"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("user1_id", "user2_id")
    objects = NaturalKeyManager()

    class Meta:
        verbose_name_plural = "matches"
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=["user1", "user2"], name="uq_match_users"),
            models.CheckConstraint(condition=Q(user1__lt=F("user2")), name="pm_match_ordered"),
        ]
        indexes = [
            models.Index(fields=["user1", "created_at"], name="ix_matches_user1_created"),
            models.Index(fields=["user2", "created_at"], name="ix_matches_user2_created"),
        ]

    def __str__(self) -> str:
        return f"{self.user1_id} ♥ {self.user2_id}"

    def other_user_id(self, user_id: uuid.UUID) -> uuid.UUID:
        return self.user2_id if self.user1_id == user_id else self.user1_id


class Conversation(NaturalKeyMixin, models.Model):
    """One per match. `userN_cleared_at` hides the history up to then for that user only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    match = models.OneToOneField(Match, on_delete=models.CASCADE, related_name="conversation")
    user1 = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pupmatch_conversations_as_1",
    )
    user2 = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pupmatch_conversations_as_2",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    user1_cleared_at = models.DateTimeField(null=True, blank=True)
    user2_cleared_at = models.DateTimeField(null=True, blank=True)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("user1_id", "user2_id")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ("-updated_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(user1__lt=F("user2")), name="pm_conversation_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["user1", "updated_at"], name="ix_conversations_u1_updated"),
            models.Index(fields=["user2", "updated_at"], name="ix_conversations_u2_updated"),
        ]

    def __str__(self) -> str:
        return f"conversation {self.id}"

    def cleared_at_for(self, user_id: uuid.UUID):
        return self.user1_cleared_at if self.user1_id == user_id else self.user2_cleared_at


class Playground(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pupmatch_playgrounds"
    )
    name = models.CharField(max_length=200, db_index=True)
    description = models.TextField(blank=True, default="")
    latitude = models.FloatField()
    longitude = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name", "id")
        indexes = [models.Index(fields=["latitude", "longitude"], name="pm_playground_lat_lng")]
        constraints = _point_constraints("pm_playground", nullable=False)

    def __str__(self) -> str:
        return self.name


class PlaygroundFavourite(NaturalKeyMixin, models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pupmatch_favourite_playgrounds",
    )
    playground = models.ForeignKey(Playground, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(default=timezone.now)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("user_id", "playground_id")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=["user", "playground"], name="uq_pm_favourite"),
        ]
        # The admin's changelist order (-created_at, -id) and date filter.
        indexes = [models.Index(fields=["created_at", "id"], name="pm_favourite_created")]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.playground_id}"


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pupmatch_sent_messages"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pupmatch_received_messages",
    )
    content = models.TextField(max_length=5000)
    read = models.BooleanField(default=False)
    # A shared playground; the message stays (with its text) if the playground is deleted.
    playground = models.ForeignKey(
        Playground, on_delete=models.SET_NULL, null=True, blank=True, related_name="shares"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="ix_messages_conv_created"),
            models.Index(fields=["recipient", "read"], name="ix_messages_recipient_read"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sender=F("recipient")), name="pm_message_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return self.content[:50]
