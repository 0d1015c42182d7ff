"""Named check constraints shared by the EdgeSoul and learning models."""

from django.db import models
from django.db.models import Q


def choices_check(field: str, choices: type[models.TextChoices], name: str):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


def range_check(field: str, low: float, high: float, name: str):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": low, f"{field}__lte": high}), name=name
    )
