"""Geography on both engines: the same rows and distances from config.geo.within_radius.

Unmarked on purpose: this suite runs on SQLite and again in the PostgreSQL pass (PostGIS);
the expected values are computed here with the haversine formula on the same sphere.
"""

import pytest
from django.db import connection

from config.geo import haversine_km, within_radius
from matching.models import Playground, Profile
from matching.tests.factories import PlaygroundFactory, ProfileFactory

pytestmark = pytest.mark.django_db

CENTER = (40.7580, -73.9855)
POINTS = {
    "Times Square": (40.7580, -73.9855),
    "Bryant Park": (40.7536, -73.9832),
    "Central Park": (40.7812, -73.9665),
    "Tompkins": (40.7265, -73.9815),
    "Prospect Park": (40.6602, -73.9690),
    "Hoboken": (40.7440, -74.0324),
    "Yonkers": (40.9312, -73.8988),
    "Newark": (40.7357, -74.1724),
}


def expected(radius_km):
    rows = sorted(
        (haversine_km(*CENTER, *point), name)
        for name, point in POINTS.items()
        if haversine_km(*CENTER, *point) <= radius_km
    )
    return [(name, round(distance, 6)) for distance, name in rows]


@pytest.mark.parametrize("radius_km", [0.1, 3.0, 5.0, 12.0, 25.0])
def test_profiles_within_radius_same_rows_and_distances(radius_km):
    for name, (lat, lng) in POINTS.items():
        ProfileFactory(name=name, latitude=lat, longitude=lng)
    ProfileFactory(name="Nowhere", latitude=None, longitude=None)
    rows = within_radius(Profile.objects.all(), lat=CENTER[0], lng=CENTER[1], radius_km=radius_km)
    assert [(row.name, round(row.distance_km, 6)) for row in rows] == expected(radius_km)


@pytest.mark.parametrize("radius_km", [1.0, 8.0, 20.0])
def test_playgrounds_within_radius_same_rows_and_distances(radius_km):
    for name, (lat, lng) in POINTS.items():
        PlaygroundFactory(name=name, latitude=lat, longitude=lng)
    rows = within_radius(
        Playground.objects.all(), lat=CENTER[0], lng=CENTER[1], radius_km=radius_km
    )
    assert [(row.name, round(row.distance_km, 6)) for row in rows] == expected(radius_km)


def test_edge_of_radius_is_included_on_both_engines():
    ProfileFactory(name="Edge", latitude=40.7580 + 0.0449, longitude=-73.9855)
    distance = haversine_km(*CENTER, 40.7580 + 0.0449, -73.9855)
    inside = within_radius(
        Profile.objects.all(), lat=CENTER[0], lng=CENTER[1], radius_km=distance + 1e-6
    )
    outside = within_radius(
        Profile.objects.all(), lat=CENTER[0], lng=CENTER[1], radius_km=distance - 1e-3
    )
    assert [row.name for row in inside] == ["Edge"]
    assert list(outside) == []


@pytest.mark.postgres
def test_postgis_points_and_gist_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE a.attname = 'geog' AND c.relkind = 'r' AND c.relname LIKE 'matching_%%' "
            "ORDER BY c.relname"
        )
        assert cursor.fetchall() == [
            ("matching_playground", "geog", "geography(Point,4326)"),
            ("matching_profile", "geog", "geography(Point,4326)"),
        ]
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%%USING gist (geog)%%' "
            "AND tablename LIKE 'matching_%%' ORDER BY indexname"
        )
        assert cursor.fetchall() == [
            ("matching_playground_geog_gist",),
            ("matching_profile_geog_gist",),
        ]


@pytest.mark.postgres
def test_discovery_pool_is_read_through_the_gist_index():
    from django.test.utils import CaptureQueriesContext

    from matching.selectors import nearest_eligible, preferences_for

    viewer = ProfileFactory(latitude=CENTER[0], longitude=CENTER[1])
    for name, (lat, lng) in POINTS.items():
        ProfileFactory(name=name, latitude=lat, longitude=lng)
    with CaptureQueriesContext(connection) as queries:
        rows = nearest_eligible(profile=viewer, prefs=preferences_for(viewer), pool=3)
    assert [row["name"] for row in rows] == [
        "Times Square",
        "Bryant Park",
        "Central Park",
    ]
    with connection.cursor() as cursor:
        # Fresh statistics: the plan must not depend on when autovacuum last looked.
        cursor.execute("ANALYZE matching_profile, matching_like, matching_pass")
        cursor.execute("SET LOCAL enable_seqscan = off")
        # On a handful of rows a full index scan plus a sort costs about as much as the KNN
        # scan, and the choice flips with the statistics; without sorts, only an index that
        # yields rows by distance can serve the query: the GiST index.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + queries.captured_queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using matching_profile_geog_gist" in plan
