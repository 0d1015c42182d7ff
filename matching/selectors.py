"""PupMatch reads: querysets that already carry their joins, prefetches and annotations."""

import math
import uuid
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Abs

from config.db import is_postgresql
from config.geo import GEOGRAPHY_COLUMN, KM_PER_MILE, haversine_km, within_radius
from matching.models import (
    ActivityLevel,
    Conversation,
    DistanceUnit,
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

# --- Compatibility score ---------------------------------------------------------------------
# score = 0.5 × distance_fit + 0.3 × age_fit + 0.2 × activity_fit, each fit in [0, 1]:
#   distance_fit = 1 − distance / max_distance               (1 next door, 0 at the radius edge)
#   age_fit      = 1 − |age − mid| / half_range               mid = (min_age + max_age) / 2,
#                                                             half_range = max((max−min)/2, 1)
#   activity_fit = 1 − |level(candidate) − level(viewer)| / 2 low=0, medium=1, high=2; a profile
#                                                             without preferences counts as medium
# Ties: nearer first, then profile id. Computed in SQL so ordering and pagination stay in the DB,
# over the nearest PUPMATCH_DISCOVERY_POOL eligible profiles (see discovery_candidates).
SCORE_WEIGHTS = {"distance": 0.5, "age": 0.3, "activity": 0.2}
ACTIVITY_RANK = {ActivityLevel.LOW: 0, ActivityLevel.MEDIUM: 1, ActivityLevel.HIGH: 2}


def compatibility_score(
    *, distance_km: float, radius_km: float, age: int, prefs: Preferences, activity: str
) -> float:
    """The same formula in Python (documentation, tests, the demo data generator)."""
    mid = (prefs.min_age + prefs.max_age) / 2
    half = max((prefs.max_age - prefs.min_age) / 2, 1)
    distance_fit = 1 - distance_km / radius_km
    age_fit = 1 - abs(age - mid) / half
    activity_fit = 1 - abs(ACTIVITY_RANK[activity] - ACTIVITY_RANK[prefs.activity_level]) / 2
    return (
        SCORE_WEIGHTS["distance"] * distance_fit
        + SCORE_WEIGHTS["age"] * age_fit
        + SCORE_WEIGHTS["activity"] * activity_fit
    )


def preferences_for(profile: Profile) -> Preferences:
    """The profile's preferences, or the seed's defaults when it has none (not saved)."""
    try:
        return profile.preferences
    except Preferences.DoesNotExist:
        return Preferences(profile=profile)


def radius_km(prefs: Preferences) -> float:
    if prefs.distance_unit == DistanceUnit.MILES:
        return prefs.max_distance * KM_PER_MILE
    return prefs.max_distance


def to_unit(distance_km: float, unit: str) -> float:
    return distance_km / KM_PER_MILE if unit == DistanceUnit.MILES else distance_km


def whole_units(distance_km: float, unit: str) -> int:
    """A distance as others may see it: whole km or miles, half up (0 = under half a unit).

    Never finer: exact distances would let anyone trilaterate a dog by moving their own point.
    """
    return math.floor(to_unit(distance_km, unit) + 0.5)


def viewer_profile(*, user: Any) -> Profile | None:
    """The viewer's own profile with its preferences (one query): where they are, their unit."""
    return Profile.objects.select_related("preferences").filter(user=user).first()


def distance_between(viewer: Profile | None, other: Profile) -> float | None:
    """Haversine km between two profiles, or None when either has no location."""
    if viewer is None or viewer.latitude is None or other.latitude is None:
        return None
    return haversine_km(viewer.latitude, viewer.longitude, other.latitude, other.longitude)


def _card_prefetches() -> list[Prefetch]:
    return [
        Prefetch("photos", queryset=Photo.objects.order_by("order", "created_at")),
        Prefetch("prompts", queryset=Prompt.objects.order_by("order", "id")),
    ]


def nearest_eligible(*, profile: Profile, prefs: Preferences, pool: int) -> list[uuid.UUID]:
    """Ids of the `pool` nearest profiles the viewer may discover (one query).

    Within max_distance, within the age range, excluding self, anyone the viewer liked or
    passed, and anyone who passed on the viewer. PostgreSQL walks the GiST index in distance
    order (KNN `<->`) and stops after `pool` rows; SQLite sorts the bounding-box candidates.
    """
    user_id = profile.user_id
    queryset = (
        Profile.objects.filter(age__gte=prefs.min_age, age__lte=prefs.max_age)
        .exclude(user_id=user_id)
        .exclude(Exists(Like.objects.filter(user_id=user_id, target_id=OuterRef("user_id"))))
        .exclude(Exists(Pass.objects.filter(user_id=user_id, target_id=OuterRef("user_id"))))
        .exclude(Exists(Pass.objects.filter(user_id=OuterRef("user_id"), target_id=user_id)))
    )
    radius = radius_km(prefs)
    if is_postgresql(connection):
        # KNN: the GiST index yields rows nearest first and the scan stops after `pool`
        # eligible ones. The radius is a filter on the same sphere distance (ST_DWithin's
        # row estimate is so low here that the planner would sort the whole radius instead);
        # discovery_candidates applies within_radius exactly on the result.
        knn = RawSQL(
            f'"{Profile._meta.db_table}"."{GEOGRAPHY_COLUMN}" <-> '
            "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography",
            (profile.longitude, profile.latitude),
            output_field=FloatField(),
        )
        queryset = (
            queryset.annotate(knn_m=knn)
            .filter(knn_m__lte=radius * 1000.0 + 1.0)
            # No tie-breaker: a second sort key would stop the index from supplying the
            # order. Exact ties only change which equidistant rows fill the pool's last slot.
            .order_by("knn_m")
        )
    else:
        queryset = within_radius(
            queryset, lat=profile.latitude, lng=profile.longitude, radius_km=radius
        )
    # Evaluated here, not nested: the raw SQL names the table, which a subquery would alias.
    return list(queryset.values_list("pk", flat=True)[:pool])


def discovery_candidates(*, profile: Profile, pool: int | None = None) -> QuerySet[Profile]:
    """Profiles the owner of `profile` may discover, best first (see the score above).

    The score ranks the `pool` nearest eligible profiles (PUPMATCH_DISCOVERY_POOL, default
    500): in a dense city a 25-mile radius holds most of the data set, and scoring all of it
    on every request would cost seconds; the nearest few hundred are what a session can swipe.
    Requires a location.
    """
    prefs = preferences_for(profile)
    radius = radius_km(prefs)
    pool = pool or settings.PUPMATCH_DISCOVERY_POOL
    queryset = within_radius(
        Profile.objects.filter(pk__in=nearest_eligible(profile=profile, prefs=prefs, pool=pool)),
        lat=profile.latitude,
        lng=profile.longitude,
        radius_km=radius,
    )
    mid = (prefs.min_age + prefs.max_age) / 2
    half = max((prefs.max_age - prefs.min_age) / 2, 1)
    viewer_rank = ACTIVITY_RANK[prefs.activity_level]
    candidate_rank = Case(
        *(
            When(preferences__activity_level=level, then=Value(rank))
            for level, rank in ACTIVITY_RANK.items()
        ),
        default=Value(1),
        output_field=FloatField(),
    )
    distance_fit = Value(1.0) - F("distance_km") / Value(radius)
    age_fit = Value(1.0) - Abs(F("age") - Value(mid), output_field=FloatField()) / Value(half)
    activity_fit = Value(1.0) - Abs(candidate_rank - Value(float(viewer_rank))) / Value(2.0)
    return (
        queryset.annotate(
            compatibility_score=Value(SCORE_WEIGHTS["distance"]) * distance_fit
            + Value(SCORE_WEIGHTS["age"]) * age_fit
            + Value(SCORE_WEIGHTS["activity"]) * activity_fit
        )
        .prefetch_related(*_card_prefetches())
        .order_by("-compatibility_score", "distance_km", "pk")
    )


def profile_detail(*, user_id: uuid.UUID | None = None, profile_id: uuid.UUID | None = None):
    """One profile with preferences, photos, prompts and favourite playgrounds (4 queries)."""
    queryset = (
        Profile.objects.select_related("preferences")
        .prefetch_related(
            *_card_prefetches(),
            Prefetch(
                "user__pupmatch_favourite_playgrounds",
                queryset=PlaygroundFavourite.objects.select_related("playground").order_by(
                    "playground__name", "playground_id"
                ),
            ),
        )
        .select_related("user")
    )
    if user_id is not None:
        return queryset.filter(user_id=user_id).first()
    return queryset.filter(pk=profile_id).first()


def photo_list(*, profile: Profile) -> QuerySet[Photo]:
    return Photo.objects.filter(profile=profile).order_by("order", "created_at")


def match_list(*, user: Any) -> QuerySet[Match]:
    """The user's matches, newest first, with both sides' profiles and photos."""
    photos = Photo.objects.order_by("order", "created_at")
    prompts = Prompt.objects.order_by("order", "id")
    return (
        Match.objects.filter(Q(user1=user) | Q(user2=user))
        .select_related("user1__dog_profile", "user2__dog_profile", "conversation")
        .prefetch_related(
            Prefetch("user1__dog_profile__photos", queryset=photos),
            Prefetch("user2__dog_profile__photos", queryset=photos),
            Prefetch("user1__dog_profile__prompts", queryset=prompts),
            Prefetch("user2__dog_profile__prompts", queryset=prompts),
        )
        .order_by("-created_at", "-pk")
    )


def _visible_to(user: Any) -> Q:
    return Q(user1=user) & (
        Q(user1_cleared_at__isnull=True) | Q(updated_at__gt=F("user1_cleared_at"))
    ) | Q(user2=user) & (Q(user2_cleared_at__isnull=True) | Q(updated_at__gt=F("user2_cleared_at")))


def conversation_list(*, user: Any) -> QuerySet[Conversation]:
    """Conversations the user has not hidden, most recent activity first, with the unread
    count and the last message annotated (one query)."""
    last = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-id")
    cleared = Case(
        When(user1=user, then=F("user1_cleared_at")),
        default=F("user2_cleared_at"),
    )
    return (
        Conversation.objects.filter(_visible_to(user))
        .select_related("user1__dog_profile", "user2__dog_profile")
        .annotate(
            unread_count=Count(
                "messages", filter=Q(messages__recipient=user, messages__read=False)
            ),
            cleared_at=cleared,
            last_message_id=Subquery(last.values("id")[:1]),
            last_message_content=Subquery(last.values("content")[:1]),
            last_message_sender_id=Subquery(last.values("sender_id")[:1]),
            last_message_at=Subquery(last.values("created_at")[:1]),
        )
        .order_by("-updated_at", "-pk")
    )


def unread_counts(*, user: Any) -> list[dict]:
    """Unread messages per conversation for the user, in one grouped query."""
    return list(
        Message.objects.filter(recipient=user, read=False)
        .values("conversation_id")
        .annotate(unread_count=Count("id"))
        .order_by("conversation_id")
    )


def message_list(*, user: Any, conversation: Conversation) -> QuerySet[Message]:
    """The conversation's messages the user can see (after their last hide), oldest first."""
    queryset = Message.objects.filter(conversation=conversation).select_related("playground")
    cleared_at = conversation.cleared_at_for(user.pk)
    if cleared_at is not None:
        queryset = queryset.filter(created_at__gt=cleared_at)
    return queryset.order_by("created_at", "id")


def playground_list(
    *,
    user: Any,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_km: float | None = None,
    query: str = "",
) -> QuerySet[Playground]:
    """Playgrounds by name (`query`, case-insensitive substring) and/or within a radius
    (nearest first); each annotated with whether the user has it as a favourite."""
    queryset = Playground.objects.annotate(
        is_favourite=Exists(
            PlaygroundFavourite.objects.filter(user=user, playground=OuterRef("pk"))
        ),
    )
    if query:
        queryset = queryset.filter(name__icontains=query)
    if latitude is not None and longitude is not None:
        return within_radius(queryset, lat=latitude, lng=longitude, radius_km=radius_km or 5.0)
    return queryset.order_by("name", "pk")


def favourite_playgrounds(*, user: Any) -> QuerySet[Playground]:
    return (
        Playground.objects.filter(favourites__user=user)
        .annotate(is_favourite=Value(True))
        .order_by("name", "pk")
    )
