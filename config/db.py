"""Database helpers shared by every app: engine checks and PostgreSQL-only migration steps.

SQLite is the embedded default and PostgreSQL (with PostGIS) is production; migrations are
the same for both, and the steps below only act when they run on PostgreSQL.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence

from django.core.management.color import no_style
from django.db import connection, models
from django.db.migrations.operations.base import Operation


def is_postgresql(conn=connection) -> bool:
    return conn.vendor == "postgresql"


def reset_sequences(model_classes: Iterable[type[models.Model]], conn=connection) -> None:
    """After rows were written with explicit keys, move PostgreSQL's sequences past them."""
    statements = conn.ops.sequence_reset_sql(no_style(), list(model_classes))
    if statements:
        with conn.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


class PostgresOnlySQL(Operation):
    """Raw SQL that runs on PostgreSQL and is a no-op elsewhere (the state is unchanged)."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, sql: str, reverse_sql: str):
        self.sql = sql
        self.reverse_sql = reverse_sql

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"sql": self.sql, "reverse_sql": self.reverse_sql}

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if is_postgresql(schema_editor.connection):
            schema_editor.execute(self.sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if is_postgresql(schema_editor.connection):
            schema_editor.execute(self.reverse_sql)

    def describe(self):
        return "PostgreSQL-only SQL"


class PostgresOnlyIndex(Operation):
    """An index only PostgreSQL can build (GIN over a tsvector expression, say).

    It is built by Django's schema editor from the same expression the queries use, so the
    planner matches them. It is not part of the model state: SQLite has no such index.
    """

    reversible = True

    def __init__(self, model_name: str, index: models.Index):
        self.model_name = model_name
        self.index = index

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"model_name": self.model_name, "index": self.index}

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if is_postgresql(schema_editor.connection):
            model = to_state.apps.get_model(app_label, self.model_name)
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if is_postgresql(schema_editor.connection):
            model = from_state.apps.get_model(app_label, self.model_name)
            schema_editor.remove_index(model, self.index)

    def describe(self):
        return f"PostgreSQL-only index {self.index.name} on {self.model_name}"


def bulk_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    batch_size: int = 10000,
    progress: Callable[[str, int, int], None] | None = None,
    total: int = 0,
    conn=connection,
) -> int:
    """Insert plain tuples into a model's table, fast: COPY on PostgreSQL, executemany on SQLite.

    For generated and imported data sets of millions of rows, where building model instances
    costs more than the database work. `fields` are model field names in the tuples' order;
    no defaults, signals or audit entries apply (callers log one audit entry per batch).
    Returns the number of rows written.
    """
    table = model._meta.db_table
    model_fields = [model._meta.get_field(name) for name in fields]
    columns = [field.column for field in model_fields]
    rows = _adapted(rows, model_fields, conn)
    quote = conn.ops.quote_name
    column_sql = ", ".join(quote(c) for c in columns)
    done = 0
    with conn.cursor() as cursor:
        if is_postgresql(conn):
            copy_sql = f"COPY {quote(table)} ({column_sql}) FROM STDIN"
            for batch in _batches(rows, batch_size):
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in batch:
                        copy.write_row(row)
                done += len(batch)
                if progress:
                    progress(table, done, total or done)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            insert_sql = f"INSERT INTO {quote(table)} ({column_sql}) VALUES ({placeholders})"
            for batch in _batches(rows, batch_size):
                cursor.executemany(insert_sql, batch)
                done += len(batch)
                if progress:
                    progress(table, done, total or done)
    return done


# Types whose Python values the driver can't store the way Django does on that engine.
_ADAPTED_TYPES = {
    "sqlite": {"DateTimeField", "DateField", "TimeField", "JSONField", "UUIDField", "DecimalField"},
    "postgresql": {"JSONField"},
}


def _adapted(rows: Iterable[Sequence], fields: list, conn) -> Iterator[Sequence]:
    adapt = [
        index
        for index, field in enumerate(fields)
        if field.get_internal_type() in _ADAPTED_TYPES.get(conn.vendor, set())
    ]
    if not adapt:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for index in adapt:
            if row[index] is not None:
                row[index] = fields[index].get_db_prep_save(row[index], conn)
        yield row


def _batches(rows: Iterable[Sequence], size: int) -> Iterator[list[Sequence]]:
    batch: list[Sequence] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
