import pytest

from projects.models import ClarificationSession, ProviderUsage
from projects.providers.questions import bank_questions
from projects.tests.factories import ClarificationSessionFactory

pytestmark = pytest.mark.django_db

URL = "/yago/api/v1/clarifications"


def public(question):
    return {key: value for key, value in question.items() if key != "key"}


def start(api_client, depth="minimal", idea="Track team tasks"):
    return api_client.post(f"{URL}/start", {"project_idea": idea, "depth": depth}, format="json")


def answer_for(question):
    if question["type"] == "boolean":
        return True
    if question["type"] == "select":
        return question["options"][0]
    return f"answer to {question['id']}"


@pytest.mark.parametrize(("depth", "total"), [("minimal", 10), ("standard", 20), ("full", 40)])
def test_start_gives_the_depth_s_question_count(api_client, depth, total):
    response = start(api_client, depth)

    assert response.status_code == 200
    session = ClarificationSession.objects.get()
    first = bank_questions(total)[0]
    categories = {}
    for question in bank_questions(total):
        entry = categories.setdefault(question["category"], {"answered": 0, "total": 0})
        entry["total"] += 1
    assert response.json() == {
        "session_id": str(session.pk),
        "current_question": public(first),
        "progress": {
            "answered": 0,
            "total": total,
            "percentage": 0.0,
            "category_progress": categories,
            "estimated_time_remaining": total // 2,
        },
        "can_skip": False,
        "can_finish_early": False,
        "next_available": True,
        "previous_available": False,
    }
    assert (session.depth, session.total_questions, session.ai_provider) == (
        depth,
        total,
        "offline",
    )
    [usage] = ProviderUsage.objects.all()
    assert (usage.provider, usage.session, usage.request_type) == (
        "offline",
        session,
        "clarification_questions",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [({"depth": "minimal"}, "project_idea"), ({"project_idea": "x", "depth": "deep"}, "depth")],
)
def test_start_rejects_bad_input(api_client, body, field):
    response = api_client.post(f"{URL}/start", body, format="json")

    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["detail"]] == [field]


def test_answer_skip_and_progress(api_client):
    session_id = start(api_client).json()["session_id"]
    questions = ClarificationSession.objects.get().questions

    first = api_client.post(f"{URL}/{session_id}/answer", {"answer": "Taskly"}, format="json")
    # q2 ("Describe ...") and q3 (target users) are required too.
    api_client.post(f"{URL}/{session_id}/answer", {"answer": "Track tasks"}, format="json")
    api_client.post(f"{URL}/{session_id}/answer", {"answer": "web API"}, format="json")

    assert first.json()["current_question"] == public(questions[1])
    assert first.json()["progress"]["answered"] == 1
    assert first.json()["previous_available"] is True
    session = ClarificationSession.objects.get()
    assert session.answers == {"q1": "Taskly", "q2": "Track tasks", "q3": "web API"}
    optional = next(i for i, q in enumerate(questions) if not q["required"])
    assert session.position == 3 == optional  # q4 (how many users) is optional
    skipped = api_client.post(f"{URL}/{session_id}/answer", {"skip": True}, format="json")
    assert skipped.status_code == 200
    assert ClarificationSession.objects.get().skipped == [questions[optional]["id"]]

    progress = api_client.get(f"{URL}/{session_id}/progress")
    assert progress.json() == {
        "session_id": session_id,
        "progress": {
            "answered": 3,
            "total": 10,
            "percentage": 30.0,
            "category_progress": {
                "basics": {"answered": 2, "total": 2},
                "users": {"answered": 1, "total": 2},
                "features": {"answered": 0, "total": 1},
                "technical": {"answered": 0, "total": 1},
                "data": {"answered": 0, "total": 1},
                "integrations": {"answered": 0, "total": 1},
                "quality": {"answered": 0, "total": 1},
                "deployment": {"answered": 0, "total": 1},
            },
            "estimated_time_remaining": 3,
        },
        "can_finish_early": False,
        "is_completed": False,
    }


def test_skipping_a_required_question_is_refused(api_client):
    session_id = start(api_client).json()["session_id"]

    response = api_client.post(f"{URL}/{session_id}/answer", {"skip": True}, format="json")

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "field": "skip",
            "message": "Question q1 is required and cannot be skipped",
            "code": "invalid",
        }
    ]


@pytest.mark.parametrize(
    ("position", "answer", "message"),
    [
        (0, "   ", "Question q1 needs a non-empty answer"),
        (5, "Cobol", "Answer must be one of: Python, TypeScript, Go, Rust, Java"),
    ],
)
def test_bad_answers_are_refused(api_client, position, answer, message):
    session = ClarificationSessionFactory(position=position)

    response = api_client.post(f"{URL}/{session.pk}/answer", {"answer": answer}, format="json")

    assert response.status_code == 422
    assert [p["message"] for p in response.json()["detail"]] == [message]


def test_navigation(api_client):
    session = ClarificationSessionFactory()

    back = api_client.post(f"{URL}/{session.pk}/navigate/previous")
    forward = api_client.post(f"{URL}/{session.pk}/navigate/next")
    again = api_client.post(f"{URL}/{session.pk}/navigate/previous")

    assert (back.status_code, back.json()) == (409, {"detail": "There is no previous question"})
    assert forward.json()["current_question"]["id"] == "q2"
    assert again.json()["current_question"]["id"] == "q1"
    ClarificationSession.objects.filter(pk=session.pk).update(position=9)
    last = api_client.post(f"{URL}/{session.pk}/navigate/next")
    assert (last.status_code, last.json()) == (409, {"detail": "There is no next question"})


def test_draft_is_stored(api_client):
    session = ClarificationSessionFactory()

    response = api_client.put(
        f"{URL}/{session.pk}/draft",
        {"answers": {"q1": "half typed"}, "current_question": 0},
        format="json",
    )
    bad = api_client.put(f"{URL}/{session.pk}/draft", {"answers": {"q99": "x"}}, format="json")

    session.refresh_from_db()
    assert response.json() == {
        "session_id": str(session.pk),
        "status": "draft_saved",
        "draft": {"answers": {"q1": "half typed"}, "current_question": 0},
        "saved_at": session.updated_at.isoformat().replace("+00:00", "Z"),
    }
    assert session.draft == {"answers": {"q1": "half typed"}, "current_question": 0}
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["message"] == "Unknown question id: q99"


def test_complete_needs_80_percent_then_builds_the_brief(api_client):
    session_id = start(api_client).json()["session_id"]
    questions = ClarificationSession.objects.get().questions
    for question in questions[:7]:
        api_client.post(
            f"{URL}/{session_id}/answer", {"answer": answer_for(question)}, format="json"
        )

    early = api_client.post(f"{URL}/{session_id}/complete")
    api_client.post(
        f"{URL}/{session_id}/answer", {"answer": answer_for(questions[7])}, format="json"
    )
    state = api_client.get(f"{URL}/{session_id}").json()
    done = api_client.post(f"{URL}/{session_id}/complete")

    assert (early.status_code, early.json()) == (
        409,
        {"detail": "Answer at least 8 questions before completing (7 answered)"},
    )
    assert state["can_finish_early"] is True
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["message"]) == (
        "completed",
        "Clarification completed, brief generated",
    )
    brief = body["brief"]
    assert brief["project_idea"] == "Track team tasks"
    assert brief["project_name"] == "answer to q1"
    assert brief["depth"] == "minimal"
    assert brief["clarification_session_id"] == session_id
    assert sum(len(items) for items in brief["clarifications"].values()) == 8
    session = ClarificationSession.objects.get()
    assert (session.is_completed, session.brief) == (True, brief)
    closed = api_client.post(f"{URL}/{session_id}/answer", {"answer": "x"}, format="json")
    assert (closed.status_code, closed.json()) == (
        409,
        {"detail": "Clarification session is already completed"},
    )


def test_brief_from_clarification_creates_a_project(api_client):
    session_id = start(api_client, idea="Recipe keeper").json()["session_id"]
    for question in ClarificationSession.objects.get().questions:
        api_client.post(
            f"{URL}/{session_id}/answer", {"answer": answer_for(question)}, format="json"
        )
    brief = api_client.post(f"{URL}/{session_id}/complete").json()["brief"]

    created = api_client.post("/yago/api/v1/projects", {"brief": brief}, format="json")

    assert created.status_code == 201
    assert created.json()["project"]["name"] == "Recipe keeper"


def test_get_session(api_client):
    session = ClarificationSessionFactory(answers={"q1": "A"}, position=1)

    body = api_client.get(f"{URL}/{session.pk}").json()

    assert body["project_idea"] == "Track team tasks"
    assert (body["depth"], body["status"], body["answers"]) == ("minimal", "active", {"q1": "A"})
    assert body["questions"] == [public(q) for q in bank_questions(10)]
    assert body["current_question"] == public(bank_questions(10)[1])


def test_unknown_session_is_404(api_client):
    for url in (f"{URL}/nope", f"{URL}/00000000-0000-0000-0000-000000000000/progress"):
        response = api_client.get(url)
        assert (response.status_code, response.json()) == (
            404,
            {"detail": "Clarification session not found"},
        )


@pytest.mark.parametrize("answers", [0, 9])
def test_session_query_budget(api_client, django_assert_num_queries, answers):
    session = ClarificationSessionFactory(
        answers={f"q{n}": "x" for n in range(1, answers + 1)}, position=answers
    )

    with django_assert_num_queries(1):
        api_client.get(f"{URL}/{session.pk}")
    with django_assert_num_queries(1):
        api_client.get(f"{URL}/{session.pk}/progress")


def test_can_finish_early_from_8_of_10_answers_and_not_at_7(api_client):
    session_id = start(api_client).json()["session_id"]
    questions = ClarificationSession.objects.get().questions
    early = []
    for question in questions[:8]:
        api_client.post(
            f"{URL}/{session_id}/answer", {"answer": answer_for(question)}, format="json"
        )
        early.append(api_client.get(f"{URL}/{session_id}").json()["can_finish_early"])

    assert early == [False, False, False, False, False, False, False, True]


def test_estimated_time_remaining_rounds_half_minutes_up(api_client):
    session_id = start(api_client).json()["session_id"]
    questions = ClarificationSession.objects.get().questions
    minutes = [api_client.get(f"{URL}/{session_id}").json()["progress"]["estimated_time_remaining"]]
    for question in questions[:9]:
        api_client.post(
            f"{URL}/{session_id}/answer", {"answer": answer_for(question)}, format="json"
        )
        state = api_client.get(f"{URL}/{session_id}").json()
        minutes.append(state["progress"]["estimated_time_remaining"])

    # 30 s per question left: 10 → 5 min, 9 → 4.5 → 5, ..., 1 → 0.5 → 1.
    assert minutes == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


@pytest.mark.parametrize(("total", "threshold"), [(10, 8), (11, 8), (20, 16), (40, 32), (4, 3)])
def test_finish_threshold_is_80_percent_rounded_down(total, threshold):
    from projects.services import finish_threshold

    assert finish_threshold(total) == threshold
