"""Move everything from one database to another (SQLite now, PostgreSQL later).

`transfer_run` migrates the target, empties it, copies every model's table in dependency
order in batches inside one target transaction (reading the source in one snapshot), resets
PostgreSQL sequences, then verifies each table: same row count and same checksum.

The checksum is engine-neutral: each row's values are read through the ORM (so a SQLite
`1` and a PostgreSQL `true` are both `True`), written canonically and hashed; the row hashes
are summed, so the result does not depend on the order rows come back in (the engines'
collations sort text keys differently).
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from hashlib import blake2b
from itertools import islice

from django.apps import apps
from django.core.management import call_command
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connections,
    models,
    transaction,
)
from django.db.migrations.executor import MigrationExecutor

from config.db import reset_sequences
from config.dbinfo import add_database, engine_label, is_empty, remove_database, table_names

TARGET_ALIAS = "transfer_target"
READER_ALIAS = "transfer_source"
Progress = Callable[[str, int, int], None]


class TransferError(Exception):
    """A transfer that cannot go ahead or did not verify; the message says why."""


@dataclass
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


@dataclass
class TransferReport:
    source_engine: str
    target_engine: str
    tables: list[TableCheck] = field(default_factory=list)
    skipped_tables: list[str] = field(default_factory=list)  # in the source, no model
    seconds: float = 0.0
    copy_seconds: float = 0.0
    verify_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.tables)

    @property
    def rows(self) -> int:
        return sum(check.source_rows for check in self.tables)


def transfer_run(
    *,
    target: str | dict,
    using: str = DEFAULT_DB_ALIAS,
    force: bool = False,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> TransferReport:
    """Copy every table of database `using` into `target` (a DATABASE_URL or settings dict).

    Refuses a target that already holds data unless `force` is true, in which case the
    target's tables are emptied first. Raises TransferError when the verification fails.
    """
    started = time.monotonic()
    source = connections[using]
    _check_source_migrated(source)
    target_conn = add_database(TARGET_ALIAS, target)
    try:
        if _same_database(source.settings_dict, target_conn.settings_dict):
            raise TransferError("The target is the source database itself")
        try:
            target_conn.ensure_connection()
        except DatabaseError as error:
            raise TransferError(f"Cannot connect to the target database: {error}") from error
        call_command("migrate", database=TARGET_ALIAS, interactive=False, verbosity=0)
        if not force and not is_empty(TARGET_ALIAS):
            raise TransferError(
                "The target database already holds data; pass --force to replace it"
            )
        # Content types and permissions too: the copied rows refer to the source's keys.
        call_command(
            "flush",
            database=TARGET_ALIAS,
            interactive=False,
            inhibit_post_migrate=True,
            verbosity=0,
        )
        model_list = copy_order(_models_in(source))
        reader = _snapshot_reader(source)
        copy_started = time.monotonic()
        source_sums = _copy_all(reader, target_conn, model_list, batch_size, progress)
        report = TransferReport(engine_label(source), engine_label(target_conn))
        report.copy_seconds = time.monotonic() - copy_started
        verify_started = time.monotonic()
        covered = {model._meta.db_table for model in model_list}
        report.skipped_tables = sorted(set(table_names(source)) - covered - {"django_migrations"})
        for model in model_list:
            source_rows, source_sum = source_sums[model]
            target_rows, target_sum = table_checksum(model, TARGET_ALIAS)
            report.tables.append(
                TableCheck(model._meta.db_table, source_rows, target_rows, source_sum, target_sum)
            )
        report.verify_seconds = time.monotonic() - verify_started
        report.seconds = time.monotonic() - started
        return report
    finally:
        remove_database(TARGET_ALIAS)
        remove_database(READER_ALIAS)


def copy_order(model_list: list[type[models.Model]]) -> list[type[models.Model]]:
    """Models ordered so each comes after the models its foreign keys point to.

    Cycles (and self-references) are allowed: foreign keys are checked at commit.
    """
    remaining = {model: _dependencies(model) & set(model_list) for model in model_list}
    ordered: list[type[models.Model]] = []
    while remaining:
        ready = [model for model, deps in remaining.items() if not deps - set(ordered)]
        if not ready:  # a cycle: take the rest in label order
            ready = sorted(remaining, key=lambda model: model._meta.label)[:1]
        for model in sorted(ready, key=lambda model: model._meta.label):
            ordered.append(model)
            del remaining[model]
    return ordered


def table_checksum(model: type[models.Model], using: str) -> tuple[int, str]:
    """(rows, checksum) of a model's table, equal on both engines for equal data."""
    attnames = [f.attname for f in model._meta.concrete_fields if not f.generated]
    total, rows = 0, 0
    queryset = model._base_manager.using(using).order_by().values_list(*attnames)
    for row in queryset.iterator(chunk_size=5000):
        text = repr(tuple(v if v.__class__ in _PLAIN else _canonical(v) for v in row))
        total += int.from_bytes(blake2b(text.encode(), digest_size=16).digest())
        rows += 1
    return rows, f"{total % (1 << 128):032x}"


# --- internals -----------------------------------------------------------------------------
def _models_in(conn) -> list[type[models.Model]]:
    existing = set(table_names(conn))
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in existing
    ]


def _dependencies(model: type[models.Model]) -> set[type[models.Model]]:
    return {
        f.related_model._meta.concrete_model
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is not None and f.related_model is not model
    }


def _snapshot_reader(source):
    """The connection to read the source through, in one snapshot, without blocking writers.

    A SQLite file gets a second connection with deferred transactions: its snapshot starts
    at the first read and the server's writers carry on (WAL). The configured IMMEDIATE
    mode would hold the write lock for the whole copy. PostgreSQL readers never block.
    """
    if source.vendor != "sqlite" or source.is_in_memory_db():
        return source
    settings = dict(source.settings_dict)
    settings["OPTIONS"] = {
        key: value for key, value in settings["OPTIONS"].items() if key != "transaction_mode"
    }
    return add_database(READER_ALIAS, settings)


def _copy_all(reader, target_conn, model_list, batch_size, progress) -> dict:
    """Copy every model's rows; (rows, checksum) of each source table, in the same snapshot."""
    source_sums = {}
    # SQLite checks foreign keys as rows arrive unless told not to; PostgreSQL's Django
    # constraints are DEFERRABLE INITIALLY DEFERRED and are checked at commit.
    with target_conn.constraint_checks_disabled():
        with (
            transaction.atomic(using=reader.alias),
            transaction.atomic(using=target_conn.alias),
        ):
            if reader.vendor == "postgresql":
                with reader.cursor() as cursor:  # one snapshot for every table
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            for model in model_list:
                _copy_model(model, reader.alias, target_conn, batch_size, progress)
                source_sums[model] = table_checksum(model, reader.alias)
            try:
                target_conn.check_constraints(
                    table_names=[model._meta.db_table for model in model_list]
                )
            except IntegrityError as error:
                raise TransferError(f"Foreign keys do not match after the copy: {error}") from error
            reset_sequences(model_list, conn=target_conn)
    return source_sums


def _copy_model(model, source_alias, target_conn, batch_size, progress) -> None:
    """Copy one table's rows as they are: no auto_now, no defaults, no signals.

    Values are read through the ORM (so they are Python values whatever the source engine)
    and written with the target engine's own preparation in `executemany` batches.
    """
    table = model._meta.db_table
    fields = [f for f in model._meta.local_concrete_fields if not f.generated]
    source_rows = model._base_manager.using(source_alias).order_by("pk")
    total = source_rows.count()
    quote = target_conn.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(table)} ({columns}) VALUES ({placeholders})"
    prepare = [_preparer(f, target_conn) for f in fields]
    if not any(prepare):
        prepare = None
    rows = source_rows.values_list(*[f.attname for f in fields]).iterator(chunk_size=batch_size)
    done = 0
    if progress:
        progress(table, 0, total)
    with target_conn.cursor() as cursor:
        while batch := list(islice(rows, batch_size)):
            prepared = (
                batch
                if prepare is None
                else [
                    [v if prep is None else prep(v) for prep, v in zip(prepare, row, strict=True)]
                    for row in batch
                ]
            )
            if target_conn.vendor == "postgresql":
                # COPY is several times faster than INSERT for bulk loads.
                with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
                    for values in prepared:
                        copy.write_row(values)
            else:
                cursor.executemany(sql, prepared)
            done += len(batch)
            if progress:
                progress(table, done, total)


# Values of these types go to either driver as they come from the ORM; the others (UUIDs and
# datetimes on SQLite, JSON on PostgreSQL...) need the field's own preparation.
_PASS_THROUGH_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "CharField",
        "TextField",
        "SlugField",
        "BooleanField",
        "FloatField",
    }
)


def _preparer(field, conn):
    """None when the value needs no preparation for `conn`, else the field's preparation."""
    base = field.target_field if field.is_relation else field
    internal_type = base.get_internal_type()
    standard = getattr(models, internal_type, None)
    # Only the standard fields: a custom subclass may prepare its values its own way.
    if internal_type in _PASS_THROUGH_TYPES and all(
        getattr(type(base), name) is getattr(standard, name)
        for name in ("get_prep_value", "get_db_prep_value", "get_db_prep_save")
    ):
        return None
    return partial(field.get_db_prep_save, connection=conn)


def _check_source_migrated(conn) -> None:
    executor = MigrationExecutor(conn)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise TransferError(
            f"The source database ({conn.alias}) has unapplied migrations; run migrate first"
        )


def _same_database(a: dict, b: dict) -> bool:
    keys = ("ENGINE", "NAME", "HOST", "PORT")
    return all(str(a.get(key) or "") == str(b.get(key) or "") for key in keys)


_PLAIN = frozenset({str, int, bool, type(None)})


def _canonical(value):
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, bool):  # subclasses of the plain types: enum members
        return bool(value)
    if isinstance(value, int):
        return int(value)
    return str(value)
