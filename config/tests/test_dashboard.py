import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from config import cache
from config.dashboard import DAYS, PANELS, chart_series, svg_bars
from projects.tests.factories import ProviderUsageFactory
from venues.tests.factories import InterestFactory

CHART_COUNT = sum(len(charts) for _, charts in PANELS)


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def panel(response, title):
    return next(p for p in response.context["dashboard"] if p["title"] == title)


@pytest.mark.django_db
def test_dashboard_counts_each_of_the_last_30_days(admin_client):
    InterestFactory(created_at=days_ago(0))
    InterestFactory(created_at=days_ago(0))
    InterestFactory(created_at=days_ago(29))
    InterestFactory(created_at=days_ago(30))  # the day before the window

    response = admin_client.get("/admin/")

    assert response.status_code == 200
    assert [p["title"] for p in response.context["dashboard"]] == [
        "Luna",
        "PupMatch",
        "YAGO",
        "EdgeSoul",
        "Learning",
    ]
    interests = panel(response, "Luna")["charts"][0]
    assert (interests["title"], interests["total"], interests["today"]) == ("Interests", "3", "2")
    assert str(interests["svg"]).count("<rect") == DAYS
    assert b'id="chart-luna-interests"' in response.content
    assert b'aria-label="Interests per day, last 30 days"' in response.content


@pytest.mark.django_db
def test_dashboard_series_has_a_value_for_every_day_oldest_first():
    today = timezone.localdate()
    InterestFactory(created_at=days_ago(1))
    chart = PANELS[0][1][0]

    series = chart_series(chart)

    assert len(series) == DAYS
    assert series[0][0] == today - datetime.timedelta(days=29)
    assert series[-1] == (today, 0.0)
    assert series[-2] == (today - datetime.timedelta(days=1), 1.0)


@pytest.mark.django_db
def test_provider_cost_is_summed_in_dollars(admin_client):
    ProviderUsageFactory(cost=Decimal("1.25"), created_at=days_ago(0))
    ProviderUsageFactory(cost=Decimal("0.50"), created_at=days_ago(2))

    response = admin_client.get("/admin/")

    cost = panel(response, "YAGO")["charts"][2]
    assert (cost["title"], cost["total"], cost["today"]) == (
        "Provider cost (USD)",
        "$1.75",
        "$1.25",
    )


@pytest.mark.django_db
def test_each_chart_is_one_query_and_cached(admin_client):
    admin_client.get("/admin/")  # session, permissions, charts cached
    with CaptureQueriesContext(connection) as warm:
        admin_client.get("/admin/")
    cache.clear_local()
    with CaptureQueriesContext(connection) as cold:
        admin_client.get("/admin/")

    assert len(cold) - len(warm) == CHART_COUNT == 11


@pytest.mark.django_db
def test_staff_see_only_the_charts_of_models_they_may_view(client):
    staff = User.objects.create_user("staff@example.com", "pw", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_interest"))
    client.force_login(staff)

    response = client.get("/admin/")

    assert [
        (p["title"], [c["title"] for c in p["charts"]]) for p in response.context["dashboard"]
    ] == [("Luna", ["Interests"])]


@pytest.mark.django_db
def test_staff_without_permissions_see_no_dashboard(client):
    client.force_login(User.objects.create_user("staff@example.com", "pw", is_staff=True))

    response = client.get("/admin/")

    assert response.context["dashboard"] == []
    assert b'id="dashboard"' not in response.content


def test_bars_scale_to_the_busiest_day_with_tooltips():
    day = datetime.date(2026, 11, 1)
    series = [
        (day, 0.0),
        (day + datetime.timedelta(days=1), 4.0),
        (day + datetime.timedelta(days=2), 2.0),
    ]

    svg = str(svg_bars(series, title="Likes", money=False))

    assert (
        '<rect x="1.0" y="48.0" width="78.0" height="0.0"><title>2026-11-01: 0</title></rect>'
        in svg
    )
    assert (
        '<rect x="81.0" y="0.0" width="78.0" height="48.0"><title>2026-11-02: 4</title></rect>'
        in svg
    )
    assert (
        '<rect x="161.0" y="24.0" width="78.0" height="24.0"><title>2026-11-03: 2</title></rect>'
        in svg
    )
