"""PupMatch reads: querysets that already carry their joins, prefetches and annotations."""

import math
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from config.db import is_postgresql
from config.geo import (
    EARTH_RADIUS_KM,
    GEOGRAPHY_COLUMN,
    KM_PER_MILE,
    bounding_box,
    haversine_km,
    within_radius,
)
from config.sql import Prepared
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
# Ties: nearer first, then profile id. Ranks the nearest PUPMATCH_DISCOVERY_POOL eligible
# profiles; discovery_page computes it in SQL (_SCORE), compatibility_score in Python, the same.
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


_User = get_user_model()
_PROFILE_FIELDS = [field.attname for field in Profile._meta.concrete_fields]
_USER_FIELDS = [field.attname for field in _User._meta.concrete_fields]
# Compiled once per process (config/sql.py): on a like or a pass, building and compiling the
# ORM's query cost more than running it. Value(): the ids reach the SQL as given.
_TARGET_AND_OWN_ROWS = Prepared(
    lambda profile_id, user_id: (
        Profile.objects.filter(Q(pk=Value(profile_id)) | Q(user_id=Value(user_id))).values_list(
            *_PROFILE_FIELDS, *(f"user__{name}" for name in _USER_FIELDS)
        )
    )
)


def target_and_own_profile(*, profile_id: uuid.UUID, user: Any) -> list[Profile]:
    """The profile `profile_id` and the user's own, each with its user (one query; fewer
    profiles when either is missing, one when they are the same)."""
    alias = router.db_for_read(Profile)
    width = len(_PROFILE_FIELDS)
    profiles = []
    for row in _TARGET_AND_OWN_ROWS.rows(profile_id, user.pk):
        profile = Profile.from_db(alias, _PROFILE_FIELDS, row[:width])
        profile.user = _User.from_db(alias, _USER_FIELDS, row[width:])
        profiles.append(profile)
    return profiles


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


# --- Discovery in one statement ----------------------------------------------------------------
# Written as SQL rather than built with the ORM: composing and compiling the querysets cost
# more than running them (SQLite's nine distance bands: most of the request's CPU, see
# bench/RESULTS-discovery.md). The text is composed once; each request only binds values.

_PROFILE = Profile._meta.db_table
_LIKE, _PASS = Like._meta.db_table, Pass._meta.db_table
# Not self, not liked or passed by the viewer, not having passed on the viewer: the viewer's
# few pairs, read once (an uncorrelated NOT IN), not probed per candidate row.
_ELIGIBLE = (
    "p.latitude IS NOT NULL AND p.age >= %(min_age)s AND p.age <= %(max_age)s"
    " AND p.user_id <> %(user_id)s"
    f" AND p.user_id NOT IN (SELECT target_id FROM {_LIKE} WHERE user_id = %(user_id)s"
    f" UNION ALL SELECT target_id FROM {_PASS} WHERE user_id = %(user_id)s"
    f" UNION ALL SELECT user_id FROM {_PASS} WHERE target_id = %(user_id)s)"
)


def _pool_rows(distance: str) -> str:
    # activity_level: the copy of the profile's preferences' (migration 0005), on the row the
    # scan reads anyway.
    return (
        f"SELECT p.id, p.user_id, p.name, p.age, p.bio, p.activity_level, {distance} AS distance_km"
        f" FROM {_PROFILE} p"
    )


# PostgreSQL: the GiST index yields rows nearest first and the scan stops after `pool` eligible
# ones. `<->` on geography is the sphere distance (as SQLite's haversine), so it is the row's
# distance too. No radius filter inside: the scan is bounded by `pool` anyway, and a filter on
# `<->` has no row estimate, so a low guess could tip the planner into sorting the whole radius
# (0.8 s at demo scale 1). No tie-breaker: a second sort key would stop the index from
# supplying the order; exact ties only change which equidistant rows fill the last slot.
_KNN = f"p.{GEOGRAPHY_COLUMN} <-> ST_SetSRID(ST_MakePoint(%(lng)s, %(lat)s), 4326)::geography"
_PG_POOL = f"{_pool_rows(f'({_KNN}) / 1000.0')} WHERE {_ELIGIBLE} ORDER BY {_KNN} LIMIT %(pool)s"

# SQLite: its B-tree cannot return rows nearest first, and the bounding box of a 25-mile radius
# holds the whole of a dense city. So the pool is a UNION ALL of disjoint distance bands,
# innermost first, each sorted by distance inside its own (smaller) bounding box; SQLite runs
# the arms in order and stops once `pool` rows came out, so a dense area only reads the inner
# boxes. Bands are disjoint and in distance order: the same rows and order as one sort of the
# whole radius. They grow by √2 up to the full radius, the first radius/16. The distance is
# config.geo.haversine_expression's, term for term.
SQLITE_RINGS = 9
_HAVERSINE = (
    "(%(two_r)s * ASIN(SQRT((POWER(SIN(((RADIANS(p.latitude) - %(lat_r)s) / 2)), 2)"
    " + ((%(cos_lat)s * COS(RADIANS(p.latitude)))"
    " * POWER(SIN(((RADIANS(p.longitude) - %(lng_r)s) / 2)), 2))))))"
)


def _sqlite_band(n: int) -> str:
    return (
        f"SELECT * FROM ({_pool_rows(_HAVERSINE)}"
        f" WHERE p.latitude BETWEEN %(min_lat_{n})s AND %(max_lat_{n})s"
        f" AND p.longitude BETWEEN %(min_lng_{n})s AND %(max_lng_{n})s"
        f" AND {_HAVERSINE} <= %(outer_{n})s AND {_HAVERSINE} > %(inner_{n})s"
        f" AND {_ELIGIBLE} ORDER BY distance_km, p.id LIMIT %(pool)s)"
    )


_SQLITE_POOL = " UNION ALL ".join(map(_sqlite_band, range(SQLITE_RINGS))) + " LIMIT %(pool)s"


def _float(name: str) -> str:
    # Typed, so PostgreSQL computes in double precision as Python does (an untyped 0.3 would
    # make `age - 0.3` numeric arithmetic).
    return f"CAST(%({name})s AS double precision)"


# The score of the module's formula (compatibility_score), term for term in the same order, so
# both engines compute the same doubles as Python would; then ties: nearer first, then id.
_SCORE = (
    f"{_float('w_distance')} * (1 - pool.distance_km / {_float('radius')})"
    f" + {_float('w_age')} * (1 - ABS(pool.age - {_float('age_mid')}) / {_float('age_half')})"
    f" + {_float('w_activity')} * CASE pool.activity_level"
    f" WHEN 'low' THEN {_float('fit_low')} WHEN 'high' THEN {_float('fit_high')}"
    f" ELSE {_float('fit_medium')} END"
)
_POOL = {"postgresql": _PG_POOL, "sqlite": _SQLITE_POOL}
_PAGE = {
    vendor: "SELECT id, user_id, name, age, bio, distance_km, score, COUNT(*) OVER () FROM ("
    "SELECT pool.id, pool.user_id, pool.name, pool.age, pool.bio, pool.distance_km,"
    f" {_SCORE} AS score FROM ({pool}) pool WHERE pool.distance_km <= %(radius)s) scored"
    " ORDER BY score DESC, distance_km, id LIMIT %(limit)s OFFSET %(offset)s"
    for vendor, pool in _POOL.items()
}
_NEAREST = {
    vendor: f"SELECT * FROM ({pool}) pool WHERE pool.distance_km <= %(radius)s"
    " ORDER BY pool.distance_km, pool.id"
    for vendor, pool in _POOL.items()
}


def _pool_params(*, db: Any, profile: Profile, prefs: Preferences, pool: int) -> dict[str, Any]:
    """The values the pool's SQL binds: the viewer, the age range, the pool size, the bands."""
    params: dict[str, Any] = {
        "user_id": Profile._meta.pk.get_db_prep_value(profile.user_id, db),
        "min_age": prefs.min_age,
        "max_age": prefs.max_age,
        "pool": pool,
        "radius": radius_km(prefs),
    }
    lat, lng = profile.latitude, profile.longitude
    if is_postgresql(db):
        params.update(lat=lat, lng=lng)
        return params
    lat_r, lng_r = math.radians(lat), math.radians(lng)
    params.update(two_r=2 * EARTH_RADIUS_KM, lat_r=lat_r, lng_r=lng_r, cos_lat=math.cos(lat_r))
    inner = -1.0
    for n in range(SQLITE_RINGS):
        outer = params["radius"] / 2 ** ((SQLITE_RINGS - 1 - n) / 2)
        box = bounding_box(lat, lng, outer)
        params.update(
            {
                f"min_lat_{n}": box[0],
                f"max_lat_{n}": box[1],
                f"min_lng_{n}": box[2],
                f"max_lng_{n}": box[3],
                f"outer_{n}": outer,
                f"inner_{n}": inner,
            }
        )
        inner = outer
    return params


def _reading() -> Any:
    """The connection the ORM would read these tables on (a replica for a safe request)."""
    return connections[router.db_for_read(Profile)]


def _uuid(value: Any) -> uuid.UUID:
    # The raw cursor skips the ORM's converters: SQLite returns UUIDs as hex text.
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def nearest_eligible(*, profile: Profile, prefs: Preferences, pool: int) -> list[dict]:
    """The `pool` nearest profiles the viewer may discover, nearest first, as value rows.

    Within max_distance, within the age range, excluding self, anyone the viewer liked or
    passed, and anyone who passed on the viewer; each with `distance_km`. Discovery ranks
    exactly these rows.
    """
    db = _reading()
    with db.cursor() as cursor:
        cursor.execute(
            _NEAREST[db.vendor], _pool_params(db=db, profile=profile, prefs=prefs, pool=pool)
        )
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        row["id"], row["user_id"] = _uuid(row["id"]), _uuid(row["user_id"])
    return rows


def discovery_page(
    *,
    profile: Profile,
    prefs: Preferences | None = None,
    offset: int = 0,
    limit: int | None = None,
    pool: int | None = None,
) -> tuple[int, list[Candidate]]:
    """How many profiles the owner of `profile` may discover, and the page `offset`,
    `limit` of them (all without `limit`), best first (see the score above). Requires a
    location.

    The score ranks the `pool` nearest eligible profiles (PUPMATCH_DISCOVERY_POOL, default
    500): in a dense city a 25-mile radius holds most of the data set, and scoring all of it
    on every request would cost seconds; the nearest few hundred are what a session can swipe.
    One query reads the pool, scores and sorts it and returns only the page with the count;
    a second one only for a page past the end (its count).
    """
    prefs = prefs or preferences_for(profile)
    pool = pool or settings.PUPMATCH_DISCOVERY_POOL
    db = _reading()
    params = _pool_params(db=db, profile=profile, prefs=prefs, pool=pool)
    mid = (prefs.min_age + prefs.max_age) / 2
    viewer_rank = ACTIVITY_RANK[prefs.activity_level]
    params.update(
        w_distance=SCORE_WEIGHTS["distance"],
        w_age=SCORE_WEIGHTS["age"],
        w_activity=SCORE_WEIGHTS["activity"],
        age_mid=mid,
        age_half=float(max((prefs.max_age - prefs.min_age) / 2, 1)),
        **{
            f"fit_{level}": 1 - abs(rank - viewer_rank) / 2 for level, rank in ACTIVITY_RANK.items()
        },
        limit=pool if limit is None else limit,
        offset=offset,
    )
    sql = _PAGE[db.vendor]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if not rows and offset:
            cursor.execute(sql, {**params, "limit": 1, "offset": 0})
            rows_for_count = cursor.fetchall()
            return (rows_for_count[0][-1] if rows_for_count else 0), []
    candidates = [
        Candidate(
            id=_uuid(pk),
            user_id=_uuid(user_id),
            name=name,
            age=age,
            bio=bio,
            distance_km=distance_km,
            compatibility_score=score,
        )
        for pk, user_id, name, age, bio, distance_km, score, _ in rows
    ]
    return (rows[0][-1] if rows else 0), candidates


def discovery_candidates(
    *, profile: Profile, prefs: Preferences | None = None, pool: int | None = None
) -> list[Candidate]:
    """Every profile the owner of `profile` may discover, best first (discovery_page)."""
    return discovery_page(profile=profile, prefs=prefs, pool=pool)[1]


# The page's photos and prompts, in card order. Raw rows: on a page of 50 cards the ORM's
# queryset building and per-row conversion cost three times the two queries themselves.
_CARD_PHOTOS = (
    f'SELECT id, profile_id, image, "order", created_at, thumbnail FROM {Photo._meta.db_table}'
    ' WHERE profile_id IN ({ids}) ORDER BY "order", created_at'
)
_CARD_PROMPTS = (
    f'SELECT id, profile_id, question, answer, "order" FROM {Prompt._meta.db_table}'
    ' WHERE profile_id IN ({ids}) ORDER BY "order", id'
)


def card_photos_and_prompts(
    profile_ids: list[uuid.UUID],
) -> tuple[dict[uuid.UUID, list[dict]], dict[uuid.UUID, list[dict]]]:
    """The photos and prompts of these profiles as value rows, in card order, by profile id
    (two queries)."""
    photos: dict[uuid.UUID, list[dict]] = {pk: [] for pk in profile_ids}
    prompts: dict[uuid.UUID, list[dict]] = {pk: [] for pk in profile_ids}
    if not profile_ids:
        return photos, prompts
    db = _reading()
    keys = [Profile._meta.pk.get_db_prep_value(pk, db) for pk in profile_ids]
    owner = dict(zip(keys, profile_ids, strict=True))
    ids = ", ".join(["%s"] * len(keys))
    with db.cursor() as cursor:
        cursor.execute(_CARD_PHOTOS.format(ids=ids), keys)
        for pk, profile_id, image, order, created_at, thumbnail in cursor.fetchall():
            if timezone.is_naive(created_at):  # SQLite: UTC without a zone, as the ORM reads it
                created_at = timezone.make_aware(created_at, db.timezone)
            photos[owner[profile_id]].append(
                {
                    "id": _uuid(pk),
                    "image": image,
                    "order": order,
                    "created_at": created_at,
                    "thumbnail": thumbnail,
                }
            )
        cursor.execute(_CARD_PROMPTS.format(ids=ids), keys)
        for pk, profile_id, question, answer, order in cursor.fetchall():
            prompts[owner[profile_id]].append(
                {"id": _uuid(pk), "question": question, "answer": answer, "order": order}
            )
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
