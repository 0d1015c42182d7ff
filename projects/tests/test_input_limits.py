"""YAGO: NUL and integers beyond 64 bits in JSON are a 400 on both engines (issue 10)."""

import pytest

from projects.models import ClarificationSession, Project
from projects.tests.factories import ClarificationSessionFactory

pytestmark = pytest.mark.django_db

BASE = "/yago/api/v1/projects"
URL = "/yago/api/v1/clarifications"
BIG_INT = "JSON parse error - Integers must fit in 64 bits (-2^63 .. 2^63-1)."
NUL = "JSON parse error - Null characters are not allowed."


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"brief": {"project_idea": "Track\x00tasks"}}, NUL),
        ({"brief": {"features": ["a", "b\x00"]}}, NUL),
        ({"brief": {"x\x00": 1}}, NUL),
        ({"brief": {}, "config": {"primary_model": "gpt\x00"}}, NUL),
        ({"brief": {"budget": 2**64}}, BIG_INT),
        ({"brief": {}, "config": {"extra": [-(2**63) - 1]}}, BIG_INT),
    ],
)
def test_create_refuses_json_that_could_not_be_stored_or_served(api_client, body, detail):
    response = api_client.post(BASE, body, format="json")

    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert Project.objects.count() == 0


def test_a_brief_at_the_64_bit_edge_is_stored_and_served(api_client):
    created = api_client.post(BASE, {"brief": {"budget": 2**63 - 1}}, format="json")

    served = api_client.get(f"{BASE}/{created.json()['project_id']}")

    assert created.status_code == 201
    assert served.json()["brief"]["budget"] == 2**63 - 1


def test_an_answer_with_nul_is_400(api_client):
    session = ClarificationSessionFactory()

    response = api_client.post(f"{URL}/{session.pk}/answer", {"answer": "a\x00"}, format="json")

    assert (response.status_code, response.json()) == (400, {"detail": NUL})
    session.refresh_from_db()
    assert session.answers == {}


def test_draft_answers_with_nul_are_400(api_client):
    session = ClarificationSessionFactory()

    response = api_client.put(
        f"{URL}/{session.pk}/draft", {"answers": {"q1": "half\x00typed"}}, format="json"
    )

    assert (response.status_code, response.json()) == (400, {"detail": NUL})
    assert ClarificationSession.objects.get(pk=session.pk).draft == {}


def test_draft_current_question_beyond_32_bits_is_refused_on_both_engines(api_client):
    session = ClarificationSessionFactory()

    response = api_client.put(
        f"{URL}/{session.pk}/draft", {"current_question": 2**31}, format="json"
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "field": "current_question",
                "message": "Ensure this value is less than or equal to 2147483647.",
                "code": "max_value",
            }
        ]
    }


def test_a_nul_in_a_file_path_is_400(api_client):
    from projects.tests.factories import ProjectFactory

    project = ProjectFactory()

    response = api_client.get(f"{BASE}/{project.pk}/files/a%00b")

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Null characters are not allowed in the URL."},
    )
