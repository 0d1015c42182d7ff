"""The Luna API, served unchanged under /luna/ (see ../shared/contracts/luna.md)."""

from drf_spectacular.drainage import set_override
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from config import access
from config.limits import MAX_SEARCH_LENGTH, validate_search_text
from config.schema import error_responses
from config.views import engine_name
from venues import selectors, services, shapes
from venues.models import ActionItem


# --- input ---------------------------------------------------------------------------------
class LunaIdField(serializers.CharField):
    """A Luna id: 1-100 letters, digits or underscores; surrounding spaces are invalid."""

    default_error_messages = {
        "blank": "This field may not be empty.",
        "invalid": "Only letters, digits and underscore are allowed.",
        "not_a_string": "Must be a string.",
    }

    def __init__(self, **kwargs):
        super().__init__(max_length=100, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        if not data.strip():
            self.fail("blank")
        value = super().to_internal_value(data)
        if not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in value):
            self.fail("invalid")
        return value


class InterestToggleInput(serializers.Serializer):
    user_id = LunaIdField()
    venue_id = LunaIdField()


class UserIdInput(serializers.Serializer):
    user_id = LunaIdField()


class NearbyInput(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    radius_km = serializers.FloatField(min_value=0.001, max_value=500, default=5.0)


MAX_RECOMMENDATIONS_LIMIT = 10000


class RecommendationsLimitInput(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_RECOMMENDATIONS_LIMIT)


class SearchInput(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_SEARCH_LENGTH, validators=[validate_search_text])
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


# --- output: shapes declared in venues/shapes.py (serializers for OpenAPI, dicts for responses)
LunaVenueSummarySerializer = shapes.VENUE_SUMMARY.serializer
LunaVenueSerializer = shapes.VENUE.serializer
LunaVenueWithCountSerializer = shapes.VENUE_WITH_COUNT.serializer
LunaNearbyVenueSerializer = shapes.NEARBY_VENUE.serializer
LunaMemberSerializer = shapes.MEMBER.serializer
LunaActionItemSerializer = shapes.ACTION_ITEM.serializer
LunaCreatedActionItemSerializer = shapes.CREATED_ACTION_ITEM.serializer
LunaToggleSerializer = shapes.TOGGLE.serializer
LunaUserSerializer = shapes.USER.serializer
LunaRecommendationSerializer = shapes.RECOMMENDATION.serializer
LunaSuccessSerializer = shapes.SUCCESS.serializer


def _envelope(name: str, **fields) -> serializers.Serializer:
    serializer = inline_serializer(name, fields)
    # An object even on a `list` action (drf-spectacular would document an array).
    set_override(serializer, "many", False)
    return serializer


ID = OpenApiParameter("id", str, OpenApiParameter.PATH)


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- views ---------------------------------------------------------------------------------
class LunaMixin(access.LunaAccess):
    validation_error_status = status.HTTP_422_UNPROCESSABLE_ENTITY

    def check_own_body_user_id(self, user_id: str) -> None:
        """LUNA_ACCESS=user: a body's user_id must be the caller's linked member (else 403)."""
        if access.LUNA.scoped_to_account:
            own = selectors.member_own_id(viewer=self.request.user)
            access.check_body_user_id(claimed=user_id, own=own)

    def check_own_query_user_id(self, user_id: str) -> None:
        """LUNA_ACCESS=user: a query's user_id names an object: another's is 404."""
        if access.LUNA.scoped_to_account:
            if selectors.member_own_id(viewer=self.request.user) != user_id:
                raise NotFound(f"User with id '{user_id}' not found")


class RootView(LunaMixin, APIView):
    @extend_schema(
        responses=_envelope(
            "LunaRoot",
            message=serializers.CharField(),
            status=serializers.CharField(),
            version=serializers.CharField(),
            database=serializers.ChoiceField(choices=["SQLite", "PostgreSQL"]),
        )
    )
    def get(self, request):
        return Response(
            {
                "message": "Luna Venue Discovery API",
                "status": "running",
                "version": "2.0.0",
                "database": engine_name(),
            }
        )


class VenueViewSet(LunaMixin, viewsets.ViewSet):
    @extend_schema(responses=_envelope("VenueList", venues=LunaVenueSummarySerializer(many=True)))
    def list(self, request):
        return Response({"venues": selectors.venue_summaries_json()})

    @extend_schema(
        parameters=[ID],
        responses=_envelope(
            "VenueDetail",
            venue=LunaVenueSerializer(),
            interested_users=LunaMemberSerializer(many=True),
        ),
    )
    def retrieve(self, request, pk: str):
        found = selectors.venue_with_interested_users(venue_id=pk)
        if found is None:
            raise NotFound(f"Venue with id '{pk}' not found")
        venue, users = found
        return Response({"venue": venue, "interested_users": users})

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", float, required=True),
            OpenApiParameter("lng", float, required=True),
            OpenApiParameter("radius_km", float, description="default 5"),
        ],
        summary="Venues within radius_km of a point, nearest first (new)",
        responses=_envelope("NearbyVenues", venues=LunaNearbyVenueSerializer(many=True)),
    )
    @action(detail=False, methods=["get"])
    def nearby(self, request):
        self.validation_error_status = status.HTTP_400_BAD_REQUEST
        params = _validated(NearbyInput, request.query_params)
        venues = selectors.venues_near_rows(
            lat=params["lat"], lng=params["lng"], radius_km=params["radius_km"]
        )
        return Response({"venues": venues})

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 100},
                description="best matches returned, 1-100, default 20",
            ),
        ],
        summary="Full-text venue search, best match first (new)",
        responses=_envelope(
            "VenueSearch",
            query=serializers.CharField(),
            venues=LunaVenueWithCountSerializer(many=True),
        ),
    )
    @action(detail=False, methods=["get"])
    def search(self, request):
        self.validation_error_status = status.HTTP_400_BAD_REQUEST
        params = _validated(SearchInput, request.query_params)
        query = params["q"]
        venues = selectors.venue_search_rows(query=query, limit=params["limit"])
        return Response({"query": query, "venues": venues})


class InterestViewSet(LunaMixin, viewsets.ViewSet):
    @extend_schema(request=InterestToggleInput, responses={200: LunaToggleSerializer})
    @error_responses(404)
    def create(self, request):
        data = _validated(InterestToggleInput, request.data)
        self.check_own_body_user_id(data["user_id"])
        try:
            result = services.interest_toggle(member_id=data["user_id"], venue_id=data["venue_id"])
        except services.MemberNotFound:
            raise NotFound(f"User with id '{data['user_id']}' not found") from None
        except services.VenueNotFound:
            raise NotFound(f"Venue with id '{data['venue_id']}' not found") from None
        if not result.added:
            return Response(
                {
                    "success": True,
                    "message": f"Interest removed for {result.venue_name}",
                    "action_item": None,
                }
            )
        item = result.action_item
        return Response(
            {
                "success": True,
                "message": "Interest recorded successfully",
                "action_item": item
                and shapes.CREATED_ACTION_ITEM.of(
                    item,
                    action_item_created=True,
                    action_item_id=item.pk,
                    interested_user_ids=result.interested_user_ids,
                ),
            }
        )


class UserViewSet(LunaMixin, viewsets.ViewSet):
    @extend_schema(
        parameters=[ID],
        responses=_envelope(
            "UserProfile",
            user=LunaUserSerializer(),
            interested_venues=LunaVenueWithCountSerializer(many=True),
            action_items=LunaActionItemSerializer(many=True),
        ),
    )
    def retrieve(self, request, pk: str):
        found = selectors.member_profile(member_id=pk, viewer=request.user)
        if found is None:
            raise NotFound(f"User with id '{pk}' not found")
        member, categories = found
        return Response(
            {
                "user": {**member, "interests": categories},
                "interested_venues": selectors.member_interested_venue_rows(member_id=pk),
                "action_items": selectors.member_pending_action_item_rows(member_id=pk),
            }
        )


class RecommendationViewSet(LunaMixin, viewsets.ViewSet):
    @extend_schema(
        parameters=[
            OpenApiParameter("user_id", str, required=True),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_RECOMMENDATIONS_LIMIT},
                description="only the best N recommendations (new); without it, every venue",
            ),
        ],
        responses=_envelope(
            "Recommendations", recommendations=LunaRecommendationSerializer(many=True)
        ),
    )
    @error_responses(400, 404)
    def list(self, request):
        user_id = _validated(UserIdInput, request.query_params)["user_id"]
        limit = None
        if "limit" in request.query_params:  # additive: a bad limit is 400, as on /venues/search
            self.validation_error_status = status.HTTP_400_BAD_REQUEST
            limit = _validated(RecommendationsLimitInput, request.query_params)["limit"]
        found = selectors.member_profile(member_id=user_id, viewer=request.user)
        if found is None:
            raise NotFound(f"User with id '{user_id}' not found")
        _, categories = found
        recommendations = selectors.recommendations_json(
            member_id=user_id, categories=categories, limit=limit
        )
        return Response({"recommendations": recommendations})


class ActionItemViewSet(LunaMixin, viewsets.ViewSet):
    def _set_status(self, pk: str, user_id: str, new_status: str) -> None:
        try:
            services.action_item_set_status(item_id=pk, member_id=user_id, status=new_status)
        except services.ActionItemNotFound:
            raise NotFound(f"Action item with id '{pk}' not found") from None
        except services.NotInterested:
            raise PermissionDenied("User not authorized for this action item") from None

    @extend_schema(request=UserIdInput, parameters=[ID], responses=LunaSuccessSerializer)
    @action(detail=True, methods=["post"])
    @error_responses(403)
    def complete(self, request, pk: str):
        user_id = _validated(UserIdInput, request.data)["user_id"]
        self.check_own_body_user_id(user_id)
        self._set_status(pk, user_id, ActionItem.Status.COMPLETED)
        return Response({"success": True, "message": "Action item marked as completed"})

    @extend_schema(
        parameters=[ID, OpenApiParameter("user_id", str, required=True)],
        responses={200: LunaSuccessSerializer},
    )
    @error_responses(403)
    def destroy(self, request, pk: str):
        user_id = _validated(UserIdInput, request.query_params)["user_id"]
        self.check_own_query_user_id(user_id)
        self._set_status(pk, user_id, ActionItem.Status.DISMISSED)
        return Response({"success": True, "message": "Action item dismissed"})
