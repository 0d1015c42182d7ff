"""REST framework glue shared by every app: the error format and small helpers."""

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from config.views import engine_name


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, str]]:
    """Turn DRF's nested error dict into a flat list of {field, message, code} problems."""
    if isinstance(detail, dict):
        problems = []
        for key, value in detail.items():
            name = key if field is None else f"{field}.{key}"
            problems.extend(_flatten(value, name))
        return problems
    if isinstance(detail, list):
        problems = []
        for index, value in enumerate(detail):
            # A list of dicts is a list of nested objects: name the position.
            name = f"{field}.{index}" if isinstance(value, dict | list) and field else field
            problems.extend(_flatten(value, name))
        return problems
    return [
        {
            "field": field or "non_field_errors",
            "message": str(detail),
            "code": getattr(detail, "code", "invalid"),
        }
    ]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every error body has `detail`.

    Validation errors become `{"detail": [{"field", "message", "code"}, ...]}` with status
    400, or the view's `validation_error_status` (Luna's clients expect 422).
    Anything unhandled falls through to Django's handler500, which also answers JSON.
    """
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        view = context.get("view")
        response.data = {"detail": _flatten(exc.detail)}
        response.status_code = getattr(view, "validation_error_status", status.HTTP_400_BAD_REQUEST)
    elif not isinstance(response.data, dict) or "detail" not in response.data:
        response.data = {"detail": response.data}
    return response


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class MountRootView(APIView):
    """`GET /<mount>/`: which API answers there, in the style of Luna's root (`/luna/`)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    message = ""
    version = "1.0.0"

    @extend_schema(
        responses=inline_serializer(
            "MountRoot",
            {
                "message": serializers.CharField(),
                "status": serializers.CharField(),
                "version": serializers.CharField(),
                "database": serializers.ChoiceField(choices=["SQLite", "PostgreSQL"]),
            },
        )
    )
    def get(self, request):
        return Response(
            {
                "message": self.message,
                "status": "running",
                "version": self.version,
                "database": engine_name(),
            }
        )
