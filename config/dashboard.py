"""The admin index's dashboard: per app, what happened on each of the last 30 days.

Each chart is ONE aggregate query (rows per day over an indexed date column, grouped in the
database), cached for `DASHBOARD_CACHE_SECONDS`, and drawn as a small server-side SVG bar chart
(no JavaScript, nothing from a CDN). A chart is shown only to staff who may view its model; an
app's panel only when one of its charts is.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connections
from django.db.models import CharField, Count, F, Func, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from config import cache
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

    def daily(self, start: datetime.datetime) -> dict[datetime.date, float]:
        """The one aggregate query: {day: value} for days since `start` that have rows."""
        value = Sum(self.sum_field) if self.sum_field else Count("pk")
        manager = self.model._default_manager
        if connections[manager.db].vendor == "sqlite" and settings.TIME_ZONE == "UTC":
            # SQLite's own DATE() (C) instead of Django's TruncDate (a Python function called
            # per row: seconds over a month of a 1M-row table). Stored times are UTC text.
            day = Func(F(self.date_field), function="DATE", output_field=CharField())
        else:
            day = TruncDate(self.date_field)
        rows = (
            manager.filter(self.filter, **{f"{self.date_field}__gte": start})
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


def chart_series(
    chart: Chart, today: datetime.date | None = None
) -> list[tuple[datetime.date, float]]:
    """The chart's value for each of the last 30 days (oldest first), cached briefly."""
    today = today or timezone.localdate()
    days = _days(today)
    key = f"admin-dashboard:{chart.key}:{today.isoformat()}"
    start = timezone.make_aware(datetime.datetime.combine(days[0], datetime.time.min))
    # Counts of whole days, for people: up to DASHBOARD_CACHE_SECONDS old by design (every
    # like or message invalidating them would leave nothing cached). Shared with CACHE_URL.
    daily = cache.cached(key, lambda: chart.daily(start), max_age=settings.DASHBOARD_CACHE_SECONDS)
    return [(day, daily.get(day, 0.0)) for day in days]


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
    panels = []
    for title, charts in PANELS:
        shown = []
        for chart in charts:
            if not chart.visible_to(user):
                continue
            series = chart_series(chart)
            shown.append(
                {
                    "key": chart.key,
                    "title": chart.title,
                    "total": _format(sum(value for _, value in series), chart.money),
                    "today": _format(series[-1][1], chart.money),
                    "svg": svg_bars(series, title=chart.title, money=chart.money),
                }
            )
        if shown:
            panels.append({"title": title, "charts": shown})
    return panels
