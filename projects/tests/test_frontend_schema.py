"""The front-end routes are in the OpenAPI schema with typed (component) responses."""

import pytest
from drf_spectacular.generators import SchemaGenerator

FRONTEND_ROUTES = {
    "/yago/": ({"get"}, "YagoRoot"),
    "/yago/health": ({"get"}, "YagoHealth"),
    "/yago/api/v1/{service}/health": ({"get"}, "YagoServiceHealth"),
    "/yago/api/v1/templates/": ({"get"}, "YagoTemplateList"),
    "/yago/api/v1/templates/categories": ({"get"}, None),  # a bare list of YagoCategory
    "/yago/api/v1/templates/popular": ({"get"}, None),
    "/yago/api/v1/templates/search": ({"get"}, None),
    "/yago/api/v1/templates/health": ({"get"}, "YagoTemplatesHealth"),
    "/yago/api/v1/templates/{template_id}": ({"get"}, "YagoTemplateDetail"),
    "/yago/api/v1/templates/{template_id}/preview": ({"get"}, "YagoPreview"),
    "/yago/api/v1/templates/{template_id}/apply": ({"post"}, "YagoApply"),
    "/yago/api/v1/models/list": ({"get"}, "YagoModelList"),
    "/yago/api/v1/models/providers": ({"get"}, "YagoProviders"),
    "/yago/api/v1/models/compare": ({"post"}, "YagoCompare"),
    "/yago/api/v1/models/{model_id}": ({"get"}, "YagoModel"),
    "/yago/api/v1/models/{model_id}/test": ({"post"}, "YagoModelTest"),
    "/yago/api/v1/providers/status": ({"get"}, "YagoProviderStatus"),
    "/yago/api/v1/analytics": ({"get"}, "YagoAnalytics"),
    "/yago/api/v1/analytics/metrics": ({"get"}, "YagoMetrics"),
    "/yago/api/v1/analytics/usage": ({"get"}, "YagoUsage"),
    "/yago/api/v1/analytics/models-usage": ({"get"}, "YagoModelsUsage"),
    "/yago/api/v1/analytics/providers-usage": ({"get"}, "YagoProvidersUsage"),
    "/yago/api/v1/costs/summary/{project_id}": ({"get"}, "YagoCostSummary"),
    "/yago/api/v1/marketplace/items": ({"get"}, "YagoItemList"),
    "/yago/api/v1/marketplace/items/{item_id}": ({"get"}, "YagoItem"),
    "/yago/api/v1/marketplace/items/{item_id}/install": ({"post"}, "YagoInstall"),
    "/yago/api/v1/collaboration/messages/send": ({"post"}, "YagoMessageSent"),
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize("path", FRONTEND_ROUTES)
def test_route_is_in_the_schema_with_a_typed_answer(schema, path):
    methods, component = FRONTEND_ROUTES[path]
    operations = schema["paths"][path]

    assert {m for m in operations if m in {"get", "post", "put", "patch", "delete"}} == methods
    for method in methods:
        answer = operations[method]["responses"]["200"]["content"]["application/json"]["schema"]
        if component is None:
            assert answer["type"] == "array"
            assert answer["items"]["$ref"].startswith("#/components/schemas/Yago")
        else:
            assert answer == {"$ref": f"#/components/schemas/{component}"}


def test_analytics_component_is_fully_typed(schema):
    components = schema["components"]["schemas"]

    assert set(components["YagoAnalytics"]["properties"]) == {
        "overview",
        "ai_usage",
        "timeline",
        "top_projects",
        "range",
        "timestamp",
    }
    assert components["YagoOverview"]["properties"]["total_cost"] == {
        "type": "number",
        "format": "double",
    }
