"""Writes for Luna. Each is one transaction; the API calls exactly one of them per request."""

import random
from dataclasses import dataclass

from django.db import IntegrityError, router, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from config import cache
from config.sql import Prepared
from venues.models import ActionItem, ActionItemMember, Interest, Member, Venue

VENUE_FRAGMENTS_KEY = "luna:venue-fragments"  # venues.selectors.venue_fragments
VENUE_SUMMARY_FRAGMENTS_KEY = (
    "luna:venue-summary-fragments"  # venues.selectors.venue_summaries_json
)

ACTION_THRESHOLD = 4
BOOKABLE_KEYWORDS = ("restaurant", "bar", "club", "lounge", "bistro", "cafe")
DESCRIPTIONS = (
    "{n} friends interested - coordinate plans!",
    "{n} friends ready to go!",
    "Goal reached! {n} people want to visit",
    "Perfect group size - {n} interested!",
)
CODE_ATTEMPTS = 50


class MemberNotFound(Exception):
    pass


class VenueNotFound(Exception):
    pass


class ActionItemNotFound(Exception):
    pass


class NotInterested(Exception):
    """The member is not among the action item's interested users."""


@dataclass(frozen=True)
class ToggleResult:
    added: bool
    venue_name: str
    action_item: ActionItem | None
    interested_user_ids: list[str]


def action_type_for(category: str) -> str:
    category = category.lower()
    if any(keyword in category for keyword in BOOKABLE_KEYWORDS):
        return ActionItem.ActionType.BOOK_VENUE
    return ActionItem.ActionType.VISIT_VENUE


def _digits(rng: random.Random) -> str:
    return f"{rng.randint(0, 9999):04d}"


def _action_item_create(
    *, venue_id: str, category: str, member_ids: list[str], rng: random.Random
) -> ActionItem:
    """Create the venue's pending item; a clash of random id or code is retried, never raised."""
    count = len(member_ids)
    for _ in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():  # a savepoint: a clash leaves the interest in place
                item = ActionItem.objects.create(
                    id=f"action_{venue_id}_{_digits(rng)}",
                    venue_id=venue_id,
                    action_type=action_type_for(category),
                    action_code=f"LUNA-{venue_id}-{_digits(rng)}",
                    description=rng.choice(DESCRIPTIONS).format(n=count),
                    status=ActionItem.Status.PENDING,
                    threshold_met=True,
                )
        except IntegrityError:
            continue
        ActionItemMember.objects.bulk_create(
            ActionItemMember(action_item=item, member_id=member_id, position=position)
            for position, member_id in enumerate(member_ids)
        )
        return item
    raise RuntimeError(f"no free action item id or code for {venue_id} after {CODE_ATTEMPTS} tries")


# The toggle's two reads, compiled once per process (config/sql.py): building their
# expressions cost more CPU than running them.
VENUE_LOCK_ROWS = Prepared(
    lambda venue_id, member_id: (
        Venue.objects.select_for_update()
        .filter(pk=venue_id)
        .values_list(
            "name", "category", "interested_count", Exists(Member.objects.filter(pk=member_id))
        )
    )
)


def _toggle_state(venue_id: str, member_id: str) -> QuerySet[Venue]:
    mine = Interest.objects.filter(venue=OuterRef("pk"), member_id=member_id).order_by()
    return Venue.objects.filter(pk=venue_id).values_list(
        Subquery(mine.values("pk")),
        Subquery(mine.values("created_at")),
        Exists(ActionItem.objects.filter(venue=OuterRef("pk"), status=ActionItem.Status.PENDING)),
    )


TOGGLE_STATE_ROWS = Prepared(_toggle_state)


# No savepoint of its own: inside a request's transaction (config.middleware) it is that
# transaction, which rolls back on any error answer; called alone, it is its own.
@transaction.atomic(savepoint=False)
def interest_toggle(
    *, member_id: str, venue_id: str, rng: random.Random | None = None
) -> ToggleResult:
    """Add the member's interest in the venue, or remove it when it exists.

    The venue row is locked first, so toggles on one venue run one after another: the count
    stays exact and at most one pending action item is created when it reaches the threshold.
    Four statements on the usual path: the lock (which also checks the member), then, after
    it, what exists now (the member's interest, a pending item), the insert or delete with its
    audit entry (auditlog), and the count.
    """
    rng = rng or random.SystemRandom()
    locked = VENUE_LOCK_ROWS.rows(venue_id, member_id)
    if not locked or not locked[0][3]:
        if not locked and Member.objects.filter(pk=member_id).exists():
            raise VenueNotFound(venue_id)
        raise MemberNotFound(member_id)
    venue_name, category, interested_count, _ = locked[0]

    # A statement of its own, after the lock: it sees what the toggles before this one wrote.
    [(interest_id, interest_created_at, pending)] = TOGGLE_STATE_ROWS.rows(venue_id, member_id)
    if interest_id is not None:
        # delete() on the row as read, so the audit log records it (no second read).
        Interest.from_db(
            None,
            ("id", "member_id", "venue_id", "created_at"),
            (interest_id, member_id, venue_id, interest_created_at),
        ).delete()
        Venue.objects.filter(pk=venue_id).update(interested_count=F("interested_count") - 1)
        return ToggleResult(
            added=False, venue_name=venue_name, action_item=None, interested_user_ids=[]
        )

    Interest.objects.create(member_id=member_id, venue_id=venue_id)
    Venue.objects.filter(pk=venue_id).update(interested_count=F("interested_count") + 1)
    # The venue row is locked, so its count plus this interest is exact.
    item, member_ids = None, []
    if interested_count + 1 >= ACTION_THRESHOLD and not pending:
        member_ids = list(
            Interest.objects.filter(venue_id=venue_id)
            .order_by("created_at", "id")
            .values_list("member_id", flat=True)
        )
        item = _action_item_create(
            venue_id=venue_id, category=category, member_ids=member_ids, rng=rng
        )
    return ToggleResult(
        added=True, venue_name=venue_name, action_item=item, interested_user_ids=member_ids
    )


ACTION_ITEM_FIELDS = [field.attname for field in ActionItem._meta.concrete_fields]
# The item locked and whether the member is one of its people, compiled once (config/sql.py).
ACTION_ITEM_LOCK_ROWS = Prepared(
    lambda item_id, member_id: (
        ActionItem.objects.select_for_update()
        .filter(pk=item_id)
        .values_list(
            *ACTION_ITEM_FIELDS,
            Exists(
                ActionItemMember.objects.filter(action_item=OuterRef("pk"), member_id=member_id)
            ),
        )
    )
)


@transaction.atomic
def action_item_set_status(*, item_id: str, member_id: str, status: str) -> ActionItem:
    """Complete or dismiss an action item on behalf of one of its interested members."""
    rows = ACTION_ITEM_LOCK_ROWS.rows(item_id, member_id)
    if not rows:
        raise ActionItemNotFound(item_id)
    *values, interested = rows[0]
    if not interested:
        raise NotInterested(member_id)
    item = ActionItem.from_db(router.db_for_read(ActionItem), ACTION_ITEM_FIELDS, values)
    item.status = status
    item.save(update_fields=["status"])
    return item


@transaction.atomic
def venue_create(**fields) -> Venue:
    """A new venue goes last in the clients' venue order (position is unique: a clash retries)."""
    for _ in range(CODE_ATTEMPTS):
        last = Venue.objects.aggregate(last=Max("position"))["last"]
        try:
            with transaction.atomic():
                venue = Venue.objects.create(position=(last or 0) + 1, **fields)
            # After the commit (config/cache.py).
            cache.invalidate(VENUE_FRAGMENTS_KEY, VENUE_SUMMARY_FRAGMENTS_KEY)
            return venue
        except IntegrityError:
            if Venue.objects.filter(pk=fields.get("id")).exists():
                raise
    raise RuntimeError("no free venue position")


@transaction.atomic
def venue_recount(*, venue_ids: list[str] | None = None) -> int:
    """Recompute interested_count from the interest rows (after a bulk import, say)."""
    venues = Venue.objects.all() if venue_ids is None else Venue.objects.filter(pk__in=venue_ids)
    counts = (
        Interest.objects.filter(venue=OuterRef("pk"))
        .order_by()
        .values("venue")
        .annotate(n=Count("*"))
        .values("n")
    )
    return venues.update(interested_count=Coalesce(Subquery(counts), 0))
