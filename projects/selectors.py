"""Reads of the YAGO app: visible projects and sessions, file lists, cost alerts."""

import functools
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connections, router
from django.db.models import Count, F, Q, QuerySet, Subquery, Sum, Value
from django.utils import timezone

from config.access import YAGO
from config.sql import Prepared
from projects.models import (
    ClarificationSession,
    CostAlertDismissal,
    GeneratedFile,
    Project,
    ProviderUsage,
)


def _scoped(queryset: QuerySet, user) -> QuerySet:
    # YAGO_ACCESS=user: each account sees only its own rows (anyone else's are 404).
    if YAGO.scoped_to_account:
        return queryset.filter(owner=user) if user and user.is_authenticated else queryset.none()
    return queryset


def project_visible(*, user) -> QuerySet[Project]:
    return _scoped(Project.objects.all(), user)


def usage_visible(*, user) -> QuerySet[ProviderUsage]:
    """Provider calls of the visible projects and sessions (every call when access is open)."""
    if not YAGO.scoped_to_account:
        return ProviderUsage.objects.all()
    sessions = _scoped(ClarificationSession.objects.all(), user)
    return ProviderUsage.objects.filter(
        Q(project__in=project_visible(user=user)) | Q(session__in=sessions)
    )


# `sort` values of the project list: a column, `-` for descending.
PROJECT_SORT_FIELDS = ("created_at", "updated_at", "name", "status", "progress", "actual_cost")
PROJECT_SORTS = tuple(f"{sign}{field}" for field in PROJECT_SORT_FIELDS for sign in ("", "-"))


PROJECT_COLUMNS = tuple(field.attname for field in Project._meta.concrete_fields)
# The list's: the project object's columns (its owner is not one of them).
PROJECT_LIST_COLUMNS = tuple(column for column in PROJECT_COLUMNS if column != "owner_id")
OWNER_KEY = Project._meta.get_field("owner").target_field


def _project_filter(by_status: bool, by_owner: bool):
    """build(*markers) for config.sql.Prepared: the projects of a status and/or an owner."""

    def build(*values) -> QuerySet[Project]:
        values = iter(values)
        queryset = Project.objects.all()
        if by_status:
            queryset = queryset.filter(status=next(values))
        if by_owner:
            # Value(): the key's field would refuse Prepared's text marker.
            queryset = queryset.filter(owner_id=Value(next(values)))
        return queryset

    return build


def _project_total(build):
    return lambda *values: (
        build(*values).order_by().values(one=Value(1)).annotate(total=Count("*")).values("total")
    )


# Compiled once per list shape (the page's bounds are part of the SQL): a few in practice.
@functools.lru_cache(maxsize=256)
def _project_page(sort: str, start: int, stop: int, by_status: bool, by_owner: bool) -> Prepared:
    """The page's rows, each ending with the total (a subquery: one statement, not two)."""
    tie_break = "-id" if sort.startswith("-") else "id"
    build = _project_filter(by_status, by_owner)
    total = _project_total(build)
    return Prepared(
        lambda *values: (
            build(*values)
            .order_by(sort, tie_break)[start:stop]
            .values(*PROJECT_LIST_COLUMNS, total=Subquery(total(*values)))
        )
    )


@functools.lru_cache(maxsize=4)
def _project_count(by_status: bool, by_owner: bool) -> Prepared:
    total = _project_total(_project_filter(by_status, by_owner))
    return Prepared(lambda *values: total(*values).values_list("total"))


def project_list(
    *, user, status: str | None, limit: int, offset: int = 0, sort: str = "-created_at"
) -> tuple[list[dict], int]:
    """One page of projects in `sort` order (newest first by default), ties broken by id in
    the same direction; the total counts the (status-filtered) projects before paging.

    Value rows of every column (a page holds up to 1,000 projects: no model instances), by
    querysets compiled once per shape (config/sql.py): building and compiling them cost more
    than running them. One query; two for a page past the end (its total is counted apart)."""
    owner = None
    if YAGO.scoped_to_account:
        if not (user and user.is_authenticated):
            return [], 0
        # The column's own form (a UUID's hex on SQLite): the SQL takes the value as it is.
        owner = OWNER_KEY.get_db_prep_value(user.pk, connections[router.db_for_read(Project)])
    values = [value for value in (status or None, owner) if value is not None]
    by_status, by_owner = bool(status), owner is not None
    rows = _project_page(sort, offset, offset + limit, by_status, by_owner).rows(*values)
    if rows:
        total = rows[0][-1]
    elif offset:
        ((total,),) = _project_count(by_status, by_owner).rows(*values)
    else:
        total = 0
    return [dict(zip(PROJECT_LIST_COLUMNS, row[:-1], strict=True)) for row in rows], total


def _project_by_id(by_owner: bool):
    def build(project_id, owner=None) -> QuerySet[Project]:
        # Value(): the key fields would refuse Prepared's text markers.
        queryset = Project.objects.filter(pk=Value(project_id))
        if by_owner:
            queryset = queryset.filter(owner_id=Value(owner))
        return queryset.values_list(*PROJECT_COLUMNS)

    return Prepared(build)


_PROJECT_BY_ID = {by_owner: _project_by_id(by_owner) for by_owner in (False, True)}


def project_get(*, user, project_id) -> Project | None:
    """The visible project of that id, or None; its query compiled once (config/sql.py)."""
    try:
        key = uuid.UUID(str(project_id))
    except ValueError:
        return None
    alias = router.db_for_read(Project)
    connection = connections[alias]
    # The columns' own forms (a UUID's hex on SQLite): the SQL takes the values as they are.
    values = [Project._meta.pk.get_db_prep_value(key, connection)]
    if YAGO.scoped_to_account:
        if not (user and user.is_authenticated):
            return None
        values.append(OWNER_KEY.get_db_prep_value(user.pk, connection))
    rows = _PROJECT_BY_ID[len(values) == 2].rows(*values)
    return Project.from_db(alias, PROJECT_COLUMNS, rows[0]) if rows else None


def project_files(*, project: Project) -> list[GeneratedFile]:
    return list(GeneratedFile.objects.filter(project=project).order_by("path"))


def project_file(*, project: Project, path: str) -> GeneratedFile | None:
    return GeneratedFile.objects.filter(project=project, path=path).first()


def session_get(*, user, session_id) -> ClarificationSession | None:
    try:
        key = uuid.UUID(str(session_id))
    except ValueError:
        return None
    return _scoped(ClarificationSession.objects.all(), user).filter(pk=key).first()


def usage_totals_by_provider(queryset: QuerySet[ProviderUsage] | None = None) -> list[dict]:
    queryset = ProviderUsage.objects.all() if queryset is None else queryset
    return list(
        queryset.order_by()
        .values("provider")
        .annotate(cost=Sum("cost"), tokens_in=Sum("tokens_in"), tokens_out=Sum("tokens_out"))
        .order_by("provider")
    )


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _weekly_alert_id(now, user) -> str:
    year, week, _ = now.isocalendar()
    suffix = f"_{user.pk}" if YAGO.scoped_to_account and user and user.is_authenticated else ""
    return f"weekly_{year}-W{week:02d}{suffix}"


def cost_alerts(*, user, include_dismissed: bool = False) -> list[dict]:
    """Budget alerts (actual > estimate × ratio) and the weekly spending warning, newest first.

    Three queries: over-budget projects, the 7-day cost sum, the dismissals.
    """
    now = timezone.now()
    ratio = Decimal(str(settings.YAGO_BUDGET_ALERT_RATIO))
    visible = project_visible(user=user)
    over = visible.filter(cost_estimate__gt=0, actual_cost__gt=F("cost_estimate") * ratio)
    alerts = []
    for project in over.order_by("-updated_at", "-id").only(
        "id", "name", "actual_cost", "cost_estimate", "updated_at"
    ):
        excess = (project.actual_cost - project.cost_estimate) / project.cost_estimate * 100
        alerts.append(
            {
                "id": f"budget_{project.pk}",
                "type": "budget_exceeded",
                "severity": "high",
                "project_id": str(project.pk),
                "project_name": project.name,
                "message": f"Project budget exceeded by {excess:.1f}%",
                "actual_cost": float(project.actual_cost),
                "estimated_cost": float(project.cost_estimate),
                "created_at": _iso(project.updated_at),
            }
        )
    week = visible.filter(created_at__gte=now - timedelta(days=7)).aggregate(
        total=Sum("actual_cost")
    )["total"] or Decimal(0)
    if week > Decimal(str(settings.YAGO_WEEKLY_COST_WARNING)):
        alerts.append(
            {
                "id": _weekly_alert_id(now, user),
                "type": "weekly_limit_warning",
                "severity": "medium",
                "message": f"Weekly spending is ${week:.2f}, approaching limit",
                "total_cost": float(week),
                "limit": float(settings.YAGO_WEEKLY_COST_LIMIT),
                "created_at": _iso(now),
            }
        )
    if include_dismissed:
        return alerts
    dismissed = set(
        CostAlertDismissal.objects.filter(alert_id__in=[a["id"] for a in alerts]).values_list(
            "alert_id", flat=True
        )
    )
    return [alert for alert in alerts if alert["id"] not in dismissed]


def alert_dismissed(*, alert_id: str, user) -> bool:
    """Whether the alert was dismissed (YAGO_ACCESS=user: by this account)."""
    dismissals = CostAlertDismissal.objects.filter(alert_id=alert_id)
    if YAGO.scoped_to_account:
        if not (user and user.is_authenticated):
            return False
        dismissals = dismissals.filter(dismissed_by=user)
    return dismissals.exists()
