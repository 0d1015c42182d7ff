"""Who may call the front-end routes (config.access: YagoPublicAccess, YagoAccess,
YagoStaffAccess) in `user` and `open` mode."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from projects.models import Project
from projects.tests.factories import (
    ClarificationSessionFactory,
    ProjectFactory,
    ProviderUsageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

API = "/yago/api/v1"
UNAUTHENTICATED = {"detail": "A token is required: send it as Authorization: Bearer <token>."}

PUBLIC_GETS = [
    "/yago/",
    "/yago/health",
    f"{API}/costs/health",
    f"{API}/collaboration/health",
    f"{API}/benchmarks/health",
    f"{API}/templates/",
    f"{API}/templates/categories",
    f"{API}/templates/popular",
    f"{API}/templates/search?q=api",
    f"{API}/templates/health",
    f"{API}/templates/web_app",
    f"{API}/templates/web_app/preview",
    f"{API}/models/list",
    f"{API}/models/providers",
    f"{API}/models/gpt-4",
    f"{API}/marketplace/items",
    f"{API}/marketplace/items/plugin-slack",
]
USER_ROUTES = [
    ("get", f"{API}/analytics"),
    ("get", f"{API}/analytics/metrics"),
    ("get", f"{API}/analytics/usage"),
    ("get", f"{API}/analytics/models-usage"),
    ("get", f"{API}/analytics/providers-usage"),
    ("get", f"{API}/costs/summary/3f1c2a9e-5b7d-4e21-9a0c-1d2e3f4a5b61"),
    ("post", f"{API}/templates/web_app/apply"),
    ("post", f"{API}/models/gpt-4/test"),
    ("post", f"{API}/marketplace/items/plugin-slack/install"),
    ("post", f"{API}/collaboration/messages/send"),
]


@pytest.fixture
def user_mode(settings):
    settings.YAGO_ACCESS = "user"


@pytest.mark.parametrize("path", PUBLIC_GETS)
def test_catalogs_and_health_are_public(api_client, user_mode, path):
    assert api_client.get(path).status_code == 200


def test_model_compare_is_public(api_client, user_mode):
    response = api_client.post(f"{API}/models/compare", {"model_ids": ["gpt-4"]}, format="json")

    assert (response.status_code, response.json()["total"]) == (200, 1)


@pytest.mark.parametrize(("method", "path"), USER_ROUTES)
def test_the_rest_needs_a_user(api_client, user_mode, method, path):
    response = getattr(api_client, method)(path, {}, format="json")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert Project.objects.count() == 0


@pytest.mark.parametrize(("method", "path"), USER_ROUTES)
def test_without_user_mode_everything_is_open(api_client, method, path):
    response = getattr(api_client, method)(path, {}, format="json")

    # costs/summary's made-up project id does not exist: past the access check, a 404.
    assert response.status_code == (404 if "/costs/summary/" in path else 200)


def test_a_user_can_apply_a_template_and_owns_the_project(api_client, user_mode):
    alice = UserFactory()
    api_client.force_authenticate(alice)

    response = api_client.post(f"{API}/templates/web_app/apply")

    assert response.status_code == 200
    assert Project.objects.get().owner == alice


def test_provider_status_is_for_staff(api_client, user_mode):
    anonymous = api_client.get(f"{API}/providers/status")
    api_client.force_authenticate(UserFactory())
    member = api_client.get(f"{API}/providers/status")
    api_client.force_authenticate(UserFactory(is_staff=True))
    staff = api_client.get(f"{API}/providers/status")

    assert (anonymous.status_code, anonymous.json()) == (401, UNAUTHENTICATED)
    assert (member.status_code, member.json()) == (
        403,
        {"detail": "You do not have permission to perform this action."},
    )
    assert staff.status_code == 200


def test_provider_status_is_open_without_user_mode(api_client):
    assert api_client.get(f"{API}/providers/status").status_code == 200


@pytest.fixture
def two_users():
    alice, bob = UserFactory(), UserFactory()
    now = timezone.now()
    mine = ProjectFactory(owner=alice, created_at=now, lines_of_code=10, status="completed")
    theirs = ProjectFactory(owner=bob, created_at=now, lines_of_code=99, actual_cost=Decimal("7"))
    ProjectFactory(owner=None, created_at=now)
    earlier = now - timedelta(seconds=2)
    ProviderUsageFactory(project=mine, provider="openai", cost=Decimal("0.5"), created_at=earlier)
    ProviderUsageFactory(project=theirs, provider="anthropic", cost=Decimal("9"), created_at=now)
    session = ClarificationSessionFactory(owner=alice)
    ProviderUsageFactory(
        project=None, session=session, provider="offline", cost=Decimal("0"), created_at=now
    )
    ProviderUsageFactory(project=None, provider="cursor", cost=Decimal("1"), created_at=now)
    return alice, bob, mine, theirs


def test_analytics_counts_only_the_callers_projects_and_usage(
    api_client, user_mode, two_users, django_assert_num_queries
):
    alice, _, mine, _ = two_users
    api_client.force_authenticate(alice)

    with django_assert_num_queries(6):
        body = api_client.get(f"{API}/analytics", {"range": "7d"}).json()

    assert body["overview"]["total_projects"] == 1
    assert [row["id"] for row in body["top_projects"]] == [str(mine.pk)]
    assert [(row["provider"], row["requests"]) for row in body["ai_usage"]["by_provider"]] == [
        ("openai", 1),
        ("offline", 1),  # her clarification session's call
    ]


def test_analytics_sub_routes_count_only_the_callers_usage(api_client, user_mode, two_users):
    alice = two_users[0]
    api_client.force_authenticate(alice)

    metrics = api_client.get(f"{API}/analytics/metrics").json()
    models = api_client.get(f"{API}/analytics/models-usage").json()["models"]
    providers = api_client.get(f"{API}/analytics/providers-usage").json()["providers_usage"]
    days = api_client.get(f"{API}/analytics/usage").json()["usage"]

    assert (metrics["total_requests"], metrics["total_cost"], metrics["active_users"]) == (
        2,
        0.5,
        1,
    )
    assert sum(row["requests"] for row in models) == 2
    assert {row["provider"]: row["total_requests"] for row in providers} == {
        "openai": 1,
        "anthropic": 0,
        "gemini": 0,
        "cursor": 0,
        "offline": 1,
    }
    assert days[-1]["requests"] == 2


def test_open_mode_counts_everyone(api_client, two_users):
    body = api_client.get(f"{API}/analytics", {"range": "7d"}).json()
    metrics = api_client.get(f"{API}/analytics/metrics").json()

    assert body["overview"]["total_projects"] == 3
    assert metrics["total_requests"] == 4
    assert metrics["active_users"] == 2


def test_costs_summary_of_another_users_project_is_404(api_client, user_mode, two_users):
    alice, _, mine, theirs = two_users
    api_client.force_authenticate(alice)

    other = api_client.get(f"{API}/costs/summary/{theirs.pk}")
    own = api_client.get(f"{API}/costs/summary/{mine.pk}")

    assert (other.status_code, other.json()) == (404, {"detail": "Project not found"})
    assert own.json()["cost_by_agent"] == {"openai": 0.5}


def test_old_usage_is_outside_the_window_for_everyone(api_client, user_mode, two_users):
    alice, _, mine, _ = two_users
    ProviderUsageFactory(project=mine, created_at=timezone.now() - timedelta(days=31))
    api_client.force_authenticate(alice)

    assert api_client.get(f"{API}/analytics/metrics").json()["total_requests"] == 2
