"""Full-text search behind one function, for both engines.

PostgreSQL: `websearch_to_tsquery` against a tsvector over the given fields, served by a GIN
index built from the same expression (`search_index`, added with `PostgresOnlyIndex`), ranked
with `ts_rank`.
SQLite: every word of the query must occur in one of the fields (case-insensitive); rank is the
number of (word, field) hits, weighted like the PostgreSQL vector (earlier fields weigh more).
"""

import re
from collections.abc import Sequence

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, models
from django.db.models import Case, FloatField, Q, Value, When

from config.db import is_postgresql

WEIGHTS = ("A", "B", "C", "D")
# ts_rank's default weights for D, C, B, A are 0.1, 0.2, 0.4, 1.0; mirror them on SQLite.
WEIGHT_VALUES = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}


def search_vector(fields: Sequence[str], config: str = "english") -> SearchVector:
    vector = None
    for position, field in enumerate(fields):
        part = SearchVector(field, config=config, weight=WEIGHTS[min(position, 3)])
        vector = part if vector is None else vector + part
    return vector


def search_index(fields: Sequence[str], name: str, config: str = "english") -> GinIndex:
    """The GIN index that serves `full_text_search` on these fields (PostgreSQL only)."""
    return GinIndex(search_vector(fields, config), name=name)


def query_words(query: str) -> list[str]:
    return re.findall(r"\w+", query.lower())


def full_text_search(
    queryset: models.QuerySet, query: str, fields: Sequence[str], config: str = "english"
) -> models.QuerySet:
    """Rows matching every word of `query`, annotated with `rank`, best match first."""
    words = query_words(query)
    if not words:
        # Still annotated: callers order by `rank` (a query of punctuation only, e.g. "!!").
        return queryset.annotate(rank=Value(0.0, output_field=FloatField())).none()
    if is_postgresql(connection):
        vector = search_vector(fields, config)
        search_query = SearchQuery(" ".join(words), config=config, search_type="websearch")
        return (
            queryset.annotate(search=vector)
            .filter(search=search_query)
            .annotate(rank=SearchRank(vector, search_query))
            .order_by("-rank", "pk")
        )
    condition = Q()
    for word in words:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    rank = Value(0.0)
    for position, field in enumerate(fields):
        weight = WEIGHT_VALUES[WEIGHTS[min(position, 3)]]
        for word in words:
            rank = rank + Case(
                When(**{f"{field}__icontains": word}, then=Value(weight)),
                default=Value(0.0),
                output_field=FloatField(),
            )
    return queryset.filter(condition).annotate(rank=rank).order_by("-rank", "pk")
