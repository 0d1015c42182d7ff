"""Helpers for the data-safety tests."""

from django.db import connections

from config.dbinfo import table_names


def dump_tables(using: str) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: two equal dumps mean equal data."""
    conn = connections[using]
    rows = {}
    with conn.cursor() as cursor:
        for table in table_names(conn):
            cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)}")
            rows[table] = sorted((tuple(row) for row in cursor.fetchall()), key=repr)
    return rows
