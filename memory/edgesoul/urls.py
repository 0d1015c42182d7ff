"""EdgeSoul routes, mounted at /edgesoul/: the original's paths under api/v1/memory/.

The routes are RPC-shaped (one user id per path, not collections of resources), so each
viewset action is mapped explicitly instead of through a router.
"""

from django.urls import path

from config.api import MountRootView

from .api import (
    ConversationViewSet,
    EmotionViewSet,
    MemoryViewSet,
    ProfileViewSet,
    StatsViewSet,
)

PREFIX = "api/v1/memory/"

urlpatterns = [
    path("", MountRootView.as_view(message="EdgeSoul Memory API"), name="edgesoul-root"),
    path(
        f"{PREFIX}profile/<str:user_id>",
        ProfileViewSet.as_view({"get": "retrieve", "put": "update"}),
    ),
    # "search" first: a user literally named "search" still lists/clears through this route.
    path(
        f"{PREFIX}memories/search",
        MemoryViewSet.as_view({"post": "search", "get": "list", "delete": "clear"}),
        {"user_id": "search"},
    ),
    path(
        f"{PREFIX}memories/<str:user_id>", MemoryViewSet.as_view({"get": "list", "delete": "clear"})
    ),
    path(f"{PREFIX}memory/<str:user_id>", MemoryViewSet.as_view({"post": "create"})),
    path(f"{PREFIX}emotion/<str:user_id>", EmotionViewSet.as_view({"post": "create"})),
    path(f"{PREFIX}emotions/<str:user_id>", EmotionViewSet.as_view({"get": "list"})),
    path(f"{PREFIX}emotions/<str:user_id>/patterns", EmotionViewSet.as_view({"get": "patterns"})),
    path(f"{PREFIX}emotions/<str:user_id>/summary", EmotionViewSet.as_view({"get": "summary"})),
    path(f"{PREFIX}conversation/<str:user_id>", ConversationViewSet.as_view({"post": "create"})),
    path(f"{PREFIX}context/<str:user_id>", ConversationViewSet.as_view({"get": "context"})),
    path(f"{PREFIX}conversations/<str:user_id>", ConversationViewSet.as_view({"get": "messages"})),
    path(f"{PREFIX}stats/<str:user_id>", StatsViewSet.as_view({"get": "retrieve"})),
]
