from django.contrib import admin
from django.db.models import QuerySet

from ..aggregates import count_of
from .models import CompanionProfile, ConversationContext, EmotionalPattern, Memory
from .selectors import edgesoul_totals


@admin.display(description="user id", ordering="user_id")
def user_key(row) -> str:
    """The row's user id as stored: showing it needs no join to the profile."""
    return row.user_id


class UserIdFilter(admin.SimpleListFilter):
    """Filter by the exact EdgeSoul user id typed in a box (there may be 100k users)."""

    title = "user id"
    parameter_name = "user_id"
    template = "admin/memory/input_filter.html"

    def lookups(self, request, model_admin):
        return ((self.value() or "", self.value() or ""),)

    def queryset(self, request, queryset):
        return queryset.filter(user_id=self.value()) if self.value() else queryset




@admin.register(CompanionProfile)
class CompanionProfileAdmin(admin.ModelAdmin):
    list_display = (
        "user_id",
        "name",
        "gender",
        "memory_count",
        "pattern_count",
        "total_messages",
        "account",
        "created_at",
    )
    list_filter = ("gender", "preferred_tone", "response_style", ("account", admin.EmptyFieldListFilter))
    search_fields = ("user_id", "name", "account__email")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request) -> QuerySet[CompanionProfile]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                # Memories and patterns reference the profile by its user_id.
                memory_total=count_of(Memory, field="user", outer="user_id"),
                pattern_total=count_of(EmotionalPattern, field="user", outer="user_id"),
            )
        )

    @admin.display(description="memories", ordering="memory_total")
    def memory_count(self, profile: CompanionProfile) -> int:
        return profile.memory_total

    @admin.display(description="emotional patterns", ordering="pattern_total")
    def pattern_count(self, profile: CompanionProfile) -> int:
        return profile.pattern_total

    def changelist_view(self, request, extra_context=None):
        # Database statistics (the original's migrate_database.py stats), for staff only:
        # the admin already requires is_staff.
        extra_context = {**(extra_context or {}), "edgesoul_stats": edgesoul_totals()}
        return super().changelist_view(request, extra_context)


@admin.register(Memory)
class MemoryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        user_key,
        "memory_type",
        "short_content",
        "confidence",
        "importance",
        "access_count",
        "created_at",
    )
    list_filter = ("memory_type", UserIdFilter, "created_at")
    search_fields = ("content", "context", "=user__user_id")
    autocomplete_fields = ("user",)
    readonly_fields = ("id", "last_accessed", "access_count")
    date_hierarchy = "created_at"
    list_select_related = False  # user_key shows the stored user id: no join needed

    @admin.display(description="content")
    def short_content(self, memory: Memory) -> str:
        return memory.content[:80]


@admin.register(EmotionalPattern)
class EmotionalPatternAdmin(admin.ModelAdmin):
    list_display = (user_key, "emotion", "frequency", "avg_intensity", "trend", "last_occurrence")
    list_filter = ("trend", "emotion", UserIdFilter)
    search_fields = ("=user__user_id", "emotion")
    autocomplete_fields = ("user",)
    list_select_related = False


@admin.register(ConversationContext)
class ConversationContextAdmin(admin.ModelAdmin):
    list_display = (user_key, "session_id", "current_emotion", "message_count", "last_activity")
    list_filter = ("current_emotion",)
    search_fields = ("=user__user_id", "session_id")
    autocomplete_fields = ("user",)
    readonly_fields = ("started_at",)
    list_select_related = False

    @admin.display(description="messages")
    def message_count(self, context: ConversationContext) -> int:
        return len(context.messages or [])


