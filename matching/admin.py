"""PupMatch admin: every model searchable and filterable on indexed columns.

Likes, passes and messages (up to 1M rows at demo scale 1) are searched by a user's exact email
through their indexed foreign keys; counts are per-row subqueries of the page shown.
"""

from django import forms
from django.contrib import admin

from config.admin_scale import (
    ScaledAdmin,
    UserEmailSearch,
    count_of,
    exact_value_filter,
    recent_rows,
)
from matching.models import (
    Conversation,
    Like,
    Match,
    Message,
    Pass,
    Photo,
    Playground,
    PlaygroundFavourite,
    Preferences,
    Profile,
    Prompt,
)


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ("image", "order", "created_at")
    readonly_fields = ("created_at",)


class PromptForm(forms.ModelForm):
    """Compact widgets: the tabular inline fits the change page with its delete column."""

    class Meta:
        model = Prompt
        fields = ("question", "answer", "order")
        widgets = {
            "question": forms.TextInput(attrs={"size": 30}),
            "answer": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "order": forms.NumberInput(attrs={"style": "width: 4em"}),
        }


class PromptInline(admin.TabularInline):
    model = Prompt
    form = PromptForm
    extra = 0
    fields = ("question", "answer", "order")


class PreferencesInline(admin.StackedInline):
    """Titled with the dog's name ("Preferences: Rex"): Preferences.__str__ is the profile's name."""

    model = Preferences
    extra = 0
    max_num = 1
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("profile")


@admin.register(Profile)
class ProfileAdmin(UserEmailSearch, ScaledAdmin):
    list_display = ("name", "user", "age", "photo_count", "created_at")
    list_select_related = ("user",)
    search_fields = ("name__exact",)
    user_search_fields = ("user",)
    search_help_text = "The dog's exact name or the owner's exact email."
    # No list filters: preferences' columns are not indexed (a scan of 100k profiles).
    autocomplete_fields = ("user",)
    readonly_fields = ("id", "created_at", "updated_at")
    date_hierarchy = "created_at"
    inlines = (PreferencesInline, PromptInline, PhotoInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(photo_total=count_of(Photo, field="profile"))

    @admin.display(description="photos")
    def photo_count(self, profile: Profile) -> int:
        return profile.photo_total


@admin.register(Photo)
class PhotoAdmin(ScaledAdmin):
    list_display = ("image", "profile", "order", "created_at")
    list_select_related = ("profile",)
    # One condition: the email index leads the join (an OR over two joined tables scans).
    search_fields = ("profile__user__email__exact",)
    search_help_text = "The owner's exact email."
    # The (profile, order) index. "profile" would sort by the profile's own ordering (its name):
    # a join and a sort of the whole table.
    ordering = ("profile_id", "order")
    autocomplete_fields = ("profile",)
    readonly_fields = ("id", "created_at")


@admin.register(Prompt)
class PromptAdmin(ScaledAdmin):
    list_display = ("question", "short_answer", "profile", "order")
    list_select_related = ("profile",)
    # One condition: the email index leads the join (an OR over two joined tables scans).
    search_fields = ("profile__user__email__exact",)
    search_help_text = "The owner's exact email."
    ordering = ("profile_id", "order")

    @admin.display(description="answer")
    def short_answer(self, prompt: Prompt) -> str:
        return prompt.answer[:60]
    autocomplete_fields = ("profile",)


@admin.register(Preferences)
class PreferencesAdmin(ScaledAdmin):
    list_display = (
        "profile",
        "min_age",
        "max_age",
        "max_distance",
        "distance_unit",
        "activity_level",
    )
    list_select_related = ("profile",)
    # One condition: the email index leads the join (an OR over two joined tables scans).
    search_fields = ("profile__user__email__exact",)
    search_help_text = "The owner's exact email."
    autocomplete_fields = ("profile",)


class _PairAdmin(UserEmailSearch, ScaledAdmin):
    list_display = ("user", "target", "created_at")
    list_select_related = ("user", "target")
    search_fields = ("id__exact",)
    user_search_fields = ("user", "target")
    search_help_text = "An exact email of either user, or the row's id."
    list_filter = ("created_at",)
    autocomplete_fields = ("user", "target")
    date_hierarchy = "created_at"
    readonly_fields = ("id",)


@admin.register(Like)
class LikeAdmin(_PairAdmin):
    pass


@admin.register(Pass)
class PassAdmin(_PairAdmin):
    pass


@admin.register(Match)
class MatchAdmin(UserEmailSearch, ScaledAdmin):
    list_display = ("user1", "user2", "created_at")
    list_select_related = ("user1", "user2")
    search_fields = ("id__exact",)
    user_search_fields = ("user1", "user2")
    search_help_text = "An exact email of either user, or the match's id."
    list_filter = ("created_at",)
    autocomplete_fields = ("user1", "user2")
    date_hierarchy = "created_at"
    readonly_fields = ("id",)


class MessageInline(admin.TabularInline):
    """Messages are sent through the API; here they are read (and deleted or marked read).

    Read-only users and playground: an autocomplete widget per row would query its label.
    """

    model = Message
    extra = 0
    fields = ("sender", "recipient", "content", "playground", "read", "created_at")
    readonly_fields = ("sender", "recipient", "playground", "created_at")
    formset = recent_rows(20, "-created_at")
    verbose_name_plural = "messages (latest 20)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender", "recipient", "playground")


@admin.register(Conversation)
class ConversationAdmin(UserEmailSearch, ScaledAdmin):
    list_display = ("id", "user1", "user2", "message_count", "unread_count", "updated_at")
    list_select_related = ("user1", "user2")
    search_fields = ("id__exact",)
    user_search_fields = ("user1", "user2")
    search_help_text = "An exact email of either user, or the conversation's id."
    list_filter = ("updated_at",)
    autocomplete_fields = ("match", "user1", "user2")
    readonly_fields = ("id", "created_at")
    inlines = (MessageInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                message_total=count_of(Message, field="conversation"),
                unread_total=count_of(Message, field="conversation", read=False),
            )
        )

    @admin.display(description="messages")
    def message_count(self, conversation: Conversation) -> int:
        return conversation.message_total

    @admin.display(description="unread")
    def unread_count(self, conversation: Conversation) -> int:
        return conversation.unread_total


@admin.register(Message)
class MessageAdmin(UserEmailSearch, ScaledAdmin):
    list_display = ("short_content", "sender", "recipient", "read", "created_at")
    list_select_related = ("sender", "recipient")
    search_fields = ("id__exact",)
    user_search_fields = ("sender", "recipient")
    search_help_text = "An exact email of the sender or recipient, or the message's id."
    list_filter = ("read", "created_at", exact_value_filter("conversation_id", "conversation id"))
    autocomplete_fields = ("conversation", "sender", "recipient", "playground")
    date_hierarchy = "created_at"
    readonly_fields = ("id",)

    @admin.display(description="content")
    def short_content(self, message: Message) -> str:
        return message.content[:60]


class FavouriteInline(admin.TabularInline):
    model = PlaygroundFavourite
    extra = 0
    fields = ("user", "created_at")
    readonly_fields = fields  # users favourite through the API; no per-row widget queries

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Playground)
class PlaygroundAdmin(UserEmailSearch, ScaledAdmin):
    list_display = ("name", "owner", "favourite_count", "created_at")
    list_select_related = ("owner",)
    # The owner by exact email through the users' unique index (a substring of every
    # user's email would scan the users table).
    search_fields = ("name", "description")
    user_search_fields = ("owner",)
    search_help_text = "Part of the name or description, or the owner's exact email."
    list_filter = ("created_at",)
    autocomplete_fields = ("owner",)
    readonly_fields = ("id", "created_at")
    inlines = (FavouriteInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            favourite_total=count_of(PlaygroundFavourite, field="playground")
        )

    @admin.display(description="favourites")
    def favourite_count(self, playground: Playground) -> int:
        return playground.favourite_total


@admin.register(PlaygroundFavourite)
class PlaygroundFavouriteAdmin(ScaledAdmin):
    list_display = ("playground", "user", "created_at")
    list_select_related = ("playground", "user")
    search_fields = ("user__email__exact",)
    search_help_text = "The user's exact email."
    list_filter = ("created_at",)
    autocomplete_fields = ("playground", "user")
