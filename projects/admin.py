from django.contrib import admin
from django.db.models import Count, DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from config.admin_scale import ScaledAdmin
from projects import selectors
from projects.models import (
    AIModel,
    ClarificationSession,
    CostAlertDismissal,
    GeneratedFile,
    MarketplaceItem,
    Project,
    ProviderUsage,
    Template,
    TemplateCategory,
)

MONEY_OUT = DecimalField(max_digits=14, decimal_places=6)


class GeneratedFileInline(admin.TabularInline):
    model = GeneratedFile
    extra = 0
    fields = ("path", "file_type", "size", "lines", "checksum", "generated_at")
    readonly_fields = fields
    show_change_link = True
    can_delete = False


class ProviderUsageInline(admin.TabularInline):
    model = ProviderUsage
    fk_name = "project"
    extra = 0
    fields = (
        "created_at",
        "provider",
        "model",
        "request_type",
        "tokens_in",
        "tokens_out",
        "cost",
        "duration_ms",
        "success",
        "error",
    )
    readonly_fields = fields
    can_delete = False


@admin.register(Project)
class ProjectAdmin(ScaledAdmin):
    # Six columns fit 1400 px; files and provider calls are the change page's inlines.
    list_display = ("name", "status", "owner", "progress", "actual_cost", "created_at")
    list_filter = ("status", "primary_model", "strategy")
    search_fields = ("name", "description", "primary_model")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    readonly_fields = ("id", "created_at", "updated_at", "started_at", "completed_at")
    date_hierarchy = "created_at"
    inlines = (GeneratedFileInline, ProviderUsageInline)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            response.context_data["cost_totals"] = changelist.queryset.order_by().aggregate(
                estimate=Coalesce(Sum("cost_estimate"), Value(0), output_field=MONEY_OUT),
                actual=Coalesce(Sum("actual_cost"), Value(0), output_field=MONEY_OUT),
                projects=Count("id"),
            )
        return response


@admin.register(ClarificationSession)
class ClarificationSessionAdmin(ScaledAdmin):
    list_display = ("short_idea", "depth", "is_completed", "project", "owner", "created_at")
    list_filter = ("depth", "is_completed", "ai_provider")
    search_fields = ("project_idea",)
    list_select_related = ("project", "owner")
    autocomplete_fields = ("project", "owner")
    readonly_fields = ("id", "created_at", "updated_at", "completed_at")
    date_hierarchy = "created_at"

    @admin.display(description="idea", ordering="project_idea")
    def short_idea(self, session):
        return session.project_idea[:60]


@admin.register(GeneratedFile)
class GeneratedFileAdmin(ScaledAdmin):
    list_display = ("path", "project", "file_type", "size", "lines", "generated_at")
    list_filter = ("file_type", "ai_provider")
    search_fields = ("path", "project__name")
    list_select_related = ("project",)
    autocomplete_fields = ("project",)
    readonly_fields = ("id", "checksum", "generated_at")


@admin.register(ProviderUsage)
class ProviderUsageAdmin(ScaledAdmin):
    # Tokens, duration and errors are on the change page.
    list_display = ("created_at", "provider", "model", "project", "cost", "success")
    list_filter = ("provider", "success", "request_type", "model")
    search_fields = ("model", "project__name", "error")
    list_select_related = ("project",)
    autocomplete_fields = ("project", "session")
    readonly_fields = ("id",)
    date_hierarchy = "created_at"

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            response.context_data["provider_totals"] = selectors.usage_totals_by_provider(
                changelist.queryset
            )
        return response


@admin.register(CostAlertDismissal)
class CostAlertDismissalAdmin(ScaledAdmin):
    list_display = ("alert_id", "dismissed_at", "dismissed_by")
    search_fields = ("alert_id",)
    list_select_related = ("dismissed_by",)
    autocomplete_fields = ("dismissed_by",)
    date_hierarchy = "dismissed_at"


# --- Catalogs ------------------------------------------------------------------------------------


class TemplateInline(admin.TabularInline):
    model = Template
    extra = 0
    fields = ("position", "id", "name", "difficulty", "is_popular", "estimated_cost")
    show_change_link = True


@admin.register(TemplateCategory)
class TemplateCategoryAdmin(ScaledAdmin):
    list_display = ("name", "id", "position", "template_count")
    list_editable = ("position",)
    search_fields = ("id", "name")
    ordering = ("position", "id")
    inlines = (TemplateInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(template_total=Count("templates"))

    @admin.display(description="templates", ordering="template_total")
    def template_count(self, category):
        return category.template_total


@admin.register(Template)
class TemplateAdmin(ScaledAdmin):
    list_display = (
        "name",
        "id",
        "category",
        "difficulty",
        "is_popular",
        "estimated_time",
        "estimated_cost",
        "position",
    )
    list_filter = ("category", "difficulty", "is_popular")
    search_fields = ("id", "name", "description")
    list_select_related = ("category",)
    autocomplete_fields = ("category",)
    ordering = ("position", "id")


@admin.register(AIModel)
class AIModelAdmin(ScaledAdmin):
    """The model catalog and the price list: a price changed here applies to the next estimate
    and the next provider call (the cached price table is dropped on save)."""

    list_display = (
        "id",
        "name",
        "provider",
        "listed",
        "cost_per_1k_input",
        "cost_per_1k_output",
        "speed_score",
        "quality_score",
        "enabled",
        "position",
    )
    list_filter = ("listed", "provider", "enabled", "status")
    search_fields = ("id", "name", "description")
    ordering = ("-listed", "position", "id")


@admin.register(MarketplaceItem)
class MarketplaceItemAdmin(ScaledAdmin):
    list_display = ("name", "id", "type", "author", "version", "downloads", "rating", "price")
    list_filter = ("type", "author", "installed")
    search_fields = ("id", "name", "description", "author")
    ordering = ("position", "id")
