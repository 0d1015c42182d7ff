"""The OpenAI and Anthropic adapters against a local fake server (never the internet)."""

import json
from decimal import Decimal

import pytest

from projects import storage
from projects.models import GeneratedFile, Project, ProviderUsage
from projects.providers import ProviderError, get_provider
from projects.providers.llm import AnthropicProvider, OpenAIProvider
from projects.providers.offline import OfflineProvider
from projects.tests.factories import ProjectFactory
from projects.tests.fake_llm import (
    PROJECT_JSON,
    FakeLLMServer,
    anthropic_reply,
    openai_reply,
)

BASE = "/yago/api/v1/projects"


@pytest.fixture
def fake_llm(settings):
    server = FakeLLMServer().start()
    settings.YAGO_OPENAI_API_KEY = "sk-test"
    settings.YAGO_OPENAI_BASE_URL = f"{server.url}/v1"
    settings.YAGO_OPENAI_MODEL = "gpt-4o-mini"
    settings.YAGO_ANTHROPIC_API_KEY = "ak-test"
    settings.YAGO_ANTHROPIC_BASE_URL = server.url
    settings.YAGO_ANTHROPIC_MODEL = "claude-sonnet-5"
    yield server
    server.stop()


@pytest.mark.django_db
def test_openai_execute_success(api_client, settings, fake_llm):
    settings.YAGO_PROVIDER = "openai"
    fake_llm.queue(200, openai_reply(PROJECT_JSON, tokens_in=1200, tokens_out=3400))
    project = ProjectFactory(brief={"project_idea": "Greeter"}, max_tokens=3000)

    response = api_client.post(f"{BASE}/{project.pk}/execute")

    assert response.status_code == 200
    assert response.json()["result"]["files"] == [
        {"path": "hello/__init__.py", "type": "python"},
        {"path": "tests/test_hello.py", "type": "test"},
        {"path": "README.md", "type": "markdown"},
    ]
    assert response.json()["result"]["architecture"] == "One module and its test"
    [request] = fake_llm.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer sk-test"
    assert request["body"]["model"] == "gpt-4o-mini"
    assert request["body"]["max_tokens"] == 3000
    assert "Greeter" in request["body"]["messages"][1]["content"]
    [usage] = ProviderUsage.objects.all()
    # gpt-4o-mini: (1200 × 0.15 + 3400 × 0.60) / 1e6
    assert (usage.provider, usage.model, usage.tokens_in, usage.tokens_out, usage.cost) == (
        "openai",
        "gpt-4o-mini",
        1200,
        3400,
        Decimal("0.002220"),
    )
    assert usage.success is True
    project.refresh_from_db()
    assert (project.status, project.actual_cost, project.files_generated) == (
        "completed",
        Decimal("0.002220"),
        3,
    )
    assert storage.disk_files(project.pk)["hello/__init__.py"] == (
        b"def greet(name):\n    return f'hi {name}'\n"
    )


@pytest.mark.django_db
def test_anthropic_execute_success_chosen_automatically(api_client, settings, fake_llm):
    settings.YAGO_PROVIDER = "auto"
    fake_llm.queue(200, anthropic_reply(f"```json\n{PROJECT_JSON}\n```", 1000, 2000))
    project = ProjectFactory(primary_model="claude-opus-5")

    response = api_client.post(f"{BASE}/{project.pk}/execute")

    assert response.status_code == 200
    [request] = fake_llm.requests
    assert request["path"] == "/v1/messages"
    assert request["headers"]["authorization"] == "Bearer ak-test"
    assert request["body"]["model"] == "claude-opus-5"
    [usage] = ProviderUsage.objects.all()
    # claude-opus-5: (1000 × 15 + 2000 × 75) / 1e6
    assert (usage.provider, usage.cost) == ("anthropic", Decimal("0.165000"))
    project.refresh_from_db()
    assert project.actual_cost == Decimal("0.165000")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("provider", "status", "payload", "message"),
    [
        ("openai", 500, {"error": {"message": "boom"}}, "OpenAI API error 500: boom"),
        ("openai", 401, {"error": {"message": "bad key"}}, "OpenAI API error 401: bad key"),
        (
            "anthropic",
            529,
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            "Anthropic API error 529: Overloaded",
        ),
        ("openai", 200, openai_reply("not json at all"), "OpenAI returned an invalid project"),
        (
            "anthropic",
            200,
            anthropic_reply(json.dumps({"files": [{"path": "../evil.py", "content": "x"}]})),
            "Anthropic returned an invalid project",
        ),
    ],
)
def test_provider_failure_marks_the_project_failed(
    api_client, settings, fake_llm, provider, status, payload, message
):
    settings.YAGO_PROVIDER = provider
    fake_llm.queue(status, payload)
    project = ProjectFactory(status="in_progress")

    response = api_client.post(f"{BASE}/{project.pk}/execute")

    assert (response.status_code, response.json()) == (502, {"error": message, "detail": message})
    project.refresh_from_db()
    assert project.status == "failed"
    assert [entry["error"] for entry in project.errors] == [message]
    assert set(project.errors[0]) == {"timestamp", "error"}
    [usage] = ProviderUsage.objects.filter(project=project)
    assert (usage.provider, usage.success, usage.error) == (provider, False, message)
    assert not GeneratedFile.objects.exists()
    assert not storage.project_dir(project.pk).exists()


@pytest.mark.django_db
def test_provider_timeout(api_client, settings, fake_llm):
    settings.YAGO_PROVIDER = "openai"
    settings.YAGO_PROVIDER_TIMEOUT = 0.3
    fake_llm.queue(200, openai_reply(PROJECT_JSON), delay=1.0)
    project = ProjectFactory()

    response = api_client.post(f"{BASE}/{project.pk}/execute")

    message = "OpenAI request timed out"
    assert (response.status_code, response.json()) == (502, {"error": message, "detail": message})
    project.refresh_from_db()
    assert (project.status, project.errors[0]["error"]) == ("failed", message)


@pytest.mark.django_db
def test_missing_key_is_a_clear_failure(api_client, settings):
    settings.YAGO_PROVIDER = "anthropic"
    settings.YAGO_ANTHROPIC_API_KEY = ""
    project = ProjectFactory()

    response = api_client.post(f"{BASE}/{project.pk}/execute")

    message = "ANTHROPIC_API_KEY is not set"
    assert (response.status_code, response.json()) == (502, {"error": message, "detail": message})
    assert Project.objects.get().status == "failed"


@pytest.mark.django_db
def test_failed_usage_counts_towards_actual_cost_after_success(api_client, settings, fake_llm):
    settings.YAGO_PROVIDER = "openai"
    fake_llm.queue(200, openai_reply("{}", tokens_in=1000, tokens_out=1000))  # invalid project
    fake_llm.queue(200, openai_reply(PROJECT_JSON, tokens_in=1000, tokens_out=1000))
    project = ProjectFactory()

    api_client.post(f"{BASE}/{project.pk}/execute")
    api_client.post(f"{BASE}/{project.pk}/execute")

    project.refresh_from_db()
    costs = sorted(ProviderUsage.objects.values_list("cost", flat=True))
    assert costs == [Decimal("0.000750"), Decimal("0.000750")]
    assert project.actual_cost == Decimal("0.001500") == sum(costs)
    assert project.status == "completed"


@pytest.mark.django_db
def test_clarification_questions_from_openai(api_client, settings, fake_llm):
    settings.YAGO_PROVIDER = "openai"
    questions = [
        {"text": f"Question {n}?", "type": "text", "required": n == 1, "category": "basics"}
        for n in range(1, 10)
    ] + [{"text": "Pick", "type": "select", "options": ["a", "b"], "category": "tech"}]
    fake_llm.queue(200, openai_reply(json.dumps({"questions": questions}), 300, 500))

    response = api_client.post(
        "/yago/api/v1/clarifications/start", {"project_idea": "A blog"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["current_question"] == {
        "id": "q1",
        "text": "Question 1?",
        "type": "text",
        "required": True,
        "category": "basics",
    }
    [usage] = ProviderUsage.objects.all()
    assert (usage.request_type, usage.session_id is not None) == ("clarification_questions", True)


@pytest.mark.django_db
def test_clarification_provider_error_is_502_and_recorded(api_client, settings, fake_llm):
    settings.YAGO_PROVIDER = "openai"
    fake_llm.queue(503, {"error": {"message": "busy"}})

    response = api_client.post(
        "/yago/api/v1/clarifications/start", {"project_idea": "A blog"}, format="json"
    )

    message = "OpenAI API error 503: busy"
    assert (response.status_code, response.json()) == (502, {"detail": message, "error": message})
    [usage] = ProviderUsage.objects.all()
    assert (usage.success, usage.error) == (False, message)


def test_get_provider_follows_settings(settings):
    settings.YAGO_OPENAI_MODEL = "gpt-4o-mini"
    settings.YAGO_PROVIDER = "offline"
    assert isinstance(get_provider(model="gpt-4o"), OfflineProvider)
    settings.YAGO_PROVIDER = "openai"
    assert (type(get_provider(model="gpt-4o")), get_provider(model="gpt-4o").model) == (
        OpenAIProvider,
        "gpt-4o",
    )
    assert get_provider(model="unknown").model == "gpt-4o-mini"
    settings.YAGO_PROVIDER = "auto"
    assert isinstance(get_provider(model="claude-sonnet-5"), AnthropicProvider)
    assert isinstance(get_provider(model="llama"), OfflineProvider)
    settings.YAGO_PROVIDER = "nope"
    with pytest.raises(ProviderError, match="Unknown provider 'nope'"):
        get_provider(model="x")
