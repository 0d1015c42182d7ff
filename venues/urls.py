from django.urls import path
from rest_framework.routers import SimpleRouter

from venues import api

router = SimpleRouter(trailing_slash=False)
router.register("venues", api.VenueViewSet, basename="luna-venue")
router.register("interests", api.InterestViewSet, basename="luna-interest")
router.register("users", api.UserViewSet, basename="luna-user")
router.register("recommendations", api.RecommendationViewSet, basename="luna-recommendation")
router.register("action-items", api.ActionItemViewSet, basename="luna-action-item")

urlpatterns = [path("", api.RootView.as_view(), name="luna-root"), *router.urls]
