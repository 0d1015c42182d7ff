import io
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from projects import storage
from projects.models import ClarificationSession, GeneratedFile, Project, ProviderUsage
from projects.tests.factories import (
    GeneratedFileFactory,
    ProjectFactory,
    ProviderUsageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/yago/api/v1/projects"


def iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def project_json(project: Project) -> dict:
    project.refresh_from_db()
    return {
        "id": str(project.pk),
        "name": project.name,
        "description": project.description,
        "status": project.status,
        "progress": project.progress,
        "brief": project.brief,
        "config": project.config,
        "primary_model": project.primary_model,
        "agent_role": project.agent_role,
        "strategy": project.strategy,
        "temperature": project.temperature,
        "max_tokens": project.max_tokens,
        "created_at": iso(project.created_at),
        "updated_at": iso(project.updated_at),
        "started_at": iso(project.started_at),
        "completed_at": iso(project.completed_at),
        "project_path": project.project_path,
        "cost_estimate": float(project.cost_estimate),
        "actual_cost": float(project.actual_cost),
        "files_generated": project.files_generated,
        "lines_of_code": project.lines_of_code,
        "errors": project.errors,
        "logs": project.logs,
    }


# --- create / read ------------------------------------------------------------------------


def test_create_project_returns_201_with_the_project(api_client):
    body = {
        "brief": {"project_idea": "Track team tasks", "features": ["add", "list"]},
        "config": {
            "primary_model": "gpt-4o",
            "agent_role": "developer",
            "strategy": "fast",
            "temperature": 0.2,
            "max_tokens": 2000,
        },
    }

    response = api_client.post(BASE, body, format="json")

    assert response.status_code == 201
    project = Project.objects.get()
    assert response.json() == {
        "project_id": str(project.pk),
        "status": "created",
        "message": "Project created successfully",
        "project": project_json(project),
    }
    assert project.name == project.description == "Track team tasks"
    assert project.status == "creating"
    assert (project.primary_model, project.agent_role, project.strategy) == (
        "gpt-4o",
        "developer",
        "fast",
    )
    assert (project.temperature, project.max_tokens) == (0.2, 2000)
    # 67 characters of brief JSON → 17 tokens + 600 prompt overhead in, 2000 out, at gpt-4o's
    # $2.50 / $10 per million: (617 × 2.5 + 2000 × 10) / 1e6 = 0.0215425.
    assert project.cost_estimate == Decimal("0.021543")
    assert project.owner is None


def test_create_without_idea_or_config_uses_defaults(api_client):
    response = api_client.post(BASE, {"brief": {}}, format="json")

    assert response.status_code == 201
    project = response.json()["project"]
    assert (project["name"], project["description"]) == ("Untitled Project", "Untitled Project")
    assert (project["primary_model"], project["agent_role"], project["strategy"]) == (
        "unknown",
        "unknown",
        "balanced",
    )
    assert (project["temperature"], project["max_tokens"], project["config"]) == (0.7, 4000, {})
    assert project["brief"] == {}
    assert (project["errors"], project["logs"]) == ([], [])


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "brief", "required"),
        ({"brief": "an idea"}, "brief", "not_a_dict"),
        ({"brief": {"project_idea": 5}}, "brief", "invalid"),
        ({"brief": {}, "config": {"temperature": 3}}, "temperature", "max_value"),
        ({"brief": {}, "config": {"max_tokens": "lots"}}, "max_tokens", "invalid"),
    ],
)
def test_create_rejects_bad_input_naming_the_field(api_client, body, field, code):
    response = api_client.post(BASE, body, format="json")

    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert (problem["field"].split(".")[-1], problem["code"]) == (field, code)
    assert Project.objects.count() == 0


def test_get_project(api_client):
    project = ProjectFactory(brief={"project_idea": "X", "n": [1, 2]}, config={"a": {"b": 1}})

    response = api_client.get(f"{BASE}/{project.pk}")

    assert response.status_code == 200
    assert response.json() == project_json(project)
    assert response.json()["brief"] == {"project_idea": "X", "n": [1, 2]}


# A fixed unknown UUID: a random one would give each pytest-xdist worker a different test id.
@pytest.mark.parametrize("key", ["0b6c9a1e-3f52-4d8e-9a71-2c4e5f6a7b80", "not-a-uuid"])
def test_unknown_project_is_404(api_client, key):
    for method in ("get", "put", "delete"):
        response = getattr(api_client, method)(f"{BASE}/{key}", {}, format="json")
        assert (response.status_code, response.json()) == (404, {"detail": "Project not found"})
    for action in ("start", "pause", "resume", "execute"):
        response = api_client.post(f"{BASE}/{key}/{action}")
        assert (response.status_code, response.json()) == (404, {"detail": "Project not found"})
    for tail in ("files", "files/README.md", "download", "export"):
        response = api_client.get(f"{BASE}/{key}/{tail}")
        assert (response.status_code, response.json()) == (404, {"detail": "Project not found"})


# --- list ---------------------------------------------------------------------------------


def _projects(count: int, **kwargs):
    now = timezone.now()
    return [
        ProjectFactory(created_at=now - timedelta(minutes=index), **kwargs)
        for index in range(count)
    ]


def test_list_newest_first_with_total_and_filtered(api_client):
    old, new = ProjectFactory(created_at=timezone.now() - timedelta(days=1)), ProjectFactory()

    response = api_client.get(BASE)

    assert response.status_code == 200
    assert response.json() == {
        "projects": [project_json(new), project_json(old)],
        "total": 2,
        "filtered": 2,
    }


def test_list_filters_by_status_and_limits(api_client):
    running = _projects(3, status="in_progress")
    _projects(2, status="completed")

    response = api_client.get(BASE, {"status": "in_progress", "limit": 2})

    assert response.json() == {
        "projects": [project_json(running[0]), project_json(running[1])],
        "total": 3,
        "filtered": 2,
    }


def test_list_with_empty_status_means_all(api_client):
    _projects(3)

    response = api_client.get(BASE, {"status": "", "limit": 100})

    assert (response.json()["total"], response.json()["filtered"]) == (3, 3)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "running"}, "status"), ({"limit": 0}, "limit"), ({"limit": "x"}, "limit")],
)
def test_list_rejects_bad_parameters(api_client, params, field):
    response = api_client.get(BASE, params)

    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["detail"]] == [field]


def test_list_reads_a_raw_utf8_query_string_as_django_does(api_client):
    response = api_client.get(f"{BASE}?status=é&limit=1")

    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": [
                {
                    "field": "status",
                    "message": '"é" is not a valid choice.',
                    "code": "invalid_choice",
                }
            ]
        },
    )


# Keys in jsonb's order (shorter first), numbers jsonb writes back alike: the same on both engines.
AWKWARD_BRIEF = {
    "n": {"deep": [1, [2, [3, {"x": None, "yy": True}]]]},
    "ints": [9007199254740993, -9223372036854775808, 9223372036854775807, 0, -1],
    "floats": [0.1, -1.5, 1.5e-10, 123456.789, 2.5e-5, 1e-7],
    "unicode": 'Café 😀 \u2028 "quoted" \\ tab\t',
    "project_idea": "Ünïcode idea",
}


def _awkward_project(**kwargs) -> Project:
    return ProjectFactory(
        id="6f1c2a4e-0000-4000-8000-000000000001",
        name="Awkward",
        description="",
        brief=AWKWARD_BRIEF,
        created_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        updated_at=datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC),
        **kwargs,
    )


def test_list_serves_stored_json_byte_for_byte(api_client):
    _awkward_project(
        config={"a": [], "b": {}, "cc": [[]], "ddd": "é"},
        errors=[{"e": 1.0}, "x", None, False],
        logs=[[1.0, -2.5e-5]],
    )

    response = api_client.get(BASE)

    assert response.content == (
        b'{"projects":[{"id":"6f1c2a4e-0000-4000-8000-000000000001","name":"Awkward",'
        b'"description":"","status":"creating","progress":0,"brief":{"n":{"deep":[1,[2,[3,'
        b'{"x":null,"yy":true}]]]},"ints":[9007199254740993,-9223372036854775808,'
        b'9223372036854775807,0,-1],"floats":[0.1,-1.5,1.5e-10,123456.789,0.000025,1e-7],'
        b'"unicode":"Caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8 \\"quoted\\" \\\\ tab\\t",'
        b'"project_idea":"\xc3\x9cn\xc3\xafcode idea"},"config":{"a":[],"b":{},"cc":[[]],'
        b'"ddd":"\xc3\xa9"},"primary_model":"unknown","agent_role":"unknown",'
        b'"strategy":"balanced","temperature":0.7,"max_tokens":4000,'
        b'"created_at":"2026-01-02T03:04:05.678901Z","updated_at":"2026-01-02T03:04:06Z",'
        b'"started_at":null,"completed_at":null,"project_path":null,"cost_estimate":0.0,'
        b'"actual_cost":0.0,"files_generated":0,"lines_of_code":0,"errors":[{"e":1.0},"x",null,'
        b'false],"logs":[[1.0,-0.000025]]}],"total":1,"filtered":1}'
    )


def test_list_serves_an_integer_beyond_64_bits_exactly(api_client):
    # orjson reads such an integer as a float: the standard library reads and writes it.
    _awkward_project(config={"f": 2.5e-5, "big": 2**70}, errors=[-(2**64)], logs=[2**64 - 1])

    response = api_client.get(BASE)

    assert response.content == (
        b'{"projects":[{"id":"6f1c2a4e-0000-4000-8000-000000000001","name":"Awkward",'
        b'"description":"","status":"creating","progress":0,"brief":{"n":{"deep":[1,[2,[3,'
        b'{"x":null,"yy":true}]]]},"ints":[9007199254740993,-9223372036854775808,'
        b'9223372036854775807,0,-1],"floats":[0.1,-1.5,1.5e-10,123456.789,2.5e-05,1e-07],'
        b'"unicode":"Caf\xc3\xa9 \xf0\x9f\x98\x80 \\u2028 \\"quoted\\" \\\\ tab\\t",'
        b'"project_idea":"\xc3\x9cn\xc3\xafcode idea"},"config":{"f":2.5e-05,'
        b'"big":1180591620717411303424},"primary_model":"unknown","agent_role":"unknown",'
        b'"strategy":"balanced","temperature":0.7,"max_tokens":4000,'
        b'"created_at":"2026-01-02T03:04:05.678901Z","updated_at":"2026-01-02T03:04:06Z",'
        b'"started_at":null,"completed_at":null,"project_path":null,"cost_estimate":0.0,'
        b'"actual_cost":0.0,"files_generated":0,"lines_of_code":0,'
        b'"errors":[-18446744073709551616],"logs":[18446744073709551615]}],"total":1,'
        b'"filtered":1}'
    )


def _named(*names_and_ages) -> list[Project]:
    now = timezone.now()
    return [
        ProjectFactory(
            name=name,
            created_at=now - timedelta(days=created),
            updated_at=now - timedelta(hours=updated),
        )
        for name, created, updated in names_and_ages
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("created_at", ["Cedar", "Birch", "Aspen"]),
        ("-created_at", ["Aspen", "Birch", "Cedar"]),
        ("updated_at", ["Birch", "Aspen", "Cedar"]),
        ("-updated_at", ["Cedar", "Aspen", "Birch"]),
        ("name", ["Aspen", "Birch", "Cedar"]),
        ("-name", ["Cedar", "Birch", "Aspen"]),
    ],
)
def test_list_sorts(api_client, sort, expected):
    # (name, created days ago, updated hours ago)
    _named(("Aspen", 1, 5), ("Birch", 2, 9), ("Cedar", 3, 1))

    response = api_client.get(BASE, {"sort": sort})

    assert response.status_code == 200
    assert [project["name"] for project in response.json()["projects"]] == expected


def test_list_sorts_by_status_progress_and_cost_with_ties_broken_by_id(api_client):
    ProjectFactory(name="low", progress=10, status="completed", actual_cost=Decimal("2"))
    tie_a = ProjectFactory(name="a", progress=50, status="creating", actual_cost=Decimal("1"))
    tie_b = ProjectFactory(name="b", progress=50, status="failed", actual_cost=Decimal("3"))
    first, second = sorted([tie_a, tie_b], key=lambda project: project.pk)

    def names(sort):
        return [p["name"] for p in api_client.get(BASE, {"sort": sort}).json()["projects"]]

    assert names("progress") == ["low", first.name, second.name]
    assert names("-progress") == [second.name, first.name, "low"]
    assert names("status") == ["low", "a", "b"]
    assert names("-actual_cost") == ["b", "low", "a"]


def test_list_pages_with_offset_and_limit(api_client):
    _named(("Aspen", 1, 1), ("Birch", 2, 1), ("Cedar", 3, 1), ("Dogwood", 4, 1))

    page = api_client.get(BASE, {"sort": "name", "offset": 1, "limit": 2}).json()
    past_the_end = api_client.get(BASE, {"offset": 4}).json()
    last = api_client.get(BASE, {"sort": "name", "offset": 3}).json()

    assert [p["name"] for p in page["projects"]] == ["Birch", "Cedar"]
    assert (page["total"], page["filtered"]) == (4, 2)
    assert (past_the_end["projects"], past_the_end["total"], past_the_end["filtered"]) == ([], 4, 0)
    assert [p["name"] for p in last["projects"]] == ["Dogwood"]


def test_list_filters_sorts_and_pages_together(api_client):
    now = timezone.now()
    for name, status in (("Aspen", "failed"), ("Birch", "completed"), ("Cedar", "failed")):
        ProjectFactory(name=name, status=status, created_at=now)
    ProjectFactory(name="Dogwood", status="failed", created_at=now)

    response = api_client.get(BASE, {"status": "failed", "sort": "-name", "offset": 1, "limit": 1})

    assert [p["name"] for p in response.json()["projects"]] == ["Cedar"]
    assert (response.json()["total"], response.json()["filtered"]) == (3, 1)


@pytest.mark.parametrize(
    ("params", "message", "code"),
    [
        ({"sort": "owner"}, '"owner" is not a valid choice.', "invalid_choice"),
        ({"sort": "--name"}, '"--name" is not a valid choice.', "invalid_choice"),
        ({"offset": -1}, "Ensure this value is greater than or equal to 0.", "min_value"),
        ({"offset": "x"}, "A valid integer is required.", "invalid"),
    ],
)
def test_list_rejects_unknown_sort_and_bad_offset(api_client, params, message, code):
    response = api_client.get(BASE, params)

    # YAGO answers validation errors with 422, as its FastAPI original did.
    assert response.status_code == 422
    [field] = params
    assert response.json() == {
        "detail": [
            {
                "field": field,
                "message": message,
                "code": code,
            }
        ]
    }


@pytest.mark.parametrize("count", [10, 1000])
def test_list_query_budget(api_client, django_assert_num_queries, count):
    Project.objects.bulk_create(
        ProjectFactory.build(created_at=timezone.now() - timedelta(seconds=n)) for n in range(count)
    )

    with django_assert_num_queries(1):  # the page, its total in a subquery
        response = api_client.get(BASE, {"limit": 100})
    with django_assert_num_queries(1):
        paged = api_client.get(BASE, {"limit": 5, "offset": 5, "sort": "name"})
    with django_assert_num_queries(2):  # no row to carry the total: counted apart
        past_the_end = api_client.get(BASE, {"offset": count})

    assert response.json()["total"] == count
    assert paged.json()["filtered"] == 5
    assert (past_the_end.json()["total"], past_the_end.json()["filtered"]) == (count, 0)


@pytest.mark.parametrize("files", [1, 15])
def test_detail_query_budget(api_client, django_assert_num_queries, files):
    project = ProjectFactory()
    GeneratedFileFactory.create_batch(files, project=project)

    with django_assert_num_queries(1):
        api_client.get(f"{BASE}/{project.pk}")


# --- update / delete ----------------------------------------------------------------------


def test_put_updates_fields_and_appends_error_and_log(api_client):
    project = ProjectFactory()

    response = api_client.put(
        f"{BASE}/{project.pk}",
        {
            "status": "in_progress",
            "progress": 40,
            "actual_cost": 1.25,
            "files_generated": 3,
            "lines_of_code": 120,
            "error": "lint failed",
            "log": "step 1 done",
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {
        "project_id": str(project.pk),
        "status": "updated",
        "project": project_json(project),
    }
    project.refresh_from_db()
    assert (project.status, project.progress, project.actual_cost) == (
        "in_progress",
        40,
        Decimal("1.25"),
    )
    assert (project.files_generated, project.lines_of_code) == (3, 120)
    assert [set(entry) for entry in project.errors] == [{"timestamp", "error"}]
    assert project.errors[0]["error"] == "lint failed"
    assert [entry["log"] for entry in project.logs] == ["step 1 done"]
    assert project.started_at is not None


def test_put_sets_started_and_completed_once(api_client):
    project = ProjectFactory()
    api_client.put(f"{BASE}/{project.pk}", {"status": "in_progress"}, format="json")
    project.refresh_from_db()
    started = project.started_at

    api_client.put(f"{BASE}/{project.pk}", {"status": "paused"}, format="json")
    api_client.put(f"{BASE}/{project.pk}", {"status": "in_progress"}, format="json")
    api_client.put(f"{BASE}/{project.pk}", {"status": "completed"}, format="json")
    project.refresh_from_db()
    completed = project.completed_at
    api_client.put(f"{BASE}/{project.pk}", {"status": "completed"}, format="json")

    project.refresh_from_db()
    assert project.started_at == started
    assert project.completed_at == completed is not None


def test_put_can_set_the_cost_estimate(api_client):
    project = ProjectFactory()

    api_client.put(f"{BASE}/{project.pk}", {"cost_estimate": 2.5}, format="json")

    project.refresh_from_db()
    assert project.cost_estimate == Decimal("2.5")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"progress": 101}, "progress"),
        ({"progress": -1}, "progress"),
        ({"status": "done"}, "status"),
        ({"actual_cost": -0.5}, "actual_cost"),
        ({"lines_of_code": -3}, "lines_of_code"),
    ],
)
def test_put_rejects_invalid_values(api_client, body, field):
    project = ProjectFactory()

    response = api_client.put(f"{BASE}/{project.pk}", body, format="json")

    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["detail"]] == [field]


def test_delete_removes_project_rows_and_folder(api_client, django_capture_on_commit_callbacks):
    project = ProjectFactory(name="Old idea")
    api_client.post(f"{BASE}/{project.pk}/execute")
    ClarificationSession.objects.create(project=project, project_idea="x", questions=[])
    assert storage.project_dir(project.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(f"{BASE}/{project.pk}")

    assert response.status_code == 200
    assert response.json() == {
        "project_id": str(project.pk),
        "status": "deleted",
        "message": "Project 'Old idea' deleted successfully",
    }
    assert not Project.objects.exists()
    assert not GeneratedFile.objects.exists()
    assert not ClarificationSession.objects.exists()
    assert not storage.project_dir(project.pk).exists()
    # Spending history survives the project.
    assert ProviderUsage.objects.filter(project=None).count() == 1


# --- start / pause / resume ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "before", "after", "word", "message"),
    [
        ("start", "creating", "in_progress", "started", "Project execution started"),
        ("start", "failed", "in_progress", "started", "Project execution started"),
        ("pause", "in_progress", "paused", "paused", "Project execution paused"),
        ("pause", "executing", "paused", "paused", "Project execution paused"),
        ("resume", "paused", "in_progress", "resumed", "Project execution resumed"),
    ],
)
def test_transitions(api_client, action, before, after, word, message):
    project = ProjectFactory(status=before)

    response = api_client.post(f"{BASE}/{project.pk}/{action}")

    assert response.status_code == 200
    assert response.json() == {"project_id": str(project.pk), "status": word, "message": message}
    project.refresh_from_db()
    assert project.status == after
    assert project.logs[-1]["log"] == message


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        (
            "resume",
            "creating",
            "Cannot resume a project that is creating: only a paused project can be resumed",
        ),
        (
            "resume",
            "in_progress",
            "Cannot resume a project that is in progress: only a paused project can be resumed",
        ),
        (
            "pause",
            "paused",
            "Cannot pause a project that is paused: only a running project can be paused",
        ),
        (
            "pause",
            "completed",
            "Cannot pause a project that is completed: only a running project can be paused",
        ),
        ("start", "in_progress", "Cannot start a project that is in progress"),
        ("start", "completed", "Cannot start a project that is completed"),
        ("start", "paused", "Cannot start a project that is paused"),
    ],
)
def test_impossible_transitions_are_409(api_client, action, status, message):
    project = ProjectFactory(status=status)

    response = api_client.post(f"{BASE}/{project.pk}/{action}")

    assert (response.status_code, response.json()) == (409, {"detail": message})
    project.refresh_from_db()
    assert project.status == status


def test_start_sets_started_at_once(api_client):
    project = ProjectFactory()
    api_client.post(f"{BASE}/{project.pk}/start")
    project.refresh_from_db()
    first = project.started_at

    api_client.post(f"{BASE}/{project.pk}/pause")
    api_client.post(f"{BASE}/{project.pk}/resume")

    project.refresh_from_db()
    assert project.started_at == first is not None


# --- execute ------------------------------------------------------------------------------


def test_execute_offline_generates_and_records(api_client):
    project = ProjectFactory(
        name="Recipe box", brief={"project_idea": "Recipe box", "features": ["save recipes"]}
    )

    response = api_client.post(f"{BASE}/{project.pk}/execute")

    assert response.status_code == 200
    project.refresh_from_db()
    rows = list(GeneratedFile.objects.filter(project=project).order_by("path"))
    package = "recipe_box"
    paths = [
        f"{package}/__init__.py",
        f"{package}/__main__.py",
        f"{package}/models.py",
        f"{package}/store.py",
        f"{package}/features.py",
        f"{package}/cli.py",
        "tests/test_store.py",
        "tests/test_cli.py",
        "README.md",
        "requirements.txt",
        "pytest.ini",
    ]
    kinds = ["python"] * 6 + ["test"] * 2 + ["markdown", "config", "config"]
    assert response.json() == {
        "project_id": str(project.pk),
        "status": "success",
        "message": f"Generated 11 files ({project.lines_of_code} lines of code)",
        "result": {
            "status": "completed",
            "project_path": f"generated_projects/{project.pk}",
            "files_generated": 11,
            "code_files": 6,
            "test_files": 2,
            "lines_of_code": sum(row.lines for row in rows),
            "architecture": f"Python package '{package}': Recipe model, JSON-file RecipeStore "
            "service layer, argparse command-line interface, pytest test suite",
            "files": [
                {"path": path, "type": kind} for path, kind in zip(paths, kinds, strict=True)
            ],
        },
    }
    assert (project.status, project.progress, project.files_generated) == ("completed", 100, 11)
    assert project.project_path == f"generated_projects/{project.pk}"
    assert project.completed_at is not None
    [usage] = ProviderUsage.objects.filter(project=project)
    assert (usage.provider, usage.model, usage.success, usage.cost) == (
        "offline",
        "offline-template-v1",
        True,
        Decimal("0"),
    )
    assert project.actual_cost == Decimal("0")


@pytest.mark.parametrize("status", ["executing", "paused"])
def test_execute_refused_while_executing_or_paused(api_client, status):
    project = ProjectFactory(status=status)

    response = api_client.post(f"{BASE}/{project.pk}/execute")

    assert response.status_code == 409
    label = {"executing": "executing", "paused": "paused"}[status]
    assert response.json() == {"detail": f"Cannot execute a project that is {label}"}


def test_execute_with_an_unknown_provider_fails_cleanly(api_client, settings):
    settings.YAGO_PROVIDER = "mystery"
    project = ProjectFactory()

    response = api_client.post(f"{BASE}/{project.pk}/execute")

    message = "Unknown provider 'mystery' in YAGO_PROVIDER"
    assert (response.status_code, response.json()) == (502, {"error": message, "detail": message})
    project.refresh_from_db()
    assert project.status == "failed"
    assert [entry["error"] for entry in project.errors] == [message]


# --- files, download, export --------------------------------------------------------------


def test_files_before_execution(api_client):
    project = ProjectFactory()

    response = api_client.get(f"{BASE}/{project.pk}/files")

    assert response.json() == {"files": [], "message": "Project not executed yet"}


def test_files_list_and_read(api_client):
    project = ProjectFactory(name="Notes")
    api_client.post(f"{BASE}/{project.pk}/execute")
    rows = list(GeneratedFile.objects.filter(project=project).order_by("path"))

    listing = api_client.get(f"{BASE}/{project.pk}/files")
    readme = api_client.get(f"{BASE}/{project.pk}/files/README.md")
    nested = api_client.get(f"{BASE}/{project.pk}/files/notes/store.py")

    assert listing.json() == {
        "project_id": str(project.pk),
        "project_path": f"generated_projects/{project.pk}",
        "files": [
            {"path": row.path, "size": row.size, "modified": iso(row.generated_at)} for row in rows
        ],
        "total_files": 11,
    }
    on_disk = (storage.project_dir(project.pk) / "README.md").read_text(encoding="utf-8")
    assert readme.json() == {
        "content": on_disk,
        "size": len(on_disk.encode()),
        "lines": len(on_disk.splitlines()),
    }
    assert nested.status_code == 200
    assert "class NoteStore" in nested.json()["content"]


def test_missing_file_is_404(api_client):
    project = ProjectFactory()
    api_client.post(f"{BASE}/{project.pk}/execute")

    response = api_client.get(f"{BASE}/{project.pk}/files/nothing.py")

    assert (response.status_code, response.json()) == (404, {"detail": "File not found"})


@pytest.mark.parametrize(
    "path",
    [
        "../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e/%2e%2e/etc/passwd",
        "/etc/passwd",
        "pkg/../../secret.txt",
        "..\\..\\windows",
        "./README.md",
    ],
)
def test_path_traversal_is_refused(api_client, path, settings, tmp_path):
    project = ProjectFactory()
    api_client.post(f"{BASE}/{project.pk}/execute")
    secret = storage.generated_root() / "secret.txt"
    secret.write_text("top secret")

    response = api_client.get(f"{BASE}/{project.pk}/files/{path}")

    assert (response.status_code, response.json()) == (400, {"detail": "Invalid file path"})


@pytest.mark.parametrize("count", [1, 12])
def test_files_query_budget(api_client, django_assert_num_queries, count):
    project = ProjectFactory(project_path="generated_projects/x")
    GeneratedFileFactory.create_batch(count, project=project)

    with django_assert_num_queries(2):  # project + file rows
        response = api_client.get(f"{BASE}/{project.pk}/files")

    assert response.json()["total_files"] == count


def test_download_is_a_zip_of_the_files(api_client):
    project = ProjectFactory()
    api_client.post(f"{BASE}/{project.pk}/execute")

    response = api_client.get(f"{BASE}/{project.pk}/download")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{project.pk}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    rows = GeneratedFile.objects.filter(project=project)
    assert sorted(archive.namelist()) == sorted(f"{project.pk}/{row.path}" for row in rows)
    for row in rows:
        assert archive.read(f"{project.pk}/{row.path}").decode() == row.content


def test_download_before_execution_is_404(api_client):
    project = ProjectFactory()

    response = api_client.get(f"{BASE}/{project.pk}/download")

    assert (response.status_code, response.json()) == (404, {"detail": "Project not executed yet"})


def test_export(api_client):
    project = ProjectFactory(name="Exp", brief={"project_idea": "Exp", "users": ["me"]})

    response = api_client.get(f"{BASE}/{project.pk}/export")

    body = response.json()
    assert set(body) == {"project", "exported_at", "export_version", "files"}
    assert body["project"] == project_json(project)
    assert body["export_version"] == "1.0"
    assert [file["name"] for file in body["files"]] == ["README.md", "project.json", "brief.md"]
    import json

    assert json.loads(body["files"][1]["content"]) == project_json(project)
    assert (
        body["files"][2]["content"]
        == '# Brief: Exp\n\n- **project_idea**: Exp\n- **users**: ["me"]\n'
    )
    assert body["files"][0]["content"].startswith("# Exp\n")


@pytest.mark.parametrize("logs", [0, 50])
def test_export_query_budget(api_client, django_assert_num_queries, logs):
    project = ProjectFactory(logs=[{"timestamp": "t", "log": f"step {n}"} for n in range(logs)])
    GeneratedFileFactory.create_batch(3, project=project)

    with django_assert_num_queries(1):
        api_client.get(f"{BASE}/{project.pk}/export")


# --- cost alerts --------------------------------------------------------------------------

ALERTS = "/yago/api/v1/costs/alerts"


def test_budget_alert_fires_and_stays_dismissed(api_client):
    project = ProjectFactory(name="Pricey", cost_estimate=Decimal("1.00"))
    ProviderUsageFactory(project=project, cost=Decimal("1.5"))
    api_client.put(f"{BASE}/{project.pk}", {"actual_cost": 1.5}, format="json")
    ProjectFactory(cost_estimate=Decimal("1.00"), actual_cost=Decimal("1.19"))  # within 20 %
    project.refresh_from_db()

    response = api_client.get(ALERTS)

    body = response.json()
    alert = {
        "id": f"budget_{project.pk}",
        "type": "budget_exceeded",
        "severity": "high",
        "project_id": str(project.pk),
        "project_name": "Pricey",
        "message": "Project budget exceeded by 50.0%",
        "actual_cost": 1.5,
        "estimated_cost": 1.0,
        "created_at": iso(project.updated_at),
    }
    assert body == {
        "alerts": [alert],
        "total_alerts": 1,
        "unread_count": 1,
        "timestamp": body["timestamp"],
    }

    dismissed = api_client.post(f"{ALERTS}/budget_{project.pk}/dismiss")

    assert dismissed.status_code == 200
    stamp = dismissed.json()["dismissed_at"]
    assert dismissed.json() == {
        "alert_id": f"budget_{project.pk}",
        "status": "dismissed",
        "dismissed_at": stamp,
    }
    after = api_client.get(ALERTS).json()
    assert (after["alerts"], after["total_alerts"], after["unread_count"]) == ([], 0, 0)
    # Dismissing again keeps the first dismissal.
    again = api_client.post(f"{ALERTS}/budget_{project.pk}/dismiss")
    assert again.json()["dismissed_at"] == stamp


def test_no_budget_alert_without_an_estimate(api_client):
    ProjectFactory(cost_estimate=0, actual_cost=Decimal("9"))

    assert api_client.get(ALERTS).json()["alerts"] == []


def test_weekly_warning(api_client, settings):
    settings.YAGO_WEEKLY_COST_WARNING = 5
    settings.YAGO_WEEKLY_COST_LIMIT = 10
    ProjectFactory(actual_cost=Decimal("3.5"))
    ProjectFactory(actual_cost=Decimal("2.25"))
    ProjectFactory(actual_cost=Decimal("40"), created_at=timezone.now() - timedelta(days=8))

    body = api_client.get(ALERTS).json()

    [alert] = body["alerts"]
    year, week, _ = timezone.now().isocalendar()
    assert alert == {
        "id": f"weekly_{year}-W{week:02d}",
        "type": "weekly_limit_warning",
        "severity": "medium",
        "message": "Weekly spending is $5.75, approaching limit",
        "total_cost": 5.75,
        "limit": 10.0,
        "created_at": alert["created_at"],
    }
    assert (body["total_alerts"], body["unread_count"]) == (1, 0)


def test_dismissing_an_unknown_alert_is_404(api_client):
    response = api_client.post(f"{ALERTS}/budget_nothing/dismiss")

    assert (response.status_code, response.json()) == (404, {"detail": "Alert not found"})


@pytest.mark.parametrize("count", [2, 30])
def test_alerts_query_budget(api_client, django_assert_num_queries, count):
    for _ in range(count):
        ProjectFactory(cost_estimate=Decimal("1"), actual_cost=Decimal("1.5"))

    with django_assert_num_queries(3):  # over-budget projects, weekly sum, dismissals
        body = api_client.get(ALERTS).json()

    assert body["total_alerts"] == count


# --- authentication -----------------------------------------------------------------------


def _token(user) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    return str(AccessToken.for_user(user))


def test_owner_recorded_when_authenticated(api_client):
    user = UserFactory()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {_token(user)}")

    response = api_client.post(BASE, {"brief": {"project_idea": "Mine"}}, format="json")

    assert Project.objects.get(pk=response.json()["project_id"]).owner == user


def test_user_access_requires_a_token_and_scopes_projects(api_client, settings):
    settings.YAGO_ACCESS = "user"
    alice, bob = UserFactory(), UserFactory()
    mine = ProjectFactory(owner=alice)
    theirs = ProjectFactory(owner=bob)

    anonymous = api_client.get(BASE)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {_token(alice)}")
    listing = api_client.get(BASE)
    other = api_client.get(f"{BASE}/{theirs.pk}")

    assert anonymous.status_code == 401
    assert [p["id"] for p in listing.json()["projects"]] == [str(mine.pk)]
    assert listing.json()["total"] == 1
    assert (other.status_code, other.json()) == (404, {"detail": "Project not found"})


def test_open_access_needs_no_token(api_client):
    ProjectFactory(owner=UserFactory())

    assert api_client.get(BASE).json()["total"] == 1


@pytest.mark.parametrize("count", [1, 12])
def test_file_read_and_download_query_budget(api_client, django_assert_num_queries, count):
    project = ProjectFactory()
    GeneratedFileFactory.create_batch(count, project=project)
    GeneratedFileFactory(project=project, path="README.md")

    with django_assert_num_queries(2):  # project + the one file row
        assert api_client.get(f"{BASE}/{project.pk}/files/README.md").status_code == 200
    with django_assert_num_queries(2):  # project + file rows
        assert api_client.get(f"{BASE}/{project.pk}/download").status_code == 200


def test_user_access_scopes_sessions_and_alerts(api_client, settings):
    from projects.tests.factories import ClarificationSessionFactory

    settings.YAGO_ACCESS = "user"
    alice, bob = UserFactory(), UserFactory()
    ProjectFactory(owner=bob, cost_estimate=Decimal("1"), actual_cost=Decimal("5"))
    mine = ProjectFactory(owner=alice, cost_estimate=Decimal("1"), actual_cost=Decimal("2"))
    theirs = ClarificationSessionFactory(owner=bob)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {_token(alice)}")

    alerts = api_client.get(ALERTS).json()
    session = api_client.get(f"/yago/api/v1/clarifications/{theirs.pk}")
    started = api_client.post(
        "/yago/api/v1/clarifications/start", {"project_idea": "x"}, format="json"
    )

    assert [alert["project_id"] for alert in alerts["alerts"]] == [str(mine.pk)]
    assert session.status_code == 404
    assert ClarificationSession.objects.get(pk=started.json()["session_id"]).owner == alice


# --- cost alerts at their limits ----------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "alerts"),
    [
        ("12.00", []),  # exactly estimate × 1.2: not over
        ("12.01", ["Project budget exceeded by 20.1%"]),
    ],
)
def test_budget_alert_only_above_the_ratio(api_client, actual, alerts):
    ProjectFactory(cost_estimate=Decimal("10.00"), actual_cost=Decimal(actual))

    body = api_client.get(ALERTS).json()

    assert [alert["message"] for alert in body["alerts"]] == alerts


@pytest.mark.parametrize(
    ("costs", "alerts"),
    [
        (("3.00", "2.00"), []),  # exactly the warning level: not above it
        (("3.00", "2.01"), ["Weekly spending is $5.01, approaching limit"]),
    ],
)
def test_weekly_warning_only_above_the_warning_level(api_client, settings, costs, alerts):
    settings.YAGO_WEEKLY_COST_WARNING = 5
    for cost in costs:
        ProjectFactory(actual_cost=Decimal(cost))

    body = api_client.get(ALERTS).json()

    assert [alert["message"] for alert in body["alerts"]] == alerts
