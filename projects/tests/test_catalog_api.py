"""Catalog, health and marketplace routes of yago-frontend.md (the catalogs are seeded by the
projects conftest from fixtures/yago_catalogs.json)."""

import itertools
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from projects import frontend_api
from projects.models import AIModel, Project, Template

pytestmark = pytest.mark.django_db

API = "/yago/api/v1"

WEB_APP = {
    "id": "web_app",
    "name": "Web Application",
    "description": "Full-stack web application with modern frontend and backend",
    "category": "web",
    "difficulty": "intermediate",
    "is_popular": True,
    "popular": True,
    "icon": "🌐",
    "tags": ["react", "nodejs", "database"],
    "estimated_time": "2-3 weeks",
    "estimated_duration": "2-3 weeks",
    "estimated_cost": 15.5,
    "file": "web_app_template.yaml",
}
DATA_PIPELINE = {
    "id": "data_pipeline",
    "name": "Data Pipeline",
    "description": "ETL pipeline for data processing and analytics",
    "category": "data",
    "difficulty": "intermediate",
    "is_popular": False,
    "popular": False,
    "icon": "📊",
    "tags": ["python", "etl", "data-engineering"],
    "estimated_time": "2 weeks",
    "estimated_duration": "2 weeks",
    "estimated_cost": 12.25,
    "file": "data_pipeline_template.yaml",
}
GPT_4 = {
    "id": "gpt-4",
    "name": "GPT-4",
    "provider": "openai",
    "description": "Original GPT-4 model with exceptional capabilities",
    "context_window": 8192,
    "max_tokens": 4096,
    "cost_per_1k_input": 0.03,
    "cost_per_1k_output": 0.06,
    "speed_score": 6,
    "quality_score": 10,
    "capabilities": ["chat", "code_generation", "analysis", "reasoning", "creative_writing"],
    "status": "available",
    "enabled": True,
}
PLUGIN_ANALYTICS = {
    "id": "plugin-analytics",
    "name": "Advanced Analytics",
    "type": "plugin",
    "description": "Detailed analytics and custom dashboards",
    "author": "YAGO Pro",
    "version": "3.1.0",
    "downloads": 890,
    "rating": 4.6,
    "price": "$9.99/mo",
    "icon": "📊",
    "tags": ["analytics", "premium", "dashboards"],
    "installed": False,
}

# The catalog as the contract lists it: (id, category, difficulty, popular).
TEMPLATES = [
    ("web_app", "web", "intermediate", True),
    ("api_service", "backend", "beginner", True),
    ("mobile_app", "mobile", "advanced", True),
    ("data_pipeline", "data", "intermediate", False),
]
# (id, provider, capabilities)
MODELS = [
    ("gpt-4-turbo", "openai", {"chat", "code_generation", "analysis", "reasoning"}),
    ("gpt-4", "openai", {"chat", "code_generation", "analysis", "reasoning", "creative_writing"}),
    ("gpt-3.5-turbo", "openai", {"chat", "code_generation", "analysis"}),
    (
        "claude-3-opus",
        "anthropic",
        {"chat", "code_generation", "analysis", "reasoning", "long_context"},
    ),
    ("claude-3-sonnet", "anthropic", {"chat", "code_generation", "analysis", "long_context"}),
    ("claude-3-haiku", "anthropic", {"chat", "analysis"}),
    ("gemini-pro", "google", {"chat", "code_generation", "analysis", "multimodal"}),
    ("cursor-small", "cursor", {"chat", "code_generation", "analysis", "code_completion"}),
    (
        "cursor-large",
        "cursor",
        {"chat", "code_generation", "analysis", "code_completion", "refactoring"},
    ),
]


def ids(items):
    return [item["id"] for item in items]


# --- Root and health ----------------------------------------------------------------------------


def test_root(api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get("/yago/")

    assert response.status_code == 200
    assert response.json() == {"message": "YAGO v8.0 API", "status": "running", "version": "8.0.0"}


def test_health(api_client, monkeypatch, django_assert_num_queries):
    now = datetime(2026, 11, 29, 17, 16, 42, 556427, tzinfo=UTC)
    monkeypatch.setattr(frontend_api, "timezone", SimpleNamespace(now=lambda: now))

    with django_assert_num_queries(0):
        response = api_client.get("/yago/health")

    assert response.json() == {"status": "healthy", "timestamp": "2026-11-29T17:16:42.556427Z"}


def test_health_timestamp_is_the_current_time(api_client):
    stamp = datetime.fromisoformat(api_client.get("/yago/health").json()["timestamp"])

    assert abs((timezone.now() - stamp).total_seconds()) < 5


@pytest.mark.parametrize("service", ["costs", "collaboration", "benchmarks"])
def test_service_health(api_client, service, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get(f"{API}/{service}/health")

    assert response.json() == {"status": "healthy", "service": service}


def test_unknown_service_health_is_404(api_client):
    assert api_client.get(f"{API}/billing/health").status_code == 404


# --- Templates ------------------------------------------------------------------------------


def test_template_list_exact(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api_client.get(f"{API}/templates/", {"category": "", "difficulty": ""})

    body = response.json()
    assert response.status_code == 200
    assert body["total"] == 4
    assert ids(body["templates"]) == ["web_app", "api_service", "mobile_app", "data_pipeline"]
    assert body["templates"][0] == WEB_APP
    assert body["templates"][3] == DATA_PIPELINE


def test_template_list_without_slash_redirects_307_keeping_the_query(api_client):
    response = api_client.get(f"{API}/templates", {"category": "web"})

    assert response.status_code == 307
    assert response["Location"] == f"{API}/templates/?category=web"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "web"}, ["web_app"]),
        ({"popular_only": "true"}, ["web_app", "api_service", "mobile_app"]),
        ({"difficulty": "intermediate"}, ["web_app", "data_pipeline"]),
        ({"difficulty": "expert"}, []),
        ({"category": "data", "difficulty": "intermediate", "popular_only": "true"}, []),
        (
            {"category": "data", "difficulty": "intermediate", "popular_only": "false"},
            ["data_pipeline"],
        ),
        ({"category": "WEB"}, []),  # exact match
    ],
)
def test_template_list_contract_examples(api_client, query, expected):
    body = api_client.get(f"{API}/templates/", query).json()

    assert body == {"templates": body["templates"], "total": len(expected)}
    assert ids(body["templates"]) == expected


CATEGORY_VALUES = [None, "", "web", "backend", "mobile", "data", "nope"]
DIFFICULTY_VALUES = [None, "", "beginner", "intermediate", "advanced", "expert"]
POPULAR_VALUES = [None, "true", "false"]


@pytest.mark.parametrize(
    ("category", "difficulty", "popular"),
    list(itertools.product(CATEGORY_VALUES, DIFFICULTY_VALUES, POPULAR_VALUES)),
)
def test_template_list_every_filter_combination(api_client, category, difficulty, popular):
    query = {
        key: value
        for key, value in (
            ("category", category),
            ("difficulty", difficulty),
            ("popular_only", popular),
        )
        if value is not None
    }
    expected = [
        template_id
        for template_id, its_category, its_difficulty, is_popular in TEMPLATES
        if (not category or its_category == category)
        and (not difficulty or its_difficulty == difficulty)
        and (popular != "true" or is_popular)
    ]

    body = api_client.get(f"{API}/templates/", query).json()

    assert (ids(body["templates"]), body["total"]) == (expected, len(expected))


@pytest.mark.parametrize(
    ("value", "popular"),
    [
        ("true", True), ("TRUE", True), ("1", True), ("yes", True), ("On", True), ("t", True),
        ("Y", True), ("false", False), ("0", False), ("NO", False), ("off", False), ("f", False),
        ("n", False),
    ],
)  # fmt: skip
def test_popular_only_words(api_client, value, popular):
    body = api_client.get(f"{API}/templates/", {"popular_only": value}).json()

    assert body["total"] == (3 if popular else 4)


@pytest.mark.parametrize("value", ["maybe", "", "2", "truee"])
def test_popular_only_other_values_are_422(api_client, value):
    response = api_client.get(f"{API}/templates/", {"popular_only": value})

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "field": "popular_only",
                "message": f"{value!r} is not a boolean (true/false, 1/0, yes/no, on/off).",
                "code": "invalid",
            }
        ]
    }


def test_template_list_repeated_key_last_value_wins(api_client):
    body = api_client.get(f"{API}/templates/?category=web&category=data").json()

    assert ids(body["templates"]) == ["data_pipeline"]


def test_categories_count_real_templates(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = api_client.get(f"{API}/templates/categories").json()

    assert body == [
        {"id": "web", "name": "Web Development", "count": 1},
        {"id": "backend", "name": "Backend Services", "count": 1},
        {"id": "mobile", "name": "Mobile Apps", "count": 1},
        {"id": "data", "name": "Data Engineering", "count": 1},
    ]
    Template.objects.filter(pk="data_pipeline").update(category_id="web")
    assert api_client.get(f"{API}/templates/categories").json()[0]["count"] == 2
    assert api_client.get(f"{API}/templates/categories").json()[3]["count"] == 0


def test_popular_is_a_bare_list(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = api_client.get(f"{API}/templates/popular").json()

    assert ids(body) == ["web_app", "api_service", "mobile_app"]
    assert body[0] == WEB_APP


def test_template_detail(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api_client.get(f"{API}/templates/web_app")

    assert response.status_code == 200
    assert response.json() == {
        **WEB_APP,
        "details": {
            "prerequisites": ["Basic programming knowledge"],
            "features": ["Modern architecture", "Best practices", "Documentation"],
            "tech_stack": ["react", "nodejs", "database"],
        },
    }


def test_template_preview(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api_client.get(f"{API}/templates/data_pipeline/preview")

    assert response.json() == {
        "template_id": "data_pipeline",
        "preview": {
            "structure": ["src/", "tests/", "docs/", "config/"],
            "files": ["README.md", "package.json", ".gitignore"],
            "commands": ["npm install", "npm start", "npm test"],
        },
    }


@pytest.mark.parametrize("suffix", ["", "/preview"])
def test_unknown_template_is_404(api_client, suffix):
    response = api_client.get(f"{API}/templates/nope{suffix}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Template not found"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("api", ["api_service"]),  # name, description and tag
        ("APPLICATION", ["web_app", "mobile_app"]),  # name, case-insensitive
        ("etl", ["data_pipeline"]),  # description ("ETL") and tag
        ("native", ["mobile_app"]),  # description ("React Native") and tag "react-native"
        ("react", ["web_app", "mobile_app"]),
        ("SQL", []),  # tags are compared as stored: "postgresql" does not contain "SQL"
        ("sql", ["api_service"]),
        ("", ["web_app", "api_service", "mobile_app", "data_pipeline"]),
        ("zzz", []),
    ],
)
def test_template_search(api_client, q, expected, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = api_client.get(f"{API}/templates/search", {"q": q}).json()

    assert ids(body) == expected


def test_template_search_without_q_is_422(api_client):
    response = api_client.get(f"{API}/templates/search")

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"field": "q", "message": "This query parameter is required.", "code": "invalid"}
        ]
    }


def test_templates_health_counts_the_table(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert api_client.get(f"{API}/templates/health").json() == {
            "status": "healthy",
            "templates_count": 4,
        }
    Template.objects.filter(pk="web_app").delete()
    assert api_client.get(f"{API}/templates/health").json()["templates_count"] == 3


def test_apply_creates_the_project_from_the_template(api_client):
    response = api_client.post(f"{API}/templates/web_app/apply")

    project = Project.objects.get()
    assert response.status_code == 200
    assert response.json() == {
        "project_id": str(project.pk),
        "template_id": "web_app",
        "status": "created",
        "message": "Template applied successfully",
    }
    idea = "Web Application - Full-stack web application with modern frontend and backend"
    assert (project.name, project.description, project.status) == (idea, idea, "creating")
    assert project.brief == {"project_idea": idea, "template_id": "web_app"}
    assert project.cost_estimate > 0


def test_apply_takes_the_config_as_customizations(api_client):
    api_client.post(
        f"{API}/templates/api_service/apply",
        {"primary_model": "gpt-4", "max_tokens": 1000},
        format="json",
    )

    project = Project.objects.get()
    assert (project.primary_model, project.max_tokens) == ("gpt-4", 1000)
    assert project.config == {"primary_model": "gpt-4", "max_tokens": 1000}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ([1, 2], "body", "The body must be a JSON object."),
        ("text", "body", "The body must be a JSON object."),
        ({"temperature": 9}, "temperature", "Ensure this value is less than or equal to 2."),
    ],
)
def test_apply_refuses_bad_bodies(api_client, body, field, message):
    response = api_client.post(f"{API}/templates/web_app/apply", body, format="json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field
    assert response.json()["detail"][0]["message"] == message
    assert Project.objects.count() == 0


def test_apply_unknown_template_is_404_and_creates_nothing(api_client):
    response = api_client.post(f"{API}/templates/nope/apply")

    assert response.status_code == 404
    assert response.json() == {"detail": "Template not found"}
    assert Project.objects.count() == 0


# --- Models ---------------------------------------------------------------------------------


def test_model_list_is_the_listed_models_in_catalog_order(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = api_client.get(f"{API}/models/list").json()

    assert ids(body["models"]) == [model_id for model_id, _, _ in MODELS]
    assert body["total"] == 9
    assert body["models"][1] == GPT_4
    assert AIModel.objects.filter(listed=False).count() == 11  # prices only, never shown


def test_model_list_with_slash_redirects(api_client):
    response = api_client.get(f"{API}/models/list/", {"provider": "google"})

    assert response.status_code == 307
    assert response["Location"] == f"{API}/models/list?provider=google"


PROVIDER_VALUES = [None, "", "openai", "anthropic", "google", "cursor", "offline", "nope"]
CAPABILITY_VALUES = [None, "", "chat", "long_context", "code_completion", "multimodal", "nope"]


@pytest.mark.parametrize(
    ("provider", "capability"), list(itertools.product(PROVIDER_VALUES, CAPABILITY_VALUES))
)
def test_model_list_every_filter_combination(api_client, provider, capability):
    query = {
        key: value
        for key, value in (("provider", provider), ("capability", capability))
        if value is not None
    }
    expected = [
        model_id
        for model_id, its_provider, capabilities in MODELS
        if (not provider or its_provider == provider)
        and (not capability or capability in capabilities)
    ]

    body = api_client.get(f"{API}/models/list", query).json()

    assert (ids(body["models"]), body["total"]) == (expected, len(expected))


def test_model_list_contract_example(api_client):
    body = api_client.get(
        f"{API}/models/list", {"provider": "anthropic", "capability": "long_context"}
    ).json()

    assert ids(body["models"]) == ["claude-3-opus", "claude-3-sonnet"]


def test_model_list_follows_the_tables_order(api_client):
    AIModel.objects.filter(pk="gemini-pro").update(position=0)

    body = api_client.get(f"{API}/models/list").json()

    assert ids(body["models"])[:2] == ["gemini-pro", "gpt-4-turbo"]


def test_model_detail(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api_client.get(f"{API}/models/gpt-4")

    assert response.json() == GPT_4


@pytest.mark.parametrize("model_id", ["nope", "gpt-4o-mini", "default", "offline"])
def test_unknown_or_unlisted_model_is_404(api_client, model_id):
    response = api_client.get(f"{API}/models/{model_id}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Model not found"}


def test_model_providers(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = api_client.get(f"{API}/models/providers").json()

    assert body == {
        "providers": [
            {"name": "openai", "models": ["gpt-4-turbo", "gpt-4", "gpt-3.5-turbo"]},
            {"name": "anthropic", "models": ["claude-3-opus", "claude-3-sonnet", "claude-3-haiku"]},
            {"name": "google", "models": ["gemini-pro"]},
            {"name": "cursor", "models": ["cursor-small", "cursor-large"]},
        ]
    }


def test_compare_contract_example(api_client, django_assert_num_queries):
    # A write method: config.middleware wraps it in a transaction (a savepoint in tests).
    with django_assert_num_queries(1 + 2):
        response = api_client.post(
            f"{API}/models/compare",
            {"model_ids": ["gpt-4", "claude-3-haiku", "nope", "gemini-pro"]},
            format="json",
        )

    body = response.json()
    assert ids(body["models"]) == ["gpt-4", "claude-3-haiku", "gemini-pro"]
    assert body["models"][0] == GPT_4
    assert (body["total"], body["comparison_metrics"]) == (
        3,
        {"cheapest": "claude-3-haiku", "fastest": "claude-3-haiku", "best_quality": "gpt-4"},
    )


def test_compare_keeps_duplicates_and_gives_ties_to_the_first(api_client):
    # claude-3-haiku and gemini-pro cost the same input price: the first listed wins;
    # gpt-3.5-turbo and claude-3-haiku are both speed 10.
    body = api_client.post(
        f"{API}/models/compare",
        {"model_ids": ["gemini-pro", "gpt-3.5-turbo", "claude-3-haiku", "gemini-pro"]},
        format="json",
    ).json()

    assert ids(body["models"]) == ["gemini-pro", "gpt-3.5-turbo", "claude-3-haiku", "gemini-pro"]
    assert body["total"] == 4
    assert body["comparison_metrics"] == {
        "cheapest": "gemini-pro",
        "fastest": "gpt-3.5-turbo",
        "best_quality": "gemini-pro",
    }


@pytest.mark.parametrize("body", [{}, {"model_ids": []}, {"model_ids": ["nope"]}])
def test_compare_nothing_known(api_client, body):
    response = api_client.post(f"{API}/models/compare", body, format="json")

    assert response.json() == {
        "models": [],
        "total": 0,
        "comparison_metrics": {"cheapest": None, "fastest": None, "best_quality": None},
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model_ids": None}, "model_ids"),
        ({"model_ids": "gpt-4"}, "model_ids"),
        ({"model_ids": [4]}, "model_ids"),
        ([], "body"),
        (None, "body"),
    ],
)
def test_compare_bad_bodies_are_422(api_client, body, field):
    if body is None:
        response = api_client.post(f"{API}/models/compare")
    else:
        response = api_client.post(f"{API}/models/compare", body, format="json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"].split(".")[0] == field


def test_model_test_contract_examples(api_client, django_assert_num_queries):
    with django_assert_num_queries(1 + 2):
        written = api_client.post(
            f"{API}/models/gpt-4/test", {"prompt": "write a hello world program"}, format="json"
        ).json()
    default = api_client.post(f"{API}/models/gpt-4/test", {}, format="json").json()

    assert written == {
        "model_id": "gpt-4",
        "model_name": "GPT-4",
        "prompt": "write a hello world program",
        "response": "This is a simulated response from GPT-4. "
        "In production, this would call the actual API.",
        "tokens_used": 10,
        "cost": 0.00015,
        "latency_ms": 300,
    }
    assert (default["prompt"], default["tokens_used"], default["cost"]) == (
        "Hello, world!",
        4,
        0.00006,
    )


def test_model_test_empty_prompt_costs_zero(api_client):
    body = api_client.post(f"{API}/models/claude-3-haiku/test", {"prompt": ""}, format="json")

    assert (body.json()["tokens_used"], body.json()["cost"], body.json()["latency_ms"]) == (
        0,
        0,
        100,
    )


@pytest.mark.parametrize(
    ("body", "field"), [({"prompt": None}, "prompt"), ({"prompt": 5}, "prompt"), ([], "body")]
)
def test_model_test_bad_bodies_are_422(api_client, body, field):
    response = api_client.post(f"{API}/models/gpt-4/test", body, format="json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == field


def test_model_test_needs_a_body(api_client):
    response = api_client.post(f"{API}/models/gpt-4/test")

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"field": "body", "message": "A JSON object body is required.", "code": "invalid"}
        ]
    }


def test_model_test_unknown_model_is_404(api_client):
    response = api_client.post(f"{API}/models/nope/test", {}, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Model not found"}


def provider_entry(name, count, icon, key=""):
    return {
        "available": len(key) > 20,
        "name": name,
        "models_count": count,
        "api_configured": bool(key),
        "status_code": 200 if key else 401,
        "icon": icon,
    }


def test_provider_status_without_keys(api_client, settings, monkeypatch, django_assert_num_queries):
    now = datetime(2026, 11, 29, 17, 16, tzinfo=UTC)
    monkeypatch.setattr(frontend_api, "timezone", SimpleNamespace(now=lambda: now))
    settings.YAGO_OPENAI_API_KEY = ""
    settings.YAGO_ANTHROPIC_API_KEY = ""

    with django_assert_num_queries(1):
        body = api_client.get(f"{API}/providers/status").json()

    assert body == {
        "providers": {
            "openai": provider_entry("OpenAI", 3, "🟢"),
            "anthropic": provider_entry("Anthropic Claude", 3, "🔵"),
            "gemini": provider_entry("Google Gemini", 1, "🔴"),
            "cursor": provider_entry("Cursor AI", 2, "⚡"),
        },
        "total_providers": 4,
        "available_providers": 0,
        "all_operational": False,
        "timestamp": "2026-11-29T17:16:00Z",
    }


def test_provider_status_key_length_edge(api_client, settings):
    settings.YAGO_OPENAI_API_KEY = "k" * 21  # > 20: available
    settings.YAGO_ANTHROPIC_API_KEY = "k" * 20  # configured, not available

    providers = api_client.get(f"{API}/providers/status").json()

    assert providers["providers"]["openai"] == provider_entry("OpenAI", 3, "🟢", "k" * 21)
    assert providers["providers"]["anthropic"] == {
        "available": False,
        "name": "Anthropic Claude",
        "models_count": 3,
        "api_configured": True,
        "status_code": 200,
        "icon": "🔵",
    }
    assert (providers["available_providers"], providers["all_operational"]) == (1, False)


# --- Marketplace and collaboration ----------------------------------------------------------


def test_marketplace_items(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = api_client.get(f"{API}/marketplace/items").json()

    assert ids(body["items"]) == [
        "plugin-slack",
        "plugin-github",
        "template-api",
        "plugin-analytics",
        "integration-notion",
    ]
    assert body["total"] == 5
    assert body["items"][3] == PLUGIN_ANALYTICS


@pytest.mark.parametrize(
    ("item_type", "expected"),
    [
        ("plugin", ["plugin-slack", "plugin-github", "plugin-analytics"]),
        ("template", ["template-api"]),
        ("integration", ["integration-notion"]),
        ("theme", []),
        ("", ["plugin-slack", "plugin-github", "template-api", "plugin-analytics", "integration-notion"]),
    ],
)  # fmt: skip
def test_marketplace_items_by_type(api_client, item_type, expected):
    body = api_client.get(f"{API}/marketplace/items", {"item_type": item_type}).json()

    assert (ids(body["items"]), body["total"]) == (expected, len(expected))


def test_marketplace_item_and_install(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        item = api_client.get(f"{API}/marketplace/items/plugin-analytics").json()
    with django_assert_num_queries(1 + 2):
        installed = api_client.post(f"{API}/marketplace/items/plugin-analytics/install").json()

    assert item == PLUGIN_ANALYTICS
    assert installed == {
        "item_id": "plugin-analytics",
        "status": "installed",
        "message": "Advanced Analytics installed successfully",
        "version": "3.1.0",
    }
    assert api_client.get(f"{API}/marketplace/items/plugin-analytics").json()["installed"] is False


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_marketplace_item_is_404(api_client, method):
    suffix = "/install" if method == "post" else ""
    response = getattr(api_client, method)(f"{API}/marketplace/items/nope{suffix}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Item not found"}


def test_collaboration_send(api_client, django_assert_num_queries):
    with django_assert_num_queries(0 + 2):
        response = api_client.post(
            f"{API}/collaboration/messages/send", {"text": "hi"}, format="json"
        )

    body = response.json()
    assert list(body) == ["status", "message_id"]
    assert body["status"] == "sent"
    assert uuid.UUID(body["message_id"]).version == 4


@pytest.mark.parametrize("body", [None, [1], "text"])
def test_collaboration_send_needs_an_object(api_client, body):
    if body is None:
        response = api_client.post(f"{API}/collaboration/messages/send")
    else:
        response = api_client.post(f"{API}/collaboration/messages/send", body, format="json")

    assert response.status_code == 422


def test_empty_catalogs(api_client):
    for model in (Template, AIModel):
        model.objects.all().delete()

    assert api_client.get(f"{API}/templates/").json() == {"templates": [], "total": 0}
    assert api_client.get(f"{API}/models/list").json() == {"models": [], "total": 0}
    assert api_client.get(f"{API}/models/providers").json() == {"providers": []}
