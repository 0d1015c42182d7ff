"""The admin at scale: changelists that never scan a whole large table.

Every app's ModelAdmin mixes in `ScaledAdmin` (config/tests/test_admin_scale.py checks it):

- Counts: `show_full_result_count = False` (no second COUNT of the unfiltered table) and
  `ScaledPaginator`, which counts at most `COUNT_CAP + 1` rows of a filtered list and, on
  PostgreSQL, reads the planner's estimate (`pg_class.reltuples`) for an unfiltered one.
  The pagination line says "about N" or "more than N" when the figure is not exact.
- Date navigation: `date_hierarchy` keeps Django's drill-down parameters
  (`created_at__year=2026&created_at__month=11`, which the changelist turns into a range on
  the indexed column) but the links are fixed (the last `date_hierarchy_years` years, the
  months of a year, the days of a month) instead of `SELECT DISTINCT` over the whole table
  (templates/admin/change_list.html and templatetags/admin_scale.py).
- `ExactValueFilter`: filter by a value typed in a box (a user id among 100k users) instead of
  a list filter that loads every related row or every distinct value.
"""

import copy
import datetime
from functools import cached_property

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

COUNT_CAP = 10_000
# Below this the estimate is too coarse to be worth it: count exactly (it is cheap).
ESTIMATE_FROM = 100_000


def estimated_rows(queryset: QuerySet) -> int | None:
    """The planner's row estimate of an unfiltered table on PostgreSQL, else None."""
    query = queryset.query
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or query.where or query.distinct or query.combinator:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] >= ESTIMATE_FROM else None


class ScaledPaginator(Paginator):
    """A paginator whose count reads at most `COUNT_CAP + 1` rows (or the planner's estimate).

    `count_kind` says what the count is: "exact", "estimate" or "at_least" (more than
    COUNT_CAP rows match: the pages stop there; a filter or search narrows the list).
    """

    count_kind = "exact"

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return super().count
        estimate = estimated_rows(rows)
        if estimate is not None:
            self.count_kind = "estimate"
            return estimate
        capped = rows.order_by().values("pk")[: COUNT_CAP + 1].count()
        if capped > COUNT_CAP:
            self.count_kind = "at_least"
            return COUNT_CAP
        return capped


SEARCH_LOOKUPS = {"exact", "iexact", "startswith", "istartswith", "contains", "icontains"}


def search_field_accepts(model, search_field: str, term: str) -> bool:
    """Whether `term` is a valid value of the column `search_field` searches.

    Django searches a UUID or number column with a term that isn't one as
    `CAST(column AS text) = term`, which no index serves: a full scan of the table.
    """
    parts = search_field.lstrip("^=@").split(LOOKUP_SEP)
    if parts[-1] in SEARCH_LOOKUPS:
        parts = parts[:-1]
    try:
        field = get_fields_from_path(model, LOOKUP_SEP.join(parts))[-1]
        field.to_python(term)
    except (ValidationError, FieldDoesNotExist, NotRelationField, TypeError, ValueError):
        return False
    return True


class ScaledAdmin(admin.ModelAdmin):
    """Base of every ModelAdmin in the project: counts, date links and searches that don't scan."""

    show_full_result_count = False
    paginator = ScaledPaginator
    list_per_page = 50  # half of Django's default: a page renders in half the time
    # How many years the date drill-down offers (this year and the ones before).
    date_hierarchy_years = 5

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        fields = tuple(self.get_search_fields(request))
        usable = tuple(f for f in fields if search_field_accepts(self.model, f, term))
        if not term or usable == fields:
            return super().get_search_results(request, queryset, search_term)
        if not usable:
            return queryset.none(), False
        # Search only the columns the term fits (a copy: the admin instance is shared).
        narrowed = copy.copy(self)
        narrowed.search_fields = usable
        return admin.ModelAdmin.get_search_results(narrowed, request, queryset, search_term)


def recent_years(count: int, today: datetime.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return [today.year - offset for offset in range(count)]


class ExactValueFilter(admin.SimpleListFilter):
    """A text box filtering on one exact value of an indexed column.

    Subclass with `title`, `parameter_name` and `field` (the lookup, e.g. "user_id").
    A list filter on a foreign key would load every related row (100k users) and one on a
    plain column every distinct value (a scan of the table).
    """

    template = "admin/exact_value_filter.html"
    field = ""
    placeholder = "exact value"

    def lookups(self, request, model_admin):
        return ((self.value() or "", self.value() or ""),)

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        return queryset.filter(**{self.field or self.parameter_name: value}) if value else queryset


def exact_value_filter(field: str, title: str, *, placeholder: str = "") -> type[ExactValueFilter]:
    """An `ExactValueFilter` for `field` (a column or `fk_id`), e.g. `exact_value_filter("user_id", "user id")`."""
    return type(
        f"ExactValueFilter_{field}",
        (ExactValueFilter,),
        {
            "title": title,
            "parameter_name": field,
            "field": field,
            "placeholder": placeholder or f"exact {title}",
        },
    )


def count_of(model, *, field: str, outer: str = "pk", **filters) -> Coalesce:
    """A correlated COUNT subquery for one row of a changelist page.

    A `Count()` over a join groups the whole table before the page is cut (a scan of every
    related row); the subquery is evaluated for the 100 rows shown only. Columns using it are
    not sortable for the same reason.
    """
    rows = (
        model._default_manager.filter(**{field: OuterRef(outer)}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class UserEmailSearch:
    """Search a large table by a user's exact email, through indexed foreign keys.

    `user_search_fields` names the foreign keys to users. The term is looked up in the users'
    unique email index first (one query), then the rows are filtered on those ids, so each
    foreign key's index serves the search (`OR` over joined email columns scans the table).
    Other `search_fields` (exact lookups on indexed columns) are searched as usual.
    """

    user_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        results, duplicates = super().get_search_results(request, queryset, search_term)
        if not term or "@" not in term or not self.user_search_fields:
            return results, duplicates
        from django.contrib.auth import get_user_model

        ids = list(get_user_model()._default_manager.filter(email=term).values_list("pk", flat=True))
        match = Q(pk__in=[])
        for field in self.user_search_fields:
            match |= Q(**{f"{field}__in": ids})
        return (results | queryset.filter(match)) if ids else results, duplicates


class RecentRowsFormSet(BaseInlineFormSet):
    """An inline showing only its parent's `max_rows` most recent rows (by `recent_order`).

    A venue has ~100 interested members and a learner hundreds of words at demo scale 1:
    rendering them all makes a change page slow and long. The full list is one click away in
    the rows' own changelist, filtered by the parent.
    """

    max_rows = 20
    recent_order = "-pk"

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            rows = super().get_queryset()
            recent = rows.order_by(self.recent_order).values("pk")[: self.max_rows]
            self._queryset = rows.filter(pk__in=Subquery(recent))
        return self._queryset


def recent_rows(count: int = 20, order: str = "-pk") -> type[RecentRowsFormSet]:
    return type("RecentRowsFormSet", (RecentRowsFormSet,), {"max_rows": count, "recent_order": order})
