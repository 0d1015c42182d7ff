"""EdgeSoul companion-memory API (`/edgesoul/api/v1/memory/...`): thin viewsets + serializers.

`user_id` is a client-chosen string (the companion app's session id). Who may call is
EDGESOUL_ACCESS (config/access.py); with `user`, every `user_id` of a request (path or body)
must be the one linked to the caller's account: another's in the path is 404, in a body 403.
"""

from django.db import transaction
from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from config import access
from config.limits import MAX_SEARCH_LENGTH, bounded_int, validate_search_text

from ..validators import no_nul_characters
from . import selectors, services
from .models import (
    PROFILE_FIELDS,
    CompanionProfile,
    ConversationContext,
    EmotionalPattern,
    Gender,
    Memory,
    MemoryType,
    ResponseStyle,
    Tone,
)

# --- Serializers -------------------------------------------------------------------------


class CompanionProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompanionProfile
        fields = PROFILE_FIELDS


def _level(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=100, required=False, **kwargs)


class PersonalitySerializer(serializers.Serializer):
    empathy = _level()
    humor = _level()
    formality = _level()
    verbosity = _level()
    proactiveness = _level()


class CompanionProfileUpdateSerializer(serializers.Serializer):
    """PUT body: every field optional; unknown keys are ignored (as the original did)."""

    name = serializers.CharField(max_length=255, required=False, allow_null=True, allow_blank=True)
    gender = serializers.ChoiceField(Gender.choices, required=False)
    empathy_level = _level()
    humor_level = _level()
    formality_level = _level()
    verbosity_level = _level()
    proactiveness_level = _level()
    preferred_tone = serializers.ChoiceField(Tone.choices, required=False)
    response_style = serializers.ChoiceField(ResponseStyle.choices, required=False)
    emoji_usage = serializers.BooleanField(required=False)
    voice_enabled = serializers.BooleanField(required=False)
    voice_speed = serializers.FloatField(min_value=0.5, max_value=2.0, required=False)
    voice_pitch = serializers.FloatField(min_value=0.0, max_value=2.0, required=False)
    auto_speak_responses = serializers.BooleanField(required=False)
    interests = serializers.ListField(child=serializers.CharField(max_length=255), required=False)
    dislikes = serializers.ListField(child=serializers.CharField(max_length=255), required=False)
    communication_patterns = serializers.DictField(required=False, validators=[no_nul_characters])
    total_conversations = bounded_int(required=False)
    total_messages = bounded_int(required=False)
    avg_session_length = serializers.FloatField(min_value=0, required=False)
    personality = PersonalitySerializer(required=False)
    preferences = serializers.DictField(required=False, validators=[no_nul_characters])

    def validate(self, attrs):
        personality = attrs.pop("personality", None) or {}
        for trait, value in personality.items():
            attrs[f"{trait}_level"] = value
        return attrs


class MemorySerializer(serializers.ModelSerializer):
    user_id = serializers.CharField()

    class Meta:
        model = Memory
        fields = selectors.MEMORY_FIELDS  # also the columns of a search's value rows


# DRF's own rendering of a datetime (the current time zone, ISO 8601, "Z" for UTC).
_DATETIME = serializers.DateTimeField()


def memory_rows_data(rows: list[dict]) -> list[dict]:
    """What MemorySerializer(many=True).data gives for these memories, from value rows
    (selectors.MEMORY_FIELDS): the same keys, order and values, without a serializer per row."""
    return [
        {
            "id": row["id"],
            "user_id": row["user_id"],
            "memory_type": row["memory_type"],
            "content": row["content"],
            "context": row["context"],
            "confidence": float(row["confidence"]),
            "importance": float(row["importance"]),
            "created_at": _DATETIME.to_representation(row["created_at"]),
            "last_accessed": _DATETIME.to_representation(row["last_accessed"]),
            "access_count": int(row["access_count"]),
            "metadata": row["metadata"],
        }
        for row in rows
    ]


class MemoryListQuerySerializer(serializers.Serializer):
    memory_type = serializers.ChoiceField(MemoryType.choices, required=False, allow_blank=True)
    days = serializers.IntegerField(min_value=1, max_value=365, default=30)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


class MemoryTypeQuerySerializer(serializers.Serializer):
    memory_type = serializers.ChoiceField(MemoryType.choices, required=False, allow_blank=True)


class MemoryCreateSerializer(serializers.Serializer):
    memory_type = serializers.ChoiceField(MemoryType.choices)
    content = serializers.CharField()
    context = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    confidence = serializers.FloatField(min_value=0.0, max_value=1.0, default=1.0)
    importance = serializers.FloatField(min_value=0.0, max_value=1.0, default=0.5)
    metadata = serializers.DictField(required=False, default=dict, validators=[no_nul_characters])


class MemorySearchSerializer(serializers.Serializer):
    user_id = serializers.CharField(max_length=255)
    query = serializers.CharField(max_length=MAX_SEARCH_LENGTH, validators=[validate_search_text])
    memory_types = serializers.ListField(
        child=serializers.ChoiceField(MemoryType.choices), required=False, allow_null=True
    )
    limit = serializers.IntegerField(min_value=1, max_value=100, default=5)
    min_confidence = serializers.FloatField(min_value=0.0, max_value=1.0, default=0.3)


class EmotionTrackSerializer(serializers.Serializer):
    emotion = serializers.CharField(max_length=50)
    intensity = serializers.FloatField(min_value=0.0, max_value=100.0)
    triggers = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    timestamp = serializers.DateTimeField(required=False, allow_null=True)

    def validate_emotion(self, value: str) -> str:
        return value.strip().lower()


class PatternSerializer(serializers.ModelSerializer):
    user_id = serializers.CharField()

    class Meta:
        model = EmotionalPattern
        fields = (
            "user_id",
            "emotion",
            "frequency",
            "avg_intensity",
            "triggers",
            "time_patterns",
            "last_occurrence",
            "trend",
        )


class SummaryQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=90, default=7)


class ConversationAppendSerializer(serializers.Serializer):
    session_id = serializers.CharField(max_length=255)
    role = serializers.ChoiceField(["user", "assistant"])
    content = serializers.CharField()
    topics = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    emotion = serializers.CharField(max_length=50, required=False, allow_null=True)


class ContextSerializer(serializers.ModelSerializer):
    user_id = serializers.CharField()
    message_count = serializers.SerializerMethodField()

    class Meta:
        model = ConversationContext
        fields = (
            "user_id",
            "session_id",
            "message_count",
            "topics",
            "current_emotion",
            "emotion_trajectory",
            "last_activity",
        )

    def get_message_count(self, context: ConversationContext) -> int:
        return len(context.messages)


def _valid(serializer_class: type[serializers.Serializer], data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _created(message: str, **extra) -> Response:
    return Response(
        {"status": "success", "message": message, **extra}, status=status.HTTP_201_CREATED
    )


# --- Views -------------------------------------------------------------------------------

CREATED = inline_serializer(
    "EdgeSoulCreated",
    {"status": serializers.CharField(), "message": serializers.CharField()},
)
MEMORY_CREATED = inline_serializer(
    "EdgeSoulMemoryCreated",
    {
        "status": serializers.CharField(),
        "message": serializers.CharField(),
        "id": serializers.CharField(),
    },
)
CLEARED = inline_serializer(
    "EdgeSoulMemoriesCleared",
    {
        "message": serializers.CharField(),
        "memory_type": serializers.CharField(allow_null=True),
        "deleted": serializers.IntegerField(),
    },
)


NO_CONTEXT = inline_serializer("EdgeSoulNoContext", {"message": serializers.CharField()})
CONTEXT_OR_MESSAGE = PolymorphicProxySerializer(
    component_name="EdgeSoulContextOrMessage",
    serializers=[ContextSerializer, NO_CONTEXT],
    resource_type_field_name=None,
)
CONVERSATION_MESSAGES = inline_serializer(
    "EdgeSoulConversationMessage",
    {
        "role": serializers.CharField(),
        "content": serializers.CharField(),
        "timestamp": serializers.CharField(),
        "emotion": serializers.CharField(allow_null=True),
    },
    many=True,
)
# The contract's summary, or JSON null when no pattern falls in the window.
EMOTION_SUMMARY = OpenApiResponse(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "user_id": {"type": "string"},
            "time_period": {"type": "string"},
            "dominant_emotion": {"type": "string"},
            "emotion_distribution": {"type": "object", "additionalProperties": {"type": "number"}},
            "mood_trend": {"type": "string", "enum": ["improving", "declining", "stable"]},
            "notable_patterns": {"type": "array", "items": {"type": "string"}},
            "generated_at": {"type": "string", "format": "date-time"},
        },
        "required": [
            "user_id",
            "time_period",
            "dominant_emotion",
            "emotion_distribution",
            "mood_trend",
            "notable_patterns",
            "generated_at",
        ],
    },
    description="The summary, or null when no emotion was tracked in the window",
)


class UserIdSerializer(serializers.Serializer):
    # CharField also refuses NUL characters, which PostgreSQL cannot store.
    user_id = serializers.CharField(max_length=255)


USER_NOT_FOUND = "User not found"


class EdgeSoulViewSet(access.EdgeSoulAccess, viewsets.ViewSet):
    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        # The path's user id: 400 rather than a database error (search's is the URL's own
        # constant "search"; its body's user_id is validated by the view).
        if "user_id" in kwargs and self.action != "search":
            _valid(UserIdSerializer, {"user_id": kwargs["user_id"]})
            if self.checks_path_user_id:
                profile = services.profile_for_account(
                    user_id=kwargs["user_id"], account=request.user
                )
                if profile is None:
                    raise NotFound(USER_NOT_FOUND)

    @property
    def checks_path_user_id(self) -> bool:
        """EDGESOUL_ACCESS=user: the path's user_id must be the caller's (search takes its
        user_id from the body, checked by the view; OPTIONS reads no data)."""
        return (
            access.EDGESOUL.scoped_to_account
            and self.action != "search"
            and self.request.method != "OPTIONS"
        )

    def check_own_body_user_id(self, user_id: str) -> None:
        if access.EDGESOUL.scoped_to_account:
            own = selectors.profile_of_account(account=self.request.user)
            access.check_body_user_id(claimed=user_id, own=own and own.user_id)


class ProfileViewSet(EdgeSoulViewSet):
    @extend_schema(responses=CompanionProfileSerializer)
    def retrieve(self, request: Request, user_id: str) -> Response:
        profile = services.profile_get_or_create(user_id=user_id)
        return Response(CompanionProfileSerializer(profile).data)

    @extend_schema(request=CompanionProfileUpdateSerializer, responses=CompanionProfileSerializer)
    def update(self, request: Request, user_id: str) -> Response:
        fields = _valid(CompanionProfileUpdateSerializer, request.data)
        preferences = fields.pop("preferences", None)
        profile = services.profile_update(user_id=user_id, fields=fields, preferences=preferences)
        return Response(CompanionProfileSerializer(profile).data)


class MemoryViewSet(EdgeSoulViewSet):
    @extend_schema(parameters=[MemoryListQuerySerializer], responses=MemorySerializer(many=True))
    def list(self, request: Request, user_id: str) -> Response:
        params = _valid(MemoryListQuerySerializer, request.query_params)
        memories = selectors.memory_list(
            user_id=user_id,
            memory_type=params.get("memory_type") or None,
            days=params["days"],
            limit=params["limit"],
        )
        return Response(MemorySerializer(memories, many=True).data)

    @extend_schema(parameters=[MemoryTypeQuerySerializer], responses={200: CLEARED})
    def clear(self, request: Request, user_id: str) -> Response:
        memory_type = _valid(MemoryTypeQuerySerializer, request.query_params).get("memory_type")
        deleted = services.memories_delete(user_id=user_id, memory_type=memory_type or None)
        return Response(
            {
                "message": f"Memories cleared for user {user_id}",
                "memory_type": memory_type or None,
                "deleted": deleted,
            }
        )

    @extend_schema(request=MemorySearchSerializer, responses=MemorySerializer(many=True))
    @transaction.non_atomic_requests  # a read and one UPDATE: no lock held for the request
    def search(self, request: Request, user_id: str = "search") -> Response:
        data = _valid(MemorySearchSerializer, request.data)
        self.check_own_body_user_id(data["user_id"])
        rows = services.memory_search(
            user_id=data["user_id"],
            query=data["query"],
            memory_types=data.get("memory_types") or None,
            limit=data["limit"],
            min_confidence=data["min_confidence"],
        )
        return Response(memory_rows_data(rows))

    @extend_schema(request=MemoryCreateSerializer, responses={201: MEMORY_CREATED})
    def create(self, request: Request, user_id: str) -> Response:
        data = _valid(MemoryCreateSerializer, request.data)
        memory = services.memory_create(user_id=user_id, **data)
        return _created("Memory created", id=memory.id)


class EmotionViewSet(EdgeSoulViewSet):
    @extend_schema(request=EmotionTrackSerializer, responses={201: CREATED})
    def create(self, request: Request, user_id: str) -> Response:
        data = _valid(EmotionTrackSerializer, request.data)
        services.emotion_track(
            user_id=user_id,
            emotion=data["emotion"],
            intensity=data["intensity"],
            triggers=data["triggers"],
            timestamp=data.get("timestamp"),
        )
        return _created("Emotion created")

    @extend_schema(responses=PatternSerializer(many=True))
    def list(self, request: Request, user_id: str) -> Response:
        patterns = selectors.pattern_list(user_id=user_id)
        return Response(PatternSerializer(patterns, many=True).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def patterns(self, request: Request, user_id: str) -> Response:
        patterns = PatternSerializer(selectors.pattern_list(user_id=user_id), many=True).data
        return Response(
            {
                "user_id": user_id,
                "patterns": {
                    pattern["emotion"]: {
                        key: pattern[key]
                        for key in ("frequency", "avg_intensity", "triggers", "last_occurrence")
                    }
                    for pattern in patterns
                },
            }
        )

    @extend_schema(parameters=[SummaryQuerySerializer], responses={200: EMOTION_SUMMARY})
    def summary(self, request: Request, user_id: str) -> Response:
        days = _valid(SummaryQuerySerializer, request.query_params)["days"]
        summary = selectors.emotion_summary(user_id=user_id, days=days)
        if summary is None:
            # DRF renders None as an empty body; the contract answers JSON null.
            return JsonResponse(None, safe=False)
        summary["generated_at"] = serializers.DateTimeField().to_representation(
            summary["generated_at"]
        )
        return Response(summary)


class ConversationViewSet(EdgeSoulViewSet):
    @extend_schema(request=ConversationAppendSerializer, responses={201: CREATED})
    def create(self, request: Request, user_id: str) -> Response:
        data = _valid(ConversationAppendSerializer, request.data)
        services.conversation_append(user_id=user_id, **data)
        return _created("Conversation created")

    @extend_schema(responses=CONTEXT_OR_MESSAGE)
    def context(self, request: Request, user_id: str) -> Response:
        context = selectors.context_get(user_id=user_id)
        if context is None:
            return Response({"message": "No active conversation context"})
        return Response(ContextSerializer(context).data)

    @extend_schema(responses=CONVERSATION_MESSAGES)
    def messages(self, request: Request, user_id: str) -> Response:
        context = selectors.context_get(user_id=user_id)
        return Response(context.messages if context else [])


class StatsViewSet(EdgeSoulViewSet):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, user_id: str) -> Response:
        profile = services.profile_get_or_create(user_id=user_id)
        return Response(selectors.user_stats(profile=profile))
