"""Platform models: the application keys that open the mounts in `key` mode (config/access.py)."""

from django.db import models
from django.db.models import Q
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager


class Mount(models.TextChoices):
    """The mounts whose access a setting chooses (`<MOUNT>_ACCESS`)."""

    LUNA = "luna", "Luna (/luna/)"
    EDGESOUL = "edgesoul", "EdgeSoul (/edgesoul/)"
    LEARNING = "learning", "Learning (/learning/)"
    YAGO = "yago", "YAGO (/yago/)"


class ApplicationKeyManager(BaseAPIKeyManager):
    def usable(self, raw_key: str) -> "ApplicationKey | None":
        """The unrevoked, unexpired key matching `raw_key` (one query), else None."""
        prefix, dot, _ = raw_key.partition(".")
        if not dot:
            return None
        key = self.get_usable_keys().filter(prefix=prefix).first()
        if key is None or key.has_expired or not key.is_valid(raw_key):
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
