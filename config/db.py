"""Database helpers shared by every app: engine checks and PostgreSQL-only migration steps.

SQLite is the embedded default and PostgreSQL (with PostGIS) is production; migrations are
the same for both, and the steps below only act when they run on PostgreSQL.
"""

from collections.abc import Iterable

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
