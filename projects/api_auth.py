"""YAGO's accounts (its v8.2 promise): register, login and me under /yago/api/v1/auth/.

The platform's accounts and JWTs, the same as PupMatch's (accounts.services,
config.authentication): one account logs in to either app. Throttled per address
(`yago_auth`) and, for login, per account (`login_account`, shared with PupMatch).
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts import services as accounts
from accounts.api import login_response
from accounts.serializers import (
    LoginSerializer,
    RegisterSerializer,
    TokenSerializer,
    UserSerializer,
)
from config.authentication import JWTAuthentication
from config.throttling import LoginAccountThrottle, ScopedRateThrottle

_Error = inline_serializer("YagoAuthError", fields={"detail": serializers.CharField()})
_Problems = inline_serializer(
    "YagoAuthValidationError",
    fields={
        "detail": inline_serializer(
            "YagoAuthProblem",
            fields={
                "field": serializers.CharField(),
                "message": serializers.CharField(),
                "code": serializers.CharField(),
            },
            many=True,
        )
    },
)
_THROTTLED = OpenApiResponse(_Error, description="Too many attempts (per address or account)")


class YagoAuthViewSet(viewsets.ViewSet):
    """Public: no authenticator, so a stale token never blocks a login or a registration."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_scope = "yago_auth"
    validation_error_status = status.HTTP_422_UNPROCESSABLE_ENTITY  # YAGO's convention

    def get_throttles(self):
        throttles = [ScopedRateThrottle()]
        if getattr(self, "action", None) == "login":
            throttles.append(LoginAccountThrottle())
        return throttles

    @extend_schema(
        operation_id="yago_auth_register",
        request=RegisterSerializer,
        responses={
            201: UserSerializer,
            409: OpenApiResponse(_Error, description="Email already registered"),
            422: _Problems,
            429: _THROTTLED,
        },
    )
    def register(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = accounts.user_register(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="yago_auth_login",
        request=LoginSerializer,
        responses={
            200: TokenSerializer,
            401: OpenApiResponse(_Error, description="Invalid email or password"),
            422: _Problems,
            429: _THROTTLED,
        },
    )
    def login(self, request):
        return login_response(request, app="yago")


class YagoMeViewSet(viewsets.ViewSet):
    """The account of the bearer token."""

    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="yago_auth_me",
        responses={200: UserSerializer, 401: OpenApiResponse(_Error, description="No valid token")},
    )
    def me(self, request):
        return Response(UserSerializer(request.user).data)
