from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from config.api import Conflict
from projects import execution, services, storage
from projects.models import GeneratedFile, Project, ProjectExecution
from projects.providers.base import SourceFile
from projects.tests.factories import ProjectFactory, ProviderUsageFactory

pytestmark = pytest.mark.django_db


def execute(project: Project) -> ProjectExecution:
    """The execution the API starts, run to its end here (its job's body, without a queue)."""
    run = execution.execution_enqueue(project=project)
    execution.execution_run(execution_id=run.pk)
    project.refresh_from_db()
    run.refresh_from_db()
    return run


def _assert_rows_match_disk(project):
    rows = {row.path: row for row in GeneratedFile.objects.filter(project=project)}
    disk = storage.disk_files(project.pk)
    assert set(rows) == set(disk)
    for path, content in disk.items():
        row = rows[path]
        assert (row.size, row.checksum, row.content.encode()) == (
            len(content),
            services.checksum_of(content.decode()),
            content,
        )


def test_execute_rows_and_files_agree():
    project = ProjectFactory(brief={"project_idea": "Book shelf"})

    execute(project)

    _assert_rows_match_disk(project)
    assert project.files_generated == GeneratedFile.objects.filter(project=project).count() == 11
    assert project.lines_of_code == sum(
        GeneratedFile.objects.filter(project=project).values_list("lines", flat=True)
    )


def test_re_execution_replaces_the_folder_and_rows(settings):
    project = ProjectFactory(name="First name", brief={"project_idea": "First name"})
    execute(project)
    (storage.project_dir(project.pk) / "stray.txt").write_text("left over")
    Project.objects.filter(pk=project.pk).update(name="Second", brief={"project_idea": "Second"})
    project.refresh_from_db()

    execute(project)

    _assert_rows_match_disk(project)
    assert not any(path.startswith("first_name/") for path in storage.disk_files(project.pk))
    assert list(storage.generated_root().iterdir()) == [storage.project_dir(project.pk)]


def test_failed_write_fails_the_project_and_leaves_no_folder(monkeypatch):
    project = ProjectFactory()

    def broken_write(project_id, files):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(storage, "write_tree", broken_write)
    run = execute(project)

    message = "Could not write the generated files: Permission denied"
    assert (run.status, run.error, run.http_status) == ("failed", message, 500)
    assert project.status == "failed"
    assert [entry["error"] for entry in project.errors] == [message]
    assert not storage.project_dir(project.pk).exists()


def test_write_tree_is_all_or_nothing():
    project = ProjectFactory()
    storage.write_tree(project.pk, [SourceFile("keep.py", "x = 1\n")])

    with pytest.raises(ValueError):
        storage.write_tree(project.pk, [SourceFile("new.py", "y"), SourceFile("../bad.py", "z")])

    assert storage.disk_files(project.pk) == {"keep.py": b"x = 1\n"}
    assert [p.name for p in storage.generated_root().iterdir()] == [str(project.pk)]


def test_materialize_writes_a_missing_folder_from_the_rows():
    project = ProjectFactory()
    execute(project)
    storage.remove_tree(project.pk)
    rows = list(GeneratedFile.objects.filter(project=project))

    services.project_files_materialize(project=project, files=rows)

    _assert_rows_match_disk(project)


def test_transition_conflict_message():
    project = ProjectFactory(status="completed")

    with pytest.raises(Conflict, match="Cannot resume a project that is completed"):
        services.project_transition(project=project, action="resume")


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("status", "running", "projects_project_status_valid"),
        ("progress", 101, "projects_project_progress_0_100"),
        ("actual_cost", Decimal("-1"), "projects_project_costs_non_negative"),
        ("cost_estimate", Decimal("-0.01"), "projects_project_costs_non_negative"),
    ],
)
def test_database_enforces_project_rules(field, value, constraint):
    project = ProjectFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(**{field: value})

    assert constraint in {c.name for c in Project._meta.constraints}


def test_database_enforces_provider_and_depth():
    from projects.models import ClarificationSession

    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderUsageFactory(provider="mistral")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClarificationSession.objects.create(project_idea="x", depth="deep")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClarificationSession.objects.create(project_idea="x", position=3, total_questions=2)


def test_file_paths_are_unique_per_project():
    from projects.tests.factories import GeneratedFileFactory

    project = ProjectFactory()
    GeneratedFileFactory(project=project, path="a.py")

    with pytest.raises(IntegrityError), transaction.atomic():
        GeneratedFileFactory(project=project, path="a.py")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("pkg/core.py", "python"),
        ("tests/test_core.py", "test"),
        ("pkg/test_x.py", "test"),
        ("README.md", "markdown"),
        ("requirements.txt", "config"),
        ("data/seed.json", "config"),
        ("LICENSE", "text"),
    ],
)
def test_file_types(path, kind):
    assert services.file_type_for(path) == kind
