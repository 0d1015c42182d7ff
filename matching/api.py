"""PupMatch views: thin DRF viewsets that validate, call one service or selector, serialize."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts import services as accounts
from accounts.api import login_response
from config.authentication import JWTAuthentication
from config.pagination import BoundedLimitOffsetPagination, bounded_page_size_parameters
from config.schema import error_responses
from config.throttling import (
    LoginAccountThrottle,
    PasswordResetAccountThrottle,
    ScopedRateThrottle,
    UserRateThrottle,
)
from matching import selectors, services
from matching.models import (
    Conversation,
    Match,
    Message,
    Photo,
    Playground,
    Preferences,
    Profile,
)
from matching.serializers import (
    ConversationSerializer,
    DirectMessageCreateSerializer,
    DiscoveryCardSerializer,
    HealthSerializer,
    LikeResponseSerializer,
    LoginSerializer,
    MarkReadResponseSerializer,
    MatchSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    OtherProfileSerializer,
    PassResponseSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetRequestSerializer,
    PhotoListResponseSerializer,
    PhotoReorderSerializer,
    PhotoSerializer,
    PhotoUploadResponseSerializer,
    PhotoUploadSerializer,
    PlaygroundQuerySerializer,
    PlaygroundSerializer,
    ProfileSerializer,
    ProfileWriteSerializer,
    RegisterSerializer,
    ShareSerializer,
    TokenSerializer,
    UnreadSummarySerializer,
    UserSerializer,
    discovery_cards,
    message_data,
)

API_VERSION = "1.0.0"
UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


class PupMatchViewSet(viewsets.GenericViewSet):
    """Bearer JWT on every route; throttled per user (`user`) and per endpoint (scope)."""

    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "pupmatch"
    lookup_value_regex = UUID_PATTERN
    # Per-endpoint scopes: "action" or "action:METHOD" → scope (else throttle_scope).
    throttle_scopes: dict[str, str] = {}

    def get_throttles(self):
        action_name = getattr(self, "action", None)
        self.throttle_scope = self.throttle_scopes.get(
            f"{action_name}:{self.request.method}",
            self.throttle_scopes.get(action_name, type(self).throttle_scope),
        )
        return super().get_throttles()

    def own_profile(self) -> Profile:
        profile = Profile.objects.filter(user=self.request.user).first()
        if profile is None:
            raise exceptions.NotFound("Profile not found")
        return profile


class MessagePagination(CursorPagination):
    """Chronological history; `cursor` from `next`/`previous` pages through it."""

    ordering = ("created_at", "id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200

    def get_schema_operation_parameters(self, view):
        return bounded_page_size_parameters(self, super().get_schema_operation_parameters(view))


class DiscoveryPagination(BoundedLimitOffsetPagination):
    """Limit/offset over a page the database cuts: `fetch(offset, limit)` → (count, page)."""

    def paginate(self, request, fetch) -> list:
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.count, page = fetch(self.offset, self.limit)
        return page


# --- Auth ------------------------------------------------------------------------------------


class AuthViewSet(PupMatchViewSet):
    """Public account routes: no authenticator, so a stale token never blocks a login.

    Per address (`pupmatch_auth`) and, for login and reset, per account as well.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "pupmatch_auth"
    account_throttles = {
        "login": LoginAccountThrottle,
        "password_reset_request": PasswordResetAccountThrottle,
    }

    def get_throttles(self):
        throttles = super().get_throttles()
        account = self.account_throttles.get(getattr(self, "action", None))
        return [*throttles, account()] if account else throttles

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
    @error_responses(409)
    def register(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = accounts.user_register(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LoginSerializer, responses={200: TokenSerializer})
    @error_responses(401)  # wrong email or password, or a deactivated account
    def login(self, request):
        return login_response(request, app="pupmatch")

    @extend_schema(request=PasswordResetRequestSerializer, responses={204: None})
    def password_reset_request(self, request):
        serializer = PasswordResetRequestSerializer(data=request.data)
        if serializer.is_valid():
            accounts.password_reset_request(
                email=serializer.validated_data["email"],
                reset_url=request.build_absolute_uri("/pupmatch/auth/password-reset/confirm"),
                app_name="PupMatch",
            )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PasswordResetConfirmSerializer, responses={204: None})
    def password_reset_confirm(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        accounts.password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeViewSet(PupMatchViewSet):
    queryset = Profile.objects.none()  # for the schema generator

    @extend_schema(responses={200: UserSerializer}, methods=["GET"])
    @extend_schema(responses={204: None}, methods=["DELETE"])
    def me(self, request):
        if request.method == "DELETE":
            services.user_delete(user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(UserSerializer(request.user).data)


class HealthViewSet(viewsets.ViewSet):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: HealthSerializer})
    def retrieve(self, request):
        return Response({"status": "healthy", "version": API_VERSION})


# --- Profiles --------------------------------------------------------------------------------


class LocationChangeThrottle(ScopedRateThrottle):
    """`pupmatch_location`: counts only the profile writes that send a location.

    Few location changes, so nobody can trilaterate another dog by moving their own point
    around it and watching the (rounded) distance change.
    """

    scope_attr = "location_throttle_scope"

    def allow_request(self, request, view) -> bool:
        if request.method not in ("POST", "PATCH", "PUT"):
            return True
        data = request.data
        if not hasattr(data, "keys") or not ({"latitude", "longitude"} & set(data.keys())):
            return True
        return super().allow_request(request, view)


class ProfileViewSet(PupMatchViewSet):
    queryset = Profile.objects.none()  # for the schema generator
    throttle_classes = [*PupMatchViewSet.throttle_classes, LocationChangeThrottle]
    location_throttle_scope = "pupmatch_location"
    throttle_scopes = {
        "like": "pupmatch_like",
        "pass_": "pupmatch_like",
        "discover": "pupmatch_discover",
    }

    def _detail(self, **lookup) -> Response:
        profile = selectors.profile_detail(**lookup)
        if profile is None:
            raise exceptions.NotFound("Profile not found")
        return Response(ProfileSerializer(profile, context={"request": self.request}).data)

    @extend_schema(responses={200: ProfileSerializer}, methods=["GET"])
    @extend_schema(
        request=ProfileWriteSerializer, responses={201: ProfileSerializer}, methods=["POST"]
    )
    @extend_schema(
        request=ProfileWriteSerializer, responses={200: ProfileSerializer}, methods=["PATCH"]
    )
    @error_responses(409, methods=("POST",))
    def mine(self, request):
        if request.method == "POST":
            serializer = ProfileWriteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services.profile_create(user=request.user, **serializer.validated_data)
            response = self._detail(user_id=request.user.pk)
            response.status_code = status.HTTP_201_CREATED
            return response
        if request.method == "PATCH":
            profile = self.own_profile()
            serializer = ProfileWriteSerializer(data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            services.profile_update(profile=profile, **serializer.validated_data)
        return self._detail(user_id=request.user.pk)

    @extend_schema(responses={200: OtherProfileSerializer})
    def retrieve(self, request, pk=None):
        profile = selectors.profile_detail(profile_id=pk)
        if profile is None:
            raise exceptions.NotFound("Profile not found")
        is_owner = profile.user_id == request.user.pk  # only the owner sees coordinates
        viewer = profile if is_owner else selectors.viewer_profile(user=request.user)
        prefs = selectors.preferences_for(viewer) if viewer is not None else Preferences()
        context = {
            "request": request,
            "is_owner": is_owner,
            "distance_km": selectors.distance_between(viewer, profile),
            "distance_unit": prefs.distance_unit,
        }
        return Response(OtherProfileSerializer(profile, context=context).data)

    def _target(self, pk) -> Profile:
        """The profile `pk` with its user; 404 unless it and the caller's own profile exist.

        One query reads both."""
        user = self.request.user
        profiles = selectors.target_and_own_profile(profile_id=pk, user=user)  # pk: <uuid:pk>
        target = next((profile for profile in profiles if profile.pk == pk), None)
        if target is None or not any(profile.user_id == user.pk for profile in profiles):
            raise exceptions.NotFound("Profile not found")
        return target

    @extend_schema(request=None, responses={200: LikeResponseSerializer}, methods=["POST"])
    @extend_schema(request=None, responses={204: None}, methods=["DELETE"])
    def like(self, request, pk=None):
        target = self._target(pk)
        if request.method == "DELETE":
            services.like_delete(user=request.user, target=target)
            return Response(status=status.HTTP_204_NO_CONTENT)
        result = services.like_create(user=request.user, target=target)
        match = None
        if result.match is not None:
            match = selectors.match_list(user=request.user).get(pk=result.match.pk)
        return Response(
            {
                "is_match": match is not None,
                "match": None
                if match is None
                else MatchSerializer(match, context={"request": request}).data,
            }
        )

    @extend_schema(request=None, responses={200: PassResponseSerializer})
    def pass_(self, request, pk=None):
        services.pass_create(user=request.user, target=self._target(pk))
        return Response({"passed": True})

    @extend_schema(responses={200: DiscoveryCardSerializer(many=True)})
    def discover(self, request):
        profile = selectors.viewer_profile(user=request.user)
        if profile is None:
            raise exceptions.NotFound("Profile not found")
        if profile.latitude is None:
            raise exceptions.ValidationError(
                {"location": ["Set your profile's location to discover dogs nearby"]}
            )
        prefs = selectors.preferences_for(profile)
        paginator = DiscoveryPagination()
        page = paginator.paginate(
            request,
            lambda offset, limit: selectors.discovery_page(
                profile=profile, prefs=prefs, offset=offset, limit=limit
            ),
        )
        cards = discovery_cards(page, request=request, distance_unit=prefs.distance_unit)
        return paginator.get_paginated_response(cards)


# --- Photos ----------------------------------------------------------------------------------


class PhotoViewSet(PupMatchViewSet):
    queryset = Photo.objects.none()  # for the schema generator
    pagination_class = None  # `list` answers {"photos": [...]}, all six at most
    throttle_scopes = {"upload": "pupmatch_upload"}

    def _photos_data(self, profile: Profile) -> list:
        photos = selectors.photo_list(profile=profile)
        return PhotoSerializer(photos, many=True, context={"request": self.request}).data

    @extend_schema(responses={200: PhotoListResponseSerializer})
    def list(self, request):
        return Response({"photos": self._photos_data(self.own_profile())})

    @extend_schema(request=PhotoUploadSerializer, responses={201: PhotoUploadResponseSerializer})
    def upload(self, request):
        profile = self.own_profile()
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = services.photo_upload(profile=profile, upload=serializer.validated_data["file"])
        return Response(
            {
                "photo": PhotoSerializer(photo, context={"request": request}).data,
                "message": "Photo uploaded successfully",
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.photo_delete(profile=self.own_profile(), photo_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PhotoReorderSerializer, responses={200: PhotoListResponseSerializer})
    def reorder(self, request):
        profile = self.own_profile()
        serializer = PhotoReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photos = services.photo_reorder(profile=profile, **serializer.validated_data)
        return Response(
            {
                "photos": PhotoSerializer(photos, many=True, context={"request": request}).data,
                "message": "Photos reordered successfully",
            }
        )


# --- Matches ---------------------------------------------------------------------------------


class MatchViewSet(PupMatchViewSet):
    queryset = Match.objects.none()  # for the schema generator
    serializer_class = MatchSerializer
    pagination_class = BoundedLimitOffsetPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Match.objects.none()
        return selectors.match_list(user=self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        match = get_object_or_404(
            Match.objects.filter(pk=pk).filter(user1=request.user)
            | Match.objects.filter(pk=pk).filter(user2=request.user)
        )
        services.match_delete(user=request.user, match=match)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Messaging -------------------------------------------------------------------------------


class ConversationViewSet(PupMatchViewSet):
    queryset = Conversation.objects.none()  # for the schema generator
    throttle_scopes = {"messages:POST": "pupmatch_message", "share_playground": "pupmatch_message"}
    serializer_class = ConversationSerializer
    pagination_class = BoundedLimitOffsetPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Conversation.objects.none()
        return selectors.conversation_list(user=self.request.user)

    def _conversation(self, pk) -> Conversation:
        return services.conversation_for_participant(user=self.request.user, conversation_id=pk)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.conversation_hide(user=request.user, conversation=self._conversation(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: UnreadSummarySerializer})
    @action(detail=False, methods=["get"])
    def unread(self, request):
        counts = selectors.unread_counts(user=request.user)
        return Response(
            {
                "total": sum(row["unread_count"] for row in counts),
                "conversations": [
                    {
                        "conversation_id": str(row["conversation_id"]),
                        "unread_count": row["unread_count"],
                    }
                    for row in counts
                ],
            }
        )

    @extend_schema(responses={200: MessageSerializer(many=True)}, methods=["GET"])
    @extend_schema(
        request=MessageCreateSerializer, responses={201: MessageSerializer}, methods=["POST"]
    )
    @action(detail=True, methods=["get", "post"], pagination_class=MessagePagination)
    def messages(self, request, pk=None):
        conversation = self._conversation(pk)
        if request.method == "POST":
            serializer = MessageCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            message = services.message_send(
                sender=request.user, conversation=conversation, **serializer.validated_data
            )
            return Response(message_data(message), status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(
            selectors.message_list(user=request.user, conversation=conversation)
        )
        return self.get_paginated_response(MessageSerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: MarkReadResponseSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        count = services.conversation_mark_read(
            user=request.user, conversation=self._conversation(pk)
        )
        return Response({"marked_read": count})

    @extend_schema(request=ShareSerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["post"], url_path="share-playground")
    def share_playground(self, request, pk=None):
        conversation = self._conversation(pk)
        serializer = ShareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        playground = Playground.objects.filter(
            pk=serializer.validated_data["playground_id"]
        ).first()
        if playground is None:
            raise exceptions.NotFound("Playground not found")
        message = services.playground_share(
            sender=request.user,
            conversation=conversation,
            playground=playground,
            content=serializer.validated_data.get("content", ""),
        )
        return Response(message_data(message), status=status.HTTP_201_CREATED)


class MessageViewSet(PupMatchViewSet):
    queryset = Message.objects.none()  # for the schema generator
    throttle_scope = "pupmatch_message"

    @extend_schema(request=DirectMessageCreateSerializer, responses={201: MessageSerializer})
    def create(self, request):
        serializer = DirectMessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.message_send_to_user(sender=request.user, **serializer.validated_data)
        return Response(message_data(message), status=status.HTTP_201_CREATED)


# --- Playgrounds -----------------------------------------------------------------------------


class PlaygroundViewSet(PupMatchViewSet):
    queryset = Playground.objects.none()  # for the schema generator
    serializer_class = PlaygroundSerializer
    pagination_class = BoundedLimitOffsetPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Playground.objects.none()
        return selectors.playground_list(user=self.request.user)

    @extend_schema(parameters=[PlaygroundQuerySerializer])
    def list(self, request):
        query = PlaygroundQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        queryset = selectors.playground_list(
            user=request.user,
            latitude=params.get("latitude"),
            longitude=params.get("longitude"),
            radius_km=params.get("radius_km"),
            query=params.get("q", ""),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request):
        serializer = PlaygroundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        playground = services.playground_create(owner=request.user, **data)
        playground.is_favourite = True
        return Response(PlaygroundSerializer(playground).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        playground = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(self.get_serializer(playground).data)

    @extend_schema(responses={200: PlaygroundSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def favourites(self, request):
        queryset = selectors.favourite_playgrounds(user=request.user)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("Favourite", {"is_favourite": serializers.BooleanField()}),
            204: None,
        },
    )
    @action(detail=True, methods=["post", "delete"])
    def favourite(self, request, pk=None):
        playground = get_object_or_404(Playground, pk=pk)
        if request.method == "DELETE":
            services.playground_unfavourite(user=request.user, playground=playground)
            return Response(status=status.HTTP_204_NO_CONTENT)
        services.playground_favourite(user=request.user, playground=playground)
        return Response({"is_favourite": True})
