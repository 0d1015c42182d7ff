"""The admin index's dashboard: per app, what happened on each of the last 30 days.

Each chart is ONE aggregate query (rows per day over an indexed date column, grouped in the
database), cached for `DASHBOARD_CACHE_SECONDS`, and drawn as a small server-side SVG bar chart
(no JavaScript, nothing from a CDN). A chart is shown only to staff who may view its model; an
app's panel only when one of its charts is.

The values come from a per-day rollup (`DashboardDay`, one read for every chart) that
`dashboard_rollup_refresh` (hourly, Huey) recounts, today up to the time it ran; each chart's
aggregate covers only the rows since (at demo scale 1 the 30-day aggregates cost 1.8 s of CPU
on SQLite, and the generator dates all 1M interests today). Days missing from the rollup (a
new chart, the first request of a day before the job ran) are counted by the same aggregate,
from the first missing day, and stored. Rows written with an earlier time, or deleted, after
a refresh show at the next one: within the hour.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connections, transaction
from django.db.models import CharField, Count, F, Func, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from config import cache
from config.models import DashboardDay
from matching.models import Like, Match, Message, Profile
from memory.edgesoul.models import Memory
from memory.learning.models import MasteredWord
from projects.models import Project, ProjectStatus, ProviderUsage
from venues.models import ActionItem, Interest

DAYS = 30
CHART_WIDTH, CHART_HEIGHT = 240, 48


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    model: type
    date_field: str
    filter: Q = field(default_factory=Q)
    sum_field: str | None = None  # None: rows per day; else the day's sum of this column
    money: bool = False

    def daily(
        self, start: datetime.datetime, end: datetime.datetime | None = None
    ) -> dict[datetime.date, float]:
        """The one aggregate query: {day: value} for days from `start` (to `end`) that have rows."""
        value = Sum(self.sum_field) if self.sum_field else Count("pk")
        manager = self.model._default_manager
        if connections[manager.db].vendor == "sqlite" and settings.TIME_ZONE == "UTC":
            # SQLite's own DATE() (C) instead of Django's TruncDate (a Python function called
            # per row: seconds over a month of a 1M-row table). Stored times are UTC text.
            day = Func(F(self.date_field), function="DATE", output_field=CharField())
        else:
            day = TruncDate(self.date_field)
        bounds = {f"{self.date_field}__gte": start}
        if end is not None:
            bounds[f"{self.date_field}__lt"] = end
        rows = (
            manager.filter(self.filter, **bounds)
            .annotate(day=day)
            .values("day")
            .annotate(value=value)
            .order_by("day")
            .values_list("day", "value")
        )
        return {
            (datetime.date.fromisoformat(day) if isinstance(day, str) else day): float(total or 0)
            for day, total in rows
        }

    def visible_to(self, user) -> bool:
        opts = self.model._meta
        return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        )


PANELS: list[tuple[str, list[Chart]]] = [
    (
        "Luna",
        [
            Chart("luna-interests", "Interests", Interest, "created_at"),
            Chart("luna-action-items", "Action items", ActionItem, "created_at"),
        ],
    ),
    (
        "PupMatch",
        [
            Chart("pupmatch-signups", "Signups (dog profiles)", Profile, "created_at"),
            Chart("pupmatch-likes", "Likes", Like, "created_at"),
            Chart("pupmatch-matches", "Matches", Match, "created_at"),
            Chart("pupmatch-messages", "Messages", Message, "created_at"),
        ],
    ),
    (
        "YAGO",
        [
            Chart(
                "yago-completed",
                "Projects completed",
                Project,
                "completed_at",
                Q(status=ProjectStatus.COMPLETED),
            ),
            Chart(
                "yago-failed",
                "Projects failed",
                Project,
                "updated_at",
                Q(status=ProjectStatus.FAILED),
            ),
            Chart(
                "yago-cost",
                "Provider cost (USD)",
                ProviderUsage,
                "created_at",
                sum_field="cost",
                money=True,
            ),
        ],
    ),
    ("EdgeSoul", [Chart("edgesoul-memories", "Memories", Memory, "created_at")]),
    ("Learning", [Chart("learning-words", "Words mastered", MasteredWord, "added_at")]),
]


def _days(today: datetime.date) -> list[datetime.date]:
    return [today - datetime.timedelta(days=offset) for offset in range(DAYS - 1, -1, -1)]


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _cache_key(chart: Chart, today: datetime.date) -> str:
    return f"admin-dashboard:{chart.key}:{today.isoformat()}"


def _daily_values(charts: list[Chart], today: datetime.date) -> dict[str, dict[datetime.date, float]]:
    """{chart key: {day: value}} over the window, from the rollup and one aggregate per chart.

    One read of the rollup for all the charts. Each chart's aggregate then counts only what
    the rollup lacks: the rows since the last refresh (today's row holds today up to its
    `computed_at`), or every day from the first past day missing (a new chart, the first
    request of a day before the job ran), whose counts are stored.
    """
    days = _days(today)
    keys = [chart.key for chart in charts]
    stored: dict[str, dict[datetime.date, float]] = {key: {} for key in keys}
    partial: dict[str, tuple[float, datetime.datetime]] = {}
    for key, day, value, until in DashboardDay.objects.filter(
        chart__in=keys, day__gte=days[0], day__lte=today
    ).values_list("chart", "day", "value", "computed_at"):
        if day == today:
            partial[key] = (value, until)
        else:
            stored[key][day] = value
    tomorrow = _midnight(today + datetime.timedelta(days=1))
    new_rows = []
    for chart in charts:
        known = stored[chart.key]
        first = next((day for day in days[:-1] if day not in known), None)
        if first is None and chart.key in partial:
            base, since = partial[chart.key]
            known[today] = base + chart.daily(since, tomorrow).get(today, 0.0)
            continue
        first = first or today
        counted = chart.daily(_midnight(first), tomorrow)
        for day in days[days.index(first) :]:
            known[day] = counted.get(day, 0.0)
            if day < today:
                new_rows.append(DashboardDay(chart=chart.key, day=day, value=known[day]))
    if new_rows:
        _store(new_rows)
    return stored


def _store(rows: list[DashboardDay]) -> None:
    DashboardDay.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=("chart", "day"),
        update_fields=("value", "computed_at"),
    )


def dashboard_rollup_refresh(now: datetime.datetime | None = None) -> int:
    """Recount every chart's window into the rollup, today up to `now`; drop older days.

    One aggregate per chart over the 30 days (the cost the dashboard no longer pays on a
    request): a past day's row holds the whole day, today's the rows before `now` (its
    `computed_at`; the dashboard counts the rest live). Returns the number of rows written.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = _days(today)
    rows = []
    for _, charts in PANELS:
        for chart in charts:
            counted = chart.daily(_midnight(days[0]), now)
            rows += [
                DashboardDay(chart=chart.key, day=day, value=counted.get(day, 0.0), computed_at=now)
                for day in days
            ]
    with transaction.atomic():
        DashboardDay.objects.filter(day__lt=days[0]).delete()
        _store(rows)
    return len(rows)


def charts_series(
    charts: list[Chart], today: datetime.date | None = None
) -> dict[str, list[tuple[datetime.date, float]]]:
    """Each chart's value for each of the last 30 days (oldest first), cached briefly."""
    today = today or timezone.localdate()
    days = _days(today)
    by_key = {chart.key: chart for chart in charts}
    # Counts of whole days, for people: up to DASHBOARD_CACHE_SECONDS old by design (every
    # like or message invalidating them would leave nothing cached). Shared with CACHE_URL.
    daily = cache.cached_many(
        {chart.key: _cache_key(chart, today) for chart in charts},
        lambda keys: _daily_values([by_key[key] for key in keys], today),
        max_age=settings.DASHBOARD_CACHE_SECONDS,
    )
    return {chart.key: [(day, daily[chart.key].get(day, 0.0)) for day in days] for chart in charts}


def chart_series(chart: Chart, today: datetime.date | None = None) -> list[tuple[datetime.date, float]]:
    """One chart's value for each of the last 30 days (oldest first), cached briefly."""
    return charts_series([chart], today)[chart.key]


def _format(value: float, money: bool) -> str:
    return f"${Decimal(value):,.2f}" if money else f"{int(value):,}"


def svg_bars(series: list[tuple[datetime.date, float]], *, title: str, money: bool) -> SafeString:
    """A bar per day, scaled to the largest; each bar's tooltip names its day and value."""
    peak = max((value for _, value in series), default=0) or 1
    slot = CHART_WIDTH / len(series)
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
        (
            (
                f"{index * slot + 1:.1f}",
                f"{CHART_HEIGHT - max(value / peak * CHART_HEIGHT, 1 if value else 0):.1f}",
                f"{slot - 2:.1f}",
                f"{max(value / peak * CHART_HEIGHT, 1 if value else 0):.1f}",
                day.isoformat(),
                _format(value, money),
            )
            for index, (day, value) in enumerate(series)
        ),
    )
    return format_html(
        '<svg class="dashboard-chart" role="img" aria-label="{} per day, last {} days" '
        'viewBox="0 0 {} {}" width="{}" height="{}" xmlns="http://www.w3.org/2000/svg">'
        '<line x1="0" y1="{}" x2="{}" y2="{}" class="axis"></line>{}</svg>',
        title,
        DAYS,
        CHART_WIDTH,
        CHART_HEIGHT,
        CHART_WIDTH,
        CHART_HEIGHT,
        CHART_HEIGHT,
        CHART_WIDTH,
        CHART_HEIGHT,
        bars,
    )


def dashboard_panels(user) -> list[dict]:
    """The panels this user may see: [{"title", "charts": [{"title", "total", "today", "svg"}]}]."""
    visible = [
        (title, [chart for chart in charts if chart.visible_to(user)]) for title, charts in PANELS
    ]
    series = charts_series([chart for _, charts in visible for chart in charts])
    panels = []
    for title, charts in visible:
        shown = [
            {
                "key": chart.key,
                "title": chart.title,
                "total": _format(sum(value for _, value in series[chart.key]), chart.money),
                "today": _format(series[chart.key][-1][1], chart.money),
                "svg": svg_bars(series[chart.key], title=chart.title, money=chart.money),
            }
            for chart in charts
        ]
        if shown:
            panels.append({"title": title, "charts": shown})
    return panels
