"""orjson for speed; the standard library for the rare value orjson refuses (an integer beyond
64 bits stored before the parser bounded them, or by an import), so that whatever an app stored
can always be read back instead of failing with a 500."""

from typing import Any

import orjson
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework.renderers import JSONRenderer


class SafeORJSONRenderer(ORJSONRenderer):
    def render(self, data: Any, media_type: str | None = None, renderer_context: Any = None):
        try:
            return super().render(data, media_type, renderer_context)
        except orjson.JSONEncodeError:
            return JSONRenderer().render(data, "application/json", renderer_context)
