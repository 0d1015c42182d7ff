"""Learning API (`/learning/profiles...`): thin viewset + serializers.

Word lists travel as the old app's joined strings: zh and en words joined with ", ", grammar
points with "," (no space). Profiles are found by id, or by name when no id matches (the
old app linked profiles by name).
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from config import access

from ..validators import no_nul_characters
from . import selectors, services
from .models import (
    LEARNER_PROFILE_FIELDS,
    ApprovedCard,
    ChatMessage,
    ChatRole,
    Language,
    LearnerProfile,
)

PROFILE_FIELDS = LEARNER_PROFILE_FIELDS
LIST_FIELDS = {
    "mastered_words": "words_zh",
    "mastered_english_words": "words_en",
    "mastered_grammar": "grammar",
}


def profile_representation(
    profile: LearnerProfile, lists: tuple[list[tuple[str, str]], list[str]] | None = None
) -> dict:
    """The profile object of the contract; the word and grammar lists from `lists`
    (selectors.learner_lists) or else from the prefetched words and grammar."""
    if lists is None:
        pairs = [(word.language, word.word) for word in profile.mastered_words.all()]
        grammar_uris = [grammar.grammar_uri for grammar in profile.mastered_grammar.all()]
    else:
        pairs, grammar_uris = lists
    fields = {name: getattr(profile, name) for name in selectors.PROFILE_ROW_FIELDS}
    return profile_data(fields, pairs, grammar_uris)


def profile_data(
    fields: dict, pairs: list[tuple[str, str]], grammar_uris: list[str]
) -> dict:
    """The profile object of the contract from the profile's own fields
    (selectors.PROFILE_ROW_FIELDS), its (language, word) pairs and grammar URIs."""
    words = {Language.CHINESE: [], Language.ENGLISH: []}
    for language, word in pairs:
        words[language].append(word)
    return {
        "id": fields["id"],
        "name": fields["name"],
        "dob": fields["dob"],
        "gender": fields["gender"],
        "address": fields["address"],
        "school": fields["school"],
        "neighborhood": fields["neighborhood"],
        "interests": fields["interests"],
        "character_roster": fields["character_roster"],
        "verbal_fluency": fields["verbal_fluency"],
        "passive_language_level": fields["passive_language_level"],
        "mental_age": fields["mental_age"],
        "raw_input": fields["raw_input"],
        "mastered_words": services.WORD_SEPARATOR.join(words[Language.CHINESE]),
        "mastered_english_words": services.WORD_SEPARATOR.join(words[Language.ENGLISH]),
        "mastered_grammar": services.GRAMMAR_SEPARATOR.join(grammar_uris),
        "extracted_data": fields["extracted_data"],
    }


class LearnerProfileWriteSerializer(serializers.Serializer):
    """POST body (name through interests required) and PUT body (every field optional)."""

    name = serializers.CharField(max_length=255)
    dob = serializers.CharField(max_length=64, allow_blank=True)
    gender = serializers.CharField(max_length=64, allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    school = serializers.CharField(max_length=255, allow_blank=True)
    neighborhood = serializers.CharField(max_length=255, allow_blank=True)
    interests = serializers.ListField(child=serializers.CharField(max_length=255))
    character_roster = serializers.ListField(required=False, validators=[no_nul_characters])
    verbal_fluency = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    passive_language_level = serializers.CharField(
        required=False, allow_blank=True, allow_null=True
    )
    mental_age = serializers.FloatField(required=False, allow_null=True, min_value=0)
    raw_input = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    extracted_data = serializers.DictField(required=False, validators=[no_nul_characters])
    mastered_words = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    mastered_english_words = serializers.CharField(
        required=False, allow_blank=True, allow_null=True
    )
    mastered_grammar = serializers.CharField(required=False, allow_blank=True, allow_null=True)

    def split(self) -> tuple[dict, dict]:
        """(model fields, word/grammar lists) from the validated data."""
        data = dict(self.validated_data)
        lists = {
            argument: services.split_joined(data.pop(key))
            for key, argument in LIST_FIELDS.items()
            if key in data
        }
        return data, lists


class CardSerializer(serializers.ModelSerializer):
    content = serializers.DictField(validators=[no_nul_characters])

    class Meta:
        model = ApprovedCard
        fields = ("id", "card_type", "content", "approved_at")
        read_only_fields = ("id", "approved_at")


class ChatMessageSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(ChatRole.choices)
    timestamp = serializers.DateTimeField(required=False)

    class Meta:
        model = ChatMessage
        fields = ("id", "role", "content", "timestamp")
        read_only_fields = ("id",)


class LearnerProfileOutSerializer(serializers.Serializer):
    """The profile object as served (profile_representation); for the schema only."""

    id = serializers.CharField()
    name = serializers.CharField()
    dob = serializers.CharField()
    gender = serializers.CharField()
    address = serializers.CharField()
    school = serializers.CharField()
    neighborhood = serializers.CharField()
    interests = serializers.ListField(child=serializers.CharField())
    character_roster = serializers.ListField(child=serializers.JSONField())
    verbal_fluency = serializers.CharField(allow_null=True)
    passive_language_level = serializers.CharField(allow_null=True)
    mental_age = serializers.FloatField(allow_null=True)
    raw_input = serializers.CharField(allow_null=True)
    mastered_words = serializers.CharField()
    mastered_english_words = serializers.CharField()
    mastered_grammar = serializers.CharField()
    extracted_data = serializers.DictField()


PROFILE_DELETED = inline_serializer("LearningProfileDeleted", {"message": serializers.CharField()})


class LearnerProfileViewSet(access.LearningAccess, viewsets.ViewSet):
    """Profiles of the children, their approved cards and their chat with the tutor.

    Who may call is LEARNING_ACCESS; with `user` the selectors return only the caller's
    profiles (another's is 404, as an unknown one).
    """

    lookup_value_regex = "[^/\\x00]+"  # NUL cannot be stored (or compared) by PostgreSQL

    def _profile(self, pk: str, *, with_lists: bool = True) -> LearnerProfile:
        profile = selectors.learner_profile_get(
            key=pk, viewer=self.request.user, with_lists=with_lists
        )
        if profile is None:
            raise NotFound("Profile not found")
        return profile

    def _reloaded(self, profile: LearnerProfile) -> dict:
        return profile_representation(
            selectors.learner_profile_get(key=profile.id, viewer=self.request.user)
        )

    @extend_schema(
        responses=LearnerProfileOutSerializer(many=True), operation_id="learning_profiles_list"
    )
    def list(self, request: Request) -> Response:
        return Response(
            [
                profile_representation(profile)
                for profile in selectors.learner_profile_list(viewer=request.user)
            ]
        )

    @extend_schema(
        request=LearnerProfileWriteSerializer, responses={200: LearnerProfileOutSerializer}
    )
    def create(self, request: Request) -> Response:
        serializer = LearnerProfileWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, lists = serializer.split()
        profile = services.learner_profile_create(
            fields=fields, owner=access.account(request), **lists
        )
        # The original answered 200 (not 201) with the profile: clients expect that.
        return Response(self._reloaded(profile), status=status.HTTP_200_OK)

    @extend_schema(responses=LearnerProfileOutSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        row = selectors.learner_profile_row(key=pk, viewer=request.user)
        if row is None:
            raise NotFound("Profile not found")
        return Response(profile_data(row, *selectors.learner_lists(profile_id=row["id"])))

    @extend_schema(request=LearnerProfileWriteSerializer, responses=LearnerProfileOutSerializer)
    def update(self, request: Request, pk: str) -> Response:
        profile = self._profile(pk, with_lists=False)
        serializer = LearnerProfileWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields, lists = serializer.split()
        profile = services.learner_profile_update(profile=profile, fields=fields, **lists)
        return Response(self._reloaded(profile))

    @extend_schema(responses={200: PROFILE_DELETED})
    def destroy(self, request: Request, pk: str) -> Response:
        services.learner_profile_delete(profile=self._profile(pk, with_lists=False))
        return Response({"message": "Profile deleted successfully"})

    @extend_schema(responses=CardSerializer(many=True), methods=["GET"])
    @extend_schema(request=CardSerializer, responses={201: CardSerializer}, methods=["POST"])
    @action(detail=True, methods=["get", "post"])
    def cards(self, request: Request, pk: str) -> Response:
        profile = self._profile(pk, with_lists=False)
        if request.method == "GET":
            return Response(CardSerializer(selectors.card_list(profile=profile), many=True).data)
        serializer = CardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        card = services.card_approve(profile=profile, **serializer.validated_data)
        return Response(CardSerializer(card).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ChatMessageSerializer(many=True), methods=["GET"])
    @extend_schema(
        request=ChatMessageSerializer, responses={201: ChatMessageSerializer}, methods=["POST"]
    )
    @action(detail=True, methods=["get", "post"])
    def chat(self, request: Request, pk: str) -> Response:
        profile = self._profile(pk, with_lists=False)
        if request.method == "GET":
            messages = selectors.chat_list(profile=profile)
            return Response(ChatMessageSerializer(messages, many=True).data)
        serializer = ChatMessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.chat_message_add(profile=profile, **serializer.validated_data)
        return Response(ChatMessageSerializer(message).data, status=status.HTTP_201_CREATED)
