"""Analytics selectors (yago-frontend.md, "Analytics"): real figures from the projects and the
provider usage table, each route in a constant number of queries whatever the data size.

Figures are aggregated by the database; Python only shapes the few grouped rows. Money stays
Decimal until the answer (`money`): rounded to 6 places, and a zero sum is the integer 0.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate

from projects.models import AIModel, Project, ProjectStatus, ProviderName, ProviderUsage
from projects.selectors import project_visible, usage_visible

SIX_PLACES = Decimal("0.000001")
ALL_START = datetime(2020, 1, 1, tzinfo=UTC)
RANGE_DAYS = {"7d": 7, "30d": 30}
USAGE_DAYS = 30  # the analytics sub-routes: the 30 UTC calendar days ending today
IN_PROGRESS = (ProjectStatus.IN_PROGRESS, ProjectStatus.EXECUTING)


def money(value) -> float | int:
    """A sum of costs for JSON: nothing or zero → 0, else a float rounded to 6 places."""
    rounded = Decimal(value or 0).quantize(SIX_PLACES, rounding=ROUND_HALF_EVEN)
    return float(rounded) if rounded else 0


def money2(value) -> float | int:
    """overview.total_cost: the contract's `round(sum, 2)`, Python's round on the sum's float
    value (so 3.805 → 3.8 and 9.105 → 9.11, as in its worked example); zero → 0."""
    return round(float(value), 2) if value else 0


def percent(part: int, whole: int, places: int) -> float:
    """The contract's `round(part / whole × 100, places)`: Python's round on the float."""
    return round(part / whole * 100, places)


def rounded_int(numerator: int, denominator: int) -> int:
    return round(numerator / denominator)


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def days_ending_today(now: datetime, count: int) -> list[date]:
    today = now.astimezone(UTC).date()
    return [today - timedelta(days=count - 1 - index) for index in range(count)]


def _first_seen(queryset: QuerySet) -> QuerySet:
    # Groups in order of first appearance: ascending created_at, then id (as text: the same
    # order on both engines, and PostgreSQL has no min(uuid)).
    return queryset.annotate(
        first_at=Min("created_at"), first_id=Min(Cast("id", output_field=CharField()))
    ).order_by("first_at", "first_id")


def _or_default(field: str, default: str) -> Case:
    return Case(
        When(**{field: ""}, then=Value(default)),
        When(**{f"{field}__isnull": True}, then=Value(default)),
        default=F(field),
        output_field=CharField(),
    )


COMPLETED = Q(status=ProjectStatus.COMPLETED)


@dataclass(frozen=True)
class Window:
    start: datetime  # projects and usage created at or after this count
    days: list[date]  # the timeline's calendar days (UTC), the last one today


def analytics_window(range_: str, now: datetime) -> Window:
    """`7d`/`30d`: the 7/30 calendar days ending today, whole days, so the timeline covers the
    whole range; anything else: everything since 2020-01-01 with a 30-day timeline."""
    days = days_ending_today(now, 7 if range_ == "7d" else 30)
    start = midnight(days[0]) if range_ in RANGE_DAYS else ALL_START
    return Window(start=start, days=days)


def analytics(*, user, range_: str, now: datetime) -> dict:
    """GET /api/v1/analytics: six queries (overview, by model, by strategy, by provider,
    timeline, top projects) for any number of projects."""
    window = analytics_window(range_, now)
    projects = project_visible(user=user).filter(created_at__gte=window.start).order_by()
    usage = usage_visible(user=user).filter(created_at__gte=window.start).order_by()
    return {
        "overview": _overview(projects),
        "ai_usage": {
            "by_model": _by_model(projects),
            "by_strategy": _by_strategy(projects),
            "by_provider": _by_provider(usage),
        },
        "timeline": _timeline(projects, window.days),
        "top_projects": _top_projects(projects),
        "range": range_,
        "timestamp": iso(now),
    }


def _overview(projects: QuerySet[Project]) -> dict:
    timed = COMPLETED & Q(started_at__isnull=False, completed_at__isnull=False)
    totals = projects.aggregate(
        total=Count("id"),
        completed=Count("id", filter=COMPLETED),
        failed=Count("id", filter=Q(status=ProjectStatus.FAILED)),
        in_progress=Count("id", filter=Q(status__in=IN_PROGRESS)),
        cost=Sum("actual_cost"),
        files=Sum("files_generated"),
        lines=Sum("lines_of_code"),
        run_time=Sum(
            ExpressionWrapper(F("completed_at") - F("started_at"), output_field=DurationField()),
            filter=timed,
        ),
        timed=Count("id", filter=timed),
    )
    average = 0
    if totals["timed"]:
        minutes = totals["run_time"].total_seconds() / 60
        average = round(minutes / totals["timed"], 1)
    return {
        "total_projects": totals["total"],
        "completed": totals["completed"],
        "failed": totals["failed"],
        "in_progress": totals["in_progress"],
        "total_cost": money2(totals["cost"]),
        "total_files": totals["files"] or 0,
        "total_lines": totals["lines"] or 0,
        "avg_duration_minutes": average,
    }


def _by_model(projects: QuerySet[Project]) -> list[dict]:
    rows = _first_seen(
        projects.annotate(group=_or_default("primary_model", "unknown"))
        .values("group")
        .annotate(count=Count("id"), cost=Sum("actual_cost"), lines=Sum("lines_of_code"))
    )
    return [
        {
            "model": row["group"],
            "count": row["count"],
            "total_cost": money(row["cost"]),
            "total_lines": row["lines"] or 0,
        }
        for row in rows
    ]


def _by_strategy(projects: QuerySet[Project]) -> list[dict]:
    rows = _first_seen(
        projects.annotate(group=_or_default("strategy", "balanced"))
        .values("group")
        .annotate(count=Count("id"), completed=Count("id", filter=COMPLETED))
    )
    return [
        {
            "strategy": row["group"],
            "count": row["count"],
            "success_rate": percent(row["completed"], row["count"], 1),
        }
        for row in rows
    ]


def _by_provider(usage: QuerySet[ProviderUsage]) -> list[dict]:
    rows = _first_seen(
        usage.values("provider").annotate(
            requests=Count("id"),
            tokens=Sum(F("tokens_in") + F("tokens_out")),
            cost=Sum("cost"),
            latency=Sum("duration_ms"),
            successes=Count("id", filter=Q(success=True)),
        )
    )
    return [
        {
            "provider": row["provider"],
            "requests": row["requests"],
            "total_tokens": row["tokens"] or 0,
            "total_cost": money(row["cost"]),
            # Over all the rows: those without a latency (0) count in the denominator.
            "avg_latency": rounded_int(row["latency"] or 0, row["requests"]),
            "success_rate": percent(row["successes"], row["requests"], 1),
        }
        for row in rows
    ]


def _per_day(queryset: QuerySet, days: list[date]) -> QuerySet:
    """Rows of [first day 00:00, the day after the last 00:00) grouped by UTC calendar day."""
    return (
        queryset.filter(
            created_at__gte=midnight(days[0]), created_at__lt=midnight(days[-1]) + timedelta(1)
        )
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .order_by("day")
    )


def _timeline(projects: QuerySet[Project], days: list[date]) -> list[dict]:
    rows = {
        row["day"]: row
        for row in _per_day(projects, days).annotate(
            created=Count("id"),
            completed=Count("id", filter=COMPLETED),
            cost=Sum("actual_cost"),
            lines=Sum("lines_of_code"),
        )
    }
    empty = {"created": 0, "completed": 0, "cost": None, "lines": 0}
    timeline = []
    for day in days:
        row = rows.get(day, empty)
        timeline.append(
            {
                "date": day.isoformat(),
                "projects_created": row["created"],
                "projects_completed": row["completed"],
                "cost": money(row["cost"]),
                "lines_of_code": row["lines"] or 0,
            }
        )
    return timeline


def _top_projects(projects: QuerySet[Project]) -> list[dict]:
    rows = projects.order_by(F("lines_of_code").desc(), "created_at", "id").values(
        "id", "name", "lines_of_code", "files_generated", "status", "actual_cost"
    )[:5]
    return [
        {
            "id": str(row["id"]),
            "name": row["name"],
            "lines_of_code": row["lines_of_code"] or 0,
            "files_generated": row["files_generated"] or 0,
            "status": row["status"],
            "cost": money(row["actual_cost"]),
        }
        for row in rows
    ]


# --- The sub-routes and the costs summary -------------------------------------------------------


def _recent_usage(user, now: datetime) -> tuple[QuerySet[ProviderUsage], list[date]]:
    days = days_ending_today(now, USAGE_DAYS)
    usage = usage_visible(user=user).filter(created_at__gte=midnight(days[0])).order_by()
    return usage, days


def _usage_figures(row: dict) -> dict:
    """requests, tokens, cost, average latency (rows that have one), success rate (all rows)."""
    requests = row["requests"]
    return {
        "requests": requests,
        "tokens": row["tokens"] or 0,
        "cost": money(row["cost"]),
        "avg_latency_ms": (rounded_int(row["latency"], row["timed"]) if row["timed"] else 0),
        "success_rate": percent(row["successes"], requests, 2) if requests else 0,
    }


USAGE_AGGREGATES = {
    "requests": Count("id"),
    "tokens": Sum(F("tokens_in") + F("tokens_out")),
    "cost": Sum("cost"),
    "latency": Sum("duration_ms", filter=Q(duration_ms__gt=0)),
    "timed": Count("id", filter=Q(duration_ms__gt=0)),
    "successes": Count("id", filter=Q(success=True)),
}


def usage_metrics(*, user, now: datetime) -> dict:
    """GET analytics/metrics: the last 30 UTC calendar days (one query)."""
    usage, _ = _recent_usage(user, now)
    row = usage.aggregate(
        **USAGE_AGGREGATES,
        users=Count(
            Coalesce("project__owner", "session__owner", output_field=UUIDField()),
            distinct=True,
        ),
    )
    figures = _usage_figures(row)
    return {
        "total_requests": figures["requests"],
        "total_tokens": figures["tokens"],
        "total_cost": figures["cost"],
        "avg_latency_ms": figures["avg_latency_ms"],
        "success_rate": figures["success_rate"],
        "active_users": row["users"],
        "period": "last_30_days",
    }


def usage_per_day(*, user, now: datetime) -> dict:
    """GET analytics/usage: one entry per UTC calendar day, oldest first (one query)."""
    usage, days = _recent_usage(user, now)
    rows = {
        row["day"]: row
        for row in _per_day(usage, days).annotate(
            requests=Count("id"), tokens=Sum(F("tokens_in") + F("tokens_out")), cost=Sum("cost")
        )
    }
    entries = []
    for day in days:
        row = rows.get(day, {"requests": 0, "tokens": 0, "cost": None})
        entries.append(
            {
                "date": day.isoformat(),
                "requests": row["requests"],
                "tokens": row["tokens"] or 0,
                "cost": money(row["cost"]),
            }
        )
    return {"usage": entries, "total_days": len(entries)}


def usage_per_model(*, user, now: datetime) -> dict:
    """GET analytics/models-usage: per model, most requested first (one query); a model
    without a row in the model table is named by its id."""
    usage, _ = _recent_usage(user, now)
    name = AIModel.objects.filter(pk=OuterRef("model")).values("name")[:1]
    rows = list(
        usage.values("model")
        .annotate(
            requests=Count("id"),
            tokens=Sum(F("tokens_in") + F("tokens_out")),
            cost=Sum("cost"),
            name=Subquery(name),
        )
        .order_by("-requests", "model")
    )
    total = sum(row["requests"] for row in rows)
    return {
        "models": [
            {
                "model_id": row["model"],
                "model_name": row["name"] or row["model"],
                "requests": row["requests"],
                "tokens": row["tokens"] or 0,
                "cost": money(row["cost"]),
                "percentage": percent(row["requests"], total, 1),
            }
            for row in rows
        ]
    }


def usage_per_provider(*, user, now: datetime) -> dict:
    """GET analytics/providers-usage: every provider, in the usage table's order (one query)."""
    usage, _ = _recent_usage(user, now)
    rows = {
        row["provider"]: row
        for row in usage.values("provider").annotate(**USAGE_AGGREGATES, last=Max("created_at"))
    }
    empty = {"requests": 0, "tokens": 0, "cost": None, "latency": 0, "timed": 0, "successes": 0}
    entries = []
    for provider in ProviderName.values:
        row = rows.get(provider, {**empty, "last": None})
        figures = _usage_figures(row)
        entries.append(
            {
                "provider": provider,
                "total_requests": figures["requests"],
                "total_tokens": figures["tokens"],
                "total_cost": figures["cost"],
                "avg_latency_ms": figures["avg_latency_ms"],
                "success_rate": figures["success_rate"],
                "last_used": iso(row["last"]),
            }
        )
    return {"providers_usage": entries, "period": "last_30_days", "timestamp": iso(now)}


def project_cost_summary(*, project: Project, now: datetime) -> dict:
    """GET costs/summary/{id}: the project's provider calls, total and per provider (one query)."""
    rows = (
        ProviderUsage.objects.filter(project=project)
        .order_by()
        .values("provider")
        .annotate(cost=Sum("cost"))
        .order_by("provider")
    )
    by_provider = {row["provider"]: row["cost"] for row in rows}
    return {
        "project_id": str(project.pk),
        "total_cost": money(sum(by_provider.values(), Decimal(0))),
        "cost_by_agent": {provider: money(cost) for provider, cost in by_provider.items()},
        "timestamp": iso(now),
    }
