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

from config.admin_scale import ScaledAdmin
from config.audit import named_actor
from config.dashboard import dashboard_panels
from config.dbstats import database_stats, human_size

AUDIT_HISTORY_PER_PAGE = 20


def dbstats_view(request):
    """Staff-only page with the figures of `manage.py dbstats`."""
    stats = database_stats()
    context = {
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
            apps.append(
                {
                    "name": "Platform",
                    "app_label": "platform",
                    "app_url": url,
                    "has_module_perms": True,
                    "models": [
                        {
                            "name": "Database statistics",
                            "object_name": "DatabaseStatistics",
                            "admin_url": url,
                            "add_url": None,
                            "view_only": True,
                            "perms": {"view": True},
                        }
                    ],
                }
            )
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
