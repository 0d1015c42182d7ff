"""OpenAPI generation for the whole project: the error responses every route can really give.

drf-spectacular documents only the success responses it can see. Every route also answers
with the project's error body (`{"detail": ...}`, config.api) for reasons that hold across
views, so they are added here from what the view is configured with:

- 400 everywhere (a NUL in the URL, a malformed body, a failed validation);
- 422 on views whose validation errors are 422 (`validation_error_status`, Luna and YAGO);
- 401 and 403 when a permission class other than AllowAny guards the view (as the access
  setting of its mount is when the schema is generated);
- 404 when the path has parameters (an unknown object) or the view needs a user (no profile),
  and 405 there too (a parameter value can name a fixed sibling route that takes another
  method: `GET clarifications/start`);
- 415 when the operation takes a body (a Content-Type no parser reads);
- 429 when the view has throttles.

Anything else a single operation can answer (409 conflicts, ...) is declared next to it with
`@error_responses(409)`.
"""

from collections.abc import Callable

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny

PROBLEM = {
    "type": "object",
    "properties": {
        "field": {"type": "string"},
        "message": {"type": "string"},
        "code": {"type": "string"},
    },
    "required": ["field", "message", "code"],
}


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "array", "items": PROBLEM}]})
class DetailField(serializers.JSONField):
    pass


class ErrorSerializer(serializers.Serializer):
    """`detail`: a message, or a list of {field, message, code} for validation errors."""

    detail = DetailField()


ERROR_DESCRIPTIONS = {
    "400": "Bad request: malformed body or URL, or invalid input",
    "401": "Missing or invalid credentials",
    "403": "Not allowed for these credentials",
    "404": "Not found",
    "405": "Method not allowed",
    "409": "Conflicts with the current state",
    "413": "Request body too large",
    "415": "Unsupported media type",
    "422": "Invalid input",
    "429": "Too many requests",
}


def error_responses(*codes: int, methods: tuple[str, ...] = ()) -> Callable:
    """Declare extra error status codes a view method can answer (for `methods` only, if given)."""

    def decorate(function):
        declared = dict(getattr(function, "error_status_codes", {}))
        for method in methods or ("*",):
            declared[method.upper()] = (*declared.get(method.upper(), ()), *codes)
        function.error_status_codes = declared
        return function

    return decorate


class AutoSchema(SpectacularAutoSchema):
    def _view_function(self):
        action = getattr(self.view, "action", None)
        return getattr(self.view, action or self.method.lower(), None)

    def _error_codes(self) -> set[str]:
        view = self.view
        codes = {400}
        if getattr(view, "validation_error_status", 400) == 422:
            codes.add(422)
        guarded = any(not isinstance(permission, AllowAny) for permission in view.get_permissions())
        if guarded:
            codes |= {401, 403, 404}
        if "{" in self.path:
            codes |= {404, 405}
        if self.method in ("POST", "PUT", "PATCH") and self._get_request_body() is not None:
            codes.add(415)
        if getattr(view, "throttle_classes", ()):
            codes.add(429)
        declared = getattr(self._view_function(), "error_status_codes", {})
        codes.update(declared.get("*", ()), declared.get(self.method, ()))
        return {str(code) for code in codes}

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in sorted(self._error_codes()):
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses
