"""GET /api/v1/analytics, its sub-routes and costs/summary (yago-frontend.md, "Analytics").

The worked example of the contract, adapted to calendar days: with now = 2026-11-29T17:16Z,
`7d` is 2026-11-23 00:00 onwards (7 whole UTC days ending today), `30d` 2026-10-31 00:00
onwards, so D (−6 d 20 h, 11-22 21:16) is out of `7d` and every counted project is on the
timeline.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from projects import frontend_api
from projects.tests.factories import (
    ClarificationSessionFactory,
    ProjectFactory,
    ProviderUsageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

API = "/yago/api/v1"
NOW = datetime(2026, 11, 29, 17, 16, tzinfo=UTC)
STAMP = "2026-11-29T17:16:00Z"


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(frontend_api, "timezone", SimpleNamespace(now=lambda: NOW))


def project(name, age, status, model, strategy, cost, lines, files, minutes=None, **extra):
    created = NOW - age
    started = created + timedelta(minutes=1) if minutes is not None else None
    return ProjectFactory(
        name=name,
        created_at=created,
        updated_at=created,
        status=status,
        primary_model=model,
        strategy=strategy,
        actual_cost=Decimal(cost),
        lines_of_code=lines,
        files_generated=files,
        started_at=started,
        completed_at=started + timedelta(minutes=minutes) if minutes is not None else None,
        **extra,
    )


def usage(age, provider, tokens_in, tokens_out, cost, ms, success, model="gpt-4o", **extra):
    return ProviderUsageFactory(
        created_at=NOW - age,
        provider=provider,
        model=model,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        cost=Decimal(cost),
        duration_ms=ms,
        success=success,
        **extra,
    )


@pytest.fixture
def example():
    """Projects A–F and the three usage rows of the contract's worked example."""
    day, hour = timedelta(days=1), timedelta(hours=1)
    rows = {
        "A": project("A", 30 * timedelta(minutes=1), "completed", "gpt-4-turbo", "balanced",
                     "0.125", 120, 5, minutes=2.5),
        "B": project("B", day + hour, "failed", "gpt-4-turbo", "cheapest", "0.0", 0, 0),
        # The original's NULL strategy / primary_model are "" here (the columns are NOT NULL).
        "C": project("C", 3 * day, "executing", "claude-3-opus", "", "1.005", 300, 7),
        "D": project("D", 6 * day + 20 * hour, "completed", "", "balanced", "2.675", 120, 3,
                     minutes=10),
        "E": project("E", 10 * day, "paused", "", "fastest", "0.3", 50, 2),
        "F": project("F", 40 * day, "completed", "gpt-4", "balanced", "5.0", 999, 9, minutes=1),
    }  # fmt: skip
    usage(2 * hour, "openai", 40, 60, "0.01", 250, True, project=rows["A"])
    usage(2 * day, "openai", 0, 0, "0", 0, False, project=rows["B"])
    usage(20 * day, "anthropic", 200, 300, "0.2", 301, True, model="claude-3-opus", project=None)
    return rows


def timeline(first: str, entries: dict) -> list[dict]:
    start = datetime.fromisoformat(first).date()
    count = (NOW.date() - start).days + 1
    days = [(start + timedelta(days=i)).isoformat() for i in range(count)]
    zero = {"projects_created": 0, "projects_completed": 0, "cost": 0, "lines_of_code": 0}
    return [{"date": day, **entries.get(day, zero)} for day in days]


def top(row, cost):
    return {
        "id": str(row.pk),
        "name": row.name,
        "lines_of_code": row.lines_of_code,
        "files_generated": row.files_generated,
        "status": row.status,
        "cost": cost,
    }


def day_entry(created, completed, cost, lines):
    return {
        "projects_created": created,
        "projects_completed": completed,
        "cost": cost,
        "lines_of_code": lines,
    }


def get(client, **query):
    response = client.get(f"{API}/analytics", query)
    assert response.status_code == 200
    return response.json()


def test_worked_example_7d(api_client, example, django_assert_num_queries):
    a, b, c = example["A"], example["B"], example["C"]

    with django_assert_num_queries(6):
        body = get(api_client, range="7d")

    assert body == {
        "overview": {
            "total_projects": 3,
            "completed": 1,
            "failed": 1,
            "in_progress": 1,
            "total_cost": 1.13,
            "total_files": 12,
            "total_lines": 420,
            "avg_duration_minutes": 2.5,
        },
        "ai_usage": {
            "by_model": [
                {"model": "claude-3-opus", "count": 1, "total_cost": 1.005, "total_lines": 300},
                {"model": "gpt-4-turbo", "count": 2, "total_cost": 0.125, "total_lines": 120},
            ],
            "by_strategy": [
                {"strategy": "balanced", "count": 2, "success_rate": 50.0},
                {"strategy": "cheapest", "count": 1, "success_rate": 0.0},
            ],
            "by_provider": [
                {
                    "provider": "openai",
                    "requests": 2,
                    "total_tokens": 100,
                    "total_cost": 0.01,
                    "avg_latency": 125,
                    "success_rate": 50.0,
                }
            ],
        },
        "timeline": timeline(
            "2026-11-23",
            {
                "2026-11-26": day_entry(1, 0, 1.005, 300),
                "2026-11-28": day_entry(1, 0, 0, 0),
                "2026-11-29": day_entry(1, 1, 0.125, 120),
            },
        ),
        "top_projects": [top(c, 1.005), top(a, 0.125), top(b, 0)],
        "range": "7d",
        "timestamp": STAMP,
    }
    assert len(body["timeline"]) == 7
    assert body["timeline"][-1]["date"] == "2026-11-29"  # today's projects are under today


def test_worked_example_30d(api_client, example, django_assert_num_queries):
    a, b, c, d, e = (example[key] for key in "ABCDE")

    with django_assert_num_queries(6):
        body = get(api_client, range="30d")

    assert body["overview"] == {
        "total_projects": 5,
        "completed": 2,
        "failed": 1,
        "in_progress": 1,  # E is paused: counted nowhere
        "total_cost": 4.11,  # round(4.105, 2): the exact sum's float is 4.10500000000000043
        "total_files": 17,
        "total_lines": 590,
        "avg_duration_minutes": 6.2,  # round(6.25, 1)
    }
    assert body["ai_usage"] == {
        "by_model": [
            {"model": "unknown", "count": 2, "total_cost": 2.975, "total_lines": 170},
            {"model": "claude-3-opus", "count": 1, "total_cost": 1.005, "total_lines": 300},
            {"model": "gpt-4-turbo", "count": 2, "total_cost": 0.125, "total_lines": 120},
        ],
        "by_strategy": [
            {"strategy": "fastest", "count": 1, "success_rate": 0.0},
            {"strategy": "balanced", "count": 3, "success_rate": 66.7},
            {"strategy": "cheapest", "count": 1, "success_rate": 0.0},
        ],
        "by_provider": [
            {
                "provider": "anthropic",
                "requests": 1,
                "total_tokens": 500,
                "total_cost": 0.2,
                "avg_latency": 301,
                "success_rate": 100.0,
            },
            {
                "provider": "openai",
                "requests": 2,
                "total_tokens": 100,
                "total_cost": 0.01,
                "avg_latency": 125,
                "success_rate": 50.0,
            },
        ],
    }
    assert body["timeline"] == timeline(
        "2026-10-31",
        {
            "2026-11-19": day_entry(1, 0, 0.3, 50),
            "2026-11-22": day_entry(1, 1, 2.675, 120),
            "2026-11-26": day_entry(1, 0, 1.005, 300),
            "2026-11-28": day_entry(1, 0, 0, 0),
            "2026-11-29": day_entry(1, 1, 0.125, 120),
        },
    )
    # A tie on lines (D and A, 120) keeps ascending created_at.
    assert body["top_projects"] == [
        top(c, 1.005),
        top(d, 2.675),
        top(a, 0.125),
        top(e, 0.3),
        top(b, 0),
    ]
    assert (body["range"], body["timestamp"]) == ("30d", STAMP)


@pytest.mark.parametrize("range_", ["all", "90d", ""])
def test_worked_example_all(api_client, example, range_, django_assert_num_queries):
    a, c, d, e, f = (example[key] for key in "ACDEF")

    with django_assert_num_queries(6):
        body = get(api_client, range=range_)

    assert body["overview"] == {
        "total_projects": 6,
        "completed": 3,
        "failed": 1,
        "in_progress": 1,
        "total_cost": 9.11,  # round(9.105, 2) on the float, as the contract's example
        "total_files": 26,
        "total_lines": 1589,
        "avg_duration_minutes": 4.5,
    }
    assert body["ai_usage"]["by_model"] == [
        {"model": "gpt-4", "count": 1, "total_cost": 5.0, "total_lines": 999},
        {"model": "unknown", "count": 2, "total_cost": 2.975, "total_lines": 170},
        {"model": "claude-3-opus", "count": 1, "total_cost": 1.005, "total_lines": 300},
        {"model": "gpt-4-turbo", "count": 2, "total_cost": 0.125, "total_lines": 120},
    ]
    assert body["ai_usage"]["by_strategy"] == [
        {"strategy": "balanced", "count": 4, "success_rate": 75.0},
        {"strategy": "fastest", "count": 1, "success_rate": 0.0},
        {"strategy": "cheapest", "count": 1, "success_rate": 0.0},
    ]
    assert [row["provider"] for row in body["ai_usage"]["by_provider"]] == ["anthropic", "openai"]
    # 30 days ending today, also for "all": F (40 days ago) is in the figures, not the timeline.
    assert len(body["timeline"]) == 30
    assert sum(entry["projects_created"] for entry in body["timeline"]) == 5
    assert body["top_projects"] == [
        top(f, 5.0),
        top(c, 1.005),
        top(d, 2.675),
        top(a, 0.125),
        top(e, 0.3),
    ]
    assert body["range"] == range_


def test_default_range_is_30d(api_client, example):
    assert get(api_client) == get(api_client, range="30d") | {"range": "30d"}


def test_all_starts_in_2020(api_client):
    ProjectFactory(created_at=datetime(2020, 1, 1, tzinfo=UTC))
    ProjectFactory(created_at=datetime(2019, 12, 31, 23, 59, 59, 999999, tzinfo=UTC))

    assert get(api_client, range="all")["overview"]["total_projects"] == 1


@pytest.mark.parametrize(("range_", "days"), [("7d", 7), ("30d", 30), ("all", 30)])
def test_empty_database(api_client, range_, days, django_assert_num_queries):
    with django_assert_num_queries(6):
        body = get(api_client, range=range_)

    first = (NOW.date() - timedelta(days=days - 1)).isoformat()
    assert body == {
        "overview": {
            "total_projects": 0,
            "completed": 0,
            "failed": 0,
            "in_progress": 0,
            "total_cost": 0,
            "total_files": 0,
            "total_lines": 0,
            "avg_duration_minutes": 0,
        },
        "ai_usage": {"by_model": [], "by_strategy": [], "by_provider": []},
        "timeline": timeline(first, {}),
        "top_projects": [],
        "range": range_,
        "timestamp": STAMP,
    }
    # Empty sums are the integer 0, not 0.0.
    assert all(type(value) is int for value in body["overview"].values())
    assert all(type(entry["cost"]) is int for entry in body["timeline"])


@pytest.mark.parametrize(("range_", "first_day"), [("7d", 23), ("30d", None)])
def test_range_starts_at_midnight_utc(api_client, range_, first_day):
    start = (
        datetime(2026, 11, first_day, tzinfo=UTC)
        if first_day
        else datetime(2026, 10, 31, tzinfo=UTC)
    )
    inside = ProjectFactory(created_at=start, lines_of_code=3)
    ProjectFactory(created_at=start - timedelta(microseconds=1), lines_of_code=9)
    ProjectFactory(created_at=datetime(2026, 11, 29, 23, 59, 59, 999999, tzinfo=UTC))

    body = get(api_client, range=range_)

    assert body["overview"]["total_projects"] == 2
    assert body["timeline"][0]["projects_created"] == 1  # the first day holds its midnight
    assert body["timeline"][-1]["projects_created"] == 1  # late today is still today
    assert body["top_projects"][0]["id"] == str(inside.pk)


def test_zero_cost_sums_are_integers_and_costs_are_rounded(api_client):
    second = timedelta(seconds=1)
    ProjectFactory(created_at=NOW - 2 * second, actual_cost=Decimal("0.1"), primary_model="m")
    ProjectFactory(created_at=NOW - second, actual_cost=Decimal("0.2"), primary_model="m")
    ProjectFactory(created_at=NOW, actual_cost=Decimal("0"), primary_model="z")

    body = get(api_client, range="7d")

    assert [(row["model"], row["total_cost"]) for row in body["ai_usage"]["by_model"]] == [
        ("m", 0.3),  # 0.1 + 0.2 in decimals: never 0.30000000000000004
        ("z", 0),
    ]
    assert body["timeline"][-1]["cost"] == 0.3


def test_avg_latency_counts_rows_without_latency_in_the_denominator(api_client):
    usage(timedelta(hours=1), "offline", 1, 1, "0", 100, True, model="offline")
    usage(timedelta(hours=1), "offline", 1, 1, "0", 0, True, model="offline")
    usage(timedelta(hours=1), "offline", 1, 1, "0", 1, True, model="offline")

    by_provider = get(api_client, range="7d")["ai_usage"]["by_provider"]

    assert by_provider == [
        {
            "provider": "offline",
            "requests": 3,
            "total_tokens": 6,
            "total_cost": 0,
            "avg_latency": 34,  # round(101 / 3)
            "success_rate": 100.0,
        }
    ]


def test_query_count_does_not_grow_with_the_data(api_client, django_assert_num_queries):
    for index in range(30):
        row = ProjectFactory(created_at=NOW - timedelta(days=index), primary_model=f"m{index}")
        ProviderUsageFactory(project=row, created_at=NOW - timedelta(days=index))

    with django_assert_num_queries(6):
        body = get(api_client, range="30d")

    assert len(body["ai_usage"]["by_model"]) == 30


# --- Sub-routes --------------------------------------------------------------------------------


@pytest.fixture
def recent():
    """Usage inside the 30-day window (2026-10-31 00:00 onwards) and one row just before it."""
    alice = UserFactory()
    mine = ProjectFactory(owner=alice)
    session = ClarificationSessionFactory(owner=UserFactory())
    window = datetime(2026, 10, 31, tzinfo=UTC)
    usage(NOW - window, "openai", 100, 200, "0.003", 400, True, model="gpt-4o", project=mine)
    usage(timedelta(days=1), "openai", 10, 20, "0.000300", 0, False, model="gpt-4o", project=mine)
    usage(
        timedelta(0),
        "anthropic",
        1000,
        500,
        "0.0105",
        801,
        True,
        model="claude-sonnet-5",
        project=None,
        session=session,
    )
    usage(timedelta(0), "offline", 5, 5, "0", 50, True, model="offline-template-v1", project=None)
    usage(NOW - window + timedelta(microseconds=1), "gemini", 9, 9, "9", 9, True, project=None)
    return alice


def test_metrics(api_client, recent, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = api_client.get(f"{API}/analytics/metrics").json()

    assert body == {
        "total_requests": 4,
        "total_tokens": 1840,
        "total_cost": 0.0138,
        "avg_latency_ms": 417,  # (400 + 801 + 50) / 3: the rows that have a latency
        "success_rate": 75.0,
        "active_users": 2,  # alice (project) and the session's owner
        "period": "last_30_days",
    }


def test_usage_per_day(api_client, recent, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = api_client.get(f"{API}/analytics/usage").json()

    zero = {"requests": 0, "tokens": 0, "cost": 0}
    entries = {
        "2026-10-31": {"requests": 1, "tokens": 300, "cost": 0.003},
        "2026-11-28": {"requests": 1, "tokens": 30, "cost": 0.0003},
        "2026-11-29": {"requests": 2, "tokens": 1510, "cost": 0.0105},
    }
    first = datetime(2026, 10, 31).date()
    days = [(first + timedelta(days=i)).isoformat() for i in range(30)]
    assert body == {
        "usage": [{"date": day, **entries.get(day, zero)} for day in days],
        "total_days": 30,
    }


def test_models_usage(api_client, recent, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = api_client.get(f"{API}/analytics/models-usage").json()

    assert body == {
        "models": [
            {
                "model_id": "gpt-4o",
                "model_name": "GPT-4o",
                "requests": 2,
                "tokens": 330,
                "cost": 0.0033,
                "percentage": 50.0,
            },
            {
                "model_id": "claude-sonnet-5",
                "model_name": "Claude Sonnet 5",
                "requests": 1,
                "tokens": 1500,
                "cost": 0.0105,
                "percentage": 25.0,
            },
            {
                "model_id": "offline-template-v1",  # no row: named by its id
                "model_name": "offline-template-v1",
                "requests": 1,
                "tokens": 10,
                "cost": 0,
                "percentage": 25.0,
            },
        ]
    }


def test_models_usage_percentages_sum_to_100_within_rounding(api_client):
    for model in ("a", "b", "c"):
        usage(timedelta(0), "offline", 1, 1, "0", 1, True, model=model, project=None)

    models = api_client.get(f"{API}/analytics/models-usage").json()["models"]

    assert [m["percentage"] for m in models] == [33.3, 33.3, 33.3]


def test_providers_usage(api_client, recent, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = api_client.get(f"{API}/analytics/providers-usage").json()

    def entry(provider, requests, tokens, cost, latency, rate, last):
        return {
            "provider": provider,
            "total_requests": requests,
            "total_tokens": tokens,
            "total_cost": cost,
            "avg_latency_ms": latency,
            "success_rate": rate,
            "last_used": last,
        }

    assert body == {
        "providers_usage": [
            entry("openai", 2, 330, 0.0033, 400, 50.0, "2026-11-28T17:16:00Z"),
            entry("anthropic", 1, 1500, 0.0105, 801, 100.0, STAMP),
            entry("gemini", 0, 0, 0, 0, 0, None),
            entry("cursor", 0, 0, 0, 0, 0, None),
            entry("offline", 1, 10, 0, 50, 100.0, STAMP),
        ],
        "period": "last_30_days",
        "timestamp": STAMP,
    }


def test_sub_routes_on_an_empty_database(api_client):
    metrics = api_client.get(f"{API}/analytics/metrics").json()
    models = api_client.get(f"{API}/analytics/models-usage").json()
    days = api_client.get(f"{API}/analytics/usage").json()

    assert metrics == {
        "total_requests": 0,
        "total_tokens": 0,
        "total_cost": 0,
        "avg_latency_ms": 0,
        "success_rate": 0,
        "active_users": 0,
        "period": "last_30_days",
    }
    assert models == {"models": []}
    assert {entry["requests"] for entry in days["usage"]} == {0}
    assert (days["total_days"], days["usage"][-1]["date"]) == (30, "2026-11-29")


# --- Costs summary ---------------------------------------------------------------------------


def test_costs_summary(api_client, django_assert_num_queries):
    mine = ProjectFactory()
    usage(timedelta(days=90), "openai", 1, 1, "0.1", 1, True, project=mine)
    usage(timedelta(0), "openai", 1, 1, "0.2", 1, True, project=mine)
    usage(timedelta(0), "anthropic", 1, 1, "0.000001", 1, True, project=mine)
    usage(timedelta(0), "offline", 1, 1, "0", 1, True, project=mine)
    usage(timedelta(0), "openai", 1, 1, "5", 1, True)  # another project

    with django_assert_num_queries(2):
        response = api_client.get(f"{API}/costs/summary/{mine.pk}")

    assert response.json() == {
        "project_id": str(mine.pk),
        "total_cost": 0.300001,
        "cost_by_agent": {"anthropic": 0.000001, "offline": 0, "openai": 0.3},
        "timestamp": STAMP,
    }


def test_costs_summary_without_usage(api_client):
    mine = ProjectFactory()

    assert api_client.get(f"{API}/costs/summary/{mine.pk}").json() == {
        "project_id": str(mine.pk),
        "total_cost": 0,
        "cost_by_agent": {},
        "timestamp": STAMP,
    }


@pytest.mark.parametrize("project_id", ["3f1c2a9e-5b7d-4e21-9a0c-1d2e3f4a5b61", "not-a-uuid"])
def test_costs_summary_unknown_project_is_404(api_client, project_id):
    response = api_client.get(f"{API}/costs/summary/{project_id}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Project not found"}


@pytest.mark.parametrize(
    ("total", "shown"),
    [
        # The exact sum's float: 3.805 is 3.80500000000000016 → 3.81 (the original's 3.8 came
        # from adding floats, 3.8049999999999997, which decimal sums never give).
        ("3.805", 3.81),
        ("9.105", 9.11),  # the contract's `all` figure
        ("2.675", 2.67),  # 2.67499999999999982236431605997495353221893310546875
        ("0.004", 0.0),
        ("0", 0),
        (None, 0),
    ],
)
def test_overview_total_cost_rounds_like_the_contract(total, shown):
    from projects.analytics import money2

    value = money2(Decimal(total) if total is not None else None)

    assert (value, type(value)) == (shown, type(shown))


def test_groups_tied_on_time_follow_the_smaller_id(api_client):
    ProjectFactory(id="ffffffff-0000-4000-8000-000000000000", created_at=NOW, primary_model="a")
    ProjectFactory(id="00000000-0000-4000-8000-000000000000", created_at=NOW, primary_model="b")

    by_model = get(api_client, range="7d")["ai_usage"]["by_model"]

    assert [row["model"] for row in by_model] == ["b", "a"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("0.0000005"), 0),  # rounds to nothing: the integer 0
        (Decimal("0.0000015"), 0.000002),
        (Decimal("1.1234565"), 1.123456),  # half-even
        (Decimal("0"), 0),
        (None, 0),
    ],
)
def test_money_rounds_to_six_places(value, shown):
    from projects.analytics import money

    result = money(value)

    assert (result, type(result)) == (shown, type(shown))
