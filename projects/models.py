import re
import uuid

import orjson
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.natural_keys import NaturalKeyManager, NaturalKeyMixin


class ProjectStatus(models.TextChoices):
    CREATING = "creating", "Creating"
    IN_PROGRESS = "in_progress", "In progress"
    EXECUTING = "executing", "Executing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    PAUSED = "paused", "Paused"


class Depth(models.TextChoices):
    MINIMAL = "minimal", "Minimal (10 questions)"
    STANDARD = "standard", "Standard (20 questions)"
    FULL = "full", "Full (40 questions)"


class ProviderName(models.TextChoices):
    OPENAI = "openai", "OpenAI"
    ANTHROPIC = "anthropic", "Anthropic"
    GEMINI = "gemini", "Gemini"
    CURSOR = "cursor", "Cursor"
    OFFLINE = "offline", "Offline"


def _empty_list() -> list:
    return []


def _empty_dict() -> dict:
    return {}


MONEY = {"max_digits": 14, "decimal_places": 6}

# 19 digits in a row: maybe an integer orjson would read as a float (it keeps 64 bits only).
_LONG_DIGITS = re.compile(r"\d{19}")


class OrjsonJSONField(models.JSONField):
    """A JSONField read with orjson (about 4x faster than json.loads: the project list reads
    four per row). Same values: orjson parses a subset of what json does, identically, except
    integers beyond 64 bits, which it turns into floats; the text json alone reads (such
    integers, NaN, Infinity, lone surrogates) goes through JSONField's own json.loads."""

    def from_db_value(self, value, expression, connection):
        if isinstance(value, str) and self.decoder is None and not _LONG_DIGITS.search(value):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        return super().from_db_value(value, expression, connection)

    def deconstruct(self):
        # Reading is all that differs: to migrations it is a JSONField.
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs


class Project(models.Model):
    """A code-generation project: the brief, its model settings, progress and cost."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # keep the project (and its files) when an account goes
        related_name="yago_projects",
    )
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.CREATING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    brief = OrjsonJSONField(default=_empty_dict, blank=True)
    config = OrjsonJSONField(default=_empty_dict, blank=True)
    primary_model = models.CharField(max_length=100, default="unknown")
    agent_role = models.CharField(max_length=100, default="unknown")
    strategy = models.CharField(max_length=50, default="balanced")
    temperature = models.FloatField(default=0.7)
    max_tokens = models.PositiveIntegerField(default=4000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # null until executed: the contract returns null, not "".
    project_path = models.CharField(max_length=500, null=True, blank=True)  # noqa: DJ001
    cost_estimate = models.DecimalField(default=0, **MONEY)
    actual_cost = models.DecimalField(default=0, **MONEY)
    files_generated = models.PositiveIntegerField(default=0)
    lines_of_code = models.PositiveIntegerField(default=0)
    errors = OrjsonJSONField(default=_empty_list, blank=True)
    logs = OrjsonJSONField(default=_empty_list, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("created_at",), name="projects_project_created_at"),
            # The list's other sort orders (`sort=updated_at`, `sort=name`).
            models.Index(fields=("updated_at",), name="projects_project_updated_at"),
            models.Index(fields=("name",), name="projects_project_name"),
            models.Index(fields=("owner", "created_at"), name="projects_project_owner_time"),
            # `?status=` newest first: the page is read in index order, not sorted from all
            # the status's rows (SQLite sorted every completed project's whole row). It also
            # serves every `status =` filter, as the index on status alone did.
            models.Index(fields=("status", "created_at", "id"), name="projects_project_status_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="projects_project_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100),
                name="projects_project_progress_0_100",
            ),
            models.CheckConstraint(
                condition=Q(cost_estimate__gte=0, actual_cost__gte=0),
                name="projects_project_costs_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(files_generated__gte=0, lines_of_code__gte=0),
                name="projects_project_counts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClarificationSession(models.Model):
    """A questionnaire that turns a one-line idea into a project brief."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="yago_clarification_sessions",
    )
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="clarification_sessions",
    )
    project_idea = models.TextField()
    depth = models.CharField(max_length=20, choices=Depth.choices, default=Depth.MINIMAL)
    # [{"id": "q1", "text", "type", "required", "category", "options"?, "key"?}, ...]
    questions = models.JSONField(default=_empty_list)
    answers = models.JSONField(default=_empty_dict, blank=True)  # {"q1": answer}
    skipped = models.JSONField(default=_empty_list, blank=True)  # ["q4", ...]
    position = models.PositiveIntegerField(default=0)  # index of the current question
    total_questions = models.PositiveIntegerField(default=0)
    draft = models.JSONField(default=_empty_dict, blank=True)
    brief = models.JSONField(null=True, blank=True)
    is_completed = models.BooleanField(default=False)
    ai_provider = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("created_at",), name="projects_session_created_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(depth__in=Depth.values), name="projects_session_depth_valid"
            ),
            models.CheckConstraint(
                condition=Q(position__lte=models.F("total_questions")),
                name="projects_session_position_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_idea[:60]} ({self.depth})"


class GeneratedFile(NaturalKeyMixin, models.Model):
    """One file written by code generation under the project's folder (content kept too)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=500)  # relative to the project folder, "/" separated
    file_type = models.CharField(max_length=50, blank=True)
    content = models.TextField(blank=True)
    size = models.PositiveIntegerField(default=0)  # bytes (UTF-8)
    lines = models.PositiveIntegerField(default=0)
    checksum = models.CharField(max_length=64)  # sha256 hex of the UTF-8 content
    ai_provider = models.CharField(max_length=50, blank=True)
    generated_at = models.DateTimeField(default=timezone.now)

    # loaddata finds the row by its unique key (config/natural_keys.py).
    natural_key_fields = ("project_id", "path")
    objects = NaturalKeyManager()

    class Meta:
        ordering = ("project", "path")
        indexes = [models.Index(fields=("file_type",), name="projects_file_type")]
        constraints = [
            models.UniqueConstraint(fields=("project", "path"), name="projects_file_unique_path"),
        ]

    def __str__(self) -> str:
        return self.path


class ProviderUsage(models.Model):
    """One call to a code-generation provider: tokens, cost, duration and outcome."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # spending history outlives the project
        related_name="usage",
    )
    session = models.ForeignKey(
        ClarificationSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="usage",
    )
    provider = models.CharField(max_length=20, choices=ProviderName.choices)
    model = models.CharField(max_length=100)
    request_type = models.CharField(max_length=50, blank=True)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(default=0, **MONEY)
    duration_ms = models.PositiveIntegerField(default=0)
    success = models.BooleanField(default=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = "provider usage"
        verbose_name_plural = "provider usage"
        indexes = [
            models.Index(fields=("provider", "created_at"), name="projects_usage_provider_time"),
            models.Index(fields=("created_at",), name="projects_usage_created_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=ProviderName.values),
                name="projects_usage_provider_valid",
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0), name="projects_usage_cost_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}/{self.model} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def total_tokens(self) -> int:
        return self.tokens_in + self.tokens_out


class CostAlertDismissal(models.Model):
    """A cost alert someone dismissed: it stays dismissed (alert ids are deterministic)."""

    alert_id = models.CharField(max_length=120, unique=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-dismissed_at",)

    def __str__(self) -> str:
        return self.alert_id


# --- Catalogs (the rest of the front end's API: yago-frontend.md) -----------------------------


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
    EXPERT = "expert", "Expert"


class ModelProvider(models.TextChoices):
    # The catalog's vendors ("google", not the usage table's "gemini") plus the offline generator.
    OPENAI = "openai", "OpenAI"
    ANTHROPIC = "anthropic", "Anthropic"
    GOOGLE = "google", "Google"
    CURSOR = "cursor", "Cursor"
    OFFLINE = "offline", "Offline"
    NONE = "", "(none: the default price)"


class MarketplaceItemType(models.TextChoices):
    PLUGIN = "plugin", "Plugin"
    TEMPLATE = "template", "Template"
    INTEGRATION = "integration", "Integration"


PRICE = {"max_digits": 12, "decimal_places": 8}  # USD per 1,000 tokens
SLUG_ID = {"primary_key": True, "max_length": 100}


class TemplateCategory(models.Model):
    """A group of project templates (the gallery's tabs)."""

    id = models.SlugField(**SLUG_ID)
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0, db_index=True)

    class Meta:
        ordering = ("position", "id")
        verbose_name_plural = "template categories"

    def __str__(self) -> str:
        return self.name


class Template(models.Model):
    """A project template of the gallery; applying it creates a project from its description."""

    id = models.SlugField(**SLUG_ID)
    name = models.CharField(max_length=200)
    description = models.TextField()
    category = models.ForeignKey(
        TemplateCategory, on_delete=models.PROTECT, related_name="templates"
    )
    difficulty = models.CharField(max_length=20, choices=Difficulty.choices)
    is_popular = models.BooleanField(default=False)
    icon = models.CharField(max_length=16, blank=True)
    tags = models.JSONField(default=_empty_list, blank=True)
    estimated_time = models.CharField(max_length=50, blank=True)
    estimated_cost = models.DecimalField(default=0, max_digits=12, decimal_places=2)
    file = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")
        indexes = [
            models.Index(fields=("position", "id"), name="projects_template_order"),
            models.Index(fields=("difficulty",), name="projects_template_difficulty"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(difficulty__in=Difficulty.values),
                name="projects_template_difficulty_valid",
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost__gte=0), name="projects_template_cost_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AIModel(models.Model):
    """An AI model: the model catalog (listed rows) and the one source of model prices.

    Unlisted rows only price the models the providers call (and `default`, the price of a
    model that has no row); `/models/list` shows the listed rows in `position` order.
    """

    DEFAULT_ID = "default"

    id = models.CharField(**SLUG_ID)
    name = models.CharField(max_length=200)
    provider = models.CharField(max_length=20, choices=ModelProvider.choices, blank=True)
    description = models.TextField(blank=True)
    context_window = models.PositiveIntegerField(default=0)
    max_tokens = models.PositiveIntegerField(default=0)
    cost_per_1k_input = models.DecimalField(**PRICE)
    cost_per_1k_output = models.DecimalField(**PRICE)
    speed_score = models.PositiveSmallIntegerField(default=0)
    quality_score = models.PositiveSmallIntegerField(default=0)
    capabilities = models.JSONField(default=_empty_list, blank=True)
    status = models.CharField(max_length=20, default="available")
    enabled = models.BooleanField(default=True)
    listed = models.BooleanField(
        default=True, help_text="Shown in the model catalog; unlisted rows only set prices."
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")
        verbose_name = "AI model"
        indexes = [
            models.Index(fields=("listed", "position", "id"), name="projects_aimodel_catalog"),
            models.Index(fields=("provider",), name="projects_aimodel_provider"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=ModelProvider.values),
                name="projects_aimodel_provider_valid",
            ),
            models.CheckConstraint(
                condition=Q(cost_per_1k_input__gte=0, cost_per_1k_output__gte=0),
                name="projects_aimodel_prices_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(speed_score__lte=10, quality_score__lte=10),
                name="projects_aimodel_scores_0_10",
            ),
        ]

    def __str__(self) -> str:
        return self.id


class MarketplaceItem(models.Model):
    """A plugin, template or integration of the marketplace."""

    id = models.SlugField(**SLUG_ID)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=MarketplaceItemType.choices)
    description = models.TextField(blank=True)
    author = models.CharField(max_length=100, blank=True)
    version = models.CharField(max_length=30)
    downloads = models.PositiveIntegerField(default=0)
    rating = models.DecimalField(default=0, max_digits=3, decimal_places=1)
    price = models.CharField(max_length=30, default="free")
    icon = models.CharField(max_length=16, blank=True)
    tags = models.JSONField(default=_empty_list, blank=True)
    installed = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")
        indexes = [models.Index(fields=("type",), name="projects_marketitem_type")]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=MarketplaceItemType.values),
                name="projects_marketitem_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=0, rating__lte=5), name="projects_marketitem_rating_0_5"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ExecutionStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_EXECUTION = (ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.PAUSED)


class ProjectExecution(models.Model):
    """One run of code generation as a background job, resumable step by step.

    Step 0 is the provider call; its answer is kept in `generation`, so steps 1..n (one per
    file) and the final step never call the provider again after a pause or a lost worker.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="executions")
    status = models.CharField(
        max_length=20, choices=ExecutionStatus.choices, default=ExecutionStatus.QUEUED
    )
    step = models.PositiveIntegerField(default=0)  # the next step to run
    generation = models.JSONField(null=True, blank=True)  # {"provider","architecture","files"}
    error = models.TextField(blank=True)
    http_status = models.PositiveSmallIntegerField(default=502)  # for a failure answered in time
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("status", "heartbeat_at"), name="projects_execution_beat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ExecutionStatus.values),
                name="projects_execution_status_valid",
            ),
            # At most one unfinished execution per project.
            models.UniqueConstraint(
                fields=("project",),
                condition=Q(status__in=ACTIVE_EXECUTION),
                name="projects_execution_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.status} (step {self.step})"

    @property
    def files_total(self) -> int:
        return len((self.generation or {}).get("files", []))
