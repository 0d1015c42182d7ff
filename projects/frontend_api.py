"""The rest of the v8.1 front end's API (shared/contracts/yago-frontend.md), under /yago/.

Templates, AI models and providers, analytics, costs summary, marketplace and health routes.
Access is decided by each view's base class (config.access), one class per policy.
"""

import uuid

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from config.access import YagoPublicAccess, YagoStaffAccess
from projects import analytics, catalogs, selectors, services
from projects.api import PROJECT_NOT_FOUND, ConfigIn, YagoViewSet, iso

TEMPLATE_NOT_FOUND = "Template not found"
MODEL_NOT_FOUND = "Model not found"
ITEM_NOT_FOUND = "Item not found"
TRUE_WORDS = {"true", "1", "yes", "on", "t", "y"}
FALSE_WORDS = {"false", "0", "no", "off", "f", "n"}


# --- Base views: one per access policy -----------------------------------------------------------


class PublicViewSet(YagoPublicAccess, YagoViewSet):
    """Health, catalogues and model compare: no account needed in `user` mode."""


class UserViewSet(YagoViewSet):
    """Everything that writes or reports on someone's projects and usage."""


class StaffViewSet(YagoStaffAccess, YagoViewSet):
    """Provider status: it reveals which provider keys are configured."""


def redirect_307(*, slash: bool):
    """The original's trailing-slash redirects (FastAPI answers 307, keeping the method)."""

    def view(request, *args, **kwargs):
        path = request.path + "/" if slash else request.path.rstrip("/")
        query = request.META.get("QUERY_STRING", "")
        response = HttpResponseRedirect(f"{path}?{query}" if query else path)
        response.status_code = status.HTTP_307_TEMPORARY_REDIRECT
        return response

    return view


class StrictCharField(serializers.CharField):
    """A string and only a string (DRF's CharField also takes numbers)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise ValidationError("Must be a string.")
        return super().to_internal_value(data)


def json_object_body(request, *, required: bool) -> dict:
    """The request's JSON body, which must be an object (FastAPI answered 422 otherwise)."""
    if request.stream is None:
        if required:
            raise ValidationError({"body": ["A JSON object body is required."]})
        return {}
    data = request.data
    if not isinstance(data, dict):
        raise ValidationError({"body": ["The body must be a JSON object."]})
    return data


# --- Output shapes (for the OpenAPI schema) --------------------------------------------------


class YagoDetail(serializers.Serializer):
    detail = serializers.CharField()


class YagoRoot(serializers.Serializer):
    message = serializers.CharField()
    status = serializers.CharField()
    version = serializers.CharField()


class YagoHealth(serializers.Serializer):
    status = serializers.CharField()
    timestamp = serializers.DateTimeField()


class YagoServiceHealth(serializers.Serializer):
    status = serializers.CharField()
    service = serializers.CharField()


class YagoTemplate(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField()
    difficulty = serializers.CharField()
    is_popular = serializers.BooleanField()
    popular = serializers.BooleanField()
    icon = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    estimated_time = serializers.CharField()
    estimated_duration = serializers.CharField()
    estimated_cost = serializers.FloatField()
    file = serializers.CharField()


class YagoTemplateList(serializers.Serializer):
    templates = YagoTemplate(many=True)
    total = serializers.IntegerField()


class YagoTemplateDetails(serializers.Serializer):
    prerequisites = serializers.ListField(child=serializers.CharField())
    features = serializers.ListField(child=serializers.CharField())
    tech_stack = serializers.ListField(child=serializers.CharField())


class YagoTemplateDetail(YagoTemplate):
    details = YagoTemplateDetails()


class YagoCategory(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class YagoPreviewContent(serializers.Serializer):
    structure = serializers.ListField(child=serializers.CharField())
    files = serializers.ListField(child=serializers.CharField())
    commands = serializers.ListField(child=serializers.CharField())


class YagoPreview(serializers.Serializer):
    template_id = serializers.CharField()
    preview = YagoPreviewContent()


class YagoApply(serializers.Serializer):
    project_id = serializers.UUIDField()
    template_id = serializers.CharField()
    status = serializers.CharField()
    message = serializers.CharField()


class YagoTemplatesHealth(serializers.Serializer):
    status = serializers.CharField()
    templates_count = serializers.IntegerField()


class YagoModel(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    provider = serializers.CharField()
    description = serializers.CharField()
    context_window = serializers.IntegerField()
    max_tokens = serializers.IntegerField()
    cost_per_1k_input = serializers.FloatField()
    cost_per_1k_output = serializers.FloatField()
    speed_score = serializers.IntegerField()
    quality_score = serializers.IntegerField()
    capabilities = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    enabled = serializers.BooleanField()


class YagoModelList(serializers.Serializer):
    models = YagoModel(many=True)
    total = serializers.IntegerField()


class YagoComparison(serializers.Serializer):
    cheapest = serializers.CharField(allow_null=True)
    fastest = serializers.CharField(allow_null=True)
    best_quality = serializers.CharField(allow_null=True)


class YagoCompare(YagoModelList):
    comparison_metrics = YagoComparison()


class YagoCompareIn(serializers.Serializer):
    model_ids = serializers.ListField(child=StrictCharField(), required=False, default=list)


class YagoModelTestIn(serializers.Serializer):
    prompt = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)


class YagoModelTest(serializers.Serializer):
    model_id = serializers.CharField()
    model_name = serializers.CharField()
    prompt = serializers.CharField()
    response = serializers.CharField()
    tokens_used = serializers.IntegerField()
    cost = serializers.FloatField()
    latency_ms = serializers.IntegerField()


class YagoProviderModels(serializers.Serializer):
    name = serializers.CharField()
    models = serializers.ListField(child=serializers.CharField())


class YagoProviders(serializers.Serializer):
    providers = YagoProviderModels(many=True)


class YagoProviderStatusEntry(serializers.Serializer):
    available = serializers.BooleanField()
    name = serializers.CharField()
    models_count = serializers.IntegerField()
    api_configured = serializers.BooleanField()
    status_code = serializers.IntegerField()
    icon = serializers.CharField()


class YagoProviderStatus(serializers.Serializer):
    providers = serializers.DictField(child=YagoProviderStatusEntry())
    total_providers = serializers.IntegerField()
    available_providers = serializers.IntegerField()
    all_operational = serializers.BooleanField()
    timestamp = serializers.DateTimeField()


class YagoOverview(serializers.Serializer):
    total_projects = serializers.IntegerField()
    completed = serializers.IntegerField()
    failed = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    total_cost = serializers.FloatField()
    total_files = serializers.IntegerField()
    total_lines = serializers.IntegerField()
    avg_duration_minutes = serializers.FloatField()


class YagoByModel(serializers.Serializer):
    model = serializers.CharField()
    count = serializers.IntegerField()
    total_cost = serializers.FloatField()
    total_lines = serializers.IntegerField()


class YagoByStrategy(serializers.Serializer):
    strategy = serializers.CharField()
    count = serializers.IntegerField()
    success_rate = serializers.FloatField()


class YagoByProvider(serializers.Serializer):
    provider = serializers.CharField()
    requests = serializers.IntegerField()
    total_tokens = serializers.IntegerField()
    total_cost = serializers.FloatField()
    avg_latency = serializers.IntegerField()
    success_rate = serializers.FloatField()


class YagoAIUsage(serializers.Serializer):
    by_model = YagoByModel(many=True)
    by_strategy = YagoByStrategy(many=True)
    by_provider = YagoByProvider(many=True)


class YagoTimeline(serializers.Serializer):
    date = serializers.DateField()
    projects_created = serializers.IntegerField()
    projects_completed = serializers.IntegerField()
    cost = serializers.FloatField()
    lines_of_code = serializers.IntegerField()


class YagoTopProject(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    lines_of_code = serializers.IntegerField()
    files_generated = serializers.IntegerField()
    status = serializers.CharField()
    cost = serializers.FloatField()


class YagoAnalytics(serializers.Serializer):
    overview = YagoOverview()
    ai_usage = YagoAIUsage()
    timeline = YagoTimeline(many=True)
    top_projects = YagoTopProject(many=True)
    range = serializers.CharField()
    timestamp = serializers.DateTimeField()


class YagoMetrics(serializers.Serializer):
    total_requests = serializers.IntegerField()
    total_tokens = serializers.IntegerField()
    total_cost = serializers.FloatField()
    avg_latency_ms = serializers.IntegerField()
    success_rate = serializers.FloatField()
    active_users = serializers.IntegerField()
    period = serializers.CharField()


class YagoUsageDay(serializers.Serializer):
    date = serializers.DateField()
    requests = serializers.IntegerField()
    tokens = serializers.IntegerField()
    cost = serializers.FloatField()


class YagoUsage(serializers.Serializer):
    usage = YagoUsageDay(many=True)
    total_days = serializers.IntegerField()


class YagoModelUsage(serializers.Serializer):
    model_id = serializers.CharField()
    model_name = serializers.CharField()
    requests = serializers.IntegerField()
    tokens = serializers.IntegerField()
    cost = serializers.FloatField()
    percentage = serializers.FloatField()


class YagoModelsUsage(serializers.Serializer):
    models = YagoModelUsage(many=True)


class YagoProviderUsage(serializers.Serializer):
    provider = serializers.CharField()
    total_requests = serializers.IntegerField()
    total_tokens = serializers.IntegerField()
    total_cost = serializers.FloatField()
    avg_latency_ms = serializers.IntegerField()
    success_rate = serializers.FloatField()
    last_used = serializers.DateTimeField(allow_null=True)


class YagoProvidersUsage(serializers.Serializer):
    providers_usage = YagoProviderUsage(many=True)
    period = serializers.CharField()
    timestamp = serializers.DateTimeField()


class YagoCostSummary(serializers.Serializer):
    project_id = serializers.UUIDField()
    total_cost = serializers.FloatField()
    cost_by_agent = serializers.DictField(child=serializers.FloatField())
    timestamp = serializers.DateTimeField()


class YagoItem(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    description = serializers.CharField()
    author = serializers.CharField()
    version = serializers.CharField()
    downloads = serializers.IntegerField()
    rating = serializers.FloatField()
    price = serializers.CharField()
    icon = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    installed = serializers.BooleanField()


class YagoItemList(serializers.Serializer):
    items = YagoItem(many=True)
    total = serializers.IntegerField()


class YagoInstall(serializers.Serializer):
    item_id = serializers.CharField()
    status = serializers.CharField()
    message = serializers.CharField()
    version = serializers.CharField()


class YagoMessageSent(serializers.Serializer):
    status = serializers.CharField()
    message_id = serializers.UUIDField()


NOT_FOUND = {404: YagoDetail}
NEEDS_USER = {401: YagoDetail, 422: OpenApiTypes.OBJECT}


def query(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, str, OpenApiParameter.QUERY, required=False, description=description
    )


# --- Root and health ---------------------------------------------------------------------------


class HealthViewSet(PublicViewSet):
    @extend_schema(responses=YagoRoot, operation_id="yago_root")
    def root(self, request):
        return Response({"message": "YAGO v8.0 API", "status": "running", "version": "8.0.0"})

    @extend_schema(responses=YagoHealth, operation_id="yago_health")
    def health(self, request):
        return Response({"status": "healthy", "timestamp": iso(timezone.now())})

    @extend_schema(responses=YagoServiceHealth, operation_id="yago_service_health")
    def service(self, request, service=None):
        return Response({"status": "healthy", "service": service})


# --- Templates -------------------------------------------------------------------------------


def parse_bool(name: str, value: str) -> bool:
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(
        {name: [f"{value!r} is not a boolean (true/false, 1/0, yes/no, on/off)."]}
    )


class TemplateViewSet(PublicViewSet):
    def get_template(self, template_id):
        template = catalogs.template_get(template_id=template_id)
        if template is None:
            raise NotFound(TEMPLATE_NOT_FOUND)
        return template

    @extend_schema(
        parameters=[
            query("category", "exact category id; empty = any"),
            query("difficulty", "exact difficulty; empty = any"),
            OpenApiParameter("popular_only", bool, OpenApiParameter.QUERY, required=False),
        ],
        responses={200: YagoTemplateList, 422: OpenApiTypes.OBJECT},
        operation_id="yago_templates_list",
    )
    def templates(self, request):
        params = request.query_params
        popular = params.get("popular_only")
        templates = catalogs.template_list(
            category=params.get("category", ""),
            difficulty=params.get("difficulty", ""),
            popular_only=parse_bool("popular_only", popular) if popular is not None else False,
        )
        return Response(
            {"templates": [catalogs.template_data(t) for t in templates], "total": len(templates)}
        )

    @extend_schema(responses=YagoCategory(many=True), operation_id="yago_template_categories")
    def categories(self, request):
        return Response(catalogs.category_list())

    @extend_schema(responses=YagoTemplate(many=True), operation_id="yago_templates_popular")
    def popular(self, request):
        return Response(
            [catalogs.template_data(t) for t in catalogs.template_list(popular_only=True)]
        )

    @extend_schema(
        parameters=[OpenApiParameter("q", str, OpenApiParameter.QUERY, required=True)],
        responses={200: YagoTemplate(many=True), 422: OpenApiTypes.OBJECT},
        operation_id="yago_templates_search",
    )
    def search(self, request):
        if "q" not in request.query_params:
            raise ValidationError({"q": ["This query parameter is required."]})
        found = catalogs.template_search(query=request.query_params["q"])
        return Response([catalogs.template_data(t) for t in found])

    @extend_schema(responses=YagoTemplatesHealth, operation_id="yago_templates_health")
    def health(self, request):
        return Response({"status": "healthy", "templates_count": catalogs.template_count()})

    @extend_schema(responses={200: YagoTemplateDetail, **NOT_FOUND}, operation_id="yago_template")
    def retrieve(self, request, template_id=None):
        template = self.get_template(template_id)
        return Response(
            {
                **catalogs.template_data(template),
                "details": {**catalogs.TEMPLATE_DETAILS, "tech_stack": template.tags},
            }
        )

    @extend_schema(responses={200: YagoPreview, **NOT_FOUND}, operation_id="yago_template_preview")
    def preview(self, request, template_id=None):
        template = self.get_template(template_id)
        return Response({"template_id": template.id, "preview": catalogs.TEMPLATE_PREVIEW})


class TemplateApplyViewSet(UserViewSet):
    @extend_schema(
        request=ConfigIn,
        responses={200: YagoApply, **NOT_FOUND, **NEEDS_USER},
        operation_id="yago_template_apply",
        description="Creates the project. The optional body is the new project's config "
        "(primary_model, agent_role, strategy, temperature, max_tokens).",
    )
    def apply(self, request, template_id=None):
        template = catalogs.template_get(template_id=template_id)
        if template is None:
            raise NotFound(TEMPLATE_NOT_FOUND)
        config = json_object_body(request, required=False)
        options = ConfigIn(data=config)
        options.is_valid(raise_exception=True)
        project = services.template_apply(
            template=template, config=config, options=options.validated_data, owner=self.owner()
        )
        return Response(
            {
                "project_id": str(project.pk),
                "template_id": template.id,
                "status": "created",
                "message": "Template applied successfully",
            }
        )


# --- AI models and providers --------------------------------------------------------------


class ModelViewSet(PublicViewSet):
    @extend_schema(
        parameters=[
            query("provider", "exact: openai, anthropic, google, cursor"),
            query("capability", "must be one of the model's capabilities"),
        ],
        responses=YagoModelList,
        operation_id="yago_models_list",
    )
    def models(self, request):
        models = catalogs.model_list(
            provider=request.query_params.get("provider", ""),
            capability=request.query_params.get("capability", ""),
        )
        return Response({"models": [catalogs.model_data(m) for m in models], "total": len(models)})

    @extend_schema(responses=YagoProviders, operation_id="yago_model_providers")
    def providers(self, request):
        grouped = catalogs.model_ids_by_provider()
        return Response(
            {"providers": [{"name": name, "models": ids} for name, ids in grouped.items()]}
        )

    @extend_schema(responses={200: YagoModel, **NOT_FOUND}, operation_id="yago_model")
    def retrieve(self, request, model_id=None):
        model = catalogs.model_get(model_id=model_id)
        if model is None:
            raise NotFound(MODEL_NOT_FOUND)
        return Response(catalogs.model_data(model))

    @extend_schema(
        request=YagoCompareIn,
        responses={200: YagoCompare, 422: OpenApiTypes.OBJECT},
        operation_id="yago_models_compare",
    )
    def compare(self, request):
        body = YagoCompareIn(data=json_object_body(request, required=True))
        body.is_valid(raise_exception=True)
        models = catalogs.models_by_ids(model_ids=body.validated_data["model_ids"])
        return Response(
            {
                "models": [catalogs.model_data(m) for m in models],
                "total": len(models),
                "comparison_metrics": catalogs.model_comparison(models),
            }
        )


class ModelTestViewSet(UserViewSet):
    @extend_schema(
        request=YagoModelTestIn,
        responses={200: YagoModelTest, **NOT_FOUND, **NEEDS_USER},
        operation_id="yago_model_test",
        description="Simulated: no provider is called and nothing is stored.",
    )
    def test(self, request, model_id=None):
        model = catalogs.model_get(model_id=model_id)
        if model is None:
            raise NotFound(MODEL_NOT_FOUND)
        body = YagoModelTestIn(data=json_object_body(request, required=True))
        body.is_valid(raise_exception=True)
        prompt = body.validated_data.get("prompt", "Hello, world!")
        words = len(prompt.split())
        return Response(
            {
                "model_id": model.id,
                "model_name": model.name,
                "prompt": prompt,
                "response": f"This is a simulated response from {model.name}. "
                "In production, this would call the actual API.",
                "tokens_used": 2 * words,
                "cost": analytics.money(words * model.cost_per_1k_input / 1000),
                "latency_ms": 100 + (10 - model.speed_score) * 50,
            }
        )


PROVIDER_STATUS = [
    # (key, name, catalog provider, settings attribute of the key or None, icon)
    ("openai", "OpenAI", "openai", "YAGO_OPENAI_API_KEY", "🟢"),
    ("anthropic", "Anthropic Claude", "anthropic", "YAGO_ANTHROPIC_API_KEY", "🔵"),
    # No Gemini or Cursor provider exists here: they are never configured.
    ("gemini", "Google Gemini", "google", None, "🔴"),
    ("cursor", "Cursor AI", "cursor", None, "⚡"),
]


class ProviderStatusViewSet(StaffViewSet):
    @extend_schema(
        responses={200: YagoProviderStatus, 401: YagoDetail, 403: YagoDetail},
        operation_id="yago_providers_status",
    )
    def status(self, request):
        counts = {name: len(ids) for name, ids in catalogs.model_ids_by_provider().items()}
        providers = {}
        for key, name, catalog_name, setting, icon in PROVIDER_STATUS:
            secret = getattr(settings, setting, "") if setting else ""
            secret = secret or ""
            providers[key] = {
                "available": len(secret) > 20,
                "name": name,
                "models_count": counts.get(catalog_name, 0),
                "api_configured": bool(secret),
                "status_code": 200 if secret else 401,
                "icon": icon,
            }
        available = sum(1 for entry in providers.values() if entry["available"])
        return Response(
            {
                "providers": providers,
                "total_providers": len(providers),
                "available_providers": available,
                "all_operational": available == len(providers),
                "timestamp": iso(timezone.now()),
            }
        )


# --- Analytics and costs --------------------------------------------------------------------


class AnalyticsViewSet(UserViewSet):
    """Only the caller's projects and usage when access requires a user."""

    @extend_schema(
        parameters=[query("range", "7d | 30d | anything else = all (default 30d)")],
        responses={200: YagoAnalytics, 401: YagoDetail},
        operation_id="yago_analytics",
    )
    def overview(self, request):
        range_ = request.query_params.get("range", "30d")
        return Response(analytics.analytics(user=request.user, range_=range_, now=timezone.now()))

    @extend_schema(
        responses={200: YagoMetrics, 401: YagoDetail}, operation_id="yago_analytics_metrics"
    )
    def metrics(self, request):
        return Response(analytics.usage_metrics(user=request.user, now=timezone.now()))

    @extend_schema(responses={200: YagoUsage, 401: YagoDetail}, operation_id="yago_analytics_usage")
    def usage(self, request):
        return Response(analytics.usage_per_day(user=request.user, now=timezone.now()))

    @extend_schema(
        responses={200: YagoModelsUsage, 401: YagoDetail}, operation_id="yago_analytics_models"
    )
    def models(self, request):
        return Response(analytics.usage_per_model(user=request.user, now=timezone.now()))

    @extend_schema(
        responses={200: YagoProvidersUsage, 401: YagoDetail},
        operation_id="yago_analytics_providers",
    )
    def providers(self, request):
        return Response(analytics.usage_per_provider(user=request.user, now=timezone.now()))


class CostSummaryViewSet(UserViewSet):
    @extend_schema(
        responses={200: YagoCostSummary, 401: YagoDetail, 404: YagoDetail},
        operation_id="yago_costs_summary",
    )
    def summary(self, request, project_id=None):
        project = selectors.project_get(user=request.user, project_id=project_id)
        if project is None:
            raise NotFound(PROJECT_NOT_FOUND)
        return Response(analytics.project_cost_summary(project=project, now=timezone.now()))


# --- Marketplace and collaboration ----------------------------------------------------------


class MarketplaceViewSet(PublicViewSet):
    @extend_schema(
        parameters=[query("item_type", "exact: plugin, template, integration")],
        responses=YagoItemList,
        operation_id="yago_marketplace_items",
    )
    def items(self, request):
        items = catalogs.item_list(item_type=request.query_params.get("item_type", ""))
        return Response({"items": [catalogs.item_data(i) for i in items], "total": len(items)})

    @extend_schema(responses={200: YagoItem, **NOT_FOUND}, operation_id="yago_marketplace_item")
    def retrieve(self, request, item_id=None):
        item = catalogs.item_get(item_id=item_id)
        if item is None:
            raise NotFound(ITEM_NOT_FOUND)
        return Response(catalogs.item_data(item))


class MarketplaceInstallViewSet(UserViewSet):
    @extend_schema(
        request=None,
        responses={200: YagoInstall, 401: YagoDetail, 404: YagoDetail},
        operation_id="yago_marketplace_install",
        description="Nothing is stored: `installed` stays false, as in the original.",
    )
    def install(self, request, item_id=None):
        item = catalogs.item_get(item_id=item_id)
        if item is None:
            raise NotFound(ITEM_NOT_FOUND)
        return Response(
            {
                "item_id": item.id,
                "status": "installed",
                "message": f"{item.name} installed successfully",
                "version": item.version,
            }
        )


class CollaborationViewSet(UserViewSet):
    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: YagoMessageSent, **NEEDS_USER},
        operation_id="yago_collaboration_send",
        description="The message is not stored, as in the original.",
    )
    def send(self, request):
        json_object_body(request, required=True)
        return Response({"status": "sent", "message_id": str(uuid.uuid4())})
