"""Luna admin. Interests (1M rows at demo scale 1), members and friendships are searched and
filtered on indexed columns only (exact ids); counts are per-row subqueries (config/admin_scale.py)."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils import timezone

from config import cache
from config.admin_scale import ScaledAdmin, count_of, exact_value_filter, recent_rows
from venues import selectors, services
from venues.models import (
    ActionItem,
    ActionItemMember,
    Friendship,
    Interest,
    Member,
    MemberCategory,
    Venue,
)


class MemberCategoryInline(admin.TabularInline):
    model = MemberCategory
    extra = 0
    fields = ("category", "created_at")


class MemberInterestInline(admin.TabularInline):
    """Interests are written through the toggle (it keeps counts and action items right)."""

    model = Interest
    fk_name = "member"
    extra = 0
    fields = ("venue", "created_at")
    readonly_fields = fields
    can_delete = False
    formset = recent_rows(20, "-created_at")
    verbose_name_plural = "interested venues (latest 20)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("venue")


class FriendshipInline(admin.TabularInline):
    """Read-only rows (an autocomplete per row would query its label); add in Friendships."""

    model = Friendship
    fk_name = "member"
    extra = 0
    fields = ("friend", "created_at")
    readonly_fields = fields
    verbose_name_plural = "friends (pairs where this member has the smaller id)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("friend")


@admin.register(Member)
class MemberAdmin(ScaledAdmin):
    list_display = ("id", "name", "venue_count", "created_at")
    search_fields = ("id__exact",)
    autocomplete_fields = ("account",)  # the linked account (user access mode)
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"
    inlines = (MemberCategoryInline, MemberInterestInline, FriendshipInline)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(venue_total=count_of(Interest, field="member"))
        )

    @admin.display(description="interested venues")
    def venue_count(self, obj):
        return obj.venue_total


class VenueInterestInline(admin.TabularInline):
    model = Interest
    fk_name = "venue"
    extra = 0
    fields = ("member", "created_at")
    readonly_fields = fields
    can_delete = False
    formset = recent_rows(20, "-created_at")
    verbose_name_plural = "interested members (latest 20)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member")


@admin.register(Venue)
class VenueAdmin(ScaledAdmin):
    list_display = ("name", "id", "category", "interested_count")
    list_filter = ("category",)
    search_fields = ("id", "name", "category", "address")
    readonly_fields = ("position", "interested_count", "created_at")
    inlines = (VenueInterestInline,)
    actions = ("recount_interests",)

    def save_model(self, request, obj, form, change):
        if change:
            obj.updated_at = timezone.now()  # the version of the cached venue details
            super().save_model(request, obj, form, change)
            cache.invalidate(selectors.VENUE_FRAGMENTS_KEY, selectors.VENUE_SUMMARY_FRAGMENTS_KEY)
            return
        fields = {
            f.name: getattr(obj, f.name) for f in obj._meta.concrete_fields if f.name != "position"
        }
        created = services.venue_create(**fields)
        obj.pk, obj.position = created.pk, created.position

    @admin.action(description="Recount interested members")
    def recount_interests(self, request, queryset):
        updated = services.venue_recount(venue_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Recounted {updated} venues.")


class VenueCategoryFilter(admin.SimpleListFilter):
    """Interests in venues of one category, as `EXISTS` per row instead of a join.

    Joined, the planner (SQLite's at least) starts from the category's venues and sorts all
    their interests (125k at demo scale 1) to show 50; tested per row, it walks the
    `created_at` index and stops after 50 matches.
    """

    title = "venue category"
    parameter_name = "venue__category"  # the URL of the field filter this replaces

    def lookups(self, request, model_admin):
        categories = Venue.objects.order_by("category").values_list("category", flat=True)
        return [(category, category) for category in categories.distinct()]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        venues = Venue.objects.filter(pk=OuterRef("venue_id"), category=self.value())
        return queryset.filter(Exists(venues))


@admin.register(Interest)
class InterestAdmin(ScaledAdmin):
    list_display = ("member", "venue", "created_at")
    list_select_related = ("member", "venue")
    list_filter = (VenueCategoryFilter,)
    search_fields = ("member__id__exact", "venue__id__exact")
    autocomplete_fields = ("member", "venue")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # the interest toggle (POST /luna/interests) adds interests

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.venue_recount(venue_ids=[obj.venue_id])

    def delete_queryset(self, request, queryset):
        venue_ids = list(queryset.values_list("venue_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        services.venue_recount(venue_ids=venue_ids)


@admin.register(MemberCategory)
class MemberCategoryAdmin(ScaledAdmin):
    list_display = ("category", "member", "created_at")
    list_select_related = ("member",)
    list_filter = (exact_value_filter("member_id", "member id"),)
    search_fields = ("member__id__exact",)
    date_hierarchy = "created_at"
    autocomplete_fields = ("member",)


@admin.register(Friendship)
class FriendshipAdmin(ScaledAdmin):
    list_display = ("member", "friend", "created_at")
    list_select_related = ("member", "friend")
    search_fields = ("member__id__exact", "friend__id__exact")
    # The unique (member, friend) index; "member" would sort by the member's own ordering.
    ordering = ("member_id", "friend_id")
    autocomplete_fields = ("member", "friend")


class ActionItemMemberInline(admin.TabularInline):
    model = ActionItemMember
    extra = 0
    fields = ("position", "member")
    # Set by the interest toggle (no per-row widget queries); the order is part of the cached
    # interested-user ids (venues.selectors), whose version is the count: deleting is fine.
    readonly_fields = ("position", "member")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member")


@admin.register(ActionItem)
class ActionItemAdmin(ScaledAdmin):
    list_display = ("id", "venue", "action_type", "status", "created_at")
    list_select_related = ("venue",)
    list_filter = ("status", "action_type", exact_value_filter("venue_id", "venue id"))
    search_fields = ("id__exact", "action_code__exact", "venue__id__exact")
    autocomplete_fields = ("venue",)
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"
    inlines = (ActionItemMemberInline,)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A member swapped for another keeps the count the cached ids are versioned by.
        cache.invalidate(selectors.item_members_key(form.instance.pk))
