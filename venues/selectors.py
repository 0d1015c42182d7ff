"""Reads for the Luna API: each returns everything its route needs in a fixed number of queries."""

import functools
import json
from collections.abc import Hashable
from dataclasses import dataclass

import orjson
from django.db import connection
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Least

from config import cache
from config.access import LUNA
from config.db import is_postgresql
from config.geo import bounding_box, haversine_km, within_radius
from config.search import full_text_search, query_words
from config.sql import InJSON, Prepared
from venues import services, shapes
from venues.models import (
    ActionItem,
    ActionItemMember,
    Interest,
    Member,
    Venue,
)

VENUE_SEARCH_FIELDS = ("name", "category", "description", "address")  # migration 0006
FRIEND_CAP = 3
POPULARITY_CAP = 3
CATEGORY_BONUS = 4


def venue_list() -> QuerySet[Venue]:
    return Venue.objects.order_by("position")


VENUE_SUMMARY_FIELDS = shapes.VENUE_SUMMARY.names  # the list route's objects, as values()
VENUE_STATIC_FIELDS = shapes.VENUE.names
MEMBER_FIELDS = shapes.MEMBER.names


# The hot reads' querysets, compiled once per process (config/sql.py).
VENUE_SUMMARY_ROWS = Prepared(lambda: venue_list().values_list(*VENUE_SUMMARY_FIELDS))
VENUE_COUNT_ROWS = Prepared(lambda: venue_list().values_list("id", "interested_count"))
VENUE_LAST_EDIT = Prepared(
    lambda: Venue.objects.order_by("-updated_at").values_list("updated_at")[:1]
)
VENUE_DETAIL_ROWS = Prepared(
    lambda venue_id: (
        Venue.objects.filter(pk=venue_id)
        .order_by("interests__created_at", "interests__id")
        .values_list(*VENUE_STATIC_FIELDS, *(f"interests__member__{n}" for n in MEMBER_FIELDS))
    )
)
MEMBER_PROFILE_ROWS = Prepared(
    lambda member_id: (
        Member.objects.filter(pk=member_id)
        .order_by("categories__created_at", "categories__id")
        .values_list("id", "name", "avatar", "bio", "categories__category")
    )
)
MEMBER_VENUE_ROWS = Prepared(
    lambda member_id: (
        Venue.objects.filter(interests__member=member_id)
        .order_by("interests__created_at", "interests__id")
        .values_list(*shapes.VENUE_WITH_COUNT.names)
    )
)


def venue_summaries() -> list[dict]:
    """Every venue as the list route shows it, in order (plain dicts: no model instances)."""
    return [dict(zip(VENUE_SUMMARY_FIELDS, row, strict=True)) for row in VENUE_SUMMARY_ROWS.rows()]


VENUE_SUMMARY_FRAGMENTS_KEY = services.VENUE_SUMMARY_FRAGMENTS_KEY


def venue_summaries_json() -> orjson.Fragment:
    """`venue_summaries()` as one JSON array, from per-process fragments and fresh counts.

    Each venue's summary up to its count (`{"id":…,"image":"…","interested_count":`; the
    count ends VENUE_SUMMARY) is serialized once per process and edit; each request reads only
    the ids and counts, and the last edit (the version, as for recommendations): two queries,
    no dict per venue, no re-serialization.
    """
    rows = VENUE_COUNT_ROWS.rows()
    version = (VENUE_LAST_EDIT.rows(), hash(tuple(row[0] for row in rows)))

    def build() -> dict[str, bytes]:
        return {
            row[0]: orjson.dumps(dict(zip(VENUE_SUMMARY_FIELDS[:-1], row[:-1], strict=True)))[:-1]
            + b',"interested_count":'
            for row in VENUE_SUMMARY_ROWS.rows()
        }

    fragments = cache.cached(VENUE_SUMMARY_FRAGMENTS_KEY, build, version=version, per_process=True)
    return orjson.Fragment(
        b"["
        # A venue deleted between the two reads is left out (its id is gone next request).
        + b",".join(
            b"%b%d}" % (fragments[venue_id], count)
            for venue_id, count in rows
            if venue_id in fragments
        )
        + b"]"
    )


def venues_near(*, lat: float, lng: float, radius_km: float) -> QuerySet[Venue]:
    """Venues within radius_km, annotated with distance_km, nearest first (PostGIS or haversine)."""
    return within_radius(venue_list(), lat=lat, lng=lng, radius_km=radius_km)


NEARBY_FIELDS = shapes.NEARBY_VENUE.names  # the venue's columns, then distance_km
# PostgreSQL: `venues_near`, compiled once (config/sql.py).
VENUE_NEAR_ROWS = Prepared(
    lambda lat, lng, radius_km: venues_near(lat=lat, lng=lng, radius_km=radius_km).values_list(
        *NEARBY_FIELDS
    )
)
# SQLite: the venues in a bounding box, compiled once (config/sql.py); Value(): each corner
# reaches the SQL as given.
VENUE_BOX_ROWS = Prepared(
    lambda min_lat, max_lat, min_lng, max_lng: (
        Venue.objects.filter(
            latitude__range=(Value(min_lat), Value(max_lat)),
            longitude__range=(Value(min_lng), Value(max_lng)),
        )
        .order_by()
        .values_list(*NEARBY_FIELDS[:-1])
    )
)


def venues_near_rows(*, lat: float, lng: float, radius_km: float) -> list[dict]:
    """`venues_near` as NEARBY_VENUE dicts, distance_km rounded to the metre.

    SQLite: the bounding box in SQL and the haversine in Python (config.geo.haversine_km, term
    for term the SQL of `within_radius`, so the same rows, distances and order): building that
    SQL expression cost several times more than the rest of the request.
    """
    if is_postgresql(connection):
        rows = VENUE_NEAR_ROWS.rows(lat, lng, radius_km)
    else:
        lat_index, lng_index = NEARBY_FIELDS.index("latitude"), NEARBY_FIELDS.index("longitude")
        within = (
            (*row, haversine_km(lat, lng, row[lat_index], row[lng_index]))
            for row in VENUE_BOX_ROWS.rows(*bounding_box(lat, lng, radius_km))
        )
        # Nearest first, ties by id (within_radius's ORDER BY distance_km, pk).
        rows = sorted((row for row in within if row[-1] <= radius_km), key=lambda r: (r[-1], r[0]))
    return [dict(zip(NEARBY_FIELDS, (*row[:-1], round(row[-1], 3)), strict=True)) for row in rows]


def venue_search(*, query: str) -> QuerySet[Venue]:
    """Venues matching every word of the query, best match first (full-text on PostgreSQL,
    over the stored vector of migration 0006)."""
    return full_text_search(venue_list(), query, VENUE_SEARCH_FIELDS, stored_vector="search_vector")


@functools.lru_cache(maxsize=256)
def _venue_search_prepared(word_count: int, limit: int) -> Prepared:
    """`venue_search` of that many words (PostgreSQL: their text, one parameter), its best
    `limit` rows, compiled once per process (config/sql.py)."""

    def build(*words):
        if is_postgresql(connection):
            words = [word or "" for word in words]  # None: Prepared learning the model
        else:
            words = [Value(word) for word in words]  # the parameter reaches the SQL as given
        ranked = full_text_search(
            venue_list(), "", VENUE_SEARCH_FIELDS, stored_vector="search_vector", words=words
        )
        return ranked.values_list(*shapes.VENUE_WITH_COUNT.names)[:limit]

    return Prepared(build)


def venue_search_rows(*, query: str, limit: int) -> list[dict]:
    """`venue_search`'s best `limit` venues as VENUE_WITH_COUNT dicts (no model instances).

    Compiled once per shape (number of words, limit): on SQLite, building the expressions of
    every (word, field) pair cost several times more than running the query."""
    words = query_words(query)
    if not words:
        return []
    if is_postgresql(connection):
        words = [" ".join(words)]  # websearch_to_tsquery reads the words as one text
    names = shapes.VENUE_WITH_COUNT.names
    rows = _venue_search_prepared(len(words), limit).rows(*words)
    return [dict(zip(names, row, strict=True)) for row in rows]


def venue_with_interested_users(*, venue_id: str) -> tuple[dict, list[dict]] | None:
    """The venue's details and its interested members (oldest interest first), in ONE query.

    A LEFT JOIN from the venue through its interests to their members: one row per interest
    (or one row with no member), as plain values.
    """
    rows = VENUE_DETAIL_ROWS.rows(venue_id)
    if not rows:
        return None
    width = len(VENUE_STATIC_FIELDS)
    venue = dict(zip(VENUE_STATIC_FIELDS, rows[0][:width], strict=True))
    users = [
        dict(zip(MEMBER_FIELDS, row[width:], strict=True)) for row in rows if row[width] is not None
    ]
    return venue, users


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


def member_profile(*, member_id: str, viewer) -> tuple[dict, list[str]] | None:
    """The member's fields (USER shape without interests) and categories, in ONE query."""
    if LUNA.scoped_to_account:  # the viewer's own member only
        rows = list(
            member_visible(viewer=viewer)
            .filter(pk=member_id)
            .order_by("categories__created_at", "categories__id")
            .values_list("id", "name", "avatar", "bio", "categories__category")
        )
    else:
        rows = MEMBER_PROFILE_ROWS.rows(member_id)
    if not rows:
        return None
    member = dict(zip(("id", "name", "avatar", "bio"), rows[0][:4], strict=True))
    return member, [row[4] for row in rows if row[4] is not None]


def member_interested_venue_rows(*, member_id: str) -> list[dict]:
    """Venues the member is interested in, in the order they became interested (VENUE_WITH_COUNT)."""
    names = shapes.VENUE_WITH_COUNT.names
    return [dict(zip(names, row, strict=True)) for row in MEMBER_VENUE_ROWS.rows(member_id)]


ACTION_ITEM_FIELDS = (
    "id",
    "venue_id",
    "action_type",
    "action_code",
    "description",
    "threshold_met",
    "status",
    "created_at",
)


def item_members_key(item_id: str) -> str:
    return f"luna:action-item-members:{item_id}"


def _pending_items(member_id: str) -> QuerySet[ActionItem]:
    count = (
        ActionItemMember.objects.filter(action_item=OuterRef("pk"))
        .order_by()
        .values("action_item")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        ActionItem.objects.filter(status=ActionItem.Status.PENDING, memberships__member=member_id)
        .annotate(member_count=Subquery(count))
        .order_by("created_at", "id")
        .values_list(
            *ACTION_ITEM_FIELDS, "member_count", *(f"venue__{n}" for n in VENUE_STATIC_FIELDS)
        )
    )


PENDING_ITEM_ROWS = Prepared(_pending_items)


def member_pending_action_item_rows(*, member_id: str) -> list[dict]:
    """The member's pending action items as ACTION_ITEM dicts, oldest first.

    One query for the items with their venues and member counts; the interested-user ids (a
    popular venue's item lists hundreds) come from the cache, keyed by item with that count as
    version, so a membership added or removed is seen at once; a miss costs one more query.
    """
    names = (*ACTION_ITEM_FIELDS, "member_count", *(f"venue__{n}" for n in VENUE_STATIC_FIELDS))
    items = [dict(zip(names, row, strict=True)) for row in PENDING_ITEM_ROWS.rows(member_id)]
    if not items:
        return []

    def read(item_ids: list[str]) -> dict[str, list[str]]:
        ids: dict[str, list[str]] = {item_id: [] for item_id in item_ids}
        rows = (
            ActionItemMember.objects.filter(action_item__in=item_ids)
            .order_by("action_item", "position")
            .values_list("action_item", "member_id")
        )
        for item_id, member in rows:
            ids[item_id].append(member)
        return ids

    members = cache.cached_many(
        {item["id"]: item_members_key(item["id"]) for item in items},
        read,
        versions={item["id"]: item["member_count"] for item in items},
    )
    return [
        {
            "id": item["id"],
            "venue_id": item["venue_id"],
            "interested_user_ids": members[item["id"]],
            "action_type": item["action_type"],
            "action_code": item["action_code"],
            "description": item["description"],
            "threshold_met": item["threshold_met"],
            "status": item["status"],
            "created_at": item["created_at"].isoformat(),
            "venue": {name: item[f"venue__{name}"] for name in VENUE_STATIC_FIELDS},
        }
        for item in items
    ]


def _people_interests(member_id: str) -> QuerySet[Interest]:
    """The interests (venue id, member id) of the member and of their friends.

    A UNION ALL of three index lookups (the member's own; through each side of the stored
    friendship pair): a `member_id IN (subquery)` or an OR here makes PostgreSQL hash-join
    every interest (0.6 s at scale 1).
    """
    rows = ("venue_id", "member_id")
    own = Interest.objects.filter(member_id=member_id).values_list(*rows)
    forward = Interest.objects.filter(member__friendships_received__member_id=member_id)
    backward = Interest.objects.filter(member__friendships_started__friend_id=member_id)
    return own.order_by().union(
        forward.order_by().values_list(*rows), backward.order_by().values_list(*rows), all=True
    )


PEOPLE_INTEREST_ROWS = Prepared(_people_interests)


def category_matches(categories: list[str], venue_category: str) -> bool:
    category = venue_category.lower()
    return any(i.lower() in category or category in i.lower() for i in categories)


VENUE_FRAGMENTS_KEY = services.VENUE_FRAGMENTS_KEY
_fragment_rebuilds = 0  # part of the fragments' version: bumped when they lack a venue


@dataclass(frozen=True)
class VenueFragments:
    """Each venue's recommendation JSON up to its count, and its category, by id; the distinct
    categories."""

    by_id: dict[str, tuple[bytes, str]]
    categories: frozenset[str]


def venue_fragments(*, version: Hashable) -> VenueFragments:
    """Every venue's details, serialized once per process and edit (`version`: the last edit).

    `b'{"venue":{"id":…,"address":"…","interested_count":'`: a recommendation appends the count
    and `}` (VENUE_WITH_COUNT ends with it), so the details are serialized once per process and
    edit, not once per venue per request. The version is read on every request, so another
    process's or server's edit is seen at once; a venue the cache lacks (one added without a
    newer `updated_at`) makes the caller rebuild it with a new version.
    """

    def build() -> VenueFragments:
        by_id = {
            v["id"]: (b'{"venue":' + orjson.dumps(v)[:-1] + b',"interested_count":', v["category"])
            for v in Venue.objects.values(*VENUE_STATIC_FIELDS)
        }
        return VenueFragments(by_id, frozenset(category for _, category in by_id.values()))

    return cache.cached(VENUE_FRAGMENTS_KEY, build, version=version, per_process=True)


# (own interest 0/1, friends interested 0–3) of a venue the member knows of: never (0, 0).
SCORE_GROUPS = [(already, friends) for already in (0, 1) for friends in range(4)][1:]


def _ranked_venues(
    *, own: set[str], friends_per_venue: dict[str, int], matched: list[str], limit: int | None
) -> list[tuple[str, int]]:
    """(id, interested_count) of every venue, best score first, ties in venue order.

    The contract's score times three, in integers on both engines: `min(others, 9)` (others:
    the count less the member's own interest) + 12 for a matching category + 3 × min(friends,
    3). It orders exactly as the rounded score does (its steps of 1/3 stay apart at one
    decimal), so ORDER BY it, position, and a LIMIT give the same rows as sorting every venue.
    Most venues are nobody's the member knows: one lookup in the people's venues each, and
    only those (a few hundred at most) are looked up again by (own interest, friends).
    """
    known = own | friends_per_venue.keys()
    groups: dict[tuple[int, int], list[str]] = {key: [] for key in SCORE_GROUPS}
    for venue_id in known:
        friends = min(friends_per_venue.get(venue_id, 0), FRIEND_CAP)
        groups[(int(venue_id in own), friends)].append(venue_id)
    lists = [list(known), *(groups[key] for key in SCORE_GROUPS), matched]
    return _ranked_rows(limit).rows(*(json.dumps(values) for values in lists))


@functools.lru_cache(maxsize=64)
def _ranked_rows(limit: int | None) -> Prepared:
    """The ranking query for one limit, compiled once: building and compiling its expressions
    costs more than running it. Every list (the venues the member knows of, each score
    group's, the matched categories) is one JSON parameter (`config.sql.InJSON`), so members
    with any numbers of interests share it."""
    integer = IntegerField()

    def points(*, already: int, friends: int):
        popularity = Least(
            ExpressionWrapper(F("interested_count") - already, output_field=integer),
            Value(POPULARITY_CAP * 3),
            output_field=integer,
        )
        return popularity + friends * 3 if friends else popularity

    def build(known, *lists):
        *groups, matched = lists
        whens = [
            When(InJSON(F("pk"), ids), then=points(already=already, friends=friends))
            for (already, friends), ids in zip(SCORE_GROUPS, groups, strict=True)
        ]
        score = Case(
            When(InJSON(F("pk"), known), then=Case(*whens, output_field=integer)),
            default=points(already=0, friends=0),
            output_field=integer,
        ) + Case(
            When(InJSON(F("category"), matched), then=CATEGORY_BONUS * 3),
            default=0,
            output_field=integer,
        )
        ranked = (
            Venue.objects.annotate(score3=score)
            .order_by("-score3", "position")
            .values_list("id", "interested_count")
        )
        return ranked if limit is None else ranked[:limit]

    return Prepared(build, server_side=False)


def recommendations_json(
    *, member_id: str, categories: list[str], limit: int | None = None
) -> orjson.Fragment:
    """Every venue scored for the member (see the contract), best first, ties in venue order,
    as one JSON array; with `limit`, its first `limit` rows.

    Four queries whatever the data size: the interests of the member and of their friends
    (one UNION ALL of index lookups), the venues' last edit (the version of their cached
    details, which also give the distinct categories to match), and the venues ranked by the
    score in SQL with a LIMIT; a fifth reads the venue details when they changed since the
    process last read them. Each row's JSON is joined from the cached venue fragment, the
    current count and a few bytes per distinct (score, reason, …): nothing is re-serialized.
    """
    global _fragment_rebuilds
    own: set[str] = set()
    friends_per_venue: dict[str, int] = {}
    for venue_id, interested in PEOPLE_INTEREST_ROWS.rows(member_id):
        if interested == member_id:
            own.add(venue_id)
        else:
            friends_per_venue[venue_id] = friends_per_venue.get(venue_id, 0) + 1
    last_edit = VENUE_LAST_EDIT.rows()
    people = (own, friends_per_venue, categories, limit)
    parts = _recommendation_parts(venue_fragments(version=(last_edit, _fragment_rebuilds)), *people)
    if parts is None:  # a venue the cached details lack (added without a newer last edit)
        _fragment_rebuilds += 1
        fragments = venue_fragments(version=(last_edit, _fragment_rebuilds))
        parts = _recommendation_parts(fragments, *people, skip_missing=True)
    return orjson.Fragment(b"[" + b",".join(parts) + b"]")


def _recommendation_parts(
    fragments: VenueFragments,
    own: set[str],
    friends_per_venue: dict[str, int],
    categories: list[str],
    limit: int | None,
    *,
    skip_missing: bool = False,
) -> list[bytes] | None:
    """Each ranked venue's recommendation as JSON; None when a venue is missing from
    `fragments` (unless `skip_missing`: one added since, shown from the next request)."""
    matches = {c: category_matches(categories, c) for c in fragments.categories}
    ranked = _ranked_venues(
        own=own,
        friends_per_venue=friends_per_venue,
        matched=sorted(c for c, matched in matches.items() if matched),
        limit=limit,
    )
    by_id = fragments.by_id
    people = own | friends_per_venue.keys()
    tails: dict[tuple, bytes] = {}  # few distinct (already, others, matched, friends)
    parts = []
    for venue_id, count in ranked:
        found = by_id.get(venue_id)
        if found is None:
            if skip_missing:
                continue
            return None
        fragment, category = found
        # Past 10 others the popularity is capped (an int 3, as min() returns it, not 3.0).
        if venue_id in people:
            already = venue_id in own
            others = count - 1 if already else count
            key = (already, min(others, 10), matches[category], friends_per_venue.get(venue_id, 0))
        else:
            key = (False, min(count, 10), matches[category], 0)
        tail = tails.get(key)
        if tail is None:
            tail = tails[key] = _recommendation_tail(*key)
        parts.append(b"%b%d},%b%d}" % (fragment, count, tail, count))
    return parts


def _recommendation_tail(already: bool, others: int, matched: bool, friends: int) -> bytes:
    """A recommendation's JSON after its venue up to its total: `"score":…,"total_interested":`."""
    # The contract's sum, in its order: popularity, category bonus, friends.
    score = round(
        min(others / 3, POPULARITY_CAP)
        + (CATEGORY_BONUS if matched else 0)
        + min(friends, FRIEND_CAP),
        1,
    )
    row = {
        "score": score,
        "reason": REASONS[others > 0, matched],
        "already_interested": already,
        "friends_interested": friends,
        "total_interested": 0,
    }
    return orjson.dumps(row)[1 : -len(b"0}")]


REASONS = {
    (True, True): "Popular venue, Matches your interests",
    (True, False): "Popular venue",
    (False, True): "Matches your interests",
    (False, False): "New venue to explore",
}
