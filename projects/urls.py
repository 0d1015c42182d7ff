from django.urls import path
from rest_framework.routers import SimpleRouter

from projects.api import ClarificationViewSet, CostAlertViewSet, ProjectViewSet
from projects.api_auth import YagoAuthViewSet, YagoMeViewSet

router = SimpleRouter(trailing_slash=False)
router.register("api/v1/projects", ProjectViewSet, basename="yago-project")
router.register("api/v1/clarifications", ClarificationViewSet, basename="yago-clarification")
router.register("api/v1/costs/alerts", CostAlertViewSet, basename="yago-cost-alert")

urlpatterns = [
    path(
        "api/v1/auth/register",
        YagoAuthViewSet.as_view({"post": "register"}),
        name="yago-auth-register",
    ),
    path("api/v1/auth/login", YagoAuthViewSet.as_view({"post": "login"}), name="yago-auth-login"),
    path("api/v1/auth/me", YagoMeViewSet.as_view({"get": "me"}), name="yago-auth-me"),
    *router.urls,
]
