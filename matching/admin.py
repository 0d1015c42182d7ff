"""PupMatch admin: every model searchable and filterable, counts annotated (no per-row queries)."""

from django.contrib import admin
from django.db.models import Count, Q

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


class PromptInline(admin.TabularInline):
    model = Prompt
    extra = 0
    fields = ("question", "answer", "order")


class PreferencesInline(admin.StackedInline):
    model = Preferences
    extra = 0
    max_num = 1
    can_delete = False


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "age", "latitude", "longitude", "photo_count", "created_at")
    list_select_related = ("user",)
    search_fields = ("name", "bio", "user__email", "id")
    list_filter = ("age", "preferences__activity_level", "preferences__distance_unit")
    autocomplete_fields = ("user",)
    readonly_fields = ("id", "created_at", "updated_at")
    date_hierarchy = "created_at"
    inlines = (PreferencesInline, PromptInline, PhotoInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(photo_count=Count("photos", distinct=True))

    @admin.display(description="photos", ordering="photo_count")
    def photo_count(self, profile: Profile) -> int:
        return profile.photo_count


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ("image", "profile", "order", "created_at")
    list_select_related = ("profile",)
    search_fields = ("profile__name", "profile__user__email", "image")
    list_filter = ("order",)
    autocomplete_fields = ("profile",)
    readonly_fields = ("id", "created_at")


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    list_display = ("question", "answer", "profile", "order")
    list_select_related = ("profile",)
    search_fields = ("question", "answer", "profile__name")
    list_filter = ("question",)
    autocomplete_fields = ("profile",)


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = (
        "profile",
        "min_age",
        "max_age",
        "max_distance",
        "distance_unit",
        "activity_level",
    )
    list_select_related = ("profile",)
    search_fields = ("profile__name", "profile__user__email")
    list_filter = ("activity_level", "distance_unit")
    autocomplete_fields = ("profile",)


class _PairAdmin(admin.ModelAdmin):
    list_display = ("user", "target", "created_at")
    list_select_related = ("user", "target")
    search_fields = ("user__email", "target__email")
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
class MatchAdmin(admin.ModelAdmin):
    list_display = ("user1", "user2", "created_at")
    list_select_related = ("user1", "user2")
    search_fields = ("user1__email", "user2__email", "id")
    list_filter = ("created_at",)
    autocomplete_fields = ("user1", "user2")
    date_hierarchy = "created_at"
    readonly_fields = ("id",)


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("sender", "recipient", "content", "playground", "read", "created_at")
    autocomplete_fields = ("sender", "recipient", "playground")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender", "recipient", "playground")


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("id", "user1", "user2", "message_count", "unread_count", "updated_at")
    list_select_related = ("user1", "user2")
    search_fields = ("user1__email", "user2__email", "id")
    list_filter = ("updated_at",)
    autocomplete_fields = ("match", "user1", "user2")
    readonly_fields = ("id", "created_at")
    inlines = (MessageInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                message_count=Count("messages"),
                unread_count=Count("messages", filter=Q(messages__read=False)),
            )
        )

    @admin.display(description="messages", ordering="message_count")
    def message_count(self, conversation: Conversation) -> int:
        return conversation.message_count

    @admin.display(description="unread", ordering="unread_count")
    def unread_count(self, conversation: Conversation) -> int:
        return conversation.unread_count


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("content", "sender", "recipient", "read", "playground", "created_at")
    list_select_related = ("sender", "recipient", "playground")
    search_fields = ("content", "sender__email", "recipient__email")
    list_filter = ("read", "created_at")
    autocomplete_fields = ("conversation", "sender", "recipient", "playground")
    date_hierarchy = "created_at"
    readonly_fields = ("id",)


class FavouriteInline(admin.TabularInline):
    model = PlaygroundFavourite
    extra = 0
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Playground)
class PlaygroundAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "latitude", "longitude", "favourite_count", "created_at")
    list_select_related = ("owner",)
    search_fields = ("name", "description", "owner__email")
    list_filter = ("created_at",)
    autocomplete_fields = ("owner",)
    readonly_fields = ("id", "created_at")
    inlines = (FavouriteInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(favourite_count=Count("favourites"))

    @admin.display(description="favourites", ordering="favourite_count")
    def favourite_count(self, playground: Playground) -> int:
        return playground.favourite_count


@admin.register(PlaygroundFavourite)
class PlaygroundFavouriteAdmin(admin.ModelAdmin):
    list_display = ("playground", "user", "created_at")
    list_select_related = ("playground", "user")
    search_fields = ("playground__name", "user__email")
    list_filter = ("created_at",)
    autocomplete_fields = ("playground", "user")
