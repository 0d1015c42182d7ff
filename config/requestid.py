"""The request id: one per request, returned in `X-Request-ID`, on every log line and carried
into the jobs a request enqueues (config/queue.py), so one id finds a request's whole story.

Plain Python on purpose: the logging configuration and the job queue's class import it while
Django is still starting.
"""

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

HEADER = "X-Request-ID"
# What a load balancer or client may send (UUIDs, hex, AWS/Heroku-style ids): anything else,
# too long or with spaces, quotes or control characters, is replaced by a fresh id.
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def new() -> str:
    return uuid.uuid4().hex


def accept(incoming: str | None) -> str:
    """The incoming id when it is well formed, else a fresh one."""
    if incoming and WELL_FORMED.fullmatch(incoming):
        return incoming
    return new()


def current() -> str | None:
    """The id of the request (or job) this code runs for, None outside one."""
    return _current.get()


@contextmanager
def bound(request_id: str | None) -> Iterator[None]:
    """Run the block as part of `request_id` (log lines and enqueued jobs carry it)."""
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)


def bind(request_id: str | None):
    """Bind without a block (a job's pre-execute hook); `unbind(token)` ends it."""
    return _current.set(request_id)


def unbind(token) -> None:
    _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record logged inside a request or a job."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _current.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True
