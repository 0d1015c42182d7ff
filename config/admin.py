"""Platform pages in the admin: dashboard, database statistics, audit history, audit log.

Hooked into the default admin site from here (no urls.py change):
- `/admin/`: the dashboard (config/dashboard.py) above the list of apps.
- `/admin/dbstats/`: rows per table, size, engine, last backup (staff only), listed on the
  admin index under "Platform".
- `/admin/<app>/<model>/<pk>/auditlog/`: django-auditlog's history of any object of any
  registered model; change pages link to it next to "History".
- The auditlog LogEntry changelist also shows and searches the named actors of commands.
"""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from config.admin_scale import ScaledAdmin
from config.audit import named_actor
from config.backup_runs import backup_state
from config.backups import backup_list
from config.dashboard import dashboard_panels
from config.dbstats import database_stats, human_size
from config.models import ApplicationKey, BackupRun, DashboardDay, JobRecord

AUDIT_HISTORY_PER_PAGE = 20


def dbstats_view(request):
    """Staff-only page with the figures of `manage.py dbstats`."""
    stats = database_stats()
    context = {
        "backups": [
            {**manifest, "size": human_size(manifest.get("size_bytes", 0))}
            for manifest in backup_list()
        ],
        "backup_state": backup_state(),
        **admin.site.each_context(request),
        "title": "Database statistics",
        "stats": stats,
        "size": human_size(stats.size_bytes),
        "tables": sorted(stats.tables.items()),
    }
    return TemplateResponse(request, "admin/dbstats.html", context)


def audit_history_view(request, app_label, model_name, object_id):
    """django-auditlog's per-object history for any model registered in the admin."""
    model_admin = next(
        (
            model_admin
            for model, model_admin in admin.site._registry.items()
            if (model._meta.app_label, model._meta.model_name) == (app_label, model_name)
        ),
        None,
    )
    if model_admin is None:
        raise Http404("No such model in the admin")
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        raise Http404("No such object")
    if not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied
    entries = LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp")
    paginator = model_admin.get_paginator(request, entries, AUDIT_HISTORY_PER_PAGE)
    page = paginator.get_page(request.GET.get(PAGE_VAR, 1))
    opts = model_admin.model._meta
    context = {
        **admin.site.each_context(request),
        "title": f"Audit log: {obj}",
        "module_name": str(capfirst(opts.verbose_name_plural)),
        "page_range": paginator.get_elided_page_range(page.number),
        "page_var": PAGE_VAR,
        "pagination_required": paginator.count > AUDIT_HISTORY_PER_PAGE,
        "object": obj,
        "opts": opts,
        "log_entries": page,
    }
    return TemplateResponse(request, "auditlog/object_history.html", context)


def _platform_urls(get_urls):
    def urls():
        return [
            path("dbstats/", admin.site.admin_view(dbstats_view), name="dbstats"),
            path(
                "<str:app_label>/<str:model_name>/<path:object_id>/auditlog/",
                admin.site.admin_view(audit_history_view),
                name="audit_history",
            ),
            *get_urls(),
        ]

    return urls


def _platform_app_list(get_app_list):
    def app_list(request, app_label=None):
        apps = get_app_list(request, app_label)
        if request.user.is_active and request.user.is_staff and app_label in (None, "platform"):
            url = reverse("admin:dbstats")
            page = {
                "name": "Database statistics",
                "object_name": "DatabaseStatistics",
                "admin_url": url,
                "add_url": None,
                "view_only": True,
                "perms": {"view": True},
            }
            # The platform's own models (application keys) already have an entry: join it.
            platform = next((app for app in apps if app["app_label"] == "platform"), None)
            if platform is None:
                apps.append(
                    {
                        "name": "Platform",
                        "app_label": "platform",
                        "app_url": url,
                        "has_module_perms": True,
                        "models": [page],
                    }
                )
            else:
                platform["models"].append(page)
        return apps

    return app_list


def _dashboard_index(index):
    def view(request, extra_context=None):
        return index(request, {**(extra_context or {}), "dashboard": dashboard_panels(request.user)})

    return view


admin.site.index = _dashboard_index(admin.site.index)
admin.site.get_urls = _platform_urls(admin.site.get_urls)
admin.site.get_app_list = _platform_app_list(admin.site.get_app_list)


admin.site.unregister(LogEntry)


class ResourceTypeFilter(admin.SimpleListFilter):
    """The audited models to filter by, read from the (small) content type table.

    auditlog's own filter lists `SELECT DISTINCT content_type` over the whole log.
    """

    title = "resource type"
    parameter_name = "resource_type"

    def lookups(self, request, model_admin):
        return [
            (str(content_type.pk), f"{content_type.app_label}.{content_type.model}")
            for content_type in ContentType.objects.order_by("app_label", "model")
        ]

    def queryset(self, request, queryset):
        return queryset.filter(content_type_id=self.value()) if self.value() else queryset


@admin.register(LogEntry)
class AuditLogEntryAdmin(ScaledAdmin, LogEntryAdmin):
    """auditlog's searchable log, plus the actor name of management commands."""

    # Five columns fit 1400 px; the correlation id is on the entry's page.
    list_display = ["created", "resource_url", "action", "msg_short", "who"]
    list_filter = ["action", ResourceTypeFilter]
    # auditlog searches actor__first_name/last_name, which accounts.User does not have, and
    # the changes text (the largest column).
    search_fields = ["object_repr", "object_pk__exact", "actor__email__exact", "additional_data"]

    @admin.display(description="Actor")
    def who(self, obj):
        return named_actor(obj) or self.user_url(obj)


# --- Application keys (config/access.py, `key` mode) ----------------------------------------

# The library's own APIKey model is installed but unused: ApplicationKey replaces it.
admin.site.unregister(APIKey)


@admin.register(ApplicationKey)
class ApplicationKeyAdmin(ScaledAdmin, APIKeyModelAdmin):
    """Create (the key is shown once, in a message) and revoke application keys."""

    list_display = (
        "prefix",
        "name",
        "mounts_opened",
        "created",
        "last_used_at",
        "expiry_date",
        "_has_expired",
        "revoked",
    )
    list_filter = ("revoked", "luna", "edgesoul", "learning", "yago", "created")
    search_fields = ("name", "prefix")
    fields = ("name", "luna", "edgesoul", "learning", "yago", "expiry_date", "revoked")

    def get_readonly_fields(self, request, obj=None):
        fields = ("prefix", "created", "last_used_at")
        if obj is not None and obj.revoked:
            fields += ("name", "luna", "edgesoul", "learning", "yago", "revoked", "expiry_date")
        return fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return ("prefix", *self.fields, "created", "last_used_at")

    @admin.display(description="Opens")
    def mounts_opened(self, obj: ApplicationKey) -> str:
        return ", ".join(obj.mounts)


@admin.register(JobRecord)
class JobRecordAdmin(ScaledAdmin):
    """What the consumers ran: failed and retried jobs with their traceback."""

    list_display = ("name", "state", "attempts", "retries_left", "started_at", "finished_at")
    list_filter = ("state", "name")
    search_fields = ("task_id", "name", "error")
    readonly_fields = [field.name for field in JobRecord._meta.fields]
    date_hierarchy = "updated_at"

    def has_add_permission(self, request):
        return False


@admin.register(DashboardDay)
class DashboardDayAdmin(ScaledAdmin):
    """The dashboard's per-day rollup (config/dashboard.py): read-only, rebuilt hourly."""

    list_display = ("chart", "day", "value", "computed_at")
    list_filter = ("chart",)
    search_fields = ("chart",)
    readonly_fields = [field.name for field in DashboardDay._meta.fields]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BackupRun)
class BackupRunAdmin(ScaledAdmin):
    list_display = ("started_at", "status", "file_name", "size", "slot", "copied_to")
    list_filter = ("status",)
    search_fields = ("file_name", "check_result")
    readonly_fields = [field.name for field in BackupRun._meta.fields]

    def has_add_permission(self, request):
        return False
