"""Aggregate expressions shared by the EdgeSoul and learning admin pages."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_of(model, *, field: str = "profile", outer: str = "pk", **filters) -> Coalesce:
    """A correlated COUNT subquery: several counts per row without multiplying joins."""
    rows = (
        model.objects.filter(**{field: OuterRef(outer)}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)
