"""PupMatch's share of the scale data set (`manage.py generate_demo_data`, issue 7).

At scale 1: 100k owners with dog profiles spread over the New York metro area (clustered around
neighbourhood centres), preferences for most, 1–3 prompts and two photo rows each, 2k
playgrounds with favourites, 500k likes (including both likes of every match), 200k passes,
50k matches with their conversations and 1M messages. Every value comes from `rng`, so a seed
gives the same rows; rows are built lazily and inserted in batches (executemany with values
adapted once per column: Django's bulk_create compiled each value and took twice as long).

Invariants kept: no self-likes, a mutual like always has its match and conversation (pairs
stored ordered), no like and pass from one user to the same target, messages only inside
matches. Demo users log in with the password `pupmatch-demo` when generated with
`--demo-accounts` (else they have no usable password). Photo rows all point at one
placeholder image in the storage.
"""

import math
import operator
import random
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction

from accounts.services import demo_password_hash
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

User = get_user_model()
PLACEHOLDER = "pupmatch/demo/placeholder.png"
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
# Neighbourhood centres (lat, lng, weight) across the metro area.
CENTRES = [
    (40.7831, -73.9712, 5),  # Upper West/East Side
    (40.7527, -73.9772, 4),  # Midtown
    (40.7265, -73.9942, 4),  # Village / Lower East Side
    (40.6782, -73.9442, 4),  # Brooklyn
    (40.7282, -73.7949, 2),  # Queens
    (40.8448, -73.8648, 2),  # Bronx
    (40.5795, -74.1502, 1),  # Staten Island
    (40.7178, -74.0431, 2),  # Jersey City / Hoboken
    (40.9312, -73.8988, 1),  # Yonkers
]
NAMES = "Bella Max Luna Charlie Daisy Rocky Lucy Cooper Sadie Milo Zoe Buddy Bailey Coco Teddy"
QUESTIONS = [
    "My ideal playdate is...",
    "I'm secretly great at...",
    "Favourite snack?",
    "Best trick?",
    "You'll find me at...",
]
ANSWERS = ["Fetch, then a nap", "Sit and stay", "Cheese", "Zoomies", "The dog run at 8am"]
WORDS = "woof park ball fetch treat walk sunny later tomorrow morning run meet play nap".split()


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _time(rng: random.Random, days: int = 300) -> datetime:
    return BASE_TIME + timedelta(seconds=rng.randrange(days * 86400))


def _point(rng: random.Random, weights: list[int]) -> tuple[float, float]:
    lat, lng, _ = rng.choices(CENTRES, weights=weights)[0]
    # ~2.5 km standard deviation around the centre.
    return (
        round(lat + rng.gauss(0, 0.0225), 6),
        round(lng + rng.gauss(0, 0.0225 / math.cos(math.radians(lat))), 6),
    )


def _converters(model: type[models.Model]) -> tuple[list[str], list[Callable]]:
    """Columns and per-column value converters for a direct executemany insert.

    Django's bulk_create spends most of its time compiling SQL value by value; the demo rows
    are trusted and uniform, so they are adapted once per column kind instead.
    """
    sqlite = connection.vendor == "sqlite"
    columns, converters = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField | models.BigAutoField):
            continue
        target = field.target_field if field.is_relation else field
        if isinstance(target, models.UUIDField) and sqlite:
            convert = operator.attrgetter("hex")
        elif isinstance(target, models.DateTimeField) and sqlite:
            convert = connection.ops.adapt_datetimefield_value
        elif isinstance(target, models.FileField):
            convert = str
        else:
            convert = None
        columns.append(field.column)
        converters.append((field.attname, convert))
    return columns, converters


def _write(
    model: type[models.Model],
    table: str,
    rows: Iterable[models.Model],
    total: int,
    batch_size: int,
    progress: Callable[[str, int, int], None] | None,
) -> int:
    columns, converters = _converters(model)
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    done = 0
    iterator: Iterator = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(iterator, batch_size)):
            cursor.executemany(
                sql,
                [
                    tuple(
                        value if convert is None or value is None else convert(value)
                        for value, convert in (
                            (getattr(obj, attname), convert) for attname, convert in converters
                        )
                    )
                    for obj in batch
                ],
            )
            done += len(batch)
            if progress:
                progress(table, done, total)
    return done


def generate(
    *,
    scale: float,
    rng: random.Random,
    batch_size: int = 5000,
    progress: Callable[[str, int, int], None] | None = None,
    demo_accounts: bool = False,
) -> dict[str, int]:
    """Write PupMatch's demo rows in proportion to `scale`; returns rows written per table.

    The accounts share one password hash: the documented demo password with `demo_accounts`,
    else an unusable one (nobody can log in as a generated account).
    """
    n_users = max(2, round(100_000 * scale))
    n_matches = min(round(50_000 * scale), n_users * (n_users - 1) // 4)
    n_likes = max(2 * n_matches, round(500_000 * scale))
    n_passes = round(200_000 * scale)
    n_messages = round(1_000_000 * scale) if n_matches else 0
    n_playgrounds = max(1, round(2_000 * scale))
    weights = [weight for _, _, weight in CENTRES]
    names = NAMES.split()
    password = demo_password_hash(demo_accounts=demo_accounts)
    written: dict[str, int] = {}

    with transaction.atomic():
        if not default_storage.exists(PLACEHOLDER):
            # A 1×1 PNG so photo URLs resolve.
            default_storage.save(
                PLACEHOLDER,
                ContentFile(
                    bytes.fromhex(
                        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a3d8b36b"
                        "0000000049454e44ae426082"
                    )
                ),
            )

        user_ids = [_uuid(rng) for _ in range(n_users)]
        offset = User.objects.count()
        written["accounts_user"] = _write(
            User,
            "accounts_user",
            (
                User(
                    id=user_id,
                    email=f"dog{offset + index}.{user_id.hex[:6]}@demo.pupmatch.example",
                    password=password,
                    created_at=_time(rng),
                )
                for index, user_id in enumerate(user_ids)
            ),
            n_users,
            batch_size,
            progress,
        )

        profile_ids = [_uuid(rng) for _ in range(n_users)]

        def profiles() -> Iterator[Profile]:
            for index, (user_id, profile_id) in enumerate(zip(user_ids, profile_ids, strict=True)):
                lat, lng = _point(rng, weights)
                created = _time(rng)
                yield Profile(
                    id=profile_id,
                    user_id=user_id,
                    name=f"{names[index % len(names)]} {index}",
                    age=rng.randint(0, 15),
                    bio=" ".join(rng.choices(WORDS, k=8)),
                    latitude=lat,
                    longitude=lng,
                    created_at=created,
                    updated_at=created,
                )

        written["matching_profile"] = _write(
            Profile, "matching_profile", profiles(), n_users, batch_size, progress
        )

        with_prefs = [pid for pid in profile_ids if rng.random() < 0.7]

        def preferences() -> Iterator[Preferences]:
            for profile_id in with_prefs:
                low = rng.randint(0, 6)
                yield Preferences(
                    id=_uuid(rng),
                    profile_id=profile_id,
                    min_age=low,
                    max_age=rng.randint(low + 4, 20),
                    max_distance=rng.choice([2.0, 5.0, 10.0, 25.0]),
                    activity_level=rng.choice(ActivityLevel.values),
                    distance_unit=rng.choice(DistanceUnit.values),
                )

        written["matching_preferences"] = _write(
            Preferences,
            "matching_preferences",
            preferences(),
            len(with_prefs),
            batch_size,
            progress,
        )

        prompt_counts = [rng.randint(1, 3) for _ in profile_ids]

        def prompts() -> Iterator[Prompt]:
            for profile_id, count in zip(profile_ids, prompt_counts, strict=True):
                for order in range(count):
                    yield Prompt(
                        id=_uuid(rng),
                        profile_id=profile_id,
                        question=QUESTIONS[(order + len(profile_id.hex)) % len(QUESTIONS)],
                        answer=rng.choice(ANSWERS),
                        order=order,
                    )

        written["matching_prompt"] = _write(
            Prompt, "matching_prompt", prompts(), sum(prompt_counts), batch_size, progress
        )

        def photos() -> Iterator[Photo]:
            for profile_id in profile_ids:
                for order in range(2):
                    yield Photo(
                        id=_uuid(rng),
                        profile_id=profile_id,
                        image=PLACEHOLDER,
                        order=order,
                        created_at=BASE_TIME,
                    )

        written["matching_photo"] = _write(
            Photo, "matching_photo", photos(), 2 * n_users, batch_size, progress
        )

        playground_ids = [_uuid(rng) for _ in range(n_playgrounds)]

        def playgrounds() -> Iterator[Playground]:
            for index, playground_id in enumerate(playground_ids):
                lat, lng = _point(rng, weights)
                yield Playground(
                    id=playground_id,
                    owner_id=rng.choice(user_ids),
                    name=f"{rng.choice(['Dog Run', 'Park', 'Meadow', 'Green'])} {index}",
                    description=" ".join(rng.choices(WORDS, k=6)),
                    latitude=lat,
                    longitude=lng,
                    created_at=_time(rng),
                )

        written["matching_playground"] = _write(
            Playground, "matching_playground", playgrounds(), n_playgrounds, batch_size, progress
        )
        favourite_pairs = {
            (rng.randrange(n_users), rng.randrange(n_playgrounds))
            for _ in range(round(n_users * 0.3))
        }
        written["matching_playgroundfavourite"] = _write(
            PlaygroundFavourite,
            "matching_playgroundfavourite",
            (
                PlaygroundFavourite(
                    user_id=user_ids[u], playground_id=playground_ids[p], created_at=BASE_TIME
                )
                for u, p in sorted(favourite_pairs)
            ),
            len(favourite_pairs),
            batch_size,
            progress,
        )

        # Pairs: matches first (both likes), then one-way likes, then passes.
        likes: set[tuple[int, int]] = set()
        match_pairs: list[tuple[int, int]] = []
        while len(match_pairs) < n_matches:
            a, b = rng.randrange(n_users), rng.randrange(n_users)
            if a == b or (a, b) in likes:
                continue
            likes.update({(a, b), (b, a)})
            match_pairs.append((a, b))
        attempts = 0
        while len(likes) < n_likes and attempts < 20 * n_likes:
            attempts += 1
            a, b = rng.randrange(n_users), rng.randrange(n_users)
            if a != b and (a, b) not in likes and (b, a) not in likes:
                likes.add((a, b))
        passes: set[tuple[int, int]] = set()
        attempts = 0
        while len(passes) < n_passes and attempts < 20 * max(n_passes, 1):
            attempts += 1
            a, b = rng.randrange(n_users), rng.randrange(n_users)
            if a != b and (a, b) not in likes:
                passes.add((a, b))

        written["matching_like"] = _write(
            Like,
            "matching_like",
            (
                Like(
                    id=_uuid(rng), user_id=user_ids[a], target_id=user_ids[b], created_at=_time(rng)
                )
                for a, b in sorted(likes)
            ),
            len(likes),
            batch_size,
            progress,
        )
        written["matching_pass"] = _write(
            Pass,
            "matching_pass",
            (
                Pass(
                    id=_uuid(rng), user_id=user_ids[a], target_id=user_ids[b], created_at=_time(rng)
                )
                for a, b in sorted(passes)
            ),
            len(passes),
            batch_size,
            progress,
        )

        match_ids = [_uuid(rng) for _ in match_pairs]
        conversation_ids = [_uuid(rng) for _ in match_pairs]
        matched_at = [_time(rng, days=200) for _ in match_pairs]
        ordered = [tuple(sorted((user_ids[a], user_ids[b]))) for a, b in match_pairs]
        written["matching_match"] = _write(
            Match,
            "matching_match",
            (
                Match(id=mid, user1_id=pair[0], user2_id=pair[1], created_at=when)
                for mid, pair, when in zip(match_ids, ordered, matched_at, strict=True)
            ),
            len(match_ids),
            batch_size,
            progress,
        )
        # Messages per conversation: spread n_messages unevenly (some chatty pairs).
        per_conversation = [0] * len(match_ids)
        for _ in range(n_messages):
            per_conversation[
                min(int(rng.expovariate(1.0) * len(match_ids) / 4), len(match_ids) - 1)
            ] += 1
        last_message = [
            when + timedelta(minutes=3 * count)
            for when, count in zip(matched_at, per_conversation, strict=True)
        ]
        written["matching_conversation"] = _write(
            Conversation,
            "matching_conversation",
            (
                Conversation(
                    id=cid,
                    match_id=mid,
                    user1_id=pair[0],
                    user2_id=pair[1],
                    created_at=when,
                    updated_at=last,
                )
                for cid, mid, pair, when, last in zip(
                    conversation_ids, match_ids, ordered, matched_at, last_message, strict=True
                )
            ),
            len(conversation_ids),
            batch_size,
            progress,
        )

        def messages() -> Iterator[Message]:
            for cid, pair, when, count in zip(
                conversation_ids, ordered, matched_at, per_conversation, strict=True
            ):
                for index in range(count):
                    sender = rng.randrange(2)
                    yield Message(
                        id=_uuid(rng),
                        conversation_id=cid,
                        sender_id=pair[sender],
                        recipient_id=pair[1 - sender],
                        content=" ".join(rng.choices(WORDS, k=rng.randint(2, 12))),
                        read=index < count - 2,
                        created_at=when + timedelta(minutes=3 * (index + 1)),
                    )

        written["matching_message"] = _write(
            Message, "matching_message", messages(), n_messages, batch_size, progress
        )
    return written
