"""The offline provider's output is a real project: its own tests pass under pytest."""

import os
import subprocess
import sys

import pytest

from projects import storage
from projects.providers.offline import OfflineProvider, build_project, package_name
from projects.providers.questions import bank_questions
from projects.tests.factories import ProjectFactory


def _run_generated_tests(folder) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:django", "-p", "no:cacheprovider"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_executed_project_passes_its_own_tests(api_client):
    project = ProjectFactory(
        name="Habit tracker for busy parents",
        brief={
            "project_idea": "Habit tracker for busy parents",
            "features": "log habits, weekly streaks, reminders ☕",
            "target_users": "parents",
        },
    )

    response = api_client.post(f"/yago/api/v1/projects/{project.pk}/execute")
    assert response.status_code == 200

    result = _run_generated_tests(storage.project_dir(project.pk))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("8 passed")


def test_awkward_briefs_still_give_a_working_project(tmp_path):
    files, _ = build_project(
        name='import os; """ class',
        brief={"entity": "None", "features": ["quote ' \" \\ ''' \"\"\"", "émoji 🍰"]},
    )
    for file in files:
        target = tmp_path / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file.content, encoding="utf-8")

    result = _run_generated_tests(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "package"),
    [
        ("Track team tasks", "track_team_tasks"),
        ("The JSON", "json_app"),
        ("!!!", "yago_project"),
        ("2048 game clone for kids", "game_clone_kids"),
    ],
)
def test_package_names(name, package):
    assert package_name(name) == package


@pytest.mark.parametrize(("count", "categories"), [(10, 8), (20, 8), (40, 8)])
def test_question_bank_sizes(count, categories):
    questions = bank_questions(count)

    assert [question["id"] for question in questions] == [f"q{n}" for n in range(1, count + 1)]
    assert len({question["text"] for question in questions}) == count
    assert len({question["category"] for question in questions}) == categories
    for question in questions:
        assert question["type"] in ("text", "select", "boolean")
        assert ("options" in question) == (question["type"] == "select")


def test_offline_call_is_free_and_reported():
    generation = OfflineProvider().generate_project(
        name="x", brief={"project_idea": "Notes app"}, config={}
    )

    [call] = generation.calls
    assert (call.provider, call.model, call.cost, call.success) == (
        "offline",
        "offline-template-v1",
        0,
        True,
    )
    assert call.tokens_out == sum(-(-len(file.content) // 4) for file in generation.files)
