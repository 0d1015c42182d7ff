"""Learning routes, mounted at /learning/: profiles, their cards and chat."""

from rest_framework.routers import SimpleRouter

from .api import LearnerProfileViewSet

router = SimpleRouter(trailing_slash=False)
router.register("profiles", LearnerProfileViewSet, basename="learning-profile")

urlpatterns = router.urls
