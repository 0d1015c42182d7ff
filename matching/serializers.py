"""PupMatch request and response shapes (the original's routes keep their exact keys)."""

import functools
from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

# The auth payloads belong to the accounts app (YAGO's auth routes use them too).
from accounts.serializers import (  # noqa: F401
    LoginSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetRequestSerializer,
    RegisterSerializer,
    TokenSerializer,
    UserSerializer,
)
from config.limits import bounded_int
from matching.models import (
    MAX_AGE,
    MIN_AGE,
    ActivityLevel,
    DistanceUnit,
    Match,
    Message,
    Photo,
    Playground,
    Preferences,
    Profile,
    Prompt,
)
from matching.photos import photo_url, photo_urls
from matching.selectors import (
    Candidate,
    card_photos_and_prompts,
    preferences_for,
    whole_units,
)

# --- Accounts --------------------------------------------------------------------------------


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField()
    version = serializers.CharField()


# --- Photos ----------------------------------------------------------------------------------


class PhotoSerializer(serializers.ModelSerializer):
    """The contract's photo object, plus `thumbnail_url` (null until the thumbnail job ran).

    Both URLs are signed and expire (matching/photos.py)."""

    profile_id = serializers.UUIDField(read_only=True)
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ("id", "profile_id", "url", "order", "created_at", "thumbnail_url")

    def get_url(self, photo: Photo) -> str:
        return photo_url(photo.image.name, request=self.context.get("request"))

    def get_thumbnail_url(self, photo: Photo) -> str | None:
        return photo_url(photo.thumbnail.name, request=self.context.get("request"))


class PhotoUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class PhotoUploadResponseSerializer(serializers.Serializer):
    photo = PhotoSerializer()
    message = serializers.CharField()


class PhotoReorderSerializer(serializers.Serializer):
    photo_ids = serializers.ListField(child=serializers.UUIDField(), min_length=2, max_length=6)


@extend_schema_serializer(many=False)  # `list` answers {"photos": [...]}, not an array
class PhotoListResponseSerializer(serializers.Serializer):
    photos = PhotoSerializer(many=True)
    message = serializers.CharField(required=False)


# --- Profiles --------------------------------------------------------------------------------


class PromptSerializer(serializers.ModelSerializer):
    order = bounded_int(required=False)

    class Meta:
        model = Prompt
        fields = ("id", "question", "answer", "order")
        read_only_fields = ("id",)


class PreferencesSerializer(serializers.ModelSerializer):
    min_age = serializers.IntegerField(min_value=MIN_AGE, max_value=MAX_AGE, required=False)
    max_age = serializers.IntegerField(min_value=MIN_AGE, max_value=MAX_AGE, required=False)
    max_distance = serializers.FloatField(min_value=0.1, max_value=500.0, required=False)
    activity_level = serializers.ChoiceField(ActivityLevel.choices, required=False)
    distance_unit = serializers.ChoiceField(DistanceUnit.choices, required=False)

    class Meta:
        model = Preferences
        fields = ("min_age", "max_age", "max_distance", "activity_level", "distance_unit")

    def validate(self, attrs):
        min_age, max_age = attrs.get("min_age"), attrs.get("max_age")
        if min_age is not None and max_age is not None and min_age > max_age:
            raise serializers.ValidationError({"min_age": "min_age must not exceed max_age"})
        return attrs


class PlaygroundSerializer(serializers.ModelSerializer):
    owner_id = serializers.UUIDField(read_only=True)
    latitude = serializers.FloatField(min_value=-90.0, max_value=90.0)
    longitude = serializers.FloatField(min_value=-180.0, max_value=180.0)
    is_favourite = serializers.BooleanField(read_only=True, default=False)
    distance_km = serializers.SerializerMethodField()

    class Meta:
        model = Playground
        fields = (
            "id",
            "owner_id",
            "name",
            "description",
            "latitude",
            "longitude",
            "is_favourite",
            "distance_km",
            "created_at",
        )
        read_only_fields = ("id", "created_at")

    def get_distance_km(self, playground: Playground) -> float | None:
        distance = getattr(playground, "distance_km", None)
        return None if distance is None else round(distance, 3)


class PlaygroundBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Playground
        fields = ("id", "name", "description", "latitude", "longitude")


class ProfileSerializer(serializers.ModelSerializer):
    """Read shape of a full profile (profile_detail selector)."""

    user_id = serializers.UUIDField(read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    prompts = PromptSerializer(many=True, read_only=True)
    preferences = serializers.SerializerMethodField()
    favourite_playgrounds = serializers.SerializerMethodField()

    class Meta:
        model = Profile
        fields = (
            "id",
            "user_id",
            "name",
            "age",
            "bio",
            "latitude",
            "longitude",
            "photos",
            "prompts",
            "preferences",
            "favourite_playgrounds",
            "created_at",
            "updated_at",
        )

    def get_preferences(self, profile: Profile) -> PreferencesSerializer:
        return PreferencesSerializer(preferences_for(profile)).data

    def get_favourite_playgrounds(self, profile: Profile) -> PlaygroundBriefSerializer(many=True):
        favourites = profile.user.pupmatch_favourite_playgrounds.all()
        return PlaygroundBriefSerializer([f.playground for f in favourites], many=True).data


class OtherProfileSerializer(ProfileSerializer):
    """A profile by id: the same keys as one's own plus `distance` (from the viewer, in whole
    units of the viewer's `distance_unit`; null when either has no location) and
    `distance_unit`. Coordinates are null unless the viewer is the owner (context `is_owner`)."""

    latitude = serializers.SerializerMethodField()
    longitude = serializers.SerializerMethodField()
    distance = serializers.SerializerMethodField()
    distance_unit = serializers.SerializerMethodField()

    class Meta(ProfileSerializer.Meta):
        fields = (*ProfileSerializer.Meta.fields, "distance", "distance_unit")

    def get_latitude(self, profile: Profile) -> float | None:
        return profile.latitude if self.context["is_owner"] else None

    def get_longitude(self, profile: Profile) -> float | None:
        return profile.longitude if self.context["is_owner"] else None

    def get_distance(self, profile: Profile) -> int | None:
        distance_km = self.context["distance_km"]
        if distance_km is None:
            return None
        return whole_units(distance_km, self.context["distance_unit"])

    def get_distance_unit(self, profile: Profile) -> str:
        return self.context["distance_unit"]


class ProfileWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    age = serializers.IntegerField(min_value=MIN_AGE, max_value=MAX_AGE)
    bio = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    latitude = serializers.FloatField(min_value=-90.0, max_value=90.0, required=False)
    longitude = serializers.FloatField(min_value=-180.0, max_value=180.0, required=False)
    prompts = PromptSerializer(many=True, required=False)
    preferences = PreferencesSerializer(required=False)

    def validate(self, attrs):
        if ("latitude" in attrs) != ("longitude" in attrs):
            raise serializers.ValidationError({"location": "Send both latitude and longitude"})
        return attrs


class ProfileCardSerializer(serializers.ModelSerializer):
    """Another dog as discovery and matches show it."""

    user_id = serializers.UUIDField(read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    prompts = PromptSerializer(many=True, read_only=True)

    class Meta:
        model = Profile
        fields = ("id", "user_id", "name", "age", "bio", "photos", "prompts")


class DiscoveryCardSerializer(ProfileCardSerializer):
    """The discovery card's schema; `discovery_cards` builds the responses."""

    distance = serializers.IntegerField(read_only=True)
    distance_unit = serializers.CharField(read_only=True)
    compatibility_score = serializers.FloatField(read_only=True)

    class Meta(ProfileCardSerializer.Meta):
        fields = (
            *ProfileCardSerializer.Meta.fields,
            "distance",
            "distance_unit",
            "compatibility_score",
        )


def discovery_cards(
    candidates: list[Candidate], *, request, distance_unit: str
) -> list[dict[str, Any]]:
    """A page of discovery candidates in DiscoveryCardSerializer's shape (two queries).

    Built from value rows (no model instances, no serializer per photo): the photos' keys
    and formats are PhotoSerializer's, the prompts' PromptSerializer's (a test compares).
    """
    photos, prompts = card_photos_and_prompts([candidate.id for candidate in candidates])
    url = photo_urls(request=request)
    # Once per distinct time in the page (photos uploaded together share one).
    created_at = functools.cache(serializers.DateTimeField().to_representation)
    return [
        {
            "id": str(candidate.id),
            "user_id": str(candidate.user_id),
            "name": candidate.name,
            "age": candidate.age,
            "bio": candidate.bio,
            "photos": [
                {
                    "id": str(photo["id"]),
                    "profile_id": str(candidate.id),
                    "url": url(photo["image"]),
                    "order": photo["order"],
                    "created_at": created_at(photo["created_at"]),
                    "thumbnail_url": url(photo["thumbnail"]),
                }
                for photo in photos[candidate.id]
            ],
            "prompts": [
                {
                    "id": str(prompt["id"]),
                    "question": prompt["question"],
                    "answer": prompt["answer"],
                    "order": prompt["order"],
                }
                for prompt in prompts[candidate.id]
            ],
            # Whole units only (see selectors.whole_units).
            "distance": whole_units(candidate.distance_km, distance_unit),
            "distance_unit": distance_unit,
            "compatibility_score": round(candidate.compatibility_score, 4),
        }
        for candidate in candidates
    ]


# --- Likes and matches -----------------------------------------------------------------------


class MatchSerializer(serializers.ModelSerializer):
    matched_at = serializers.DateTimeField(source="created_at", read_only=True)
    conversation_id = serializers.SerializerMethodField()
    profile = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = ("id", "matched_at", "conversation_id", "profile")

    def get_conversation_id(self, match: Match) -> str | None:
        conversation = getattr(match, "conversation", None)
        return None if conversation is None else str(conversation.pk)

    def get_profile(self, match: Match) -> ProfileCardSerializer:
        user = self.context["request"].user
        other = match.user2 if match.user1_id == user.pk else match.user1
        profile = getattr(other, "dog_profile", None)
        return (
            None if profile is None else ProfileCardSerializer(profile, context=self.context).data
        )


class LikeResponseSerializer(serializers.Serializer):
    is_match = serializers.BooleanField()
    match = MatchSerializer(allow_null=True)


class PassResponseSerializer(serializers.Serializer):
    passed = serializers.BooleanField()


# --- Messaging -------------------------------------------------------------------------------


class MessageSerializer(serializers.ModelSerializer):
    conversation_id = serializers.UUIDField(read_only=True)
    sender_id = serializers.UUIDField(read_only=True)
    recipient_id = serializers.UUIDField(read_only=True)
    playground = PlaygroundBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Message
        fields = (
            "id",
            "conversation_id",
            "sender_id",
            "recipient_id",
            "content",
            "read",
            "playground",
            "created_at",
        )


def message_data(message: Message) -> dict[str, Any]:
    """One sent message in MessageSerializer's shape (a test compares): a ModelSerializer
    instance introspects the model on every use, a twentieth of the send route's CPU."""
    return {
        "id": str(message.id),
        "conversation_id": str(message.conversation_id),
        "sender_id": str(message.sender_id),
        "recipient_id": str(message.recipient_id),
        "content": message.content,
        "read": message.read,
        "playground": (
            PlaygroundBriefSerializer(message.playground).data if message.playground_id else None
        ),
        "created_at": serializers.DateTimeField().to_representation(message.created_at),
    }


class MessageCreateSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=5000)


class DirectMessageCreateSerializer(MessageCreateSerializer):
    recipient_id = serializers.UUIDField()


class ShareSerializer(serializers.Serializer):
    playground_id = serializers.UUIDField()
    content = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ConversationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    match_id = serializers.UUIDField()
    other_profile = serializers.SerializerMethodField()
    last_message = serializers.SerializerMethodField()
    unread_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_other_profile(self, conversation) -> dict | None:
        user = self.context["request"].user
        other = conversation.user2 if conversation.user1_id == user.pk else conversation.user1
        profile = getattr(other, "dog_profile", None)
        if profile is None:
            return None
        return {"id": str(profile.pk), "user_id": str(profile.user_id), "name": profile.name}

    def get_last_message(self, conversation) -> dict | None:
        if conversation.last_message_id is None:
            return None
        cleared_at = conversation.cleared_at
        if cleared_at is not None and conversation.last_message_at <= cleared_at:
            return None
        return {
            "id": str(conversation.last_message_id),
            "sender_id": str(conversation.last_message_sender_id),
            "content": conversation.last_message_content,
            "created_at": serializers.DateTimeField().to_representation(
                conversation.last_message_at
            ),
        }


class UnreadCountSerializer(serializers.Serializer):
    conversation_id = serializers.UUIDField()
    unread_count = serializers.IntegerField()


class UnreadSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    conversations = UnreadCountSerializer(many=True)


class MarkReadResponseSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class PlaygroundQuerySerializer(serializers.Serializer):
    latitude = serializers.FloatField(min_value=-90.0, max_value=90.0, required=False)
    longitude = serializers.FloatField(min_value=-180.0, max_value=180.0, required=False)
    radius_km = serializers.FloatField(min_value=0.01, max_value=500.0, required=False)
    q = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate(self, attrs):
        if ("latitude" in attrs) != ("longitude" in attrs):
            raise serializers.ValidationError({"location": "Send both latitude and longitude"})
        return attrs
