"""Discovery scored and paged in SQL answers exactly as the Python scoring it replaced did.

The reference below is the previous implementation, kept verbatim: the ORM read the pool as
value rows (PostgreSQL: KNN on the GiST index; SQLite: distance bands) and Python scored and
sorted them. Compared on a generated data set (matching.demo), for every viewer and two pool
sizes: the same profiles, distances and scores (equal floats), in the same order, and the same
count and pages.
"""

import random
import uuid

import pytest
from django.db import connection
from django.db.models import Exists, FloatField, OuterRef
from django.db.models.expressions import RawSQL

from config.db import is_postgresql
from config.geo import GEOGRAPHY_COLUMN, within_radius
from matching import demo
from matching.models import ActivityLevel, Like, Pass, Profile
from matching.selectors import (
    compatibility_score,
    discovery_page,
    preferences_for,
    radius_km,
)

pytestmark = pytest.mark.django_db

SQLITE_RINGS = 9


def previous_nearest_eligible(*, profile, prefs, pool):
    user_id = profile.user_id
    queryset = (
        Profile.objects.filter(age__gte=prefs.min_age, age__lte=prefs.max_age)
        .exclude(user_id=user_id)
        .exclude(Exists(Like.objects.filter(user_id=user_id, target_id=OuterRef("user_id"))))
        .exclude(Exists(Pass.objects.filter(user_id=user_id, target_id=OuterRef("user_id"))))
        .exclude(Exists(Pass.objects.filter(user_id=OuterRef("user_id"), target_id=user_id)))
    )
    radius = radius_km(prefs)
    fields = ("id", "user_id", "name", "age", "bio", "distance_km", "preferences__activity_level")
    if not is_postgresql(connection):
        return previous_nearest_in_rings(
            queryset, profile=profile, radius=radius, pool=pool, fields=fields
        )
    table = connection.ops.quote_name(Profile._meta.db_table)
    knn = RawSQL(
        f"{table}.{GEOGRAPHY_COLUMN} <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography",
        (profile.longitude, profile.latitude),
        output_field=FloatField(),
    )
    queryset = queryset.filter(latitude__isnull=False).annotate(knn_m=knn).order_by("knn_m")
    rows = []
    for row in queryset.values(*fields[:-2], "knn_m", fields[-1])[:pool]:
        row["distance_km"] = row.pop("knn_m") / 1000.0
        if row["distance_km"] <= radius:
            rows.append(row)
    return rows


def previous_nearest_in_rings(queryset, *, profile, radius, pool, fields):
    arms, params, inner = [], [], -1.0
    for ring in range(SQLITE_RINGS):
        outer = radius / 2 ** ((SQLITE_RINGS - 1 - ring) / 2)
        band = within_radius(
            queryset, lat=profile.latitude, lng=profile.longitude, radius_km=outer
        ).filter(distance_km__gt=inner)
        sql, band_params = band.values(*fields)[:pool].query.sql_with_params()
        arms.append(f"SELECT * FROM ({sql})")
        params.extend(band_params)
        inner = outer
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(arms) + " LIMIT %s", [*params, pool])
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        row["id"], row["user_id"] = uuid.UUID(row["id"]), uuid.UUID(row["user_id"])
    return rows


def previous_discovery(*, profile, prefs, pool):
    radius = radius_km(prefs)
    rows = previous_nearest_eligible(profile=profile, prefs=prefs, pool=pool)
    candidates = [
        (
            row["id"],
            row["user_id"],
            row["name"],
            row["age"],
            row["bio"],
            row["distance_km"],
            compatibility_score(
                distance_km=row["distance_km"],
                radius_km=radius,
                age=row["age"],
                prefs=prefs,
                activity=row["preferences__activity_level"] or ActivityLevel.MEDIUM,
            ),
        )
        for row in rows
    ]
    candidates.sort(key=lambda c: (-c[6], c[5], c[0]))
    return candidates


def as_tuples(candidates):
    return [
        (c.id, c.user_id, c.name, c.age, c.bio, c.distance_km, c.compatibility_score)
        for c in candidates
    ]


@pytest.mark.parametrize("pool", [15, 500])
def test_same_answers_as_the_python_scoring(pool):
    demo.generate(scale=0.003, rng=random.Random(42))
    if is_postgresql(connection):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    viewers = list(
        Profile.objects.filter(latitude__isnull=False)
        .select_related("preferences")
        .order_by("pk")[:60]
    )
    full_pools = excluded = 0
    for viewer in viewers:
        prefs = preferences_for(viewer)
        expected = previous_discovery(profile=viewer, prefs=prefs, pool=pool)
        count, everything = discovery_page(profile=viewer, prefs=prefs, pool=pool)
        assert (count, as_tuples(everything)) == (len(expected), expected)
        count, page = discovery_page(profile=viewer, prefs=prefs, pool=pool, offset=4, limit=6)
        assert (count, as_tuples(page)) == (len(expected), expected[4:10])
        count, past = discovery_page(
            profile=viewer, prefs=prefs, pool=pool, offset=len(expected) + 1, limit=6
        )
        assert (count, past) == (len(expected), [])
        full_pools += len(expected) == pool
        excluded += Like.objects.filter(user=viewer.user).exists()
    # The data exercised the pool's cut and the exclusions.
    assert full_pools >= 30 if pool == 15 else full_pools == 0
    assert excluded >= 30
