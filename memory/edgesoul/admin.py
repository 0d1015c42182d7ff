from django.contrib import admin
from django.core.cache import cache
from django.db.models import QuerySet

from config.admin_scale import ScaledAdmin, exact_value_filter

from ..aggregates import count_of
from .models import CompanionProfile, ConversationContext, EmotionalPattern, Memory
from .selectors import edgesoul_totals


@admin.display(description="user id", ordering="user_id")
def user_key(row) -> str:
    """The row's user id as stored: showing it needs no join to the profile."""
    return row.user_id


# Filter by the exact EdgeSoul user id typed in a box (there may be 100k users).
UserIdFilter = exact_value_filter("user_id", "user id")

# The changelist's database statistics count whole tables: computed at most once a minute.
TOTALS_CACHE_SECONDS = 60


@admin.register(CompanionProfile)
class CompanionProfileAdmin(ScaledAdmin):
    list_display = ("user_id", "name", "memory_count", "pattern_count", "total_messages", "created_at")
    # No list filters: gender, tone and style are not indexed (a scan of 100k profiles).
    search_fields = ("user_id__exact",)
    date_hierarchy = "created_at"
    autocomplete_fields = ("account",)  # the linked account (user access mode)
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

    @admin.display(description="memories")
    def memory_count(self, profile: CompanionProfile) -> int:
        return profile.memory_total

    @admin.display(description="patterns")
    def pattern_count(self, profile: CompanionProfile) -> int:
        return profile.pattern_total

    def changelist_view(self, request, extra_context=None):
        # Database statistics (the original's migrate_database.py stats), for staff only:
        # the admin already requires is_staff.
        stats = cache.get_or_set("admin:edgesoul_totals", edgesoul_totals, TOTALS_CACHE_SECONDS)
        extra_context = {**(extra_context or {}), "edgesoul_stats": stats}
        return super().changelist_view(request, extra_context)


@admin.register(Memory)
class MemoryAdmin(ScaledAdmin):
    # Confidence, access count and context are on the change page.
    list_display = (user_key, "memory_type", "short_content", "importance", "created_at")
    list_filter = ("memory_type", UserIdFilter, "created_at")
    search_fields = ("id__exact", "user__user_id__exact")
    search_help_text = "An exact user id or memory id."
    autocomplete_fields = ("user",)
    readonly_fields = ("id", "last_accessed", "access_count")
    date_hierarchy = "created_at"
    list_select_related = False  # user_key shows the stored user id: no join needed

    @admin.display(description="content")
    def short_content(self, memory: Memory) -> str:
        return memory.content[:60]


@admin.register(EmotionalPattern)
class EmotionalPatternAdmin(ScaledAdmin):
    list_display = (user_key, "emotion", "frequency", "avg_intensity", "trend", "last_occurrence")
    list_filter = (UserIdFilter,)  # trend is not indexed: 150k patterns at demo scale 1
    search_fields = ("user__user_id__exact",)
    autocomplete_fields = ("user",)
    list_select_related = False


@admin.register(ConversationContext)
class ConversationContextAdmin(ScaledAdmin):
    list_display = (user_key, "session_id", "current_emotion", "message_count", "last_activity")
    list_filter = ("current_emotion",)
    search_fields = ("user__user_id__exact", "session_id")
    autocomplete_fields = ("user",)
    readonly_fields = ("started_at",)
    list_select_related = False

    @admin.display(description="messages")
    def message_count(self, context: ConversationContext) -> int:
        return len(context.messages or [])


