"""Platform models: the application keys that open the mounts in `key` mode (config/access.py),
what the job queue ran (failed and retried jobs in the admin) and backups."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from config.sql import Prepared


class Mount(models.TextChoices):
    """The mounts whose access a setting chooses (`<MOUNT>_ACCESS`)."""

    LUNA = "luna", "Luna (/luna/)"
    EDGESOUL = "edgesoul", "EdgeSoul (/edgesoul/)"
    LEARNING = "learning", "Learning (/learning/)"
    YAGO = "yago", "YAGO (/yago/)"


class ApplicationKeyManager(BaseAPIKeyManager):
    def usable(self, raw_key: str) -> "ApplicationKey | None":
        """The unrevoked, unexpired key matching `raw_key` (one query), else None.

        Checked on every request of a `key` mode mount: the lookup's SQL is compiled once per
        process (config/sql.py), which was most of the mode's cost.
        """
        prefix, dot, _ = raw_key.partition(".")
        if not dot:
            return None
        rows = _USABLE_KEY.rows(prefix)
        if not rows:
            return None
        key = self.model.from_db(self.db, _KEY_FIELDS, rows[0])
        if key.has_expired or not key.is_valid(raw_key):
            return None
        return key


class ApplicationKey(AbstractAPIKey):
    """A client application's key: `<prefix>.<secret>`, stored as a SHA-512 hash
    (djangorestframework-api-key), shown once when created in the admin.

    One flag per mount it opens; `last_used_at` is refreshed at most once a minute.
    """

    luna = models.BooleanField("opens Luna", default=False)
    edgesoul = models.BooleanField("opens EdgeSoul", default=False)
    learning = models.BooleanField("opens Learning", default=False)
    yago = models.BooleanField("opens YAGO", default=False)
    last_used_at = models.DateTimeField("last used", null=True, blank=True, editable=False)

    objects = ApplicationKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "application key"
        verbose_name_plural = "application keys"
        constraints = [
            models.CheckConstraint(
                condition=Q(luna=True) | Q(edgesoul=True) | Q(learning=True) | Q(yago=True),
                name="platform_applicationkey_opens_a_mount",
                violation_error_message="A key must open at least one mount.",
            ),
        ]

    def opens(self, mount: str) -> bool:
        return bool(getattr(self, Mount(mount).value))

    @property
    def mounts(self) -> list[str]:
        return [mount for mount in Mount.values if getattr(self, mount)]


_KEY_FIELDS = [field.attname for field in ApplicationKey._meta.concrete_fields]
_USABLE_KEY = Prepared(
    lambda prefix: ApplicationKey.objects.get_usable_keys()
    .filter(prefix=prefix)
    .order_by("pk")
    .values_list(*_KEY_FIELDS)[:1]
)


class JobState(models.TextChoices):
    EXECUTING = "executing", "Executing"
    COMPLETE = "complete", "Complete"
    ERROR = "error", "Failed"
    RETRYING = "retrying", "Retrying"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    INTERRUPTED = "interrupted", "Interrupted"


class JobRecord(models.Model):
    """One Huey task as the consumer saw it (written from Huey's signals, in the consumer)."""

    task_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, db_index=True)
    arguments = models.TextField(blank=True)
    state = models.CharField(max_length=20, choices=JobState.choices, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    retries_left = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-updated_at", "-id")
        verbose_name = "job"
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=JobState.values), name="platform_job_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.task_id[:8]} ({self.state})"


class BackupStatus(models.TextChoices):
    RUNNING = "running", "Running"
    OK = "ok", "Verified"
    FAILED = "failed", "Failed"


class BackupRun(models.Model):
    """One backup the scheduler (or `backup --verify`) made, with its check result."""

    # The schedule slot it ran for (unique: however many consumers, one backup per slot);
    # null for backups run by hand.
    slot = models.DateTimeField(null=True, blank=True, unique=True)
    status = models.CharField(
        max_length=20, choices=BackupStatus.choices, default=BackupStatus.RUNNING, db_index=True
    )
    file_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    check_result = models.TextField(blank=True)
    copied_to = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-started_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BackupStatus.values), name="platform_backup_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.file_name or f"backup {self.started_at:%Y-%m-%d %H:%M}"


class DashboardDay(models.Model):
    """One closed day's value of one admin dashboard chart (config/dashboard.py).

    The dashboard reads past days from here and counts only today live, so its cold page
    costs one small aggregate per chart at any data size. `dashboard_rollup_refresh` (hourly,
    config/tasks.py) recomputes the window's past days, so late changes show within the hour.
    """

    chart = models.CharField(max_length=50)
    day = models.DateField()
    value = models.FloatField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("chart", "day")
        constraints = [
            models.UniqueConstraint(fields=("chart", "day"), name="platform_dashboardday_chart_day_uniq"),
        ]
        verbose_name = "dashboard day"

    def __str__(self) -> str:
        return f"{self.chart} {self.day}: {self.value:g}"
