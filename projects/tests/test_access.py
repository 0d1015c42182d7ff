"""YAGO under each YAGO_ACCESS mode: open, key, and user (every route on another's data)."""

from decimal import Decimal

import pytest

from config.tests.access_helpers import (
    KEY_INVALID,
    KEY_REQUIRED,
    TOKEN_REQUIRED,
    key_client,
    make_key,
    token_client,
    wrong_mount,
)
from projects.models import ClarificationSession, CostAlertDismissal, Project
from projects.tests.factories import (
    ClarificationSessionFactory,
    GeneratedFileFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PROJECTS = "/yago/api/v1/projects"
SESSIONS = "/yago/api/v1/clarifications"
ALERTS = "/yago/api/v1/costs/alerts"
PROJECT_NOT_FOUND = {"detail": "Project not found"}
SESSION_NOT_FOUND = {"detail": "Clarification session not found"}


def _project_routes(pk) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", f"{PROJECTS}/{pk}", None),
        ("put", f"{PROJECTS}/{pk}", {"progress": 50}),
        ("post", f"{PROJECTS}/{pk}/start", None),
        ("post", f"{PROJECTS}/{pk}/pause", None),
        ("post", f"{PROJECTS}/{pk}/resume", None),
        ("post", f"{PROJECTS}/{pk}/execute", None),
        ("get", f"{PROJECTS}/{pk}/files", None),
        ("get", f"{PROJECTS}/{pk}/files/README.md", None),
        ("get", f"{PROJECTS}/{pk}/download", None),
        ("get", f"{PROJECTS}/{pk}/export", None),
        ("delete", f"{PROJECTS}/{pk}", None),
    ]


def _session_routes(pk) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", f"{SESSIONS}/{pk}", None),
        ("get", f"{SESSIONS}/{pk}/progress", None),
        ("post", f"{SESSIONS}/{pk}/answer", {"answer": "Teams"}),
        ("post", f"{SESSIONS}/{pk}/navigate/next", None),
        ("put", f"{SESSIONS}/{pk}/draft", {"notes": "x"}),
        ("post", f"{SESSIONS}/{pk}/complete", None),
    ]


def _collection_routes() -> list[tuple[str, str, dict | None]]:
    return [
        ("get", PROJECTS, None),
        ("post", PROJECTS, {"brief": {"project_idea": "Todo app"}}),
        ("post", f"{SESSIONS}/start", {"project_idea": "Todo app"}),
        ("get", ALERTS, None),
    ]


def call(client, method, path, body):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, format="json")


@pytest.fixture
def data():
    """bob's project (over budget, with a file) and clarification session."""
    bob = UserFactory(email="bob@example.com")
    project = ProjectFactory(owner=bob, cost_estimate=Decimal("1"), actual_cost=Decimal("5"))
    GeneratedFileFactory(project=project, path="README.md")
    session = ClarificationSessionFactory(owner=bob)
    return {"bob": bob, "project": project, "session": session}


def _all_routes(data):
    return [
        *_collection_routes(),
        *_session_routes(data["session"].pk),
        ("post", f"{ALERTS}/budget_{data['project'].pk}/dismiss", None),
        *_project_routes(data["project"].pk),
    ]


def _rows():
    return (
        Project.objects.count(),
        ClarificationSession.objects.count(),
        CostAlertDismissal.objects.count(),
    )


# --- open and key ---------------------------------------------------------------------------


def test_open_mode_needs_no_credentials(api_client, settings, data):
    settings.YAGO_ACCESS = "open"
    statuses = [call(api_client, *route).status_code for route in _all_routes(data)]
    assert 401 not in statuses and 403 not in statuses and 404 not in statuses


def test_key_mode_refuses_every_route_without_a_key(api_client, settings, data):
    settings.YAGO_ACCESS = "key"
    before = _rows()
    for route in _all_routes(data):
        response = call(api_client, *route)
        assert (route[1], response.status_code, response.json()) == (route[1], 401, KEY_REQUIRED)
    assert _rows() == before


def test_key_mode_with_a_yago_key_reaches_every_project(settings, data):
    settings.YAGO_ACCESS = "key"
    _, raw = make_key(yago=True)
    client = key_client(raw)
    statuses = [call(client, *route).status_code for route in _all_routes(data)]
    assert 401 not in statuses and 403 not in statuses and 404 not in statuses
    # The key sees every project: the one it created (the last route deleted bob's).
    assert client.get(PROJECTS).json()["total"] == 1
    assert not Project.objects.filter(pk=data["project"].pk).exists()


@pytest.mark.parametrize("kind", ["revoked", "expired", "other-app"])
def test_key_mode_refuses_bad_keys(settings, data, kind):
    settings.YAGO_ACCESS = "key"
    _, raw = make_key(
        yago=kind != "other-app",
        luna=kind == "other-app",
        revoked=kind == "revoked",
        expired=kind == "expired",
    )
    expected = (403, wrong_mount("/yago/")) if kind == "other-app" else (401, KEY_INVALID)
    before = _rows()
    for route in _all_routes(data):
        response = call(key_client(raw), *route)
        assert (response.status_code, response.json()) == expected
    assert _rows() == before


# --- user ---------------------------------------------------------------------------------


def test_user_mode_refuses_every_route_without_a_token(api_client, settings, data):
    settings.YAGO_ACCESS = "user"
    before = _rows()
    for route in _all_routes(data):
        response = call(api_client, *route)
        assert (route[1], response.status_code, response.json()) == (route[1], 401, TOKEN_REQUIRED)
    assert _rows() == before


def test_user_mode_the_owner_reaches_every_route(settings, data):
    settings.YAGO_ACCESS = "user"
    bob = token_client(data["bob"])
    statuses = [call(bob, *route).status_code for route in _all_routes(data)]
    assert 401 not in statuses and 403 not in statuses and 404 not in statuses


def test_user_mode_one_account_tries_every_route_on_anothers_data(settings, data):
    settings.YAGO_ACCESS = "user"
    alice = token_client(UserFactory(email="alice@example.com"))
    bob = token_client(data["bob"])
    project, session = data["project"], data["session"]
    # bob dismissed his alert: alice may not learn it or dismiss it again
    assert bob.post(f"{ALERTS}/budget_{project.pk}/dismiss").status_code == 200
    before = _rows()
    status = project.status

    project_answers = [call(alice, *route) for route in _project_routes(project.pk)]
    session_answers = [call(alice, *route) for route in _session_routes(session.pk)]
    dismiss = alice.post(f"{ALERTS}/budget_{project.pk}/dismiss")
    listing = alice.get(PROJECTS).json()
    alerts = alice.get(ALERTS).json()

    assert [(r.status_code, r.json()) for r in project_answers] == [(404, PROJECT_NOT_FOUND)] * 11
    assert [(r.status_code, r.json()) for r in session_answers] == [(404, SESSION_NOT_FOUND)] * 6
    assert (dismiss.status_code, dismiss.json()) == (404, {"detail": "Alert not found"})
    assert (listing["projects"], listing["total"]) == ([], 0)
    assert alerts["alerts"] == []
    assert _rows() == before
    project.refresh_from_db()
    assert (project.progress, project.status) == (0, status)


def test_user_mode_what_an_account_creates_is_its_own(settings, data):
    settings.YAGO_ACCESS = "user"
    alice_user = UserFactory(email="alice@example.com")
    alice = token_client(alice_user)
    created = alice.post(PROJECTS, {"brief": {"project_idea": "Mine"}}, format="json")
    assert Project.objects.get(pk=created.json()["project_id"]).owner == alice_user
    assert [p["id"] for p in alice.get(PROJECTS).json()["projects"]] == [
        created.json()["project_id"]
    ]


def test_user_mode_list_query_budget(settings, data, django_assert_num_queries):
    settings.YAGO_ACCESS = "user"
    bob = token_client(data["bob"])
    with django_assert_num_queries(2):  # the token's user, the page with its total
        assert bob.get(PROJECTS).status_code == 200
