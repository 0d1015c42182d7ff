"""OPTIONS answers for every API view: name, description, renders, parses.

DRF's SimpleMetadata also describes each write action by instantiating the view's serializer
and calling `get_object()`, which fails on views that choose a serializer per action or look
the object up by a user (a 500 on a CORS preflight). The OpenAPI schema at /api/schema/ is the
field-level description, so OPTIONS leaves `actions` out.
"""

from rest_framework.metadata import SimpleMetadata


class BasicMetadata(SimpleMetadata):
    def determine_actions(self, request, view):
        return {}

    def determine_metadata(self, request, view):
        metadata = super().determine_metadata(request, view)
        metadata.pop("actions", None)
        return metadata
