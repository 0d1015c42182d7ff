from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control


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
        }
    )


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
