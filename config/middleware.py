import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, transaction
from django.dispatch import receiver
from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, resolve

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _non_atomic(request) -> bool:
    """Whether the view asked to run outside the request transaction.

    The marker is Django's own: `@transaction.non_atomic_requests` on a view function, or on
    a DRF viewset's action method (the view then commits its writes itself, e.g. before it
    waits for a background job).
    """
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    view = match.func
    handler = view
    cls, actions = getattr(view, "cls", None), getattr(view, "actions", None)
    if cls is not None and actions:
        handler = getattr(cls, actions.get(request.method.lower(), ""), None)
    return DEFAULT_DB_ALIAS in getattr(handler, "_non_atomic_requests", ())


class WriteTransactionMiddleware:
    """One transaction per write request: committed on success, rolled back on any 4xx/5xx.

    Reads stay outside a transaction so that, on SQLite, they never queue behind the
    IMMEDIATE write lock. Views marked `@transaction.non_atomic_requests` manage their own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS or _non_atomic(request):
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response


class RejectNulCharactersMiddleware:
    """400 for a NUL character in the path or the query string, on both engines alike.

    PostgreSQL refuses NUL in any text value (a 500 from the driver when a path or query
    parameter reaches a filter); SQLite would store it. Request bodies are checked by the
    serializers (DRF's CharField) and by config.parsers.SafeJSONParser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return JsonResponse(
                {"detail": "Null characters are not allowed in the URL."}, status=400
            )
        return self.get_response(request)


class JSONGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for JSON bodies of at least GZIP_MIN_BYTES.

    Negotiated as Django does it (only to an `Accept-Encoding: gzip` request, `Vary:
    Accept-Encoding`, random bytes in the header against BREACH, strong ETags made weak).
    Small bodies are sent as they are: compressing them costs more time than it saves.
    """

    def process_response(self, request, response):
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("application/json")
            or len(response.content) < settings.GZIP_MIN_BYTES
        ):
            return response
        return super().process_response(request, response)


# What a view's csp decorators leave on its response: a policy of its own.
_VIEW_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


@functools.cache
def _settings_policies() -> tuple:
    """(header, value, exempt attribute, excluded prefixes) of the policy and the report-only
    policy the settings define, built once per process."""
    return tuple(
        (
            header,
            build_policy(report_only=report_only),
            exempt,
            tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()),
        )
        for header, report_only, exempt, setting in (
            (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        )
    )


@receiver(setting_changed)
def _forget_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_policies.cache_clear()


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware with the settings' policy built once per process.

    django-csp builds the header from CONTENT_SECURITY_POLICY for every response: a fifth of
    the bare view's CPU (issue 11). A response with a policy of its own (the csp decorators),
    a request that used its nonce, or DEBUG's error pages still go through django-csp.
    """

    def process_response(self, request, response):
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in _VIEW_POLICY)
        ):
            return super().process_response(request, response)
        for header, policy, exempt, excluded in _settings_policies():
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(excluded)
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class ReleaseViewMiddleware:
    """Frees what a REST framework view held as soon as its answer is rendered.

    A DRF view and its response reference each other and themselves (`view.response`, the
    response's `renderer_context` holding the view and the response, a viewset's handlers
    bound to it), so reference counting never frees them: they wait for a full garbage
    collection, which in a process holding the whole app runs only every few hundred requests. Every response's data waited with them — at scale 1,
    3.5 MB of recommendations per request, 370–460 MiB per gunicorn worker (`bench/rss.py`).
    Emptying the view once the body is rendered (innermost middleware: Django renders before
    the middleware chain unwinds) breaks those cycles, so each request's objects go when it ends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        context = getattr(response, "renderer_context", None)
        if context:
            view = context.get("view")
            if view is not None:
                vars(view).clear()
            context.clear()
        return response
