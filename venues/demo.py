"""Luna's share of the demo data set (`manage.py generate_demo_data`).

At scale 1: 100k members, 10k venues, 1M interests (popularity skewed towards a few venues),
500k friendships and two interest categories per member, spread over New York.
Deterministic for a given random source; ids are prefixed `demo_` so they never clash with
the seed data.
"""

import random
from collections.abc import Callable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from config.audit import audit_batch, audit_bulk_write
from config.db import bulk_insert
from venues.models import VENUE_FIELDS, Friendship, Interest, Member, MemberCategory, Venue

CATEGORIES = ("Coffee Shop", "Restaurant", "Bar", "Cultural", "Club", "Bistro", "Park", "Lounge")
MEMBER_CATEGORIES = (
    "coffee",
    "food",
    "bars",
    "culture",
    "art",
    "nightlife",
    "brunch",
    "music",
    "parks",
)
WORDS = (
    "corner",
    "garden",
    "harbor",
    "brick",
    "golden",
    "little",
    "north",
    "union",
    "river",
    "hill",
)
# New York City, roughly: where the venues are.
LAT_RANGE, LNG_RANGE = (40.55, 40.90), (-74.10, -73.75)


def generate(
    *, scale: float, rng: random.Random, batch_size: int = 5000, progress: Callable | None = None
) -> dict[str, int]:
    """Write Luna's demo rows at `scale` and return the rows written per table."""
    n_members = max(10, int(100_000 * scale))
    n_venues = max(5, int(10_000 * scale))
    n_interests = min(int(1_000_000 * scale), n_members * n_venues // 2)
    n_friendships = min(int(500_000 * scale), n_members * (n_members - 1) // 4)
    now = timezone.now()
    written: dict[str, int] = {}

    def save(model, fields, rows, total):
        done = bulk_insert(
            model, fields, rows, batch_size=batch_size, progress=progress, total=total
        )
        written[model._meta.db_table] = done
        audit_batch(actor="generate_demo_data", model=model, count=done, source="demo data")

    member_ids = [f"demo_user_{n}" for n in range(n_members)]
    venue_ids = [f"demo_venue_{n}" for n in range(n_venues)]
    bios = ("Foodie", "Night owl", "Museum goer", "Coffee first")
    with transaction.atomic(), audit_bulk_write():
        save(
            Member,
            ("id", "name", "avatar", "bio", "created_at"),
            (
                (mid, f"Member {n}", f"https://i.pravatar.cc/150?u={mid}", rng.choice(bios), now)
                for n, mid in enumerate(member_ids)
            ),
            n_members,
        )
        save(
            MemberCategory,
            ("member", "category", "created_at"),
            ((mid, c, now) for mid in member_ids for c in rng.sample(MEMBER_CATEGORIES, 2)),
            n_members * 2,
        )
        # Popularity follows a power law: a few venues draw most of the interest.
        weights = [1.0 / (rank + 1) ** 0.8 for rank in range(n_venues)]
        per_venue = [0] * n_venues
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < n_interests:
            members = [rng.randrange(n_members) for _ in range(batch_size)]
            venues = rng.choices(range(n_venues), weights=weights, k=batch_size)
            for pair in zip(members, venues, strict=True):
                if len(pairs) < n_interests and pair not in pairs:
                    pairs.add(pair)
                    per_venue[pair[1]] += 1
        start = (Venue.objects.aggregate(last=Max("position"))["last"] or 0) + 1
        save(
            Venue,
            VENUE_FIELDS,
            (
                (
                    vid,
                    start + n,
                    f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {n}",
                    rng.choice(CATEGORIES),
                    f"A {rng.choice(WORDS)} place in New York",
                    f"https://picsum.photos/seed/{vid}/800/600",
                    f"{n % 999 + 1} Broadway, NYC",
                    rng.uniform(*LAT_RANGE),
                    rng.uniform(*LNG_RANGE),
                    per_venue[n],
                    now,
                    now,
                )
                for n, vid in enumerate(venue_ids)
            ),
            n_venues,
        )
        save(
            Interest,
            ("member", "venue", "created_at"),
            ((member_ids[m], venue_ids[v], now) for m, v in sorted(pairs)),
            n_interests,
        )
        friends: set[tuple[str, str]] = set()
        while len(friends) < n_friendships:
            a, b = rng.randrange(n_members), rng.randrange(n_members)
            if a != b:
                friends.add(tuple(sorted((member_ids[a], member_ids[b]))))
        save(
            Friendship,
            ("member", "friend", "created_at"),
            ((a, b, now) for a, b in sorted(friends)),
            n_friendships,
        )
    return written
