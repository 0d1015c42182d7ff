import sys
import types
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connections

from config import legacy
from config.audit import audit_batch, audit_bulk_write, named_actor
from config.legacy import ImportReport, LegacyImportError


def fake_run(source, *, dry_run=False, progress=None):
    """An importer shaped like the apps' ones: reads "groups" from SOURCE (names, comma-separated)."""
    names = source.split(",")
    report = ImportReport(app="fake", source=source, dry_run=dry_run)
    table = report.table("groups")
    for number, name in enumerate(names, start=1):
        table.read += 1
        if name == "BROKEN":
            raise LegacyImportError("groups", number, "name is a truncated record")
        if not name:
            table.rejected.append(f"row {number}: empty name")
        elif Group.objects.filter(name=name).exists():
            table.unchanged += 1
        else:
            Group.objects.create(name=name)  # written even on a dry run: the command undoes it
            table.written += 1
        progress("groups", number, len(names))
    report.table("members").read = 0
    return report


@pytest.fixture
def fake_importer(monkeypatch):
    module = types.ModuleType("fake_legacy_importer")
    module.run = fake_run
    monkeypatch.setitem(sys.modules, "fake_legacy_importer", module)
    monkeypatch.setitem(legacy.IMPORTERS, "fake", "fake_legacy_importer")
    return module


def run_command(*args):
    out, err = StringIO(), StringIO()
    call_command("import_legacy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rows_of(output):
    return [line.split() for line in output.splitlines()]


@pytest.mark.django_db
def test_import_writes_reports_per_table_and_draws_progress(fake_importer):
    Group.objects.create(name="kept")

    out, err = run_command("fake", "alpha,kept,,beta")

    assert sorted(Group.objects.values_list("name", flat=True)) == ["alpha", "beta", "kept"]
    lines = rows_of(out)
    assert lines[:4] == [
        ["table", "read", "written", "unchanged", "rejected"],
        ["groups", "4", "2", "1", "1"],
        ["rejected:", "row", "3:", "empty", "name"],
        ["members", "0", "0", "0", "0"],
    ]
    assert out.splitlines()[4].startswith("import_legacy fake: 4 rows read, 2 written (")
    assert "groups: 100%" in err and "4/4" in err


@pytest.mark.django_db
def test_import_runs_under_the_command_actor(fake_importer):
    run_command("fake", "alpha")

    [entry] = LogEntry.objects.get_for_object(Group.objects.get(name="alpha"))
    assert (entry.actor, named_actor(entry)) == (None, "command:import_legacy")


@pytest.mark.django_db
def test_batched_importer_logs_one_entry_per_batch(fake_importer, monkeypatch):
    def batched_run(source, *, dry_run=False, progress=None):
        with audit_bulk_write():
            report = fake_run(source, dry_run=dry_run, progress=progress)
        audit_batch(actor="migration", model=Group, count=3, source=source)
        return report

    monkeypatch.setattr(fake_importer, "run", batched_run)

    run_command("fake", "a,b,c")

    [entry] = LogEntry.objects.all()
    assert (entry.object_repr, named_actor(entry)) == (
        "3 groups from a,b,c",
        "command:import_legacy",
    )


@pytest.mark.django_db
def test_second_run_writes_nothing_new(fake_importer):
    run_command("fake", "alpha,beta")

    out, _ = run_command("fake", "alpha,beta")

    assert ["groups", "2", "0", "2", "0"] in rows_of(out)
    assert Group.objects.count() == 2


@pytest.mark.django_db
def test_dry_run_validates_and_writes_nothing(fake_importer):
    out, _ = run_command("fake", "alpha,beta", "--dry-run")

    assert Group.objects.count() == 0
    assert ["groups", "2", "2", "0", "0"] in rows_of(out)
    assert "import_legacy fake: dry run, 2 rows valid, nothing written (" in out


@pytest.mark.django_db
def test_bad_row_names_table_and_row_and_writes_nothing(fake_importer):
    with pytest.raises(CommandError) as error:
        run_command("fake", "alpha,beta,BROKEN")

    assert str(error.value) == ("groups, row 3: name is a truncated record (nothing was written)")
    assert Group.objects.count() == 0


@pytest.mark.django_db
def test_bad_row_exits_non_zero_from_the_shell(fake_importer, capsys, monkeypatch):
    # run_from_argv closes every connection when done, the test's transaction too.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "import_legacy", "fake", "alpha,BROKEN"])

    assert exit_info.value.code == 1
    assert capsys.readouterr().err.endswith(
        "CommandError: groups, row 2: name is a truncated record (nothing was written)\n"
    )
    assert Group.objects.count() == 0


def test_unknown_app_lists_the_valid_ones():
    with pytest.raises(CommandError) as error:
        run_command("lunar", "luna.db")

    assert str(error.value) == (
        "Unknown app 'lunar'; valid apps: edgesoul, learning, luna, pupmatch, yago"
    )


def test_app_whose_importer_is_not_written_yet(monkeypatch):
    monkeypatch.setitem(legacy.IMPORTERS, "later", "config.no_such_importer")

    with pytest.raises(CommandError) as error:
        run_command("later", "later.db")

    assert str(error.value) == (
        "The importer for 'later' is not available yet: module config.no_such_importer "
        "does not exist"
    )


def test_module_without_run_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "empty_importer", types.ModuleType("empty_importer"))
    monkeypatch.setitem(legacy.IMPORTERS, "empty", "empty_importer")

    with pytest.raises(CommandError) as error:
        run_command("empty", "x")

    assert str(error.value) == "empty_importer has no run(source, *, dry_run, progress) function"
