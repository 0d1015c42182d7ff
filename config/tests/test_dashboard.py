import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from config import cache
from config.dashboard import DAYS, PANELS, chart_series, dashboard_rollup_refresh, svg_bars
from config.models import DashboardDay
from config.tasks import dashboard_rollup_job
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
    admin_client.get("/admin/")  # session, permissions, charts cached, past days stored
    with CaptureQueriesContext(connection) as warm:
        admin_client.get("/admin/")
    cache.clear_local()
    with CaptureQueriesContext(connection) as cold:
        admin_client.get("/admin/")

    # One read of the rollup for every chart, then one aggregate per chart (today only).
    assert len(cold) - len(warm) == CHART_COUNT + 1 == 12
    aggregates = [q["sql"] for q in cold.captured_queries if "GROUP BY" in q["sql"]]
    assert len(aggregates) == CHART_COUNT


@pytest.mark.django_db
def test_the_first_request_stores_the_past_days_it_counts(admin_client):
    today = timezone.localdate()
    InterestFactory(created_at=days_ago(3))
    InterestFactory(created_at=days_ago(0))

    with CaptureQueriesContext(connection) as first:
        admin_client.get("/admin/")

    stored = DashboardDay.objects.filter(chart="luna-interests")
    assert stored.count() == DAYS - 1  # every past day, today is never stored
    assert stored.get(day=today - datetime.timedelta(days=3)).value == 1.0
    assert stored.get(day=today - datetime.timedelta(days=1)).value == 0.0
    assert DashboardDay.objects.count() == CHART_COUNT * (DAYS - 1) == 319
    # One read of the rollup, one aggregate per chart (then the write of the rows they counted).
    sql = [q["sql"] for q in first.captured_queries]
    assert len([q for q in sql if q.startswith("SELECT") and "platform_dashboardday" in q]) == 1
    assert len([q for q in sql if "GROUP BY" in q]) == CHART_COUNT


@pytest.mark.django_db
def test_past_days_come_from_the_rollup_and_today_is_counted(admin_client):
    today = timezone.localdate()
    dashboard_rollup_refresh()
    DashboardDay.objects.filter(
        chart="luna-interests", day=today - datetime.timedelta(days=1)
    ).update(value=5)
    InterestFactory(created_at=days_ago(0))
    InterestFactory(created_at=days_ago(1))  # after the rollup: shows at the next refresh

    interests = panel(admin_client.get("/admin/"), "Luna")["charts"][0]

    assert (interests["total"], interests["today"]) == ("6", "1")


@pytest.mark.django_db
def test_rollup_refresh_recounts_the_window_and_drops_older_days():
    today = timezone.localdate()
    DashboardDay.objects.create(chart="luna-interests", day=today - datetime.timedelta(days=40), value=9)
    DashboardDay.objects.create(chart="luna-interests", day=today - datetime.timedelta(days=1), value=7)
    InterestFactory(created_at=days_ago(1))
    InterestFactory(created_at=days_ago(1))
    InterestFactory(created_at=days_ago(0))

    written = dashboard_rollup_refresh()

    assert written == CHART_COUNT * DAYS == 330
    assert DashboardDay.objects.count() == 330
    stored = dict(
        DashboardDay.objects.filter(chart="luna-interests").values_list("day", "value")
    )
    assert min(stored) == today - datetime.timedelta(days=DAYS - 1)
    assert (stored[today - datetime.timedelta(days=1)], stored[today]) == (2.0, 1.0)
    assert sum(stored.values()) == 3.0


@pytest.mark.django_db
def test_today_adds_the_rows_since_the_refresh_to_its_stored_part(admin_client):
    InterestFactory(created_at=days_ago(0) - datetime.timedelta(seconds=2))
    dashboard_rollup_refresh(now=timezone.now() - datetime.timedelta(seconds=1))
    InterestFactory(created_at=days_ago(0))  # after the refresh: counted live
    InterestFactory(created_at=days_ago(-1))  # tomorrow: not in the window

    interests = panel(admin_client.get("/admin/"), "Luna")["charts"][0]

    assert (interests["total"], interests["today"]) == ("2", "2")


@pytest.mark.django_db
def test_the_rollup_task_refreshes_hourly():
    runs_at = dashboard_rollup_job.task_class().validate_datetime

    assert dashboard_rollup_job.call_local() == 330
    assert [runs_at(datetime.datetime(2026, 11, 29, 10, minute)) for minute in (6, 7, 8)] == [
        False,
        True,
        False,
    ]


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
