import sqlite3
import uuid
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connections

from accounts.models import User
from config import transfer as transfer_module
from config.audit import audit_bulk_write
from config.dbinfo import add_database, remove_database
from config.tests.helpers import dump_tables
from config.transfer import copy_order, table_checksum, transfer_run


def fill(alias):
    """Users, groups, permissions, an M2M and JSON audit rows: keys of every kind."""
    with audit_bulk_write():
        users = User.objects.db_manager(alias)
        ada = users.create_user("ada@example.com", "secret-pass", is_staff=True)
        bob = users.create_user("bob@example.com", "secret-pass")
        editors = Group.objects.using(alias).create(name="Editors")
        Group.objects.using(alias).create(name="Readers")
        editors.permissions.add(Permission.objects.using(alias).get(codename="view_group"))
        ada.groups.add(editors)
        bob.groups.add(editors)
        LogEntry.objects.using(alias).create(
            content_type=ContentType.objects.db_manager(alias).get_for_model(Group),
            object_pk=str(editors.pk),
            object_id=editors.pk,
            object_repr="Editors",
            action=LogEntry.Action.CREATE,
            changes={"name": [None, "Editors"], "nested": {"b": 1.5, "a": [True, None]}},
            additional_data={"actor": "seed"},
        )


def comparable(alias):
    rows = dump_tables(alias)
    rows.pop("django_migrations")  # applied-at times are the target's own
    return rows


def rows_of(output):
    return [line.split() for line in output.splitlines()]


def transfer(*args):
    out = StringIO()
    call_command("transfer", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_sqlite_to_sqlite_copies_every_row_exactly_and_verifies(sqlite_file_database, tmp_path):
    source = sqlite_file_database("source")
    fill(source)
    target_path = tmp_path / "target.sqlite3"

    output = transfer("--to", f"sqlite:///{target_path}", "--database", source)

    target = add_database(
        "check", {"ENGINE": "django.db.backends.sqlite3", "NAME": str(target_path)}
    )
    try:
        assert comparable(target.alias) == comparable(source)
    finally:
        remove_database("check")
    lines = rows_of(output)
    assert lines[0] == ["table", "source", "target", "checksum"]
    assert ["accounts_user", "2", "2", "ok"] in lines
    assert ["accounts_user_groups", "2", "2", "ok"] in lines
    assert ["auth_group", "2", "2", "ok"] in lines
    assert ["auditlog_logentry", "1", "1", "ok"] in lines
    assert lines[-1][:2] == ["transfer:", str(sum(int(line[1]) for line in lines[1:-1]))]
    assert "from SQLite to SQLite, all verified" in output


def test_target_with_data_is_refused_without_force_and_replaced_with_it(
    sqlite_file_database, tmp_path
):
    source = sqlite_file_database("source")
    fill(source)
    target = sqlite_file_database("target")
    with audit_bulk_write():
        User.objects.db_manager(target).create_user("someone@example.com")
    url = f"sqlite:///{connections[target].settings_dict['NAME']}"

    with pytest.raises(CommandError) as error:
        transfer("--to", url, "--database", source)
    assert str(error.value) == (
        "The target database already holds data; pass --force to replace it"
    )
    assert list(User.objects.using(target).values_list("email", flat=True)) == [
        "someone@example.com"
    ]

    transfer("--to", url, "--database", source, "--force")

    assert comparable(target) == comparable(source)


def test_transfer_into_the_source_itself_is_refused(sqlite_file_database):
    source = sqlite_file_database("source")
    url = f"sqlite:///{connections[source].settings_dict['NAME']}"

    with pytest.raises(CommandError) as error:
        transfer("--to", url, "--database", source)

    assert str(error.value) == "The target is the source database itself"


def test_unmigrated_source_is_refused(sqlite_file_database, tmp_path):
    source = sqlite_file_database("empty", migrate=False)

    with pytest.raises(CommandError) as error:
        transfer("--to", f"sqlite:///{tmp_path / 'target.sqlite3'}", "--database", source)

    assert str(error.value) == (
        "The source database (empty) has unapplied migrations; run migrate first"
    )


def test_copy_order_puts_referenced_tables_first():
    ordered = copy_order(list(apps.get_models(include_auto_created=True)))
    position = {model._meta.label: index for index, model in enumerate(ordered)}
    user_groups = User.groups.through._meta.label

    assert position["contenttypes.ContentType"] < position["auth.Permission"]
    assert position["auth.Group"] < position[user_groups]
    assert position["accounts.User"] < position[user_groups]
    assert position["accounts.User"] < position["auditlog.LogEntry"]
    assert len(ordered) == len(set(ordered)) == len(apps.get_models(include_auto_created=True))


def test_checksum_changes_with_any_value_and_not_with_row_order(sqlite_file_database):
    first = sqlite_file_database("first")
    second = sqlite_file_database("second")
    with audit_bulk_write():
        for name in ("a", "b", "c"):
            Group.objects.using(first).create(name=name)
        for pk, name in ((3, "c"), (1, "a"), (2, "b")):
            Group.objects.using(second).create(pk=pk, name=name)

    same = table_checksum(Group, first) == table_checksum(Group, second)
    Group.objects.using(second).filter(name="b").update(name="B")

    assert same
    assert table_checksum(Group, first)[0] == table_checksum(Group, second)[0] == 3
    assert table_checksum(Group, first)[1] != table_checksum(Group, second)[1]


@pytest.fixture
def scratch_postgres_url():
    """A PostgreSQL database created for one test and dropped after it."""
    import psycopg

    settings = connections["default"].settings_dict
    name = f"transfer_scratch_{uuid.uuid4().hex[:10]}"
    admin = dict(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
    )
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    yield f"postgres://{credentials}@{settings['HOST']}:{settings['PORT']}/{name}"
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_sqlite_to_postgresql_copies_every_row_and_resets_sequences(
    sqlite_file_database, scratch_postgres_url
):
    source = sqlite_file_database("source")
    fill(source)

    output = transfer("--to", scratch_postgres_url, "--database", source)

    assert "from SQLite to PostgreSQL, all verified" in output
    target = add_database("check", scratch_postgres_url)
    try:
        assert target.vendor == "postgresql"
        models = copy_order(list(apps.get_models(include_auto_created=True)))
        for model in models:
            assert table_checksum(model, "check") == table_checksum(model, source), model
        assert sorted(
            User.objects.using("check").values_list("email", "is_staff", "groups__name")
        ) == [("ada@example.com", True, "Editors"), ("bob@example.com", False, "Editors")]
        entry = LogEntry.objects.using("check").get()
        assert (entry.changes, entry.additional_data, entry.content_type.model) == (
            {"name": [None, "Editors"], "nested": {"b": 1.5, "a": [True, None]}},
            {"actor": "seed"},
            "group",
        )
        # Sequences moved past the copied keys: a new row gets the next key.
        with audit_bulk_write():
            new = Group.objects.using("check").create(name="After")
        assert new.pk == Group.objects.using(source).order_by("-pk").first().pk + 1
    finally:
        remove_database("check")


def test_unreachable_target_is_named(sqlite_file_database, tmp_path):
    source = sqlite_file_database("source")

    with pytest.raises(CommandError) as error:
        transfer(
            "--to", f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.sqlite3'}", "--database", source
        )

    assert str(error.value) == (
        "Cannot connect to the target database: unable to open database file"
    )


def test_copy_that_does_not_verify_fails_naming_the_table(
    sqlite_file_database, tmp_path, monkeypatch
):
    source = sqlite_file_database("source")
    fill(source)
    real_checksum = transfer_module.table_checksum

    def damaged(model, using):
        rows, checksum = real_checksum(model, using)
        if model is Group and using == transfer_module.TARGET_ALIAS:
            return rows, "0" * 32
        return rows, checksum

    monkeypatch.setattr(transfer_module, "table_checksum", damaged)
    out = StringIO()

    with pytest.raises(CommandError) as error:
        call_command(
            "transfer",
            "--to",
            f"sqlite:///{tmp_path / 'target.sqlite3'}",
            "--database",
            source,
            stdout=out,
            stderr=StringIO(),
        )

    assert str(error.value) == "transfer: the copy differs from the source in auth_group"
    [line] = [line.split() for line in out.getvalue().splitlines() if "auth_group " in line + " "]
    assert line[:5] == ["auth_group", "2", "2", "MISMATCH", real_checksum(Group, source)[1]]
    assert line[5] == "0" * 32


def test_sqlite_source_keeps_taking_writes_and_the_copy_is_one_snapshot(
    sqlite_file_database, tmp_path
):
    source = sqlite_file_database("source")
    fill(source)
    writer = sqlite3.connect(connections[source].settings_dict["NAME"], timeout=0)
    written_during_copy = []

    def progress(table, done, total):
        if table == "auth_group" and not written_during_copy:
            # A server worker writes while the copy runs: no "database is locked".
            writer.execute("INSERT INTO auth_group (name) VALUES ('Late')")
            writer.commit()
            written_during_copy.append(table)

    report = transfer_run(
        target=f"sqlite:///{tmp_path / 'target.sqlite3'}", using=source, progress=progress
    )
    writer.close()

    assert written_during_copy == ["auth_group"]
    assert report.ok
    groups = {check.table: check for check in report.tables}["auth_group"]
    assert (groups.source_rows, groups.target_rows) == (2, 2)  # the snapshot
    assert Group.objects.using(source).count() == 3
