"""Audit trail helpers on top of django-auditlog.

Every model of every app is registered by `AUDITLOG_INCLUDE_ALL_MODELS` (settings), so each
insert, update and delete writes an `auditlog.LogEntry` with old and new values and a timestamp.
Who did it:

- API and admin requests: the authenticated user (`AuditlogMiddleware` below, also for JWT).
- Management commands: a named actor, `with audit_actor("seed"): ...`, stored in the entry's
  `additional_data` as `{"actor": "seed"}` (the `actor` foreign key stays empty).
- Bulk imports: `with audit_bulk_write(): ...` turns per-row logging off and
  `audit_batch(...)` writes one entry for the whole batch.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from auditlog.context import auditlog_value, disable_auditlog, set_extra_data
from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_save
from django.utils.functional import SimpleLazyObject

ACTOR_KEY = "actor"


def _authenticated_user(request):
    user = getattr(request, "user", None)
    if isinstance(user, get_user_model()) and user.is_authenticated:
        return user
    return None


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """auditlog's middleware with the actor looked up when an entry is written.

    The stock middleware reads `request.user` before the view runs, when a JWT-authenticated
    API user is still anonymous to Django (DRF authenticates inside the view and then sets
    `request.user`). A lazy actor sees the user DRF or the session authenticated.
    """

    @staticmethod
    def _get_actor(request):
        return SimpleLazyObject(lambda: _authenticated_user(request))


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
    with audit_actor(actor, batch={"model": opts.label, "rows": count, "source": source}):
        return LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_pk="*",
            object_repr=f"{count} {opts.verbose_name_plural} from {source}",
            action=action,
            changes={"rows": [None, count]},
        )


def named_actor(entry: LogEntry) -> str | None:
    """The command name an entry was written under, if any."""
    data = entry.additional_data
    return data.get(ACTOR_KEY) if isinstance(data, dict) else None
