from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import views
from config.metrics import metrics_view

admin.site.site_header = "Backend administration"
admin.site.site_title = "Backend admin"
admin.site.index_title = "Luna · PupMatch · YAGO · EdgeSoul · Learning"

urlpatterns = [
    path("", views.home, name="home"),
    path("docs/<slug:slug>", views.app_docs, name="app-docs"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("luna/", include("venues.urls")),
    path("pupmatch/", include("matching.urls")),
    path("yago/", include("projects.urls")),
    path("edgesoul/", include("memory.edgesoul.urls")),
    path("learning/", include("memory.learning.urls")),
]

handler400 = views.bad_request
handler404 = views.not_found
handler500 = views.server_error
