"""Reads for the Luna API: each returns everything its route needs in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Max, Prefetch, QuerySet

from config.access import LUNA
from config.geo import within_radius
from config.search import full_text_search
from venues import shapes
from venues.models import (
    ActionItem,
    ActionItemMember,
    Friendship,
    Interest,
    Member,
    MemberCategory,
    Venue,
)

VENUE_SEARCH_FIELDS = ("name", "category", "description", "address")  # GIN index: migration 0001
FRIEND_CAP = 3
POPULARITY_CAP = 3
CATEGORY_BONUS = 4


def venue_list() -> QuerySet[Venue]:
    return Venue.objects.order_by("position")


VENUE_SUMMARY_FIELDS = shapes.VENUE_SUMMARY.names  # the list route's objects, as values()
VENUE_STATIC_FIELDS = shapes.VENUE.names
# Per process: (version, {venue id: details}). Venue details change rarely and recommendations
# read all of them on every request; the version is checked against the database each time.
_details_cache: dict[str, tuple] = {}


def venue_summaries() -> list[dict]:
    """Every venue as the list route shows it, in order (plain dicts: no model instances)."""
    return list(venue_list().values(*VENUE_SUMMARY_FIELDS))


def venues_near(*, lat: float, lng: float, radius_km: float) -> QuerySet[Venue]:
    """Venues within radius_km, annotated with distance_km, nearest first (PostGIS or haversine)."""
    return within_radius(venue_list(), lat=lat, lng=lng, radius_km=radius_km)


def venue_search(*, query: str) -> QuerySet[Venue]:
    """Venues matching every word of the query, best match first (full-text on PostgreSQL)."""
    return full_text_search(venue_list(), query, VENUE_SEARCH_FIELDS)


def venue_interests(*, venue: Venue) -> QuerySet[Interest]:
    """The venue's interests with their members, oldest first."""
    return venue.interests.select_related("member").order_by("created_at", "id")


def member_visible(*, viewer) -> QuerySet[Member]:
    """Members the viewer may act as: all, or with LUNA_ACCESS=user only their linked one."""
    if LUNA.scoped_to_account:
        if viewer is None or not viewer.is_authenticated:
            return Member.objects.none()
        return Member.objects.filter(account=viewer)
    return Member.objects.all()


def member_own_id(*, viewer) -> str | None:
    """The Luna member id linked to the viewer's account (None: none linked, or anonymous)."""
    if viewer is None or not viewer.is_authenticated:
        return None
    return Member.objects.filter(account=viewer).values_list("pk", flat=True).first()


def member_with_categories(*, member_id: str, viewer) -> Member | None:
    return (
        member_visible(viewer=viewer)
        .prefetch_related(
            Prefetch("categories", queryset=MemberCategory.objects.order_by("created_at", "id"))
        )
        .filter(pk=member_id)
        .first()
    )


def member_interested_venues(*, member: Member) -> QuerySet[Venue]:
    """Venues the member is interested in, in the order they became interested."""
    return Venue.objects.filter(interests__member=member).order_by(
        "interests__created_at", "interests__id"
    )


def member_pending_action_items(*, member: Member) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(status=ActionItem.Status.PENDING, memberships__member=member)
        .select_related("venue")
        .prefetch_related(
            Prefetch("memberships", queryset=ActionItemMember.objects.order_by("position"))
        )
        .order_by("created_at", "id")
    )


def friend_ids(*, member_id: str) -> list[str]:
    """The member's friends: one query, an index scan on each side of the stored pair."""
    forward = Friendship.objects.filter(member_id=member_id).values_list("friend_id", flat=True)
    backward = Friendship.objects.filter(friend_id=member_id).values_list("member_id", flat=True)
    return list(forward.order_by().union(backward.order_by(), all=True))


@dataclass(slots=True)  # built once per venue per request: slots keep that cheap
class Recommendation:
    venue: dict  # VENUE_STATIC_FIELDS and interested_count
    score: float
    reason: str
    already_interested: bool
    friends_interested: int
    total_interested: int


def category_matches(categories: list[str], venue_category: str) -> bool:
    category = venue_category.lower()
    return any(i.lower() in category or category in i.lower() for i in categories)


def venue_details(*, version: tuple) -> dict[str, dict]:
    """Every venue's details by id, read again only when `version` (ids, last edit) changed."""
    cached = _details_cache.get("venues")
    if cached is None or cached[0] != version:
        details = {v["id"]: v for v in Venue.objects.values(*VENUE_STATIC_FIELDS)}
        cached = _details_cache["venues"] = (version, details)
    return cached[1]


def recommendations_for(*, member: Member) -> list[Recommendation]:
    """Every venue scored for the member (see the contract), best first, ties in venue order.

    Six queries whatever the data size: the member and categories (prefetched by the caller),
    the friends, the interests of the member and of their friends (an index lookup by member:
    an OR of subqueries here would make PostgreSQL scan every interest), the venues' ids and
    counts, and their last edit; a seventh reads the venue details when they changed since the
    process last read them.
    """
    categories = [c.category for c in member.categories.all()]
    own_venues: set[str] = set()
    friends_per_venue: dict[str, int] = {}
    people = [member.pk, *friend_ids(member_id=member.pk)]
    rows = (
        Interest.objects.filter(member_id__in=people)
        .order_by()
        .values_list("venue_id", "member_id")
    )
    for venue_id, member_id in rows:
        if member_id == member.pk:
            own_venues.add(venue_id)
        else:
            friends_per_venue[venue_id] = friends_per_venue.get(venue_id, 0) + 1

    rows = list(venue_list().values_list("id", "interested_count"))
    last_edit = Venue.objects.aggregate(last=Max("updated_at"))["last"]
    details = venue_details(version=(last_edit, hash(tuple(venue_id for venue_id, _ in rows))))
    results = []
    matches: dict[str, bool] = {}  # few distinct categories: decide each once
    for venue_id, count in rows:
        venue = {**details[venue_id], "interested_count": count}
        already = venue_id in own_venues
        others = count - (1 if already else 0)
        friends = friends_per_venue.get(venue_id, 0)
        score = min(others / 3, POPULARITY_CAP)
        reasons = []
        if others > 0:
            reasons.append("Popular venue")
        category = venue["category"]
        if category not in matches:
            matches[category] = category_matches(categories, category)
        if matches[category]:
            score += CATEGORY_BONUS
            reasons.append("Matches your interests")
        score += min(friends, FRIEND_CAP)
        results.append(
            Recommendation(
                venue=venue,
                score=round(score, 1),
                reason=", ".join(reasons) or "New venue to explore",
                already_interested=already,
                friends_interested=friends,
                total_interested=count,
            )
        )
    results.sort(key=lambda r: r.score, reverse=True)  # stable: ties keep venue order
    return results
