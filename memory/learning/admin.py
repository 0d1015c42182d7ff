from django.contrib import admin
from django.db.models import QuerySet, Subquery
from django.forms.models import BaseInlineFormSet

from config.admin_scale import ScaledAdmin, exact_value_filter

from ..aggregates import count_of
from .models import ApprovedCard, ChatMessage, LearnerProfile, MasteredGrammar, MasteredWord


class RecentRowsFormSet(BaseInlineFormSet):
    """Only the most recent rows: a real profile holds thousands of words.

    The full list is one click away in the row's own changelist (filter by profile).
    """

    max_rows = 20

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
    verbose_name_plural = "mastered words (latest 20)"


class MasteredGrammarInline(RecentInline):
    model = MasteredGrammar
    fields = ("grammar_uri", "added_at")
    verbose_name_plural = "mastered grammar (latest 20)"


class ApprovedCardInline(RecentInline):
    model = ApprovedCard
    fields = ("card_type", "content", "approved_at")
    verbose_name_plural = "approved cards (latest 20)"


class ChatMessageInline(RecentInline):
    model = ChatMessage
    fields = ("role", "content", "timestamp")
    verbose_name_plural = "chat messages (latest 20)"


@admin.register(LearnerProfile)
class LearnerProfileAdmin(ScaledAdmin):
    # Grammar, cards and chat counts are the change page's inlines.
    list_display = ("id", "name", "school", "zh_words", "en_words", "created_at")
    list_filter = ("gender", "school")
    search_fields = ("id", "name", "school")
    autocomplete_fields = ("owner",)  # the account that created it (user access mode)
    readonly_fields = ("created_at", "updated_at")
    inlines = (MasteredWordInline, MasteredGrammarInline, ApprovedCardInline, ChatMessageInline)

    def get_queryset(self, request) -> QuerySet[LearnerProfile]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                zh_total=count_of(MasteredWord, language="zh"),
                en_total=count_of(MasteredWord, language="en"),
                grammar_total=count_of(MasteredGrammar),
                card_total=count_of(ApprovedCard),
                chat_total=count_of(ChatMessage),
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


ProfileFilter = exact_value_filter("profile_id", "learner id")


class LearnerRowAdmin(ScaledAdmin):
    autocomplete_fields = ("profile",)
    list_select_related = ("profile",)


@admin.register(MasteredWord)
class MasteredWordAdmin(LearnerRowAdmin):
    list_display = ("word", "language", "profile", "added_at")
    list_filter = ("language", ProfileFilter)
    search_fields = ("word__exact",)
    date_hierarchy = "added_at"


@admin.register(MasteredGrammar)
class MasteredGrammarAdmin(LearnerRowAdmin):
    list_display = ("grammar_uri", "profile", "added_at")
    list_filter = (ProfileFilter,)
    search_fields = ("grammar_uri", "profile__name")


@admin.register(ApprovedCard)
class ApprovedCardAdmin(LearnerRowAdmin):
    list_display = ("card_type", "profile", "approved_at")
    list_filter = ("card_type", ProfileFilter)
    search_fields = ("card_type", "profile__name")


@admin.register(ChatMessage)
class ChatMessageAdmin(LearnerRowAdmin):
    list_display = ("role", "short_content", "profile", "timestamp")
    list_filter = ("role", ProfileFilter)
    search_fields = ("content", "profile__name")

    @admin.display(description="content")
    def short_content(self, message: ChatMessage) -> str:
        return message.content[:80]
