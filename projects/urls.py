from rest_framework.routers import SimpleRouter

from projects.api import ClarificationViewSet, CostAlertViewSet, ProjectViewSet

router = SimpleRouter(trailing_slash=False)
router.register("api/v1/projects", ProjectViewSet, basename="yago-project")
router.register("api/v1/clarifications", ClarificationViewSet, basename="yago-clarification")
router.register("api/v1/costs/alerts", CostAlertViewSet, basename="yago-cost-alert")

urlpatterns = router.urls
