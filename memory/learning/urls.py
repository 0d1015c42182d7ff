"""Learning routes, mounted at /learning/: profiles, their cards and chat."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from config.api import MountRootView

from .api import LearnerProfileViewSet

router = SimpleRouter(trailing_slash=False)
router.register("profiles", LearnerProfileViewSet, basename="learning-profile")

urlpatterns = [
    path("", MountRootView.as_view(message="Learning API"), name="learning-root"),
    *router.urls,
]
