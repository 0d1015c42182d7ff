"""Writes of the YAGO app: projects, code generation, usage, clarifications, cost alerts."""

import hashlib
import logging
import math
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from config.api import Conflict
from projects import storage
from projects.models import (
    ClarificationSession,
    CostAlertDismissal,
    Depth,
    GeneratedFile,
    Project,
    ProjectStatus,
    ProviderUsage,
)
from projects.pricing import SIX_PLACES, estimate_project_cost
from projects.providers import Call, SourceFile, get_provider

logger = logging.getLogger(__name__)

UNTITLED = "Untitled Project"
DEPTH_QUESTIONS = {Depth.MINIMAL: 10, Depth.STANDARD: 20, Depth.FULL: 40}
CONFIG_DEFAULTS = {
    "primary_model": "unknown",
    "agent_role": "unknown",
    "strategy": "balanced",
    "temperature": 0.7,
    "max_tokens": 4000,
}


def iso_now() -> str:
    """Timestamps inside the JSON lists (errors, logs), ISO 8601 in UTC."""
    return timezone.now().isoformat().replace("+00:00", "Z")


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(SIX_PLACES)


# --- Projects -------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *, brief: dict, config: dict, options: dict | None = None, owner=None
) -> Project:
    """A new project in status `creating`, named after the brief's idea, with a cost estimate.

    `config` is stored as sent; `options` are its validated values (defaults fill the gaps).
    """
    idea = brief.get("project_idea")
    title = idea.strip() if isinstance(idea, str) and idea.strip() else UNTITLED
    given = config if options is None else options
    options = {**CONFIG_DEFAULTS, **{k: v for k, v in given.items() if k in CONFIG_DEFAULTS}}
    options = {k: (CONFIG_DEFAULTS[k] if v is None else v) for k, v in options.items()}
    now = timezone.now()
    return Project.objects.create(
        owner=owner,
        name=title[:255],
        description=title,
        status=ProjectStatus.CREATING,
        brief=brief,
        config=config,
        primary_model=options["primary_model"],
        agent_role=options["agent_role"],
        strategy=options["strategy"],
        temperature=options["temperature"],
        max_tokens=options["max_tokens"],
        cost_estimate=estimate_project_cost(
            brief=brief, model=options["primary_model"], max_tokens=options["max_tokens"]
        ),
        created_at=now,
        updated_at=now,
    )


def _apply_status(project: Project, status: str, now) -> None:
    project.status = status
    if status == ProjectStatus.IN_PROGRESS and project.started_at is None:
        project.started_at = now
    if status == ProjectStatus.COMPLETED and project.completed_at is None:
        project.completed_at = now


# Inside the request's transaction (config.middleware rolls it all back on an error): no
# savepoint of its own, two round trips less.
@transaction.atomic(savepoint=False)
def project_update(*, project: Project, changes: dict) -> Project:
    """Apply a PUT: plain fields, status timestamps (set once), `error`/`log` appended."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    now = timezone.now()
    if "status" in changes:
        _apply_status(project, changes["status"], now)
    for field in ("progress", "files_generated", "lines_of_code"):
        if field in changes:
            setattr(project, field, changes[field])
    for field in ("actual_cost", "cost_estimate"):
        if field in changes:
            setattr(project, field, money(changes[field]))
    if changes.get("error") is not None:
        project.errors = [*project.errors, {"timestamp": iso_now(), "error": changes["error"]}]
    if changes.get("log") is not None:
        project.logs = [*project.logs, {"timestamp": iso_now(), "log": changes["log"]}]
    project.updated_at = now
    project.save()
    return project


@transaction.atomic
def project_delete(*, project: Project) -> None:
    """Delete the project, its sessions and file rows; its folder goes when the delete commits."""
    project_id = project.pk
    project.delete()
    transaction.on_commit(lambda: _remove_files(project_id))


def _remove_files(project_id) -> None:
    # The project is gone either way: files the storage failed to delete are logged, not a 500.
    try:
        storage.remove_tree(project_id)
    except OSError:
        logger.warning("YAGO: the files of deleted project %s were left", project_id, exc_info=True)


TRANSITIONS = {
    # action: (allowed from, new status, answer status, message)
    "start": (
        {ProjectStatus.CREATING, ProjectStatus.FAILED},
        ProjectStatus.IN_PROGRESS,
        "started",
        "Project execution started",
    ),
    "pause": (
        {ProjectStatus.IN_PROGRESS, ProjectStatus.EXECUTING},
        ProjectStatus.PAUSED,
        "paused",
        "Project execution paused",
    ),
    "resume": (
        {ProjectStatus.PAUSED},
        ProjectStatus.IN_PROGRESS,
        "resumed",
        "Project execution resumed",
    ),
}
REFUSALS = {
    "start": "Cannot start a project that is {status}",
    "pause": "Cannot pause a project that is {status}: only a running project can be paused",
    "resume": "Cannot resume a project that is {status}: only a paused project can be resumed",
}


@transaction.atomic
def project_transition(*, project: Project, action: str) -> tuple[Project, str, str]:
    """start / pause / resume; Conflict (409) when the current status does not allow it."""
    allowed, target, word, message = TRANSITIONS[action]
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status not in allowed:
        label = ProjectStatus(project.status).label.lower()
        raise Conflict(REFUSALS[action].format(status=label))
    now = timezone.now()
    _apply_status(project, target, now)
    project.updated_at = now
    project.logs = [*project.logs, {"timestamp": iso_now(), "log": message}]
    project.save()
    return project, word, message


# --- Code generation --------------------------------------------------------------------------


TEST_PREFIXES = ("tests/", "test/")


def file_type_for(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if path.endswith(".py"):
        if path.startswith(TEST_PREFIXES) or name.startswith("test_") or name == "conftest.py":
            return "test"
        return "python"
    if name.endswith(".md"):
        return "markdown"
    if name in ("requirements.txt", "pytest.ini", "pyproject.toml", "setup.cfg") or name.endswith(
        (".ini", ".toml", ".cfg", ".yml", ".yaml", ".json")
    ):
        return "config"
    return "text"


def count_lines(content: str) -> int:
    return len(content.splitlines())


def checksum_of(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def usage_record(
    *,
    calls: list[Call],
    project: Project | None = None,
    session: ClarificationSession | None = None,
) -> list[ProviderUsage]:
    """One provider-usage row per call."""
    return ProviderUsage.objects.bulk_create(
        ProviderUsage(
            project=project,
            session=session,
            provider=call.provider,
            model=call.model[:100],
            request_type=call.request_type,
            tokens_in=call.tokens_in,
            tokens_out=call.tokens_out,
            cost=money(call.cost),
            duration_ms=call.duration_ms,
            success=call.success,
            error=call.error,
        )
        for call in calls
    )


def _usage_total(project: Project) -> Decimal:
    total = ProviderUsage.objects.filter(project=project).aggregate(total=Sum("cost"))["total"]
    return money(total or 0)


def _file_rows(project, files: list[SourceFile], provider: str, now) -> list[GeneratedFile]:
    return [
        GeneratedFile(
            project=project,
            path=file.path,
            file_type=file_type_for(file.path),
            content=file.content,
            size=len(file.content.encode("utf-8")),
            lines=count_lines(file.content),
            checksum=checksum_of(file.content),
            ai_provider=provider,
            generated_at=now,
        )
        for file in files
    ]


def project_files_materialize(*, project: Project, files: list[GeneratedFile]) -> None:
    """Write the folder from the stored rows when it is missing (fixtures, imports).

    Best effort: the API answers from the rows, so a storage that fails is logged, not a 500."""
    try:
        if files and not storage.tree_exists(project.pk):
            storage.write_tree(project.pk, [SourceFile(row.path, row.content) for row in files])
    except OSError:
        logger.warning("YAGO: could not write project %s's files", project.pk, exc_info=True)


# --- Clarifications -----------------------------------------------------------------------


def clarification_start(*, project_idea: str, depth: str, owner=None):
    """Questions from the provider; returns (session, calls). ProviderError propagates."""
    count = DEPTH_QUESTIONS[depth]
    provider = get_provider(model=None)
    questions, calls = provider.clarification_questions(
        project_idea=project_idea, depth=depth, count=count
    )
    return _clarification_create(
        project_idea=project_idea,
        depth=depth,
        owner=owner,
        questions=questions,
        provider=provider.name,
        calls=calls,
    )


@transaction.atomic
def _clarification_create(*, project_idea, depth, owner, questions, provider, calls):
    now = timezone.now()
    session = ClarificationSession.objects.create(
        owner=owner,
        project_idea=project_idea,
        depth=depth,
        questions=questions,
        total_questions=len(questions),
        ai_provider=provider,
        created_at=now,
        updated_at=now,
    )
    usage_record(calls=calls, session=session)
    return session


def _locked(session: ClarificationSession) -> ClarificationSession:
    session = ClarificationSession.objects.select_for_update().get(pk=session.pk)
    if session.is_completed:
        raise Conflict("Clarification session is already completed")
    return session


def _check_answer(question: dict, answer):
    kind = question["type"]
    if kind == "boolean":
        if not isinstance(answer, bool):
            raise ValidationError({"answer": [f"Question {question['id']} needs true or false"]})
    elif kind == "select":
        if answer not in question.get("options", []):
            options = ", ".join(question.get("options", []))
            raise ValidationError({"answer": [f"Answer must be one of: {options}"]})
    elif not isinstance(answer, str) or not answer.strip():
        raise ValidationError({"answer": [f"Question {question['id']} needs a non-empty answer"]})
    return answer.strip() if isinstance(answer, str) else answer


@transaction.atomic
def clarification_answer(*, session: ClarificationSession, answer=None, skip: bool = False):
    """Answer (or skip) the current question and move to the next one."""
    session = _locked(session)
    if session.position >= session.total_questions:
        raise Conflict("All questions have been answered")
    question = session.questions[session.position]
    qid = question["id"]
    if skip:
        if question.get("required"):
            raise ValidationError({"skip": [f"Question {qid} is required and cannot be skipped"]})
        session.answers.pop(qid, None)
        if qid not in session.skipped:
            session.skipped = [*session.skipped, qid]
    else:
        session.answers = {**session.answers, qid: _check_answer(question, answer)}
        session.skipped = [item for item in session.skipped if item != qid]
    session.position += 1
    session.updated_at = timezone.now()
    session.save()
    return session


@transaction.atomic
def clarification_navigate(*, session: ClarificationSession, direction: str):
    """Move to the next or previous question (409 at either end)."""
    session = _locked(session)
    if direction == "next":
        if session.position >= session.total_questions - 1:
            raise Conflict("There is no next question")
        session.position += 1
    else:
        if session.position == 0:
            raise Conflict("There is no previous question")
        session.position -= 1
    session.updated_at = timezone.now()
    session.save(update_fields=["position", "updated_at"])
    return session


@transaction.atomic
def clarification_save_draft(*, session: ClarificationSession, draft: dict):
    """Keep the client's unsaved answers (validated against the session's question ids)."""
    session = _locked(session)
    answers = draft.get("answers", {})
    if not isinstance(answers, dict):
        raise ValidationError({"answers": ["Must be an object keyed by question id"]})
    known = {question["id"] for question in session.questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ValidationError({"answers": [f"Unknown question id: {', '.join(unknown)}"]})
    session.draft = draft
    session.updated_at = timezone.now()
    session.save(update_fields=["draft", "updated_at"])
    return session


def finish_threshold(total: int) -> int:
    return int(total * 0.8)


@transaction.atomic
def clarification_complete(*, session: ClarificationSession):
    """Close the session and build the project brief from its answers (idempotent)."""
    session = ClarificationSession.objects.select_for_update().get(pk=session.pk)
    if session.is_completed:
        return session
    answered = len(session.answers)
    went_through = session.position >= session.total_questions
    if not went_through and answered < finish_threshold(session.total_questions):
        raise Conflict(
            f"Answer at least {finish_threshold(session.total_questions)} questions before "
            f"completing ({answered} answered)"
        )
    brief = {"project_idea": session.project_idea}
    clarifications: dict[str, list[dict]] = {}
    for question in session.questions:
        if question["id"] not in session.answers:
            continue
        value = session.answers[question["id"]]
        if question.get("key") and question["key"] not in brief:
            brief[question["key"]] = value
        clarifications.setdefault(question["category"], []).append(
            {"id": question["id"], "question": question["text"], "answer": value}
        )
    brief.update(
        {
            "depth": session.depth,
            "clarification_session_id": str(session.pk),
            "clarifications": clarifications,
        }
    )
    now = timezone.now()
    session.brief = brief
    session.is_completed = True
    session.completed_at = now
    session.updated_at = now
    session.save()
    return session


def estimated_minutes(remaining: int) -> int:
    """About 30 seconds per question."""
    return math.ceil(remaining / 2)


# --- Cost alerts ----------------------------------------------------------------------------


@transaction.atomic
def cost_alert_dismiss(*, alert_id: str, user=None) -> CostAlertDismissal:
    """Dismiss for good (a second dismissal returns the first)."""
    dismissal, _ = CostAlertDismissal.objects.get_or_create(
        alert_id=alert_id,
        defaults={"dismissed_by": user if user is not None and user.is_authenticated else None},
    )
    return dismissal


# --- Templates ------------------------------------------------------------------------------


def template_apply(*, template, config: dict, options: dict, owner=None) -> Project:
    """A new project from a template: the brief is the template's name and description (what
    the front end sends as the idea when a template is chosen); `config` as for a new project."""
    brief = {
        "project_idea": f"{template.name} - {template.description}",
        "template_id": template.id,
    }
    return project_create(brief=brief, config=config, options=options, owner=owner)
