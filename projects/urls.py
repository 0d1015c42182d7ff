from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from projects import frontend_api as fe
from projects.api import ClarificationViewSet, CostAlertViewSet, ProjectViewSet
from projects.api_auth import YagoAuthViewSet, YagoMeViewSet

router = SimpleRouter(trailing_slash=False)
router.register("api/v1/projects", ProjectViewSet, basename="yago-project")
router.register("api/v1/clarifications", ClarificationViewSet, basename="yago-clarification")
router.register("api/v1/costs/alerts", CostAlertViewSet, basename="yago-cost-alert")

ID = r"(?P<{}>[^/]+)"
TEMPLATE = ID.format("template_id")
MODEL = ID.format("model_id")
ITEM = ID.format("item_id")
PROJECT = ID.format("project_id")

# The rest of the front end's API (yago-frontend.md). Fixed paths come before the `{id}` ones
# that shadowed them in the original (templates/search, templates/health, models/providers).
frontend = [
    path("", fe.HealthViewSet.as_view({"get": "root"}), name="yago-root"),
    path("health", fe.HealthViewSet.as_view({"get": "health"}), name="yago-health"),
    re_path(
        r"^api/v1/(?P<service>costs|collaboration|benchmarks)/health$",
        fe.HealthViewSet.as_view({"get": "service"}),
        name="yago-service-health",
    ),
    # Templates
    path("api/v1/templates", fe.redirect_307(slash=True)),
    path(
        "api/v1/templates/", fe.TemplateViewSet.as_view({"get": "templates"}), name="yago-templates"
    ),
    path("api/v1/templates/categories", fe.TemplateViewSet.as_view({"get": "categories"})),
    path("api/v1/templates/popular", fe.TemplateViewSet.as_view({"get": "popular"})),
    path("api/v1/templates/search", fe.TemplateViewSet.as_view({"get": "search"})),
    path("api/v1/templates/health", fe.TemplateViewSet.as_view({"get": "health"})),
    re_path(rf"^api/v1/templates/{TEMPLATE}$", fe.TemplateViewSet.as_view({"get": "retrieve"})),
    re_path(
        rf"^api/v1/templates/{TEMPLATE}/preview$", fe.TemplateViewSet.as_view({"get": "preview"})
    ),
    re_path(
        rf"^api/v1/templates/{TEMPLATE}/apply$", fe.TemplateApplyViewSet.as_view({"post": "apply"})
    ),
    # AI models and providers
    path("api/v1/models/list", fe.ModelViewSet.as_view({"get": "models"}), name="yago-models"),
    path("api/v1/models/list/", fe.redirect_307(slash=False)),
    path("api/v1/models/providers", fe.ModelViewSet.as_view({"get": "providers"})),
    path("api/v1/models/compare", fe.ModelViewSet.as_view({"post": "compare"})),
    re_path(rf"^api/v1/models/{MODEL}$", fe.ModelViewSet.as_view({"get": "retrieve"})),
    re_path(rf"^api/v1/models/{MODEL}/test$", fe.ModelTestViewSet.as_view({"post": "test"})),
    path("api/v1/providers/status", fe.ProviderStatusViewSet.as_view({"get": "status"})),
    # Analytics and costs
    path(
        "api/v1/analytics", fe.AnalyticsViewSet.as_view({"get": "overview"}), name="yago-analytics"
    ),
    path("api/v1/analytics/", fe.redirect_307(slash=False)),
    path("api/v1/analytics/metrics", fe.AnalyticsViewSet.as_view({"get": "metrics"})),
    path("api/v1/analytics/usage", fe.AnalyticsViewSet.as_view({"get": "usage"})),
    path("api/v1/analytics/models-usage", fe.AnalyticsViewSet.as_view({"get": "models"})),
    path("api/v1/analytics/providers-usage", fe.AnalyticsViewSet.as_view({"get": "providers"})),
    re_path(
        rf"^api/v1/costs/summary/{PROJECT}$", fe.CostSummaryViewSet.as_view({"get": "summary"})
    ),
    # Marketplace and collaboration
    path("api/v1/marketplace/items", fe.MarketplaceViewSet.as_view({"get": "items"})),
    re_path(
        rf"^api/v1/marketplace/items/{ITEM}$", fe.MarketplaceViewSet.as_view({"get": "retrieve"})
    ),
    re_path(
        rf"^api/v1/marketplace/items/{ITEM}/install$",
        fe.MarketplaceInstallViewSet.as_view({"post": "install"}),
    ),
    path("api/v1/collaboration/messages/send", fe.CollaborationViewSet.as_view({"post": "send"})),
]

accounts = [
    path(
        "api/v1/auth/register",
        YagoAuthViewSet.as_view({"post": "register"}),
        name="yago-auth-register",
    ),
    path("api/v1/auth/login", YagoAuthViewSet.as_view({"post": "login"}), name="yago-auth-login"),
    path("api/v1/auth/me", YagoMeViewSet.as_view({"get": "me"}), name="yago-auth-me"),
]

urlpatterns = accounts + router.urls + frontend
