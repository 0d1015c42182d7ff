"""PupMatch reads: querysets that already carry their joins, prefetches and annotations."""

import math
import uuid
from dataclasses import dataclass
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
# Ties: nearer first, then profile id. Computed in Python over the nearest
# PUPMATCH_DISCOVERY_POOL eligible profiles, which one query reads (see discovery_candidates).
SCORE_WEIGHTS = {"distance": 0.5, "age": 0.3, "activity": 0.2}
ACTIVITY_RANK = {ActivityLevel.LOW: 0, ActivityLevel.MEDIUM: 1, ActivityLevel.HIGH: 2}


def compatibility_score(
    *, distance_km: float, radius_km: float, age: int, prefs: Preferences, activity: str
) -> float:
    """The score of one candidate (discovery ranks with it; tests pin its values)."""
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


@dataclass(frozen=True, slots=True)
class Candidate:
    """One profile discovery may show, with its distance from the viewer and its score."""

    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    age: int
    bio: str
    distance_km: float
    compatibility_score: float


def nearest_eligible(*, profile: Profile, prefs: Preferences, pool: int) -> list[dict]:
    """The `pool` nearest profiles the viewer may discover, as value rows (one query).

    Within max_distance, within the age range, excluding self, anyone the viewer liked or
    passed, and anyone who passed on the viewer; nearest first, each with `distance_km` and
    its owner's `activity_level` (None without preferences). PostgreSQL walks the GiST index
    in distance order (KNN `<->`) and stops after `pool` rows; SQLite sorts the candidates of
    the bounding box on the indexed latitude/longitude.
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
    fields = ("id", "user_id", "name", "age", "bio", "distance_km", "preferences__activity_level")
    if not is_postgresql(connection):
        return _nearest_in_rings(queryset, profile=profile, radius=radius, pool=pool, fields=fields)
    # KNN: the GiST index yields rows nearest first and the scan stops after `pool` eligible
    # ones; those beyond the radius are dropped here. `<->` on geography is the sphere
    # distance (as ST_Distance(..., false) and SQLite's haversine measure), so it is the
    # row's distance too. No radius filter in SQL: the scan is bounded by `pool` anyway, and
    # a filter on `<->` has no row estimate, so a low guess could tip the planner into
    # sorting the whole radius (0.8 s at demo scale 1; without table statistics it does so
    # regardless: ANALYZE after bulk loads).
    table = connection.ops.quote_name(Profile._meta.db_table)
    knn = RawSQL(
        f"{table}.{GEOGRAPHY_COLUMN} <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography",
        (profile.longitude, profile.latitude),
        output_field=FloatField(),
    )
    # No tie-breaker: a second sort key would stop the index from supplying the order.
    # Exact ties only change which equidistant rows fill the pool's last slot.
    queryset = queryset.filter(latitude__isnull=False).annotate(knn_m=knn).order_by("knn_m")
    rows = []
    for row in queryset.values(*fields[:-2], "knn_m", fields[-1])[:pool]:
        row["distance_km"] = row.pop("knn_m") / 1000.0
        if row["distance_km"] <= radius:
            rows.append(row)
    return rows


# SQLite: distance bands growing by √2 up to the full radius, the first radius/16
# (see _nearest_in_rings).
SQLITE_RINGS = 9


def _nearest_in_rings(
    queryset: QuerySet[Profile], *, profile: Profile, radius: float, pool: int, fields: tuple
) -> list[dict]:
    """SQLite's nearest `pool` rows of `queryset` within `radius`, in one query.

    SQLite's B-tree cannot return rows nearest first, and the bounding box of a 25-mile
    radius holds the whole of a dense city. So the query is a UNION ALL of disjoint distance
    bands, innermost first, each sorted by distance inside its own (smaller) bounding box;
    SQLite runs the arms in order and stops once `pool` rows came out, so a dense area only
    reads the inner boxes. Bands are disjoint and in distance order: the same rows and order
    as one sort of the whole radius.
    """
    arms, params, inner = [], [], -1.0
    for ring in range(SQLITE_RINGS):
        outer = radius / 2 ** ((SQLITE_RINGS - 1 - ring) / 2)
        band = within_radius(
            queryset, lat=profile.latitude, lng=profile.longitude, radius_km=outer
        ).filter(distance_km__gt=inner)
        sql, band_params = band.values(*fields)[:pool].query.sql_with_params()
        arms.append(f"SELECT * FROM ({sql})")
        params.extend(band_params)
        inner = outer
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(arms) + " LIMIT %s", [*params, pool])
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:  # the raw cursor skips the ORM's converters: UUIDs are hex text here
        row["id"], row["user_id"] = uuid.UUID(row["id"]), uuid.UUID(row["user_id"])
    return rows


def discovery_candidates(
    *, profile: Profile, prefs: Preferences | None = None, pool: int | None = None
) -> list[Candidate]:
    """Profiles the owner of `profile` may discover, best first (see the score above).

    The score ranks the `pool` nearest eligible profiles (PUPMATCH_DISCOVERY_POOL, default
    500): in a dense city a 25-mile radius holds most of the data set, and scoring all of it
    on every request would cost seconds; the nearest few hundred are what a session can swipe.
    Scored in Python over those rows (one query in all). Requires a location.
    """
    prefs = prefs or preferences_for(profile)
    radius = radius_km(prefs)
    rows = nearest_eligible(
        profile=profile, prefs=prefs, pool=pool or settings.PUPMATCH_DISCOVERY_POOL
    )
    candidates = [
        Candidate(
            id=row["id"],
            user_id=row["user_id"],
            name=row["name"],
            age=row["age"],
            bio=row["bio"],
            distance_km=row["distance_km"],
            compatibility_score=compatibility_score(
                distance_km=row["distance_km"],
                radius_km=radius,
                age=row["age"],
                prefs=prefs,
                activity=row["preferences__activity_level"] or ActivityLevel.MEDIUM,
            ),
        )
        for row in rows
    ]
    candidates.sort(key=lambda c: (-c.compatibility_score, c.distance_km, c.id))
    return candidates


def card_photos_and_prompts(
    profile_ids: list[uuid.UUID],
) -> tuple[dict[uuid.UUID, list[dict]], dict[uuid.UUID, list[dict]]]:
    """The photos and prompts of these profiles as value rows, in card order, by profile id
    (two queries)."""
    photos: dict[uuid.UUID, list[dict]] = {pk: [] for pk in profile_ids}
    prompts: dict[uuid.UUID, list[dict]] = {pk: [] for pk in profile_ids}
    if profile_ids:
        for photo in (
            Photo.objects.filter(profile_id__in=profile_ids)
            .order_by("order", "created_at")
            .values("id", "profile_id", "image", "order", "created_at", "thumbnail")
        ):
            photos[photo["profile_id"]].append(photo)
        for prompt in (
            Prompt.objects.filter(profile_id__in=profile_ids)
            .order_by("order", "id")
            .values("id", "profile_id", "question", "answer", "order")
        ):
            prompts[prompt["profile_id"]].append(prompt)
    return photos, prompts


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
