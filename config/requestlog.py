"""One log line and one set of metrics per request, under a request id (config/requestid.py).

`RequestLogMiddleware` runs first, so it sees every answer (redirects, CORS preflights, 404s
included) with its final status; it times the request, counts its database queries on every
configured database, answers `X-Request-ID` and logs one line (JSON in production):

    {"time": "...", "level": "INFO", "logger": "config.requestlog", "message": "GET /luna/venues 200",
     "method": "GET", "route": "luna-venue-list", "path": "/luna/venues", "status": 200,
     "duration_ms": 12.3, "db_queries": 1, "client_ip": "10.0.0.9", "request_id": "..."}
"""

import logging
import time
from contextlib import ExitStack

from django.conf import settings
from django.db import connections
from django.urls import Resolver404, resolve
from django.utils.functional import SimpleLazyObject, empty

from config import metrics, requestid
from config.clientip import client_ip

logger = logging.getLogger(__name__)

UNMATCHED = "<unmatched>"  # every path no URL pattern knows: one label, whatever the path
STATIC = "<static>"
# Clients can send any method name: others are counted under one label.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_of(request) -> str:
    """The URL pattern's name (or, unnamed, its route): a bounded label, never the raw path."""
    match = getattr(request, "resolver_match", None)
    if match is None:  # answered before URL resolution (a redirect, a preflight, whitenoise)
        if request.path_info.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
            return STATIC
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return UNMATCHED
    return match.view_name if match.url_name else (match.route or "/")


def _user_id(request) -> str | None:
    """The authenticated account, only if something already looked it up (no extra query)."""
    user = request.__dict__.get("user")  # the session's lazy user, or the one DRF authenticated
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    if user is not None and getattr(user, "is_authenticated", False):
        return str(user.pk)
    return None


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = requestid.accept(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        counter = _QueryCounter()
        started = time.perf_counter()
        with requestid.bound(request_id), ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response[requestid.HEADER] = request_id
            route = route_of(request)
            method = request.method if request.method in METHODS else "other"
            metrics.record_request(
                route=route,
                method=method,
                status=response.status_code,
                seconds=seconds,
                queries=counter.count,
            )
            if not logger.isEnabledFor(logging.INFO):  # LOG_LEVEL=WARNING: no line to build
                return response
            fields = {
                "method": method,
                "route": route,
                "path": request.path[:500],
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "db_queries": counter.count,
                "client_ip": client_ip(request),
            }
            if (user := _user_id(request)) is not None:
                fields["user"] = user
            if (key := getattr(request, "access_key_name", None)) is not None:
                fields["app_key"] = key
            logger.info(
                "%s %s %s %.1fms %dq",
                fields["method"],
                fields["path"],
                fields["status"],
                fields["duration_ms"],
                fields["db_queries"],
                extra=fields,
            )
        return response
