"""PupMatch routes, mounted at /pupmatch/ (the original's paths kept exactly)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from config.api import MountRootView
from matching import api, photos

router = SimpleRouter(trailing_slash=False)
router.register("matches", api.MatchViewSet, basename="pupmatch-match")
router.register("conversations", api.ConversationViewSet, basename="pupmatch-conversation")
router.register("playgrounds", api.PlaygroundViewSet, basename="pupmatch-playground")

auth = api.AuthViewSet.as_view
me = api.MeViewSet.as_view
profile = api.ProfileViewSet.as_view
photo = api.PhotoViewSet.as_view

urlpatterns = [
    path(
        "",
        MountRootView.as_view(message="PupMatch API", version=api.API_VERSION),
        name="pupmatch-root",
    ),
    path("media/<path:name>", photos.photo_file, name="pupmatch-photo-file"),
    path("health", api.HealthViewSet.as_view({"get": "retrieve"}), name="pupmatch-health"),
    path("auth/register", auth({"post": "register"}), name="pupmatch-register"),
    path("auth/login", auth({"post": "login"}), name="pupmatch-login"),
    path("auth/me", me({"get": "me", "delete": "me"}), name="pupmatch-me"),
    path(
        "auth/password-reset/request",
        auth({"post": "password_reset_request"}),
        name="pupmatch-password-reset-request",
    ),
    path(
        "auth/password-reset/confirm",
        auth({"post": "password_reset_confirm"}),
        name="pupmatch-password-reset-confirm",
    ),
    path(
        "profile",
        profile({"get": "mine", "post": "mine", "patch": "mine"}),
        name="pupmatch-profile",
    ),
    path("profiles/<uuid:pk>", profile({"get": "retrieve"}), name="pupmatch-profile-detail"),
    path(
        "profiles/<uuid:pk>/like",
        profile({"post": "like", "delete": "like"}),
        name="pupmatch-profile-like",
    ),
    path("profiles/<uuid:pk>/pass", profile({"post": "pass_"}), name="pupmatch-profile-pass"),
    path("discover", profile({"get": "discover"}), name="pupmatch-discover"),
    path("photos/", photo({"get": "list"}), name="pupmatch-photo-list"),
    path("photos/upload", photo({"post": "upload"}), name="pupmatch-photo-upload"),
    path("photos/reorder", photo({"put": "reorder"}), name="pupmatch-photo-reorder"),
    path("photos/<uuid:pk>", photo({"delete": "destroy"}), name="pupmatch-photo-detail"),
    path("messages", api.MessageViewSet.as_view({"post": "create"}), name="pupmatch-message"),
    *router.urls,
]
