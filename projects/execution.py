"""Code generation as a background job: enqueue, run step by step, pause, resume, reap.

The request (`execution_enqueue`) commits the project as `executing` and enqueues the job when
that commits. The job (`execution_run`, from projects.tasks) runs steps, each in its own short
transaction, and never holds one across the provider call:

- step 0: the provider call (outside any transaction; a thread beats the heartbeat meanwhile).
  Its usage rows are saved as soon as it returns, also when it failed.
- steps 1..n: one generated file each (row, progress, log).
- step n+1: the folder is written and the project completed.

Before each step the job looks at the project: paused → it stops there (resume continues from
the same step); deleted → it stops. A worker that dies leaves a stale heartbeat:
`executions_reap_stale` (periodic) pauses such executions with the reason, so they can be
resumed, never `executing` forever.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from config.api import Conflict
from config.jobs import enqueue_on_commit, huey
from projects import storage
from projects.models import ExecutionStatus as ES
from projects.models import (
    GeneratedFile,
    Project,
    ProjectExecution,
    ProjectStatus,
)
from projects.providers import ProviderError, SourceFile, get_provider
from projects.services import (
    _file_rows,
    _usage_total,
    count_lines,
    iso_now,
    usage_record,
)

logger = logging.getLogger(__name__)

# Progress shown while the provider works, and after it answered (files take the rest).
PROGRESS_CALLING = 5
PROGRESS_ANSWERED = 20
FINISHED = (ES.COMPLETED, ES.FAILED, ES.CANCELLED)


def _log(project: Project, message: str) -> None:
    project.logs = [*project.logs, {"timestamp": iso_now(), "log": message}]


def _enqueue_job(execution_id) -> None:
    from projects.tasks import project_execute_job

    enqueue_on_commit(project_execute_job, str(execution_id))


@transaction.atomic
def execution_enqueue(*, project: Project) -> ProjectExecution:
    """Mark the project `executing` and enqueue its generation once this commits.

    Conflict (409) when it is already executing or paused.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status in (ProjectStatus.EXECUTING, ProjectStatus.PAUSED):
        label = ProjectStatus(project.status).label.lower()
        raise Conflict(f"Cannot execute a project that is {label}")
    now = timezone.now()
    # An execution left unfinished by an older status change (PUT) is closed first.
    ProjectExecution.objects.filter(
        project=project, status__in=(ES.QUEUED, ES.RUNNING, ES.PAUSED)
    ).update(status=ES.CANCELLED, finished_at=now)
    project.status = ProjectStatus.EXECUTING
    project.progress = 0
    project.updated_at = now
    _log(project, "Execution queued")
    project.save(update_fields=["status", "progress", "updated_at", "logs"])
    execution = ProjectExecution.objects.create(project=project, created_at=now)
    _enqueue_job(execution.pk)
    return execution


@transaction.atomic
def execution_resume(*, project: Project) -> bool:
    """Continue a paused execution (project status `executing` again); False when none.

    The job is enqueued again only when it had stopped; a job still finishing its current step
    simply goes on.
    """
    execution = (
        ProjectExecution.objects.select_for_update()
        .filter(project=project, status__in=(ES.PAUSED, ES.RUNNING, ES.QUEUED))
        .first()
    )
    if execution is None:
        return False
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.EXECUTING)
    if execution.status == ES.PAUSED:
        execution.status = ES.QUEUED
        execution.save(update_fields=["status"])
        _enqueue_job(execution.pk)
    return True


def execution_wait(*, execution_id, timeout: float, interval: float = 0.1) -> ProjectExecution:
    """Poll (outside any transaction) until the execution finished, paused, or `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        execution = ProjectExecution.objects.select_related("project").get(pk=execution_id)
        if execution.status in (*FINISHED, ES.PAUSED) or time.monotonic() >= deadline:
            return execution
        time.sleep(min(interval, max(deadline - time.monotonic(), 0)))


# --- The job ----------------------------------------------------------------------------------


@dataclass
class Step:
    execution: ProjectExecution
    project: Project


def _project_locked(execution_id) -> Project | None:
    """The execution's project, locked (always before its execution: one lock order)."""
    return (
        Project.objects.select_for_update(of=("self",)).filter(executions__pk=execution_id).first()
    )


def _stale_before(now):
    return now - timedelta(seconds=settings.YAGO_EXECUTION_STALE_AFTER)


@transaction.atomic
def _checkpoint(execution_id, *, claim: bool = False) -> Step | None:
    """Lock the project and its execution before a step; None when the job must stop here."""
    execution = ProjectExecution.objects.filter(pk=execution_id).first()
    if execution is None:  # the project was deleted (cancel)
        return None
    project = Project.objects.select_for_update().filter(pk=execution.project_id).first()
    execution = ProjectExecution.objects.select_for_update().filter(pk=execution_id).first()
    if project is None or execution is None or execution.status in FINISHED:
        return None
    now = timezone.now()
    if claim:
        beat = execution.heartbeat_at
        if execution.status == ES.RUNNING and beat is not None and beat > _stale_before(now):
            return None  # another worker is running it
        if execution.status == ES.PAUSED:
            return None
        execution.status = ES.RUNNING
        execution.started_at = execution.started_at or now
    if project.status == ProjectStatus.PAUSED:
        execution.status = ES.PAUSED
        execution.heartbeat_at = None
        execution.save(update_fields=["status", "heartbeat_at"])
        _log(project, f"Execution paused before step {execution.step + 1}")
        project.updated_at = now
        project.save(update_fields=["logs", "updated_at"])
        return None
    if project.status != ProjectStatus.EXECUTING:  # changed by hand (PUT): stop
        execution.status = ES.CANCELLED
        execution.finished_at = now
        execution.save(update_fields=["status", "finished_at"])
        return None
    execution.heartbeat_at = now
    execution.save(update_fields=["status", "started_at", "heartbeat_at"])
    if project.started_at is None:
        project.started_at = now
        project.save(update_fields=["started_at"])
    return Step(execution=execution, project=project)


def execution_run(*, execution_id) -> str:
    """Run the execution's remaining steps; returns the execution's status when the job stops."""
    step = _checkpoint(execution_id, claim=True)
    while step is not None:
        execution = step.execution
        total = execution.files_total
        if execution.generation is None:
            if not _generate(step):
                break
        elif execution.step <= total:
            _write_file(execution_id, execution.step)
        else:
            _finish(execution_id)
            break
        step = _checkpoint(execution_id)
    status = ProjectExecution.objects.filter(pk=execution_id).values_list("status", flat=True)
    return status.first() or "deleted"


class _Heartbeat:
    """Beats the execution's heartbeat from a thread while the provider call runs."""

    def __init__(self, execution_id):
        self.execution_id = execution_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            while not self.stop.wait(settings.YAGO_EXECUTION_HEARTBEAT):
                ProjectExecution.objects.filter(pk=self.execution_id, status=ES.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        finally:
            connection.close()

    def __enter__(self):
        if not huey.immediate:  # tests in immediate mode share one connection
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()


def _generate(step: Step) -> bool:
    """Step 0: the provider call, outside any transaction. False when the job failed."""
    project = step.project
    execution_id = step.execution.pk
    try:
        provider = get_provider(
            model=project.primary_model,
            temperature=project.temperature,
            max_tokens=project.max_tokens,
        )
    except ProviderError as error:
        _fail(execution_id, error.message, calls=error.calls)
        return False
    _progress(execution_id, PROGRESS_CALLING, f"Generating code with {provider.name}")
    try:
        with _Heartbeat(execution_id):
            generation = provider.generate_project(
                name=project.name, brief=project.brief, config=project.config
            )
    except ProviderError as error:
        _fail(execution_id, error.message, calls=error.calls)
        return False
    _record_generation(execution_id, generation, provider.name)
    return True


def _progress(execution_id, progress: int, message: str) -> None:
    with transaction.atomic():
        project = _project_locked(execution_id)
        if project is None:
            return
        project.progress = progress
        project.updated_at = timezone.now()
        _log(project, message)
        project.save(update_fields=["progress", "updated_at", "logs"])


@transaction.atomic
def _record_generation(execution_id, generation, provider_name: str) -> None:
    """Save the call's usage and the answer at once: a later failure or pause loses neither."""
    project = _project_locked(execution_id)
    execution = ProjectExecution.objects.select_for_update().filter(pk=execution_id).first()
    if execution is None or project is None:
        # Cancelled meanwhile: the money was still spent.
        usage_record(calls=generation.calls)
        return
    usage_record(calls=generation.calls, project=project)
    execution.generation = {
        "provider": provider_name,
        "architecture": generation.architecture,
        "files": [{"path": f.path, "content": f.content} for f in generation.files],
    }
    execution.step = 1
    execution.heartbeat_at = timezone.now()
    execution.save(update_fields=["generation", "step", "heartbeat_at"])
    project.actual_cost = _usage_total(project)
    project.progress = PROGRESS_ANSWERED
    project.updated_at = timezone.now()
    _log(project, f"{provider_name} answered with {len(generation.files)} files")
    project.save(update_fields=["actual_cost", "progress", "updated_at", "logs"])


@transaction.atomic
def _write_file(execution_id, index: int) -> None:
    """Step `index` (1-based): one generated file's row."""
    project = _project_locked(execution_id)
    execution = ProjectExecution.objects.select_for_update().filter(pk=execution_id).first()
    if execution is None or project is None:
        return
    files = execution.generation["files"]
    item = files[index - 1]
    now = timezone.now()
    [row] = _file_rows(
        project, [SourceFile(item["path"], item["content"])], execution.generation["provider"], now
    )
    GeneratedFile.objects.filter(project=project, path=row.path).delete()
    row.save(force_insert=True)
    execution.step = index + 1
    execution.heartbeat_at = now
    execution.save(update_fields=["step", "heartbeat_at"])
    project.progress = PROGRESS_ANSWERED + (100 - PROGRESS_ANSWERED - 1) * index // len(files)
    project.updated_at = now
    _log(project, f"Wrote {row.path} ({count_lines(item['content'])} lines)")
    project.save(update_fields=["progress", "updated_at", "logs"])


@transaction.atomic
def _finish(execution_id) -> None:
    """The last step: the folder written whole, stale rows gone, the project completed."""
    project = _project_locked(execution_id)
    execution = ProjectExecution.objects.select_for_update().filter(pk=execution_id).first()
    if execution is None or project is None:
        return
    files = [SourceFile(f["path"], f["content"]) for f in execution.generation["files"]]
    paths = [f.path for f in files]
    GeneratedFile.objects.filter(project=project).exclude(path__in=paths).delete()
    now = timezone.now()
    try:
        storage.write_tree(project.pk, files)
    except OSError as error:
        _fail_locked(
            execution,
            project,
            f"Could not write the generated files: {error.strerror or error}",
            http_status=500,
        )
        return
    rows = list(GeneratedFile.objects.filter(project=project).only("lines"))
    project.status = ProjectStatus.COMPLETED
    project.progress = 100
    project.completed_at = project.completed_at or now
    project.started_at = project.started_at or now
    project.project_path = storage.project_path_value(project.pk)
    project.files_generated = len(rows)
    project.lines_of_code = sum(row.lines for row in rows)
    project.actual_cost = _usage_total(project)
    project.updated_at = now
    _log(project, f"Generated {len(rows)} files with {execution.generation['provider']}")
    project.save()
    execution.status = ES.COMPLETED
    execution.step = len(files) + 1
    execution.finished_at = now
    execution.heartbeat_at = None
    execution.save(update_fields=["status", "step", "finished_at", "heartbeat_at"])


def _fail_locked(execution, project, message: str, *, http_status: int = 502) -> None:
    now = timezone.now()
    project.status = ProjectStatus.FAILED
    project.errors = [*project.errors, {"timestamp": iso_now(), "error": message}]
    project.actual_cost = _usage_total(project)
    project.updated_at = now
    project.save(update_fields=["status", "errors", "actual_cost", "updated_at"])
    execution.status = ES.FAILED
    execution.error = message
    execution.http_status = http_status
    execution.finished_at = now
    execution.heartbeat_at = None
    execution.save(update_fields=["status", "error", "http_status", "finished_at", "heartbeat_at"])


@transaction.atomic
def _fail(execution_id, message: str, *, calls) -> None:
    """Record the failed call(s) and mark project and execution failed."""
    project = _project_locked(execution_id)
    execution = ProjectExecution.objects.select_for_update().filter(pk=execution_id).first()
    if execution is None or project is None:
        usage_record(calls=calls)
        return
    usage_record(calls=calls, project=project)
    _fail_locked(execution, project, message)


# --- Lost workers -----------------------------------------------------------------------------


def executions_reap_stale(*, now=None) -> int:
    """Executions whose worker stopped beating: paused (resumable), the reason in `errors`.

    A queued execution whose job never started (its enqueue was lost) is paused the same way.
    """
    now = now or timezone.now()
    before = _stale_before(now)
    beat_lost = Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True)
    stale = list(
        ProjectExecution.objects.filter(beat_lost, status=ES.RUNNING).values_list("pk", flat=True)
    ) + list(
        ProjectExecution.objects.filter(
            status=ES.QUEUED, started_at__isnull=True, created_at__lt=before
        ).values_list("pk", flat=True)
    )
    reaped = 0
    for execution_id in stale:
        with transaction.atomic():
            project = _project_locked(execution_id)
            execution = ProjectExecution.objects.select_for_update().filter(pk=execution_id).first()
            if execution is None or project is None or execution.status in FINISHED:
                continue
            beat = execution.heartbeat_at
            if execution.status == ES.QUEUED:
                beat = execution.created_at
            if beat is not None and beat >= before:
                continue  # it beat meanwhile
            minutes = settings.YAGO_EXECUTION_STALE_AFTER / 60
            reason = (
                f"Execution interrupted at step {execution.step + 1}: the worker stopped "
                f"responding (no heartbeat for {minutes:g} minutes). Resume to continue."
            )
            execution.status = ES.PAUSED
            execution.heartbeat_at = None
            execution.error = reason
            execution.save(update_fields=["status", "heartbeat_at", "error"])
            project.status = ProjectStatus.PAUSED
            project.errors = [*project.errors, {"timestamp": iso_now(), "error": reason}]
            project.updated_at = now
            project.save(update_fields=["status", "errors", "updated_at"])
            reaped += 1
    if reaped:
        logger.warning("YAGO: %d stale execution(s) paused", reaped)
    return reaped


@transaction.atomic
def execution_job_failed(*, execution_id, error: BaseException, retrying: bool) -> None:
    """The job raised: free the execution for the retry, or fail it with the reason."""
    project = _project_locked(execution_id)
    execution = ProjectExecution.objects.select_for_update().filter(pk=execution_id).first()
    if project is None or execution is None or execution.status in FINISHED:
        return
    if retrying:
        execution.heartbeat_at = None  # the retry may claim it at once
        execution.save(update_fields=["heartbeat_at"])
        return
    _fail_locked(
        execution, project, f"Execution failed: {type(error).__name__}: {error}", http_status=500
    )
