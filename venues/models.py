from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from config.natural_keys import NaturalKeyManager, NaturalKeyMixin


class Member(models.Model):
    """A Luna app user (not an auth account): the iOS app addresses them as `user_1`..."""

    id = models.CharField(primary_key=True, max_length=100)
    name = models.CharField(max_length=255)
    avatar = models.URLField(max_length=500)
    bio = models.TextField(blank=True)
    # The login account this member is (LUNA_ACCESS=user: that account's token acts as them).
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="luna_member",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = "member"
        # The admin lists members in this order (100k rows at demo scale 1).
        indexes = [models.Index(fields=("created_at", "id"), name="venues_member_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


# A venue's columns in one order: the legacy importer and the demo generator write rows so.
VENUE_FIELDS = (
    "id",
    "position",
    "name",
    "category",
    "description",
    "image",
    "address",
    "latitude",
    "longitude",
    "interested_count",
    "created_at",
    "updated_at",
)


class Venue(models.Model):
    id = models.CharField(primary_key=True, max_length=100)
    # Clients see venues in insertion order, which string ids don't give (venue_10 < venue_2).
    position = models.PositiveIntegerField(unique=True, editable=False)
    name = models.CharField(max_length=255)
    category = models.CharField(max_length=100, db_index=True)
    description = models.TextField()
    image = models.URLField(max_length=500)
    address = models.CharField(max_length=500)
    latitude = models.FloatField()
    longitude = models.FloatField()
    # Kept by interest_toggle with F() in the toggle's transaction: lists and recommendations
    # read it instead of counting every interest row on each request.
    interested_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Set on every edit of the venue's own fields (not on count changes): recommendations
    # cache the venue details per process and use it to see they changed.
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("position",)
        # The last edit (the version of the cached venue details) is read on every list and
        # recommendations request: an index scan of one row, not a scan of every venue.
        indexes = [models.Index(fields=("updated_at",), name="venues_venue_updated")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="venues_venue_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Interest(NaturalKeyMixin, models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="interests")
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="interests")
    created_at = models.DateTimeField(default=timezone.now)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("member_id", "venue_id")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("member", "venue"), name="venues_interest_unique_member_venue"
            ),
        ]
        indexes = [
            models.Index(fields=("venue", "created_at"), name="venues_interest_venue_time"),
            # Admin order and date drill-down, the dashboard's interests per day.
            models.Index(fields=("created_at", "id"), name="venues_interest_created"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.venue_id}"


class MemberCategory(NaturalKeyMixin, models.Model):
    """One of a member's interest categories (`coffee`, `food`...), used by recommendations."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("member_id", "category")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = "interest category"
        verbose_name_plural = "interest categories"
        indexes = [models.Index(fields=("created_at", "id"), name="venues_membercat_created")]
        constraints = [
            models.UniqueConstraint(
                fields=("member", "category"), name="venues_membercategory_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.category


class Friendship(NaturalKeyMixin, models.Model):
    """A symmetric friendship, stored once per pair with the smaller member id first."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="friendships_started")
    friend = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="friendships_received"
    )
    created_at = models.DateTimeField(default=timezone.now)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("member_id", "friend_id")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ("member", "friend")
        constraints = [
            models.UniqueConstraint(
                fields=("member", "friend"), name="venues_friendship_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(member__lt=F("friend")),
                name="venues_friendship_ordered_pair",
                violation_error_message="Store each friendship once, with the smaller member id first.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} ↔ {self.friend_id}"


class ActionItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        COMPLETED = "completed"
        DISMISSED = "dismissed"

    class ActionType(models.TextChoices):
        BOOK_VENUE = "book_venue"
        VISIT_VENUE = "visit_venue"

    id = models.CharField(primary_key=True, max_length=100)
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="action_items")
    # The members interested when the item was created (the API's `interested_user_ids`).
    members = models.ManyToManyField(
        Member, through="ActionItemMember", related_name="action_items"
    )
    action_type = models.CharField(max_length=50, choices=ActionType.choices)
    action_code = models.CharField(max_length=100, unique=True)
    description = models.TextField()
    status = models.CharField(
        max_length=50, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    threshold_met = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=("created_at", "id"), name="venues_actionitem_created")]
        constraints = [
            # Two concurrent toggles can never leave two pending items for one venue.
            models.UniqueConstraint(
                fields=("venue",),
                condition=Q(status="pending"),
                name="venues_actionitem_one_pending_per_venue",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "completed", "dismissed"]),
                name="venues_actionitem_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(action_type__in=["book_venue", "visit_venue"]),
                name="venues_actionitem_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.id


class ActionItemMember(models.Model):
    """Which members an action item is for: indexed, so a member's items are one lookup."""

    action_item = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, related_name="memberships"
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="action_item_memberships"
    )
    position = models.PositiveSmallIntegerField(default=0)  # order in which they became interested

    class Meta:
        ordering = ("action_item", "position")
        constraints = [
            models.UniqueConstraint(
                fields=("member", "action_item"), name="venues_actionitemmember_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_item_id}: {self.member_id}"
