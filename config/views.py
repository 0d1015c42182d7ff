from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from config import cache, landing
from config.backup_runs import backup_state


def engine_name() -> str:
    """The database engine actually in use, as the clients name it."""
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
        connection.vendor, connection.vendor
    )


def healthz(request):
    """200 with the engine and migration state when the database answers, 503 when not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        backup = backup_state()["state"] if not pending else "unknown"
    except DatabaseError as error:
        return JsonResponse(
            {"status": "unavailable", "database": {"engine": engine_name()}, "detail": str(error)},
            status=503,
        )
    return JsonResponse(
        {
            "status": "ok",
            "database": {"engine": engine_name(), "vendor": connection.vendor},
            "migrations": {"up_to_date": not pending, "pending": len(pending)},
            # "overdue": the last verified backup is older than the schedule allows, or the
            # latest one failed. Still 200: the server serves.
            "backup": backup,
            # "unavailable": CACHE_URL names a Redis that does not answer; reads come from the
            # database meanwhile (config/cache.py). Still 200: the server serves.
            "cache": cache.check(),
        }
    )


@require_safe
def home(request):
    """The landing page for people: HTML for a browser, JSON to `Accept: application/json`."""
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        response = JsonResponse(landing.landing_document())
    else:
        response = render(
            request, "config/landing.html", {"apps": landing.APPS, "links": landing.LINKS}
        )
    patch_vary_headers(response, ["Accept"])
    return response


@require_safe
def app_docs(request, slug: str):
    """An app's README, rendered."""
    app = landing.APPS_BY_SLUG.get(slug)
    if app is None:
        raise Http404
    return render(request, "config/docs.html", {"app": app, "body": landing.readme_html(app)})


def not_found(request, exception=None):
    return JsonResponse({"detail": "Not Found"}, status=404)


def server_error(request):
    return JsonResponse({"detail": "Internal server error"}, status=500)


def bad_request(request, exception=None):
    return JsonResponse({"detail": "Bad request"}, status=400)


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico: send them to the static file (hashed name in production)."""
    return HttpResponseRedirect(static("config/favicon.ico"))
