import random
from decimal import Decimal

import pytest
from django.db.models import Sum

from projects import demo
from projects.models import ClarificationSession, Project, ProviderUsage

pytestmark = pytest.mark.django_db


def test_generate_is_deterministic_and_consistent():
    calls = []

    written = demo.generate(
        scale=0.01, rng=random.Random(7), batch_size=40, progress=lambda *a: calls.append(a)
    )

    assert written == {
        "projects_project": 100,
        "projects_providerusage": ProviderUsage.objects.count(),
        "projects_clarificationsession": 20,
    }
    assert Project.objects.count() == 100
    assert ClarificationSession.objects.count() == 20
    assert calls[:3] == [
        ("projects_project", 40, 100),
        ("projects_project", 80, 100),
        ("projects_project", 100, 100),
    ]
    for project in Project.objects.annotate(usage_total=Sum("usage__cost")):
        assert project.actual_cost == (project.usage_total or Decimal(0))
    first = sorted(Project.objects.values_list("id", "name", "actual_cost"))

    Project.objects.all().delete()
    ProviderUsage.objects.all().delete()
    ClarificationSession.objects.all().delete()
    demo.generate(scale=0.01, rng=random.Random(7), batch_size=40)

    assert sorted(Project.objects.values_list("id", "name", "actual_cost")) == first


def test_list_and_alerts_work_on_generated_data(api_client, django_assert_num_queries):
    demo.generate(scale=0.01, rng=random.Random(3))

    with django_assert_num_queries(1):  # the page, its total in a subquery
        body = api_client.get("/yago/api/v1/projects").json()
    alerts = api_client.get("/yago/api/v1/costs/alerts").json()

    assert (body["total"], body["filtered"]) == (100, 100)
    over = [
        p.pk
        for p in Project.objects.all()
        if p.cost_estimate and p.actual_cost > p.cost_estimate * Decimal("1.2")
    ]
    assert over  # the demo set really has over-budget projects
    assert sorted(a["project_id"] for a in alerts["alerts"]) == sorted(str(pk) for pk in over)
    assert alerts["unread_count"] == len(over)
