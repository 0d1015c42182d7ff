from django.contrib import admin
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import urlencode

from config.admin_scale import ScaledAdmin, exact_value_filter, recent_rows

from ..aggregates import count_of
from .models import ApprovedCard, ChatMessage, LearnerProfile, MasteredGrammar, MasteredWord

LATEST = 20  # rows per inline on a learner's change page


class RecentInline(admin.TabularInline):
    """The parent's latest rows, read-only: a learner holds hundreds of words (thousands in use).

    Read-only cells render as text (form widgets made the change page cost 0.8 s at demo
    scale 1); each row links to its own change page and `all_rows` on the profile links to
    the full, filtered changelists.
    """

    formset = recent_rows(LATEST)
    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class MasteredWordInline(RecentInline):
    model = MasteredWord
    fields = ("word", "language", "added_at")
    verbose_name_plural = f"mastered words (latest {LATEST})"


class MasteredGrammarInline(RecentInline):
    model = MasteredGrammar
    fields = ("grammar_uri", "added_at")
    verbose_name_plural = f"mastered grammar (latest {LATEST})"


class ApprovedCardInline(RecentInline):
    model = ApprovedCard
    fields = ("card_type", "content", "approved_at")
    verbose_name_plural = f"approved cards (latest {LATEST})"


class ChatMessageInline(RecentInline):
    model = ChatMessage
    fields = ("role", "content", "timestamp")
    verbose_name_plural = f"chat messages (latest {LATEST})"


@admin.register(LearnerProfile)
class LearnerProfileAdmin(ScaledAdmin):
    # Grammar, cards and chat counts are the change page's inlines.
    list_display = ("id", "name", "school", "zh_words", "en_words", "created_at")
    list_filter = ("gender", "school")
    search_fields = ("id", "name", "school")
    autocomplete_fields = ("owner",)  # the account that created it (user access mode)
    readonly_fields = ("created_at", "updated_at", "all_rows")
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

    @admin.display(description="all rows")
    def all_rows(self, profile: LearnerProfile):
        """Links to the learner's rows in each child changelist (the inlines show the latest)."""
        if not hasattr(profile, "zh_total"):
            return "-"  # the add page: no rows yet
        counts = (
            (MasteredWord, profile.zh_total + profile.en_total),
            (MasteredGrammar, profile.grammar_total),
            (ApprovedCard, profile.card_total),
            (ChatMessage, profile.chat_total),
        )
        return format_html_join(
            " · ",
            '<a href="{}?{}">{} {}</a>',
            (
                (
                    reverse(f"admin:memory_{model._meta.model_name}_changelist"),
                    urlencode({"profile_id": profile.pk}),
                    count,
                    model._meta.verbose_name_plural,
                )
                for model, count in counts
            ),
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
