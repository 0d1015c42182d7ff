"""YAGO's HTTP API (contract: shared/contracts/yago.md), mounted at /yago/."""

import functools
import io
import json
import logging
import zipfile

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from config.access import YagoAccess
from config.limits import bounded_int, validate_json_value
from projects import execution, selectors, services, storage
from projects.models import Depth, ExecutionStatus, Project, ProjectStatus
from projects.providers import ProviderError
from projects.providers.base import InvalidPath

logger = logging.getLogger(__name__)
OBJECT = OpenApiTypes.OBJECT
PROJECT_NOT_FOUND = "Project not found"
SESSION_NOT_FOUND = "Clarification session not found"


class BadRequest(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Bad request"
    default_code = "bad_request"


def iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def project_data(project: Project | dict) -> dict:
    """The contract's project object, from a project or a `values()` row of one (the list)."""
    p = (
        project
        if isinstance(project, dict)
        else {column: getattr(project, column) for column in selectors.PROJECT_COLUMNS}
    )
    return {
        "id": str(p["id"]),
        "name": p["name"],
        "description": p["description"],
        "status": p["status"],
        "progress": p["progress"],
        "brief": p["brief"],
        "config": p["config"],
        "primary_model": p["primary_model"],
        "agent_role": p["agent_role"],
        "strategy": p["strategy"],
        "temperature": p["temperature"],
        "max_tokens": p["max_tokens"],
        "created_at": iso(p["created_at"]),
        "updated_at": iso(p["updated_at"]),
        "started_at": iso(p["started_at"]),
        "completed_at": iso(p["completed_at"]),
        "project_path": p["project_path"],
        "cost_estimate": float(p["cost_estimate"]),
        "actual_cost": float(p["actual_cost"]),
        "files_generated": p["files_generated"],
        "lines_of_code": p["lines_of_code"],
        "errors": p["errors"],
        "logs": p["logs"],
    }


class AfterResponse(Response):
    """A response that runs callbacks once it has been sent.

    Every failed write request is rolled back by config.middleware; what must survive that
    rollback (a failed execution, the provider calls it cost) is written here, afterwards.
    """

    def __init__(self, *args, after=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._after = list(after)

    def close(self):
        # Before super().close(): its request_finished signal then tidies the DB connection.
        callbacks, self._after = self._after, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # the answer is already sent: log, never break the close
                logger.exception("YAGO: recording after the response failed")
        super().close()


class YagoViewSet(YagoAccess, viewsets.ViewSet):
    """Access per YAGO_ACCESS (config/access.py); the selectors scope rows in `user` mode."""

    validation_error_status = status.HTTP_422_UNPROCESSABLE_ENTITY

    def owner(self):
        user = self.request.user
        return user if user.is_authenticated else None


# --- Input -----------------------------------------------------------------------------------


class ConfigIn(serializers.Serializer):
    primary_model = serializers.CharField(max_length=100, required=False, allow_null=True)
    agent_role = serializers.CharField(max_length=100, required=False, allow_null=True)
    strategy = serializers.CharField(max_length=50, required=False, allow_null=True)
    temperature = serializers.FloatField(min_value=0, max_value=2, required=False, allow_null=True)
    max_tokens = serializers.IntegerField(
        min_value=1, max_value=2_000_000, required=False, allow_null=True
    )


class ProjectCreateIn(serializers.Serializer):
    brief = serializers.DictField(validators=[validate_json_value])
    config = serializers.DictField(required=False, default=dict, validators=[validate_json_value])

    def validate_brief(self, brief):
        idea = brief.get("project_idea")
        if idea is not None and not isinstance(idea, str):
            raise ValidationError("project_idea must be a string")
        return brief

    def validate_config(self, config):
        known = ConfigIn(data=config)
        known.is_valid(raise_exception=True)
        return config

    def validated_options(self) -> dict:
        known = ConfigIn(data=self.validated_data["config"])
        known.is_valid()
        return known.validated_data


class ProjectUpdateIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)
    actual_cost = serializers.FloatField(min_value=0, max_value=1e8, required=False)
    cost_estimate = serializers.FloatField(min_value=0, max_value=1e8, required=False)
    files_generated = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    lines_of_code = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    error = serializers.CharField(max_length=10000, required=False, allow_null=True)
    log = serializers.CharField(max_length=10000, required=False, allow_null=True)


class ExecuteIn(serializers.Serializer):
    wait = serializers.FloatField(min_value=0, required=False)

    def validate_wait(self, value):
        if value > settings.YAGO_EXECUTE_WAIT:
            raise ValidationError(f"wait must be at most {settings.YAGO_EXECUTE_WAIT:g} seconds")
        return value


class ProjectListIn(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ProjectStatus.choices, required=False, allow_blank=True
    )
    limit = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=100)
    offset = bounded_int(required=False, default=0)
    sort = serializers.ChoiceField(
        choices=selectors.PROJECT_SORTS, required=False, default="-created_at"
    )


@functools.lru_cache(maxsize=256)
def project_list_params(query_string: str) -> dict:
    """ProjectListIn's validated data of a query string, validated once per distinct string
    (DRF's validation cost more than the rest of a 20-project page); invalid ones raise."""
    # The WSGI string's bytes, decoded as Django decodes request.GET (UTF-8).
    params = ProjectListIn(data=QueryDict(query_string.encode("iso-8859-1")))
    params.is_valid(raise_exception=True)
    return params.validated_data


def execute_success(project, generation: dict) -> dict:
    """The contract's answer to a finished execution (files in the order they were generated)."""
    rows = {row.path: row for row in selectors.project_files(project=project)}
    files = [rows[item["path"]] for item in generation["files"] if item["path"] in rows]
    return {
        "project_id": str(project.pk),
        "status": "success",
        "message": f"Generated {len(files)} files ({project.lines_of_code} lines of code)",
        "result": {
            "status": project.status,
            "project_path": project.project_path,
            "files_generated": project.files_generated,
            "code_files": sum(1 for row in files if row.file_type == "python"),
            "test_files": sum(1 for row in files if row.file_type == "test"),
            "lines_of_code": project.lines_of_code,
            "architecture": generation["architecture"],
            "files": [{"path": row.path, "type": row.file_type} for row in files],
        },
    }


# --- Projects --------------------------------------------------------------------------------


class ProjectViewSet(YagoViewSet):
    lookup_value_regex = "[^/]+"

    def get_project(self, pk):
        project = selectors.project_get(user=self.request.user, project_id=pk)
        if project is None:
            raise NotFound(PROJECT_NOT_FOUND)
        return project

    @extend_schema(parameters=[ProjectListIn], responses=OBJECT, operation_id="yago_projects_list")
    def list(self, request):
        params = project_list_params(request.META.get("QUERY_STRING", ""))
        projects, total = selectors.project_list(
            user=request.user,
            status=params.get("status") or None,
            limit=params["limit"],
            offset=params["offset"],
            sort=params["sort"],
        )
        return Response(
            {
                "projects": [project_data(project) for project in projects],
                "total": total,
                "filtered": len(projects),
            }
        )

    @extend_schema(request=ProjectCreateIn, responses={201: OBJECT})
    def create(self, request):
        body = ProjectCreateIn(data=request.data)
        body.is_valid(raise_exception=True)
        project = services.project_create(
            brief=body.validated_data["brief"],
            config=body.validated_data["config"],
            options=body.validated_options(),
            owner=self.owner(),
        )
        return Response(
            {
                "project_id": str(project.pk),
                "status": "created",
                "message": "Project created successfully",
                "project": project_data(project),
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=OBJECT, operation_id="yago_projects_retrieve")
    def retrieve(self, request, pk=None):
        return Response(project_data(self.get_project(pk)))

    @extend_schema(request=ProjectUpdateIn, responses=OBJECT)
    def update(self, request, pk=None):
        project = self.get_project(pk)
        body = ProjectUpdateIn(data=request.data)
        body.is_valid(raise_exception=True)
        project = services.project_update(project=project, changes=body.validated_data)
        return Response(
            {"project_id": str(project.pk), "status": "updated", "project": project_data(project)}
        )

    @extend_schema(responses=OBJECT)
    def destroy(self, request, pk=None):
        project = self.get_project(pk)
        project_id, name = str(project.pk), project.name
        services.project_delete(project=project)
        return Response(
            {
                "project_id": project_id,
                "status": "deleted",
                "message": f"Project '{name}' deleted successfully",
            }
        )

    def _transition(self, pk, verb):
        project, word, message = services.project_transition(
            project=self.get_project(pk), action=verb
        )
        return Response({"project_id": str(project.pk), "status": word, "message": message})

    @extend_schema(request=None, responses={200: OBJECT, 409: OBJECT})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(pk, "start")

    @extend_schema(request=None, responses={200: OBJECT, 409: OBJECT})
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._transition(pk, "pause")

    @extend_schema(request=None, responses={200: OBJECT, 409: OBJECT})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        response = self._transition(pk, "resume")
        # A paused execution continues from its next step (status back to `executing`).
        execution.execution_resume(project=self.get_project(pk))
        return response

    @extend_schema(
        request=None,
        parameters=[ExecuteIn],
        responses={200: OBJECT, 202: OBJECT, 409: OBJECT, 502: OBJECT},
    )
    @action(detail=True, methods=["post"])
    @transaction.non_atomic_requests  # commits before it waits: the job reads committed rows
    def execute(self, request, pk=None):
        params = ExecuteIn(data=request.query_params)
        params.is_valid(raise_exception=True)
        wait = params.validated_data.get("wait", settings.YAGO_EXECUTE_WAIT)
        project = self.get_project(pk)
        queued = execution.execution_enqueue(project=project)
        run = execution.execution_wait(execution_id=queued.pk, timeout=wait) if wait else queued
        if run.status == ExecutionStatus.COMPLETED:
            return Response(execute_success(run.project, run.generation))
        if run.status == ExecutionStatus.FAILED:
            return Response({"error": run.error, "detail": run.error}, status=run.http_status)
        return Response(
            {
                "project_id": str(project.pk),
                "status": "executing",
                "message": (
                    "Code generation is running: follow GET "
                    f"/yago/api/v1/projects/{project.pk} for its progress and logs"
                ),
            },
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(responses=OBJECT, operation_id="yago_project_files_list")
    @action(detail=True, methods=["get"], url_path="files")
    def files(self, request, pk=None):
        project = self.get_project(pk)
        rows = selectors.project_files(project=project)
        if not rows:
            return Response({"files": [], "message": "Project not executed yet"})
        services.project_files_materialize(project=project, files=rows)
        return Response(
            {
                "project_id": str(project.pk),
                "project_path": project.project_path,
                "files": [
                    {"path": row.path, "size": row.size, "modified": iso(row.generated_at)}
                    for row in rows
                ],
                "total_files": len(rows),
            }
        )

    @extend_schema(responses={200: OBJECT, 400: OBJECT, 404: OBJECT})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_path>.+)")
    def file_content(self, request, pk=None, file_path=None):
        project = self.get_project(pk)
        try:
            # Refused before any lookup: nothing outside the project folder is ever read.
            storage.resolve_file(project.pk, file_path)
        except InvalidPath as error:
            raise BadRequest(str(error)) from None
        row = selectors.project_file(project=project, path=file_path)
        if row is None:
            raise NotFound("File not found")
        return Response({"content": row.content, "size": row.size, "lines": row.lines})

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        project = self.get_project(pk)
        rows = selectors.project_files(project=project)
        if not rows:
            raise NotFound("Project not executed yet")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for row in rows:
                archive.writestr(f"{project.pk}/{row.path}", row.content)
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{project.pk}.zip"'
        return response

    @extend_schema(responses=OBJECT)
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        project = self.get_project(pk)
        data = project_data(project)
        return Response(
            {
                "project": data,
                "exported_at": iso(timezone.now()),
                "export_version": "1.0",
                "files": [
                    {"name": "README.md", "content": export_readme(project)},
                    {"name": "project.json", "content": json.dumps(data, indent=2)},
                    {"name": "brief.md", "content": export_brief(project)},
                ],
            }
        )


def export_readme(project) -> str:
    return (
        f"# {project.name}\n\n{project.description}\n\n"
        f"- Status: {project.status}\n"
        f"- Model: {project.primary_model} ({project.agent_role}, {project.strategy})\n"
        f"- Files generated: {project.files_generated}\n"
        f"- Lines of code: {project.lines_of_code}\n"
        f"- Cost: ${project.actual_cost:.2f} (estimate ${project.cost_estimate:.2f})\n\n"
        "Exported from YAGO.\n"
    )


def export_brief(project) -> str:
    lines = [f"# Brief: {project.name}", ""]
    # project_idea first, then alphabetical: JSONB does not keep the keys' order.
    keys = sorted(project.brief, key=lambda key: (key != "project_idea", key))
    for key in keys:
        value = project.brief[key]
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"- **{key}**: {shown}")
    return "\n".join(lines) + "\n"


# --- Clarifications --------------------------------------------------------------------------


class ClarificationStartIn(serializers.Serializer):
    project_idea = serializers.CharField(max_length=5000)
    depth = serializers.ChoiceField(choices=Depth.choices, required=False, default=Depth.MINIMAL)


class AnswerIn(serializers.Serializer):
    answer = serializers.JSONField(required=False, allow_null=True, validators=[validate_json_value])
    skip = serializers.BooleanField(required=False, default=False)


class DraftIn(serializers.Serializer):
    answers = serializers.DictField(required=False, validators=[validate_json_value])
    current_question = bounded_int(required=False)
    notes = serializers.CharField(max_length=10000, required=False, allow_blank=True)


def public_question(question: dict | None) -> dict | None:
    if question is None:
        return None
    keys = ("id", "text", "type", "required", "category", "options")
    return {key: question[key] for key in keys if key in question}


def session_progress(session) -> dict:
    answered = len(session.answers)
    total = session.total_questions
    categories: dict[str, dict] = {}
    for question in session.questions:
        entry = categories.setdefault(question["category"], {"answered": 0, "total": 0})
        entry["total"] += 1
        entry["answered"] += question["id"] in session.answers
    done = len(set(session.answers) | set(session.skipped))
    return {
        "answered": answered,
        "total": total,
        "percentage": round(answered / total * 100, 1) if total else 0.0,
        "category_progress": categories,
        "estimated_time_remaining": services.estimated_minutes(total - done),
    }


def session_state(session) -> dict:
    current = (
        session.questions[session.position]
        if session.position < session.total_questions and not session.is_completed
        else None
    )
    return {
        "session_id": str(session.pk),
        "current_question": public_question(current),
        "progress": session_progress(session),
        "can_skip": bool(current is not None and not current.get("required")),
        "can_finish_early": len(session.answers)
        >= services.finish_threshold(session.total_questions),
        "next_available": session.position < session.total_questions - 1,
        "previous_available": session.position > 0,
    }


class ClarificationViewSet(YagoViewSet):
    lookup_value_regex = "[^/]+"

    def get_session(self, pk):
        session = selectors.session_get(user=self.request.user, session_id=pk)
        if session is None:
            raise NotFound(SESSION_NOT_FOUND)
        return session

    @extend_schema(request=ClarificationStartIn, responses={200: OBJECT, 502: OBJECT})
    @action(detail=False, methods=["post"])
    def start(self, request):
        body = ClarificationStartIn(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            session = services.clarification_start(**body.validated_data, owner=self.owner())
        except ProviderError as error:
            return AfterResponse(
                {"detail": error.message, "error": error.message},
                status=status.HTTP_502_BAD_GATEWAY,
                after=[lambda calls=error.calls: services.usage_record(calls=calls)],
            )
        return Response(session_state(session))

    @extend_schema(responses=OBJECT)
    def retrieve(self, request, pk=None):
        session = self.get_session(pk)
        return Response(
            {
                **session_state(session),
                "project_idea": session.project_idea,
                "depth": session.depth,
                "status": "completed" if session.is_completed else "active",
                "questions": [public_question(q) for q in session.questions],
                "answers": session.answers,
                "skipped": session.skipped,
                "draft": session.draft,
                "brief": session.brief,
                "created_at": iso(session.created_at),
                "updated_at": iso(session.updated_at),
                "completed_at": iso(session.completed_at),
            }
        )

    @extend_schema(responses=OBJECT)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        session = self.get_session(pk)
        return Response(
            {
                "session_id": str(session.pk),
                "progress": session_progress(session),
                "can_finish_early": session_state(session)["can_finish_early"],
                "is_completed": session.is_completed,
            }
        )

    @extend_schema(request=AnswerIn, responses={200: OBJECT, 409: OBJECT})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        session = self.get_session(pk)
        body = AnswerIn(data=request.data)
        body.is_valid(raise_exception=True)
        session = services.clarification_answer(
            session=session,
            answer=body.validated_data.get("answer"),
            skip=body.validated_data["skip"],
        )
        return Response(session_state(session))

    @extend_schema(request=None, responses={200: OBJECT, 409: OBJECT})
    @action(detail=True, methods=["post"], url_path=r"navigate/(?P<direction>next|previous)")
    def navigate(self, request, pk=None, direction=None):
        session = services.clarification_navigate(session=self.get_session(pk), direction=direction)
        return Response(session_state(session))

    @extend_schema(request=DraftIn, responses=OBJECT)
    @action(detail=True, methods=["put"])
    def draft(self, request, pk=None):
        session = self.get_session(pk)
        body = DraftIn(data=request.data)
        body.is_valid(raise_exception=True)
        session = services.clarification_save_draft(session=session, draft=request.data)
        return Response(
            {
                "session_id": str(session.pk),
                "status": "draft_saved",
                "draft": session.draft,
                "saved_at": iso(session.updated_at),
            }
        )

    @extend_schema(request=None, responses={200: OBJECT, 409: OBJECT})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        session = services.clarification_complete(session=self.get_session(pk))
        return Response(
            {
                "status": "completed",
                "message": "Clarification completed, brief generated",
                "brief": session.brief,
            }
        )


# --- Cost alerts ------------------------------------------------------------------------------


class CostAlertViewSet(YagoViewSet):
    lookup_field = "alert_id"
    lookup_value_regex = "[^/]+"

    @extend_schema(responses=OBJECT)
    def list(self, request):
        alerts = selectors.cost_alerts(user=request.user)
        return Response(
            {
                "alerts": alerts,
                "total_alerts": len(alerts),
                "unread_count": sum(1 for alert in alerts if alert["severity"] == "high"),
                "timestamp": iso(timezone.now()),
            }
        )

    @extend_schema(request=None, responses={200: OBJECT, 404: OBJECT})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, alert_id=None):
        known = {a["id"] for a in selectors.cost_alerts(user=request.user, include_dismissed=True)}
        if alert_id not in known and not selectors.alert_dismissed(
            alert_id=alert_id, user=request.user
        ):
            raise NotFound("Alert not found")
        dismissal = services.cost_alert_dismiss(alert_id=alert_id, user=request.user)
        return Response(
            {
                "alert_id": dismissal.alert_id,
                "status": "dismissed",
                "dismissed_at": iso(dismissal.dismissed_at),
            }
        )
