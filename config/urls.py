from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import views

admin.site.site_header = "Backend administration"
admin.site.site_title = "Backend admin"
admin.site.index_title = "Luna · PupMatch · YAGO · EdgeSoul · Learning"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("luna/", include("venues.urls")),
    path("pupmatch/", include("matching.urls")),
    path("yago/", include("projects.urls")),
    path("edgesoul/", include("memory.edgesoul.urls")),
    path("learning/", include("memory.learning.urls")),
]

handler400 = views.bad_request
handler404 = views.not_found
handler500 = views.server_error
