"""URLs for test_csp_browser's control case: drf-spectacular's inline-script Swagger view."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("inline-docs/", SpectacularSwaggerView.as_view(url_name="schema")),
]
