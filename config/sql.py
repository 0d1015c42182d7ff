"""Querysets compiled once per process and run again with new parameter values (hot reads).

On the hot read routes, building and compiling a QuerySet costs more than running its small,
indexed query (pyinstrument, bench/cpu.py --profile: 0.6 ms of a 1.3 ms venue detail went to
`filter()`, `values_list()` and the SQL compiler). `Prepared(build)` calls `build(*markers)`
once per database alias and engine, keeps the SQL, where each marker's value goes and the
columns' converters, and then only executes:

    VENUE_ROWS = Prepared(lambda venue_id: Venue.objects.filter(pk=venue_id).values_list(...))
    rows = VENUE_ROWS.rows("venue_1")        # list of tuples, as values_list() returns them

The SQL is Django's own (no hand-written SQL per engine); each parameter must reach the SQL
unchanged (exact lookups: a marker that does not is refused when compiling). A lookup on a
field that would convert its value (a UUID column) takes the marker as `Value(marker)`, and
`rows()` passes `uuid.UUID` values in the database's form, as UUIDField stores them (SQLite:
32 hex digits; PostgreSQL: its uuid type). The database is
the one the routers choose for reading the queryset's model (a replica for a safe request,
config/routers.py), unless `using` names one. On PostgreSQL the statement is also prepared on
the server (psycopg's prepared statements, once per connection: no parsing and planning per
request; a 3-table join's 0.25 ms becomes 0.07 ms), unless `prepare_threshold` is unset
(DATABASE_PGBOUNCER: a pooler in transaction mode can't keep them).
"""

import threading
import uuid
from collections.abc import Callable

import psycopg
from django.db import connections, router
from django.db.models import BooleanField, Expression, QuerySet


class _PreparedCursor(psycopg.Cursor):
    """Server-side binding, each statement prepared (psycopg keeps them per connection)."""

    def execute(self, query, params=None, **kwargs):
        return super().execute(query, params, prepare=True)


class Prepared:
    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        using: str | None = None,
        server_side: bool = True,
    ):
        self.build = build
        self.using = using
        # False: only compiled once (a statement whose IN lists PostgreSQL must see as
        # constants to hash them, which a generic plan of a prepared statement would not).
        self.server_side = server_side
        self._model = None
        self._compiled: dict[tuple, tuple] = {}
        self._lock = threading.Lock()

    def _alias(self, count: int) -> str:
        if self.using is not None:
            return self.using
        if self._model is None:
            self._model = self.build(*[None] * count).model
        return router.db_for_read(self._model)

    def _compile(self, connection, count: int) -> tuple:
        markers = [f"\x00prepared-parameter-{n}\x00" for n in range(count)]
        compiler = self.build(*markers).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = [markers.index(p) if isinstance(p, str) and p in markers else None for p in params]
        missing = set(range(count)) - {slot for slot in slots if slot is not None}
        if missing:
            raise ValueError(f"parameters {sorted(missing)} do not reach the SQL unchanged")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = [
            (index, functions, expression)
            for index, (functions, expression) in compiler.get_converters(fields).items()
        ]
        return sql, list(params), slots, converters

    def rows(self, *values) -> list[tuple]:
        connection = connections[self._alias(len(values))]
        key = (connection.vendor, connection.settings_dict["NAME"], len(values))
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled[key] = self._compile(connection, len(values))
        sql, params, slots, converters = compiled
        if not connection.features.has_native_uuid_field:
            values = [v.hex if isinstance(v, uuid.UUID) else v for v in values]
        params = [
            p if slot is None else values[slot] for p, slot in zip(params, slots, strict=True)
        ]
        with connection.cursor() as cursor:
            if (
                self.server_side
                and connection.vendor == "postgresql"
                and connection.connection.prepare_threshold
            ):
                # A server-side prepared statement: parsed and planned once per connection.
                cursor.cursor.close()
                cursor.cursor = _PreparedCursor(connection.connection)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if connection.queries_logged and connection.queries_log[-1]["sql"] is None:
                # Django reads the logged text from psycopg's client-side cursors only: name
                # the prepared statement's for DEBUG and the tests' query captures.
                connection.queries_log[-1]["sql"] = connection.ops.compose_sql(sql, params)
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for index, functions, expression in converters:
                value = row[index]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[index] = value
            converted.append(tuple(row))
        return converted


class InJSON(Expression):
    """`expression IN` the strings of one parameter, a JSON array (`json.dumps(values)`).

    One placeholder however long the list, so one compiled statement (`Prepared`) serves every
    length, where `__in=[...]` makes a statement per length. SQLite reads the array with
    `json_each`, PostgreSQL with `jsonb_array_elements_text`; both hash the values once per
    statement, as they would a long IN list.
    """

    output_field = BooleanField()

    def __init__(self, expression, values):
        super().__init__()
        self.expression = expression
        self.values = values

    def get_source_expressions(self):
        return [self.expression]

    def set_source_expressions(self, expressions):
        (self.expression,) = expressions

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.expression)
        if connection.vendor == "postgresql":
            values = "SELECT jsonb_array_elements_text(%s::jsonb)"
        else:
            values = "SELECT value FROM json_each(%s)"
        return f"{sql} IN ({values})", [*params, self.values]
