from decimal import Decimal

import pytest

from projects.models import CostAlertDismissal
from projects.tests.factories import (
    ClarificationSessionFactory,
    GeneratedFileFactory,
    ProjectFactory,
    ProviderUsageFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["project", "clarificationsession", "generatedfile", "providerusage", "costalertdismissal"]


@pytest.fixture
def data():
    project = ProjectFactory(
        name="Findable",
        cost_estimate=Decimal("1"),
        actual_cost=Decimal("2.5"),
        primary_model="gpt-4o",
    )
    GeneratedFileFactory(project=project)
    ProviderUsageFactory(project=project, provider="openai", cost=Decimal("2.5"))
    ProviderUsageFactory(project=project, provider="anthropic", cost=Decimal("0.75"))
    session = ClarificationSessionFactory(project=project)
    dismissal = CostAlertDismissal.objects.create(alert_id=f"budget_{project.pk}")
    return {
        "project": project,
        "clarificationsession": session,
        "generatedfile": project.files.get(),
        "providerusage": project.usage.first(),
        "costalertdismissal": dismissal,
    }


@pytest.mark.parametrize("model", MODELS)
def test_changelist_search_add_and_change_pages(admin_client, data, model):
    base = f"/admin/projects/{model}/"

    assert admin_client.get(base).status_code == 200
    assert admin_client.get(base, {"q": "Findable"}).status_code == 200
    assert admin_client.get(f"{base}add/").status_code == 200
    assert admin_client.get(f"{base}{data[model].pk}/change/").status_code == 200


def test_project_changelist_shows_cost_totals_and_filters(admin_client, data):
    ProjectFactory(cost_estimate=Decimal("0.5"), actual_cost=Decimal("0.25"), status="failed")

    response = admin_client.get("/admin/projects/project/")
    filtered = admin_client.get("/admin/projects/project/", {"status__exact": "failed"})
    by_model = admin_client.get("/admin/projects/project/", {"primary_model": "gpt-4o"})

    assert response.context["cost_totals"] == {
        "estimate": Decimal("1.5"),
        "actual": Decimal("2.75"),
        "projects": 2,
    }
    assert "estimate $1.50, actual $2.75" in response.content.decode()
    assert filtered.context["cost_totals"]["projects"] == 1
    assert by_model.context["cost_totals"]["projects"] == 1


def test_project_changelist_has_no_per_row_queries(admin_client, data):
    ProjectFactory.create_batch(20)
    # Same number of queries for 21 projects as the page needs for 1: annotated counts.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as many:
        admin_client.get("/admin/projects/project/")
    from projects.models import Project

    Project.objects.exclude(pk=data["project"].pk).delete()
    with CaptureQueriesContext(connection) as one:
        admin_client.get("/admin/projects/project/")
    assert len(many) == len(one)


def test_usage_changelist_sums_per_provider(admin_client, data):
    response = admin_client.get("/admin/projects/providerusage/")

    totals = {row["provider"]: row["cost"] for row in response.context["provider_totals"]}
    assert totals == {"anthropic": Decimal("0.75"), "openai": Decimal("2.5")}
    assert (
        admin_client.get("/admin/projects/providerusage/", {"provider__exact": "openai"}).context[
            "provider_totals"
        ][0]["provider"]
        == "openai"
    )


def test_project_change_page_shows_files_and_usage_inline(admin_client, data):
    response = admin_client.get(f"/admin/projects/project/{data['project'].pk}/change/")

    content = response.content.decode()
    assert data["generatedfile"].path in content
    assert "anthropic" in content


def test_admin_searches_find_the_matching_rows(admin_client, data):
    ProjectFactory(name="Other")

    def found(model, query):
        response = admin_client.get(f"/admin/projects/{model}/", {"q": query})
        assert response.status_code == 200
        return [row.pk for row in response.context["cl"].result_list]

    project = data["project"]
    assert found("project", "Findable") == [project.pk]
    assert found("generatedfile", "Findable") == [data["generatedfile"].pk]
    assert sorted(found("providerusage", "Findable")) == sorted(
        project.usage.values_list("pk", flat=True)
    )
    assert found("costalertdismissal", f"budget_{project.pk}") == [data["costalertdismissal"].pk]
    assert found("project", "Nothing like it") == []
