"""Geography behind one interface, for both engines.

PostgreSQL: a stored `geography(Point, 4326)` column generated from the latitude/longitude
columns, with a GiST index (both created by `AddGeographyColumn` in a migration); radius
queries use `ST_DWithin`, which the index serves.
SQLite: the same latitude/longitude columns, a bounding-box prefilter and the exact haversine
distance computed in SQL.

Both measure on the same sphere (mean Earth radius, PostGIS `use_spheroid=false`), so both
engines return the same rows in the same order for the same data.
"""

import math

from django.db import connection, models
from django.db.migrations.operations.base import Operation
from django.db.models import F, FloatField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt

from config.db import is_postgresql

EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
GEOGRAPHY_COLUMN = "geog"


def validate_point(lat: float, lng: float) -> None:
    """Raise ValueError naming the coordinate that is out of range."""
    if not -90.0 <= lat <= 90.0:
        raise ValueError("latitude must be between -90 and 90")
    if not -180.0 <= lng <= 180.0:
        raise ValueError("longitude must be between -180 and 180")


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """From (lat1, lng1) to (lat2, lng2): term for term `haversine_expression` from (lat, lng)
    to a row, so Python and SQLite's SQL compute the same doubles."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2) - math.radians(lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) that contains every point within radius_km."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = math.cos(math.radians(lat))
    dlng = (
        180.0 if cos_lat < 1e-9 else min(180.0, math.degrees(radius_km / EARTH_RADIUS_KM) / cos_lat)
    )
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def haversine_expression(lat_field: str, lng_field: str, lat: float, lng: float):
    """The haversine distance in km from (lat, lng) to each row, as an ORM expression."""
    lat_r, lng_r = math.radians(lat), math.radians(lng)
    row_lat = Radians(F(lat_field))
    row_lng = Radians(F(lng_field))
    a = Power(Sin((row_lat - Value(lat_r)) / 2), 2) + Value(math.cos(lat_r)) * Cos(row_lat) * Power(
        Sin((row_lng - Value(lng_r)) / 2), 2
    )
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(a), output_field=FloatField())


def within_radius(
    queryset: models.QuerySet,
    *,
    lat: float,
    lng: float,
    radius_km: float,
    lat_field: str = "latitude",
    lng_field: str = "longitude",
) -> models.QuerySet:
    """Rows within radius_km of (lat, lng), annotated with `distance_km`, nearest first."""
    if is_postgresql(connection):
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        point = "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography"
        column = f"{table}.{GEOGRAPHY_COLUMN}"
        return (
            queryset.filter(
                RawSQL(
                    # Each parameter reaches the SQL as given (a compiled query's marker).
                    f"ST_DWithin({column}, {point}, %s * 1000.0, false)",
                    (lng, lat, radius_km),
                    output_field=models.BooleanField(),
                )
            )
            .annotate(
                distance_km=RawSQL(
                    f"ST_Distance({column}, {point}, false) / 1000.0",
                    (lng, lat),
                    output_field=FloatField(),
                )
            )
            .order_by("distance_km", "pk")
        )
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_km)
    return (
        queryset.filter(
            **{
                f"{lat_field}__range": (min_lat, max_lat),
                f"{lng_field}__range": (min_lng, max_lng),
            }
        )
        .annotate(distance_km=haversine_expression(lat_field, lng_field, lat, lng))
        .filter(distance_km__lte=radius_km)
        .order_by("distance_km", "pk")
    )


class AddGeographyColumn(Operation):
    """Migration step: on PostgreSQL, a stored geography point generated from lat/lng + GiST.

    On SQLite it does nothing; queries there use the latitude/longitude columns directly.
    """

    reversible = True

    def __init__(self, model_name: str, lat_field: str = "latitude", lng_field: str = "longitude"):
        self.model_name = model_name
        self.lat_field = lat_field
        self.lng_field = lng_field

    def deconstruct(self):
        kwargs = {
            "model_name": self.model_name,
            "lat_field": self.lat_field,
            "lng_field": self.lng_field,
        }
        return self.__class__.__qualname__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not is_postgresql(schema_editor.connection):
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        quote = schema_editor.quote_name
        table = model._meta.db_table
        lat = quote(model._meta.get_field(self.lat_field).column)
        lng = quote(model._meta.get_field(self.lng_field).column)
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} ADD COLUMN {GEOGRAPHY_COLUMN} geography(Point, 4326) "
            f"GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint({lng}, {lat}), 4326)::geography) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX {quote(table + '_geog_gist')} ON {quote(table)} "
            f"USING GIST ({GEOGRAPHY_COLUMN})"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if is_postgresql(schema_editor.connection):
            model = from_state.apps.get_model(app_label, self.model_name)
            table = schema_editor.quote_name(model._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {GEOGRAPHY_COLUMN}")

    def describe(self):
        return f"PostGIS geography column with GiST index on {self.model_name} (PostgreSQL only)"
