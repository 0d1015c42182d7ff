"""Audit trail helpers on top of django-auditlog.

Every model of every app is registered by `AUDITLOG_INCLUDE_ALL_MODELS` (settings), so each
insert, update and delete writes an `auditlog.LogEntry` with old and new values and a timestamp.
Who did it:

- API and admin requests: the authenticated user (`AuditlogMiddleware` below, also for JWT);
  without one, the name of the application key that authenticated the request (the request's
  `access_key_name` attribute), else `api`, stored as a named actor.
- Management commands: every command runs as the named actor `command:<name>`
  (`command:seed`, `command:createsuperuser`, `command:loaddata`; `install_command_actor`),
  stored in the entry's `additional_data` as `{"actor": "command:seed"}` (the `actor` foreign
  key stays empty). A command called by another keeps the outer command's name.
  Code can name its own actor: `with audit_actor("account-deletion"): ...`.
- Bulk writes: `with audit_bulk_write(): ...` turns per-row logging off and
  `audit_batch(...)` writes one entry for the whole batch.

What is logged: the model's own columns. `clean_audited_fields` keeps reverse relations
(`venue.action_items`, `user.pupmatch_likes`) out of every entry; many-to-many changes are
logged as such by auditlog (`{"members": {"type": "m2m", "operation": "add", ...}}`).
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from auditlog.cid import set_cid
from auditlog.context import _set_extra_data, auditlog_value, disable_auditlog, set_extra_data
from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import models
from django.db.models.signals import pre_save
from django.utils.functional import SimpleLazyObject

ACTOR_KEY = "actor"
COMMAND_PREFIX = "command:"
API_ACTOR = "api"


def _authenticated_user(request):
    user = getattr(request, "user", None)
    if isinstance(user, get_user_model()) and user.is_authenticated:
        return user
    return None


# The context of every request is applied by one receiver connected once (`connect_request_
# receiver`, PlatformConfig.ready): auditlog's own middleware connects and disconnects a
# receiver per request, which also empties pre_save's receiver cache every time (issue 11: a
# seventh of a bare request's CPU).
REQUEST_CONTEXT = "config.audit.request"


def connect_request_receiver() -> None:
    pre_save.connect(
        functools.partial(_set_extra_data, signal_duid=REQUEST_CONTEXT),
        sender=LogEntry,
        dispatch_uid=REQUEST_CONTEXT,
        weak=False,
    )


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """auditlog's middleware with the actor looked up when an entry is written.

    The stock middleware reads `request.user` before the view runs, when a JWT-authenticated
    API user is still anonymous to Django (DRF authenticates inside the view and then sets
    `request.user`). A lazy actor sees the user DRF or the session authenticated.
    """

    def __call__(self, request):
        set_cid(request)
        context = self.get_extra_data(request)
        context["signal_duid"] = REQUEST_CONTEXT
        token = auditlog_value.set(context)
        try:
            return self.get_response(request)
        finally:
            auditlog_value.reset(token)

    @staticmethod
    def _get_actor(request):
        return SimpleLazyObject(lambda: _authenticated_user(request))

    def get_extra_data(self, request):
        data = super().get_extra_data(request)
        # Called when an entry is written (auditlog calls callables), after DRF authenticated.
        data["additional_data"] = lambda: request_actor_data(request)
        return data


def request_actor_data(request) -> dict | None:
    """The named actor of a request without an authenticated user: its key's name, or `api`."""
    if _authenticated_user(request) is not None:
        return None
    return {ACTOR_KEY: getattr(request, "access_key_name", None) or API_ACTOR}


@contextmanager
def audit_actor(name: str, *, keep_user: bool = True, **extra) -> Iterator[None]:
    """Attribute every audit entry written inside the block to the named actor.

    `with audit_actor("seed"): call_command("loaddata", ...)` stores
    `additional_data = {"actor": "seed", **extra}` on each entry. Inside a request the
    authenticated user is kept as the entry's `actor`, unless `keep_user=False` (a user
    deleting their own account: the entry must not point at the row being deleted). Blocks
    nest: the previous actor is back in charge after the inner block ends.
    """
    previous = auditlog_value.get(None)
    context = {"additional_data": {ACTOR_KEY: name, **extra}}
    if keep_user and _is_active(previous):
        # Inside a request the authenticated user stays the actor next to the name.
        context.update(
            {
                key: previous[key]
                for key in ("actor", "remote_addr", "remote_port")
                if key in previous
            }
        )
    try:
        with set_extra_data(context):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


def _is_active(context: dict | None) -> bool:
    """Whether an auditlog context is still in force (a finished one stays in the variable)."""
    if not context or "signal_duid" not in context:
        return False
    return any(key[0] == context["signal_duid"] for key, *_ in pre_save.receivers)


@contextmanager
def audit_bulk_write() -> Iterator[None]:
    """Turn off per-row audit entries for a bulk write (pair it with `audit_batch`)."""
    with disable_auditlog():
        yield


def audit_batch(
    *, actor: str, model: type[models.Model], count: int, source: str, action: int | None = None
) -> LogEntry:
    """Write ONE audit entry for a batch of `count` rows of `model` written from `source`.

    Bulk imports log a batch instead of one entry per row so they stay fast.
    """
    opts = model._meta
    action = LogEntry.Action.CREATE if action is None else action
    # Inside a management command the entry names the command, like its per-row entries.
    actor = _active_command() or actor
    with audit_actor(actor, batch={"model": opts.label, "rows": count, "source": source}):
        return LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_pk="*",
            object_repr=f"{count} {opts.verbose_name_plural} from {source}",
            action=action,
            changes={"rows": [None, count]},
        )


def _active_command() -> str | None:
    """The `command:<name>` actor in force, if a command is running."""
    context = auditlog_value.get(None)
    if not _is_active(context):
        return None
    data = context.get("additional_data")
    name = data.get(ACTOR_KEY) if isinstance(data, dict) else None
    return name if isinstance(name, str) and name.startswith(COMMAND_PREFIX) else None


def install_command_actor() -> None:
    """Run every management command (Django's, auditlog's, ours) as `command:<name>`.

    Django has no hook around a command's execution, so `BaseCommand.execute` is wrapped once
    at startup (PlatformConfig.ready); `call_command` and `manage.py` both go through it.
    """
    original = BaseCommand.execute
    if getattr(original, "audit_actor_installed", False):
        return

    @functools.wraps(original)
    def execute(self, *args, **options):
        if _active_command() is not None:
            return original(self, *args, **options)
        name = type(self).__module__.rsplit(".", 1)[-1]
        with audit_actor(f"{COMMAND_PREFIX}{name}"):
            return original(self, *args, **options)

    execute.audit_actor_installed = True
    BaseCommand.execute = execute


def clean_audited_fields() -> None:
    """Keep reverse relations out of every registered model's entries.

    auditlog's diff of a created or deleted row walks `_meta.get_fields()`, which includes
    reverse relations, so a new venue logged `Action items: None → venues.ActionItem.None`
    and a new user 21 such "changes". Only the model's own columns (and many-to-many fields,
    logged through m2m_changed) are kept.
    """
    for model in auditlog.get_models():
        config = auditlog._registry[model]  # get_model_fields() returns copies
        reverse = [
            relation.name
            for relation in model._meta.get_fields()
            if relation.auto_created and not relation.concrete
        ]
        config["exclude_fields"] = sorted({*config["exclude_fields"], *reverse})


def audit_rows_added(*, parent: models.Model, field: str, objects: list[str]) -> LogEntry | None:
    """ONE entry on `parent` for rows bulk-created under it (bulk_create sends no signals).

    Logged like a many-to-many change (`{"words (zh)": {"type": "m2m", "operation": "add",
    "objects": [...]}}`) so it shows in the parent's audit history under the request's actor.
    """
    if not objects:
        return None
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(parent),
        object_pk=str(parent.pk),
        object_id=parent.pk if isinstance(parent.pk, int) else None,
        object_repr=str(parent)[:200],
        action=LogEntry.Action.UPDATE,
        changes={field: {"type": "m2m", "operation": "add", "objects": objects}},
    )


def audit_prune(
    *, older_than_days: int, batch_size: int = 5000, progress=None, now=None
) -> int:
    """Delete audit entries older than `older_than_days` days, oldest first, in batches.

    Each batch is its own short transaction (a long delete would hold locks on the log every
    request writes to). `progress(done, total)` is called after each batch. Returns the count.
    """
    from django.db import transaction
    from django.utils import timezone

    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    old = LogEntry.objects.filter(timestamp__lt=cutoff)
    total = old.count()
    done = 0
    while done < total:
        with transaction.atomic():
            ids = list(old.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            LogEntry.objects.filter(pk__in=ids).delete()
        done += len(ids)
        if progress:
            progress(min(done, total), total)
    return done


def named_actor(entry: LogEntry) -> str | None:
    """The command name an entry was written under, if any."""
    data = entry.additional_data
    return data.get(ACTOR_KEY) if isinstance(data, dict) else None
