"""YAGO's share of the scale data set (`manage.py generate_demo_data`, issue 7).

At scale 1: 10k projects spread over the 180 days before 2026-01-01 in every status, each with
the provider usage its status implies (completed and failed projects 1–4 generation calls,
running ones 0–2), `actual_cost` = the sum of that usage (as the app keeps it), a cost estimate
from the model's price table — a few percent of projects end over budget — and 2k clarification
sessions. Every value comes from `rng`, so a seed gives the same rows; rows are written with
bulk_create in batches. Generated files are not produced (they live on disk, see README).
"""

import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from projects.models import (
    AIModel,
    ClarificationSession,
    Project,
    ProjectStatus,
    ProviderUsage,
)
from projects.pricing import PriceTable
from projects.providers.questions import bank_questions

BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
PROJECTS_AT_SCALE_1 = 10_000
SESSIONS_AT_SCALE_1 = 2_000
MODELS = [
    ("openai", "gpt-4o", 4),
    ("openai", "gpt-4o-mini", 3),
    ("anthropic", "claude-sonnet-5", 3),
    ("anthropic", "claude-haiku-5", 1),
    ("gemini", "gemini-1.5-pro", 1),
    ("offline", "offline", 2),
]
STATUSES = [
    (ProjectStatus.COMPLETED, 50),
    (ProjectStatus.IN_PROGRESS, 15),
    (ProjectStatus.CREATING, 15),
    (ProjectStatus.FAILED, 10),
    (ProjectStatus.PAUSED, 7),
    (ProjectStatus.EXECUTING, 3),
]
THINGS = "task note recipe book expense invoice habit bookmark ticket workout event".split()
ADJECTIVES = "simple shared offline team family personal weekly smart tiny open".split()
PURPOSES = [
    "tracker for {who}",
    "manager with tags for {who}",
    "planner that reminds {who}",
    "API for {who}",
    "dashboard for {who}",
]
WHO = "students parents freelancers teams clubs nurses teachers gardeners".split()
ROLES = ["developer", "architect", "full-stack", "backend", "unknown"]
STRATEGIES = ["balanced", "fast", "thorough"]
DEPTHS = [("minimal", 10), ("standard", 20), ("full", 40)]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _idea(rng: random.Random) -> str:
    purpose = rng.choice(PURPOSES).format(who=rng.choice(WHO))
    return f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(THINGS)} {purpose}"


def _build(rng: random.Random, prices: PriceTable) -> tuple[Project, list[ProviderUsage]]:
    provider, model, _ = rng.choices(MODELS, weights=[m[2] for m in MODELS])[0]
    status = rng.choices(STATUSES, weights=[s[1] for s in STATUSES])[0][0]
    idea = _idea(rng)
    created = BASE_TIME - timedelta(seconds=rng.randrange(180 * 86_400))
    max_tokens = rng.choice([2000, 4000, 8000])
    brief = {"project_idea": idea, "features": rng.sample(THINGS, 3)}
    estimate = prices.estimate_project_cost(brief=brief, model=model, max_tokens=max_tokens)
    project = Project(
        id=_uuid(rng),
        name=idea,
        description=idea,
        status=status,
        brief=brief,
        config={"primary_model": model, "max_tokens": max_tokens},
        primary_model=model,
        agent_role=rng.choice(ROLES),
        strategy=rng.choice(STRATEGIES),
        temperature=round(rng.uniform(0.1, 1.0), 1),
        max_tokens=max_tokens,
        created_at=created,
        updated_at=created,
        cost_estimate=estimate,
    )
    calls = {
        ProjectStatus.COMPLETED: rng.randint(1, 4),
        ProjectStatus.FAILED: rng.randint(1, 4),
        ProjectStatus.IN_PROGRESS: rng.randint(0, 2),
        ProjectStatus.PAUSED: rng.randint(0, 2),
        ProjectStatus.EXECUTING: rng.randint(0, 1),
    }.get(status, 0)
    over_budget = rng.random() < 0.05
    usage = []
    moment = created
    for index in range(calls):
        moment += timedelta(seconds=rng.randint(20, 3_600))
        # Together the calls stay near the estimate (one call of up to max_tokens out).
        tokens_in = rng.randint(400, 700)
        tokens_out = rng.randint(200, max_tokens // calls) * (3 if over_budget else 1)
        failed = status == ProjectStatus.FAILED and index == calls - 1
        usage.append(
            ProviderUsage(
                id=_uuid(rng),
                project_id=project.id,
                provider=provider,
                model="offline-template-v1" if provider == "offline" else model,
                request_type="generate_project",
                tokens_in=tokens_in,
                tokens_out=0 if failed else tokens_out,
                cost=Decimal(0) if failed else prices.cost_of(model, tokens_in, tokens_out),
                duration_ms=rng.randint(300, 60_000),
                success=not failed,
                error=f"{provider} request timed out" if failed else "",
                created_at=moment,
            )
        )
    project.actual_cost = sum((u.cost for u in usage), Decimal(0))
    project.updated_at = moment
    if status != ProjectStatus.CREATING:
        project.started_at = created + timedelta(seconds=10)
        project.progress = 100 if status == ProjectStatus.COMPLETED else rng.randint(0, 95)
    if status == ProjectStatus.COMPLETED:
        files = rng.randint(6, 30)
        project.completed_at = moment
        project.files_generated = files
        project.lines_of_code = files * rng.randint(20, 120)
        project.project_path = f"generated_projects/{project.id}"
        project.logs = [{"timestamp": moment.isoformat(), "log": f"Generated {files} files"}]
    if status == ProjectStatus.FAILED:
        project.errors = [{"timestamp": moment.isoformat(), "error": usage[-1].error}]
    return project, usage


def generate(
    *,
    scale: float,
    rng: random.Random,
    batch_size: int = 5000,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Write YAGO's demo rows; returns rows written per table."""
    total_projects = max(1, math.ceil(PROJECTS_AT_SCALE_1 * scale))
    total_sessions = max(1, math.ceil(SESSIONS_AT_SCALE_1 * scale))
    written = {
        "projects_project": 0,
        "projects_providerusage": 0,
        "projects_clarificationsession": 0,
    }
    questions = {depth: bank_questions(count) for depth, count in DEPTHS}
    if not AIModel.objects.exists():
        # Costs come from the model table: give an unseeded database its catalogs first.
        from config.seeding import seed_all

        seed_all(["yago_catalogs"])
    prices = PriceTable.load()  # once for the whole batch
    with transaction.atomic():
        done = 0
        while done < total_projects:
            size = min(batch_size, total_projects - done)
            projects, usage = [], []
            for _ in range(size):
                project, calls = _build(rng, prices)
                projects.append(project)
                usage.extend(calls)
            Project.objects.bulk_create(projects, batch_size=batch_size)
            ProviderUsage.objects.bulk_create(usage, batch_size=batch_size)
            done += size
            written["projects_project"] += size
            written["projects_providerusage"] += len(usage)
            if progress:
                progress("projects_project", done, total_projects)

        sessions = []
        for index in range(total_sessions):
            depth, count = rng.choice(DEPTHS)
            position = rng.randint(0, count)
            bank = questions[depth]
            created = BASE_TIME - timedelta(seconds=rng.randrange(180 * 86_400))
            sessions.append(
                ClarificationSession(
                    id=_uuid(rng),
                    project_idea=_idea(rng),
                    depth=depth,
                    questions=bank,
                    answers={q["id"]: "demo answer" for q in bank[:position]},
                    position=position,
                    total_questions=count,
                    is_completed=position == count and rng.random() < 0.7,
                    ai_provider="offline",
                    created_at=created,
                    updated_at=created,
                )
            )
            if len(sessions) == batch_size or index == total_sessions - 1:
                ClarificationSession.objects.bulk_create(sessions, batch_size=batch_size)
                written["projects_clarificationsession"] += len(sessions)
                if progress:
                    progress("projects_clarificationsession", index + 1, total_sessions)
                sessions = []
    return written
