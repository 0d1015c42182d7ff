"""The job queue (Huey) as the apps use it.

- `enqueue_on_commit(task, *args)`: a job starts only once the rows it reads are committed
  (`transaction.on_commit`); outside a transaction it is enqueued at once.
- Every task the consumer runs is recorded in `JobRecord` from Huey's signals, so failed and
  retried jobs show in the admin (Platform › Jobs).
- Each job runs under the request id it was enqueued with (config/queue.py stores it with the
  job; a job enqueued by none gets its own): its log lines carry it, and one line per job says
  how it ended and how long it took (also the `jobs_duration_seconds` metric).
- `current_slot(schedule)`: the cron slot a periodic task runs for, so a task that two
  schedulers both enqueued runs once (the slot is a unique key in the task's own table).
"""

import logging
import threading
import time
import traceback
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from huey import crontab, signals
from huey.contrib.djhuey import HUEY

from config import metrics, requestid

logger = logging.getLogger(__name__)

huey = HUEY


_on_commit = transaction.on_commit  # tests in immediate mode replace it (see conftest.py)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Enqueue `task(*args, **kwargs)` when the current transaction commits (with the request
    id of now, wherever the commit happens)."""
    _on_commit(partial(_enqueue, requestid.current(), task, args, kwargs))


def _enqueue(request_id, task, args, kwargs):
    with requestid.bound(request_id):
        return task(*args, **kwargs)


def parse_cron(expression: str) -> crontab:
    """A five-field cron expression ("0 3 * * *") as Huey's crontab; ValueError when not."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"A cron schedule has 5 fields, not {len(fields)}: {expression!r}")
    minute, hour, day, month, day_of_week = fields
    return crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week)


def current_slot(schedule, now: datetime | None = None, limit_minutes: int = 60 * 24 * 32):
    """The latest minute at or before `now` (UTC) that `schedule` (a crontab) matches."""
    now = (now or timezone.now()).astimezone(UTC).replace(second=0, microsecond=0)
    moment = now
    for _ in range(limit_minutes):
        if schedule(moment.replace(tzinfo=None)):
            return moment
        moment -= timedelta(minutes=1)
    return None


def previous_slots(schedule, now: datetime | None = None, count: int = 2) -> list[datetime]:
    """The `count` latest slots at or before `now`, newest first (for "is it overdue?")."""
    slots, moment = [], now or timezone.now()
    while len(slots) < count:
        slot = current_slot(schedule, moment)
        if slot is None:
            break
        slots.append(slot)
        moment = slot - timedelta(minutes=1)
    return slots


# --- What the consumer ran ----------------------------------------------------------------

_STATES = {
    signals.SIGNAL_EXECUTING: "executing",
    signals.SIGNAL_COMPLETE: "complete",
    signals.SIGNAL_ERROR: "error",
    signals.SIGNAL_RETRYING: "retrying",
    signals.SIGNAL_REVOKED: "revoked",
    signals.SIGNAL_EXPIRED: "expired",
    signals.SIGNAL_INTERRUPTED: "interrupted",
}


def job_record(signal: str, task, exc: BaseException | None = None) -> None:
    """Write the task's state (consumer side only; immediate mode records nothing)."""
    from config.models import JobRecord

    if huey.immediate or signal not in _STATES:
        return
    now = timezone.now()
    defaults = {
        "name": f"{type(task).__module__}.{task.name}"[:200],
        "arguments": repr((task.args, task.kwargs))[:2000],
        "state": _STATES[signal],
        # Huey counts the retry down after it signals it.
        "retries_left": max((task.retries or 0) - (signal == signals.SIGNAL_RETRYING), 0),
        "updated_at": now,
    }
    if signal == signals.SIGNAL_EXECUTING:
        defaults["started_at"] = now
        defaults["finished_at"] = None
    else:
        defaults["finished_at"] = now
    if exc is not None:
        defaults["error"] = "".join(traceback.format_exception(exc))[-10000:]
    close_old_connections()
    try:
        record, created = JobRecord.objects.update_or_create(task_id=task.id, defaults=defaults)
        if signal == signals.SIGNAL_EXECUTING:
            JobRecord.objects.filter(pk=record.pk).update(attempts=record.attempts + 1)
    except Exception:  # the job itself matters more than its record
        logger.exception("Could not record job %s (%s)", task.id, signal)


huey.signal()(job_record)


# --- Request id, duration and one log line per job -----------------------------------------


@huey.pre_execute()
def job_started(task) -> None:
    # A retry is stored with the same id (config.queue reads `task.request_id`).
    task.request_id = getattr(task, "request_id", None) or requestid.current() or requestid.new()
    task._observed = (requestid.bind(task.request_id), time.monotonic())


@huey.post_execute()
def job_finished(task, value, exc: BaseException | None) -> None:
    token, started = task.__dict__.pop("_observed", (None, None))
    if started is None:
        return
    seconds = time.monotonic() - started
    outcome = "complete" if exc is None else "error"
    metrics.record_job(task=task.name, outcome=outcome, seconds=seconds)
    logger.info(
        "job %s %s in %.1fms",
        task.name,
        outcome,
        seconds * 1000,
        extra={
            "task": f"{type(task).__module__}.{task.name}",
            "task_id": task.id,
            "outcome": outcome,
            "duration_ms": round(seconds * 1000, 1),
        },
    )
    requestid.unbind(token)


_exporter = {"started": False, "lock": threading.Lock()}


@huey.on_startup()
def metrics_exporter() -> None:
    """CONSUMER_METRICS_BIND: serve this consumer's job metrics (once, whichever worker starts
    first); refused without METRICS_TOKEN, like /metrics."""
    bind = settings.CONSUMER_METRICS_BIND
    with _exporter["lock"]:
        if not bind or _exporter["started"]:
            return
        _exporter["started"] = True
        if not settings.METRICS_TOKEN:
            logger.warning("CONSUMER_METRICS_BIND is set without METRICS_TOKEN: not serving metrics")
            return
        metrics.consumer_exporter_start(bind)
        logger.info("Job metrics at http://%s/metrics", bind)
