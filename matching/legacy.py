"""Import PupMatch's original PostgreSQL + PostGIS database (contracts/legacy-stores.md).

`run("postgresql://user@host:5432/pupmatch", dry_run=False, progress=None)` reads the eleven
tables of alembic revision 001 by column name, validates every row and every reference first,
then writes in one transaction (bulk, one audit entry per table batch). Ids are kept, so a second
run finds every row already there: equal rows are `unchanged`, rows changed here since are
`rejected` with the reason and kept as they are (an import never overwrites newer data).

Conversions: users' bcrypt hashes get Django's `bcrypt$` prefix (verified by
BCryptPasswordHasher, upgraded on the next login); e-mails are lower-cased (two accounts that
differ only by case stop the import: resolve them first); PostGIS points become
latitude/longitude; match pairs are stored ordered (a pair present in both orders is kept
once, the later copy reported as rejected, its conversation and messages folded into the first);
each playground is also a favourite of its owner; profiles without preferences get none (the
defaults apply). Photos: the URL's file name is looked up in the uploads folder given as
`?uploads=/path/to/uploads/photos` on the source URL (or PUPMATCH_LEGACY_UPLOADS_DIR) and
copied into the storage; a photo whose file is missing is rejected with the reason.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from config.audit import audit_batch, audit_bulk_write
from config.legacy import ImportReport, LegacyImportError, Progress
from matching.models import (
    MAX_AGE,
    MIN_AGE,
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
BATCH = 2000
PHOTO_EXTENSIONS = {"jpg", "jpeg", "png", "webp"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

# table → (columns selected by name, SQL expressions for them)
QUERIES: dict[str, list[tuple[str, str]]] = {
    "users": [
        ("id", "id"),
        ("email", "email"),
        ("password_hash", "password_hash"),
        ("created_at", "created_at"),
    ],
    "profiles": [
        ("id", "id"),
        ("user_id", "user_id"),
        ("name", "name"),
        ("age", "age"),
        ("bio", "bio"),
        ("latitude", "ST_Y(location::geometry)"),
        ("longitude", "ST_X(location::geometry)"),
        ("created_at", "created_at"),
        ("updated_at", "updated_at"),
    ],
    "photos": [
        ("id", "id"),
        ("profile_id", "profile_id"),
        ("url", "url"),
        ("order", '"order"'),
        ("created_at", "created_at"),
    ],
    "prompts": [
        ("id", "id"),
        ("profile_id", "profile_id"),
        ("question", "question"),
        ("answer", "answer"),
        ("order", '"order"'),
    ],
    "user_preferences": [
        ("id", "id"),
        ("profile_id", "profile_id"),
        ("min_age", "min_age"),
        ("max_age", "max_age"),
        ("max_distance", "max_distance"),
        ("activity_level", "activity_level::text"),
        ("distance_unit", "distance_unit::text"),
    ],
    "likes": [
        ("id", "id"),
        ("user_id", "user_id"),
        ("target_id", "target_id"),
        ("created_at", "created_at"),
    ],
    "passes": [
        ("id", "id"),
        ("user_id", "user_id"),
        ("target_id", "target_id"),
        ("created_at", "created_at"),
    ],
    "matches": [
        ("id", "id"),
        ("user1_id", "user1_id"),
        ("user2_id", "user2_id"),
        ("created_at", "created_at"),
    ],
    "conversations": [
        ("id", "id"),
        ("match_id", "match_id"),
        ("user1_id", "user1_id"),
        ("user2_id", "user2_id"),
        ("created_at", "created_at"),
        ("updated_at", "updated_at"),
    ],
    "messages": [
        ("id", "id"),
        ("conversation_id", "conversation_id"),
        ("sender_id", "sender_id"),
        ("recipient_id", "recipient_id"),
        ("content", "content"),
        ("read", "read"),
        ("created_at", "created_at"),
    ],
    "playgrounds": [
        ("id", "id"),
        ("user_id", "user_id"),
        ("name", "name"),
        ("description", "description"),
        ("latitude", "ST_Y(location::geometry)"),
        ("longitude", "ST_X(location::geometry)"),
        ("created_at", "created_at"),
    ],
}
NULLABLE = {("profiles", "latitude"), ("profiles", "longitude")}
KINDS = {
    "id": "uuid",
    "user_id": "uuid",
    "target_id": "uuid",
    "profile_id": "uuid",
    "user1_id": "uuid",
    "user2_id": "uuid",
    "match_id": "uuid",
    "conversation_id": "uuid",
    "sender_id": "uuid",
    "recipient_id": "uuid",
    "created_at": "datetime",
    "updated_at": "datetime",
    "age": "int",
    "order": "int",
    "min_age": "int",
    "max_age": "int",
    "max_distance": "float",
    "latitude": "float",
    "longitude": "float",
    "read": "bool",
}


@dataclass
class Plan:
    """Validated rows to write, per target model, in dependency order."""

    new: dict[str, list] = field(default_factory=dict)
    files: list[tuple[Path, str]] = field(default_factory=list)  # (source file, storage name)


def _fail(table: str, row: object, problem: str):
    raise LegacyImportError(table, row, problem)


# --- Reading -----------------------------------------------------------------------------------


def _split_source(source: str) -> tuple[str, Path | None]:
    """The libpq URL (SQLAlchemy driver suffixes removed) and the optional uploads folder."""
    parts = urlsplit(source)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in ("postgres", "postgresql"):
        _fail("database", "-", f"expected a postgresql:// URL, got {source!r}")
    query = parse_qs(parts.query)
    uploads = query.pop("uploads", [None])[0] or getattr(
        settings, "PUPMATCH_LEGACY_UPLOADS_DIR", None
    )
    url = urlunsplit(
        ("postgresql", parts.netloc, parts.path, urlencode(query, doseq=True), parts.fragment)
    )
    return url, Path(uploads) if uploads else None


def _read(url: str, progress: Progress | None) -> dict[str, list[dict]]:
    try:
        conn = psycopg.connect(url, connect_timeout=10)
    except psycopg.Error as error:
        _fail("database", "-", f"cannot connect: {error}".strip())
    rows: dict[str, list[dict]] = {}
    try:
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
            present = {name for (name,) in cursor.fetchall()}
            for table, columns in QUERIES.items():
                if table not in present:
                    _fail(table, "-", "table is missing from the legacy database")
                select = ", ".join(expression for _, expression in columns)
                try:
                    cursor.execute(
                        f"SELECT {select} FROM public.{table} ORDER BY created_at, id"
                        if any(name == "created_at" for name, _ in columns)
                        else f"SELECT {select} FROM public.{table} ORDER BY id"
                    )
                except psycopg.Error as error:
                    conn.rollback()
                    _fail(table, "-", f"cannot read the table: {error}".strip())
                names = [name for name, _ in columns]
                rows[table] = [dict(zip(names, values, strict=True)) for values in cursor]
                if progress:
                    progress(table, len(rows[table]), len(rows[table]))
    finally:
        conn.close()
    return rows


def _check_types(table: str, rows: list[dict]) -> None:
    """Every value has the type the legacy schema promises (ids are UUID strings)."""
    for row in rows:
        where = row.get("id")
        for column, value in row.items():
            if value is None:
                if (table, column) in NULLABLE:
                    continue
                _fail(table, where, f"{column} is NULL")
            kind = KINDS.get(column, "text")
            ok = {
                "uuid": isinstance(value, str),
                "datetime": isinstance(value, datetime),
                "int": isinstance(value, int) and not isinstance(value, bool),
                "float": isinstance(value, int | float) and not isinstance(value, bool),
                "bool": isinstance(value, bool),
                "text": isinstance(value, str),
            }[kind]
            if not ok:
                _fail(
                    table,
                    where,
                    f"{column}: expected {kind}, found {type(value).__name__} {value!r}",
                )
            if kind == "uuid":
                try:
                    row[column] = uuid.UUID(value)
                except ValueError:
                    _fail(table, where, f"{column}: not a UUID: {value!r}")
            if kind == "datetime" and value.tzinfo is None:
                _fail(table, where, f"{column}: timestamp without a time zone")
            if kind == "float":
                row[column] = float(value)


# --- Validation and planning --------------------------------------------------------------------


def _index(table: str, rows: list[dict], key: str = "id") -> dict:
    seen: dict = {}
    for row in rows:
        if row[key] in seen:
            _fail(table, row[key], f"duplicate {key}")
        seen[row[key]] = row
    return seen


def _ref(table: str, row: dict, column: str, index: dict, target: str) -> None:
    if row[column] not in index:
        _fail(table, row["id"], f"{column} {row[column]} has no row in {target}")


def _photo_file(row: dict, uploads: Path | None) -> tuple[Path | None, str, str | None]:
    """(source file, storage name, reason it cannot be imported or None)."""
    filename = row["url"].rstrip("/").rsplit("/", 1)[-1]
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    name = f"pupmatch/photos/{row['id']}.{'jpg' if extension == 'jpeg' else extension}"
    if extension not in PHOTO_EXTENSIONS:
        return None, name, f"unsupported file type in url {row['url']!r}"
    if uploads is None:
        return None, name, "no uploads folder given (?uploads=... on the source URL)"
    path = uploads / filename
    if not path.is_file():
        return None, name, f"file {filename} not found in {uploads}"
    return path, name, None


def _validate(data: dict[str, list[dict]]) -> dict[str, dict]:
    for table, rows in data.items():
        _check_types(table, rows)
    users = _index("users", data["users"])
    emails: dict[str, uuid.UUID] = {}
    for row in data["users"]:
        email = row["email"].strip().lower()
        if not EMAIL.match(email):
            _fail("users", row["id"], f"not an e-mail address: {row['email']!r}")
        if email in emails:
            _fail(
                "users",
                row["id"],
                f"e-mail {row['email']!r} differs only by case from user "
                f"{emails[email]}: resolve the pair before importing",
            )
        emails[email] = row["id"]
        if not row["password_hash"].startswith(("$2a$", "$2b$", "$2y$")):
            _fail("users", row["id"], "password_hash is not a bcrypt hash")
    profiles = _index("profiles", data["profiles"])
    _index("profiles", data["profiles"], "user_id")
    for row in data["profiles"]:
        _ref("profiles", row, "user_id", users, "users")
        if not MIN_AGE <= row["age"] <= MAX_AGE:
            _fail("profiles", row["id"], f"age {row['age']} is outside {MIN_AGE}–{MAX_AGE}")
    for table in ("photos", "prompts", "user_preferences"):
        _index(table, data[table])
        for row in data[table]:
            _ref(table, row, "profile_id", profiles, "profiles")
            if table != "user_preferences" and row["order"] < 0:
                _fail(table, row["id"], f"order {row['order']} is negative")
    _index("user_preferences", data["user_preferences"], "profile_id")
    for row in data["user_preferences"]:
        if not MIN_AGE <= row["min_age"] <= row["max_age"] <= MAX_AGE:
            _fail("user_preferences", row["id"], "min_age/max_age out of range or reversed")
        if row["max_distance"] <= 0:
            _fail("user_preferences", row["id"], "max_distance must be positive")
        if row["activity_level"] not in ActivityLevel.values:
            _fail("user_preferences", row["id"], f"activity_level {row['activity_level']!r}")
        if row["distance_unit"] not in DistanceUnit.values:
            _fail("user_preferences", row["id"], f"distance_unit {row['distance_unit']!r}")
    for table in ("likes", "passes", "matches"):
        _index(table, data[table])
        first, second = ("user1_id", "user2_id") if table == "matches" else ("user_id", "target_id")
        for row in data[table]:
            _ref(table, row, first, users, "users")
            _ref(table, row, second, users, "users")
            if row[first] == row[second]:
                _fail(table, row["id"], "a user paired with themselves")
    matches = {row["id"]: row for row in data["matches"]}
    conversations = _index("conversations", data["conversations"])
    for row in data["conversations"]:
        _ref("conversations", row, "match_id", matches, "matches")
        match = matches[row["match_id"]]
        if {row["user1_id"], row["user2_id"]} != {match["user1_id"], match["user2_id"]}:
            _fail("conversations", row["id"], "users differ from its match's pair")
    _index("conversations", data["conversations"], "match_id")
    _index("messages", data["messages"])
    for row in data["messages"]:
        _ref("messages", row, "conversation_id", conversations, "conversations")
        pair = {conversations[row["conversation_id"]][k] for k in ("user1_id", "user2_id")}
        if {row["sender_id"], row["recipient_id"]} != pair:
            _fail("messages", row["id"], "sender and recipient are not the conversation's pair")
    _index("playgrounds", data["playgrounds"])
    for row in data["playgrounds"]:
        _ref("playgrounds", row, "user_id", users, "users")
    for table in ("profiles", "playgrounds"):
        for row in data[table]:
            lat, lng = row["latitude"], row["longitude"]
            if lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
                _fail(table, row["id"], f"location ({lat}, {lng}) is out of range")
    return {"users": users, "matches": matches}


def _same(obj: Any, values: dict) -> bool:
    return all(getattr(obj, key) == value for key, value in values.items())


def _plan(data: dict[str, list[dict]], uploads: Path | None, report: ImportReport) -> Plan:
    plan = Plan()

    def stage(table: str, model, rows: list[tuple[uuid.UUID, dict]], make) -> None:
        """Split rows into new (planned) / unchanged / rejected against what is stored."""
        tally = report.table(table)
        existing = model.objects.in_bulk([pk for pk, _ in rows])
        for pk, values in rows:
            current = existing.get(pk)
            if current is None:
                plan.new.setdefault(table, []).append(make(pk, values))
            elif _same(current, values):
                tally.unchanged += 1
            else:
                tally.rejected.append(f"{pk}: already imported and changed here since; kept")

    # users: e-mail clashes with accounts created here are refused before anything is written
    user_rows = []
    for row in data["users"]:
        email = row["email"].strip().lower()
        clash = User.objects.filter(email__iexact=email).exclude(pk=row["id"]).first()
        if clash is not None:
            _fail(
                "users", row["id"], f"e-mail {email} belongs to another account here ({clash.pk})"
            )
        user_rows.append(
            (
                row["id"],
                {
                    "email": email,
                    "password": "bcrypt$" + row["password_hash"],
                    "created_at": row["created_at"],
                },
            )
        )
    stage("users", User, user_rows, lambda pk, v: User(pk=pk, is_active=True, **v))

    def simple(table, model, rows, fields, rename=None):
        rename = rename or {}
        prepared = [
            (row["id"], {rename.get(name, name): row[name] for name in fields}) for row in rows
        ]
        stage(table, model, prepared, lambda pk, v: model(pk=pk, **v))

    simple(
        "profiles",
        Profile,
        data["profiles"],
        ["user_id", "name", "age", "bio", "latitude", "longitude", "created_at", "updated_at"],
    )
    photo_rows = []
    for row in data["photos"]:
        path, name, problem = _photo_file(row, uploads)
        if problem:
            report.table("photos").rejected.append(f"{row['id']}: {problem}")
            continue
        photo_rows.append(
            (
                row["id"],
                {
                    "profile_id": row["profile_id"],
                    "order": row["order"],
                    "created_at": row["created_at"],
                    "image": name,
                },
            )
        )
        if not Photo.objects.filter(pk=row["id"]).exists():
            plan.files.append((path, name))
    stage("photos", Photo, photo_rows, lambda pk, v: Photo(pk=pk, **v))
    simple("prompts", Prompt, data["prompts"], ["profile_id", "question", "answer", "order"])
    simple(
        "user_preferences",
        Preferences,
        data["user_preferences"],
        ["profile_id", "min_age", "max_age", "max_distance", "activity_level", "distance_unit"],
    )
    simple("likes", Like, data["likes"], ["user_id", "target_id", "created_at"])
    simple("passes", Pass, data["passes"], ["user_id", "target_id", "created_at"])

    # Matches: ordered pairs; a pair present in both orders is kept once (the earliest).
    kept_match: dict[tuple, uuid.UUID] = {}
    match_alias: dict[uuid.UUID, uuid.UUID] = {}
    match_rows = []
    for row in data["matches"]:
        pair = tuple(sorted((row["user1_id"], row["user2_id"])))
        if pair in kept_match:
            match_alias[row["id"]] = kept_match[pair]
            report.table("matches").rejected.append(
                f"{row['id']}: same pair as match {kept_match[pair]} (reversed order); merged"
            )
            continue
        kept_match[pair] = row["id"]
        match_rows.append(
            (row["id"], {"user1_id": pair[0], "user2_id": pair[1], "created_at": row["created_at"]})
        )
    stage("matches", Match, match_rows, lambda pk, v: Match(pk=pk, **v))

    kept_conversation: dict[uuid.UUID, uuid.UUID] = {}
    conversation_alias: dict[uuid.UUID, uuid.UUID] = {}
    conversation_rows = []
    for row in data["conversations"]:
        match_id = match_alias.get(row["match_id"], row["match_id"])
        if match_id in kept_conversation:
            conversation_alias[row["id"]] = kept_conversation[match_id]
            report.table("conversations").rejected.append(
                f"{row['id']}: second conversation of one pair; its messages moved to "
                f"{kept_conversation[match_id]}"
            )
            continue
        kept_conversation[match_id] = row["id"]
        pair = sorted((row["user1_id"], row["user2_id"]))
        conversation_rows.append(
            (
                row["id"],
                {
                    "match_id": match_id,
                    "user1_id": pair[0],
                    "user2_id": pair[1],
                    "created_at": row["created_at"],
                    "updated_at": row["updated_at"],
                },
            )
        )
    stage("conversations", Conversation, conversation_rows, lambda pk, v: Conversation(pk=pk, **v))
    message_rows = [
        (
            row["id"],
            {
                "conversation_id": conversation_alias.get(
                    row["conversation_id"], row["conversation_id"]
                ),
                "sender_id": row["sender_id"],
                "recipient_id": row["recipient_id"],
                "content": row["content"],
                "read": row["read"],
                "created_at": row["created_at"],
            },
        )
        for row in data["messages"]
    ]
    stage("messages", Message, message_rows, lambda pk, v: Message(pk=pk, **v))
    playground_rows = [
        (
            row["id"],
            {
                "owner_id": row["user_id"],
                "name": row["name"],
                "description": row["description"],
                "latitude": row["latitude"],
                "longitude": row["longitude"],
                "created_at": row["created_at"],
            },
        )
        for row in data["playgrounds"]
    ]
    stage("playgrounds", Playground, playground_rows, lambda pk, v: Playground(pk=pk, **v))
    # Each playground is also its owner's favourite (the original had no favourites table).
    existing = set(
        PlaygroundFavourite.objects.filter(
            playground_id__in=[pk for pk, _ in playground_rows]
        ).values_list("user_id", "playground_id")
    )
    for pk, values in playground_rows:
        key = (values["owner_id"], pk)
        if key in existing:
            report.table("playground_favourites").unchanged += 1
        else:
            plan.new.setdefault("playground_favourites", []).append(
                PlaygroundFavourite(
                    user_id=key[0], playground_id=pk, created_at=values["created_at"]
                )
            )
    return plan


# --- Writing -------------------------------------------------------------------------------------


def _write(plan: Plan, report: ImportReport, source: str, progress: Progress | None) -> None:
    copied: list[str] = []
    try:
        for path, name in plan.files:
            with path.open("rb") as handle:
                saved = default_storage.save(name, File(handle))
            copied.append(saved)
        with transaction.atomic(), audit_bulk_write():
            for table, objects in plan.new.items():
                model = type(objects[0])
                for start in range(0, len(objects), BATCH):
                    model.objects.bulk_create(objects[start : start + BATCH])
                    if progress:
                        progress(table, min(start + BATCH, len(objects)), len(objects))
                report.table(table).written = len(objects)
                audit_batch(actor="migration", model=model, count=len(objects), source=source)
    except Exception:
        for name in copied:
            default_storage.delete(name)
        raise


def _redact(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username
    return urlunsplit((parts.scheme, f"{user}@{netloc}" if user else netloc, parts.path, "", ""))


@transaction.atomic
def run(source: str, *, dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import the legacy PupMatch database at `source`; see the module docstring."""
    url, uploads = _split_source(source)
    report = ImportReport(app="pupmatch", source=_redact(url), dry_run=dry_run)
    data = _read(url, progress)
    for table, rows in data.items():
        report.table(table).read = len(rows)
    _validate(data)
    plan = _plan(data, uploads, report)
    if not dry_run:
        _write(plan, report, report.source, progress)
    return report
