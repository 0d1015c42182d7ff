from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet

from .edgesoul_selectors import edgesoul_totals
from .models import (
    ApprovedCard,
    ChatMessage,
    CompanionProfile,
    ConversationContext,
    EmotionalPattern,
    LearnerProfile,
    MasteredGrammar,
    MasteredWord,
    Memory,
)


def _count_of(model, *, field: str = "profile", outer: str = "pk", **filters) -> Coalesce:
    """A correlated COUNT subquery: several counts per row without multiplying joins."""
    rows = (
        model.objects.filter(**{field: OuterRef(outer)}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


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


# --- EdgeSoul ----------------------------------------------------------------------------


@admin.register(CompanionProfile)
class CompanionProfileAdmin(admin.ModelAdmin):
    list_display = (
        "user_id",
        "name",
        "gender",
        "memory_count",
        "pattern_count",
        "total_messages",
        "created_at",
    )
    list_filter = ("gender", "preferred_tone", "response_style")
    search_fields = ("user_id", "name")
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request) -> QuerySet[CompanionProfile]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                # Memories and patterns reference the profile by its user_id.
                memory_total=_count_of(Memory, field="user", outer="user_id"),
                pattern_total=_count_of(EmotionalPattern, field="user", outer="user_id"),
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


# --- Learning ----------------------------------------------------------------------------


class RecentRowsFormSet(BaseInlineFormSet):
    """Only the most recent rows: a real profile holds thousands of words.

    The full list is one click away in the row's own changelist (filter by profile).
    """

    max_rows = 50

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            rows = super().get_queryset()
            recent = rows.order_by("-pk").values("pk")[: self.max_rows]
            self._queryset = rows.filter(pk__in=Subquery(recent)).order_by("pk")
        return self._queryset


class RecentInline(admin.TabularInline):
    formset = RecentRowsFormSet
    extra = 0
    show_change_link = True


class MasteredWordInline(RecentInline):
    model = MasteredWord
    fields = ("word", "language", "added_at")
    verbose_name_plural = "mastered words (latest 50)"


class MasteredGrammarInline(RecentInline):
    model = MasteredGrammar
    fields = ("grammar_uri", "added_at")
    verbose_name_plural = "mastered grammar (latest 50)"


class ApprovedCardInline(RecentInline):
    model = ApprovedCard
    fields = ("card_type", "content", "approved_at")
    verbose_name_plural = "approved cards (latest 50)"


class ChatMessageInline(RecentInline):
    model = ChatMessage
    fields = ("role", "content", "timestamp")
    verbose_name_plural = "chat messages (latest 50)"


@admin.register(LearnerProfile)
class LearnerProfileAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "name",
        "school",
        "zh_words",
        "en_words",
        "grammar_points",
        "cards",
        "chat_messages",
        "created_at",
    )
    list_filter = ("gender", "school")
    search_fields = ("id", "name", "school")
    readonly_fields = ("created_at", "updated_at")
    inlines = (MasteredWordInline, MasteredGrammarInline, ApprovedCardInline, ChatMessageInline)

    def get_queryset(self, request) -> QuerySet[LearnerProfile]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                zh_total=_count_of(MasteredWord, language="zh"),
                en_total=_count_of(MasteredWord, language="en"),
                grammar_total=_count_of(MasteredGrammar),
                card_total=_count_of(ApprovedCard),
                chat_total=_count_of(ChatMessage),
            )
        )

    @admin.display(description="zh words", ordering="zh_total")
    def zh_words(self, profile: LearnerProfile) -> int:
        return profile.zh_total

    @admin.display(description="en words", ordering="en_total")
    def en_words(self, profile: LearnerProfile) -> int:
        return profile.en_total

    @admin.display(description="grammar", ordering="grammar_total")
    def grammar_points(self, profile: LearnerProfile) -> int:
        return profile.grammar_total

    @admin.display(description="cards", ordering="card_total")
    def cards(self, profile: LearnerProfile) -> int:
        return profile.card_total

    @admin.display(description="chat", ordering="chat_total")
    def chat_messages(self, profile: LearnerProfile) -> int:
        return profile.chat_total


class LearnerRowAdmin(admin.ModelAdmin):
    autocomplete_fields = ("profile",)
    list_select_related = ("profile",)


@admin.register(MasteredWord)
class MasteredWordAdmin(LearnerRowAdmin):
    list_display = ("word", "language", "profile", "added_at")
    list_filter = ("language", "profile")
    search_fields = ("word", "profile__name")


@admin.register(MasteredGrammar)
class MasteredGrammarAdmin(LearnerRowAdmin):
    list_display = ("grammar_uri", "profile", "added_at")
    list_filter = ("profile",)
    search_fields = ("grammar_uri", "profile__name")


@admin.register(ApprovedCard)
class ApprovedCardAdmin(LearnerRowAdmin):
    list_display = ("card_type", "profile", "approved_at")
    list_filter = ("card_type", "profile")
    search_fields = ("card_type", "profile__name")


@admin.register(ChatMessage)
class ChatMessageAdmin(LearnerRowAdmin):
    list_display = ("role", "short_content", "profile", "timestamp")
    list_filter = ("role", "profile")
    search_fields = ("content", "profile__name")

    @admin.display(description="content")
    def short_content(self, message: ChatMessage) -> str:
        return message.content[:80]
