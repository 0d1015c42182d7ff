"""Import Luna's original SQLite store (`luna.db`, see contracts/legacy-stores.md).

Everything is read and validated first; then one transaction writes what is new. Ids the iOS
app holds (`user_1`, `venue_1`, action item ids and codes) are kept; venues keep the store's
rowid order. A row whose key already exists is `unchanged` when equal and otherwise rejected
(kept as it is here: a re-import never overwrites what users changed since).
"""

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from config.audit import audit_batch, audit_bulk_write
from config.db import bulk_insert
from config.legacy import ImportReport, LegacyImportError, Progress
from venues import services
from venues.models import (
    VENUE_FIELDS,
    ActionItem,
    ActionItemMember,
    Friendship,
    Interest,
    Member,
    MemberCategory,
    Venue,
)

# Columns selected by name; later versions of the store added columns and tables we ignore.
COLUMNS = {
    "users": ("id", "name", "avatar", "bio", "created_at"),
    "venues": (
        "id",
        "name",
        "category",
        "description",
        "image",
        "address",
        "latitude",
        "longitude",
        "created_at",
    ),
    "user_interests": ("id", "user_id", "interest_category", "created_at"),
    "interests": ("user_id", "venue_id", "created_at"),
    "friendships": ("user_id", "friend_id", "created_at"),
    "action_items": (
        "id",
        "venue_id",
        "interested_user_ids",
        "action_type",
        "action_code",
        "description",
        "status",
        "threshold_met",
        "created_at",
    ),
}
TEXT, REAL, DATETIME, BOOL, JSON_LIST = "text", "real", "datetime", "bool", "json-list"
TYPES = {
    "latitude": REAL,
    "longitude": REAL,
    "created_at": DATETIME,
    "threshold_met": BOOL,
    "interested_user_ids": JSON_LIST,
}
BATCH = 5000


@dataclass
class LegacyData:
    rows: dict[str, list[dict]]


def _fail(table: str, row: object, problem: str):
    raise LegacyImportError(table, row, problem)


def _open(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        _fail(path.name, "-", f"no such file: {path}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        status = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        _fail(path.name, "-", f"not a readable SQLite database ({error})")
    if status != "ok":
        _fail(path.name, "-", f"damaged database: {status}")
    return conn


def _convert(table: str, rowid: int, column: str, value, tz: ZoneInfo):
    kind = TYPES.get(column, TEXT)
    where = f"{rowid} ({column})"
    if value is None:
        _fail(table, where, "is NULL")
    if kind == TEXT:
        if not isinstance(value, str):
            _fail(table, where, f"expected text, found {type(value).__name__} {value!r}")
        return value
    if kind == REAL:
        if isinstance(value, bool) or not isinstance(value, int | float):
            _fail(table, where, f"expected a number, found {type(value).__name__} {value!r}")
        return float(value)
    if kind == BOOL:
        if value not in (0, 1):
            _fail(table, where, f"expected 0 or 1, found {value!r}")
        return bool(value)
    if kind == DATETIME:
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            _fail(
                table, where, f"expected a datetime 'YYYY-MM-DD HH:MM:SS.ffffff', found {value!r}"
            )
        # The original wrote naive server-local times: read them in the configured time zone.
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    try:
        decoded = json.loads(value) if isinstance(value, str) else None
    except json.JSONDecodeError:
        decoded = None
    if not isinstance(decoded, list) or not all(isinstance(item, str) for item in decoded):
        _fail(table, where, f"expected a JSON list of user ids, found {value!r}")
    return decoded


def read_store(source: str, progress: Progress | None = None) -> LegacyData:
    """Read and type-check every table; raise LegacyImportError on the first bad row."""
    path = Path(source)
    conn = _open(path)
    tz = ZoneInfo(settings.TIME_ZONE)
    rows: dict[str, list[dict]] = {}
    try:
        present = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        for table, columns in COLUMNS.items():
            if table not in present:
                _fail(table, "-", "table is missing")
            have = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
            missing = [c for c in columns if c not in have]
            if missing:
                _fail(table, "-", f"missing columns: {', '.join(missing)}")
            total = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            select = ", ".join(f'"{c}"' for c in columns)
            rows[table] = []
            try:
                cursor = conn.execute(f'SELECT rowid, {select} FROM "{table}" ORDER BY rowid')
                for done, (rowid, *values) in enumerate(cursor, 1):
                    rows[table].append(
                        {"_rowid": rowid}
                        | {
                            c: _convert(table, rowid, c, v, tz)
                            for c, v in zip(columns, values, strict=True)
                        }
                    )
                    if progress and (done % BATCH == 0 or done == total):
                        progress(table, done, total)
            except sqlite3.DatabaseError as error:
                _fail(table, "-", f"cannot be read ({error})")
    finally:
        conn.close()
    _check_values(rows)
    return LegacyData(rows)


def _check_values(rows: dict[str, list[dict]]) -> None:
    """Foreign keys and enums, against the store itself and what this database already has."""
    user_ids = {r["id"] for r in rows["users"]} | set(Member.objects.values_list("pk", flat=True))
    venue_ids = {r["id"] for r in rows["venues"]} | set(Venue.objects.values_list("pk", flat=True))
    for r in rows["venues"]:
        if not (-90 <= r["latitude"] <= 90 and -180 <= r["longitude"] <= 180):
            _fail(
                "venues",
                r["_rowid"],
                f"coordinates out of range: {r['latitude']}, {r['longitude']}",
            )
    for table, columns in (
        ("user_interests", (("user_id", user_ids),)),
        ("interests", (("user_id", user_ids), ("venue_id", venue_ids))),
        ("friendships", (("user_id", user_ids), ("friend_id", user_ids))),
        ("action_items", (("venue_id", venue_ids),)),
    ):
        for r in rows[table]:
            for column, known in columns:
                if r[column] not in known:
                    _fail(
                        table,
                        f"{r['_rowid']} ({column})",
                        f"refers to a missing row: {r[column]!r}",
                    )
    for r in rows["action_items"]:
        where = r["_rowid"]
        if r["status"] not in ActionItem.Status.values:
            _fail("action_items", f"{where} (status)", f"unknown status {r['status']!r}")
        if r["action_type"] not in ActionItem.ActionType.values:
            _fail(
                "action_items",
                f"{where} (action_type)",
                f"unknown action type {r['action_type']!r}",
            )
        for member_id in r["interested_user_ids"]:
            if member_id not in user_ids:
                _fail(
                    "action_items",
                    f"{where} (interested_user_ids)",
                    f"refers to a missing user: {member_id!r}",
                )


def _split(
    report: ImportReport, table: str, records: list[dict], key, existing, same=None
) -> list[dict]:
    """Count rows as read / unchanged / rejected and return the new ones.

    `existing` maps keys already here to their rows (or is a set of keys when the key is the
    whole row); `same(row_here, record)` decides whether an existing row is unchanged.
    """
    stats = report.table(table)
    stats.read = len(records)
    new, seen = [], set()
    for record in records:
        k = key(record)
        if k in seen:
            stats.rejected.append(f"row {record['_rowid']}: duplicate of an earlier row ({k})")
            continue
        seen.add(k)
        if k not in existing:
            new.append(record)
        elif same is None or same(existing[k], record):
            stats.unchanged += 1
        else:
            stats.rejected.append(
                f"row {record['_rowid']}: {k} exists here with other values; kept"
            )
    return new


def run(source: str, *, dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import a luna.db file; see the module docstring."""
    data = read_store(source, progress)
    rows = data.rows
    report = ImportReport(app="luna", source=str(source), dry_run=dry_run)

    members = {m.pk: m for m in Member.objects.all()}
    new_users = _split(
        report,
        "users",
        rows["users"],
        lambda r: r["id"],
        members,
        lambda m, r: (m.name, m.avatar, m.bio) == (r["name"], r["avatar"], r["bio"]),
    )
    venues = {v.pk: v for v in Venue.objects.all()}
    new_venues = _split(
        report,
        "venues",
        rows["venues"],
        lambda r: r["id"],
        venues,
        lambda v, r: (
            (v.name, v.category, v.address, v.latitude, v.longitude)
            == (r["name"], r["category"], r["address"], r["latitude"], r["longitude"])
        ),
    )
    categories = set(MemberCategory.objects.values_list("member_id", "category"))
    new_categories = _split(
        report,
        "user_interests",
        rows["user_interests"],
        lambda r: (r["user_id"], r["interest_category"]),
        categories,
    )
    interests = set(Interest.objects.values_list("member_id", "venue_id"))
    new_interests = _split(
        report,
        "interests",
        rows["interests"],
        lambda r: (r["user_id"], r["venue_id"]),
        interests,
    )
    friendships = set(Friendship.objects.values_list("member_id", "friend_id"))
    new_friendships = _split(
        report,
        "friendships",
        rows["friendships"],
        lambda r: tuple(sorted((r["user_id"], r["friend_id"]))),
        friendships,
    )
    report.table("friendships").rejected.extend(
        f"row {r['_rowid']}: a user cannot befriend themselves"
        for r in new_friendships
        if r["user_id"] == r["friend_id"]
    )
    new_friendships = [r for r in new_friendships if r["user_id"] != r["friend_id"]]
    items = {a.pk: a for a in ActionItem.objects.all()}
    new_items = _split(
        report,
        "action_items",
        rows["action_items"],
        lambda r: r["id"],
        items,
        lambda a, r: (a.action_code, a.status) == (r["action_code"], r["status"]),
    )
    codes = {a.action_code for a in items.values()}
    pending = {a.venue_id for a in items.values() if a.status == ActionItem.Status.PENDING}
    for r in list(new_items):
        problem = None
        if r["action_code"] in codes:
            problem = f"action code {r['action_code']} is already used"
        elif r["status"] == ActionItem.Status.PENDING and r["venue_id"] in pending:
            problem = f"{r['venue_id']} already has a pending action item"
        if problem:
            new_items.remove(r)
            report.table("action_items").rejected.append(f"row {r['_rowid']}: {problem}")
            continue
        codes.add(r["action_code"])
        if r["status"] == ActionItem.Status.PENDING:
            pending.add(r["venue_id"])

    if dry_run:
        return report
    with transaction.atomic(), audit_bulk_write():
        _write(
            report,
            new_users,
            new_venues,
            new_categories,
            new_interests,
            new_friendships,
            new_items,
            source,
        )
    return report


def _write(report, users, venues, categories, interests, friendships, items, source) -> None:
    def save(table: str, model, fields: tuple[str, ...], rows: list[tuple]) -> None:
        report.table(table).written = bulk_insert(model, fields, rows, batch_size=BATCH)
        if rows:
            audit_batch(actor="migration", model=model, count=len(rows), source=f"luna.db {table}")

    save(
        "users",
        Member,
        ("id", "name", "avatar", "bio", "created_at"),
        [(r["id"], r["name"], r["avatar"], r["bio"], r["created_at"]) for r in users],
    )
    start = (Venue.objects.aggregate(last=Max("position"))["last"] or 0) + 1
    imported_at = timezone.now()
    save(
        "venues",
        Venue,
        VENUE_FIELDS,
        [
            (
                r["id"],
                start + n,
                r["name"],
                r["category"],
                r["description"],
                r["image"],
                r["address"],
                r["latitude"],
                r["longitude"],
                0,
                r["created_at"],
                imported_at,
            )
            for n, r in enumerate(venues)  # rowid order: the clients' venue order
        ],
    )
    save(
        "user_interests",
        MemberCategory,
        ("member", "category", "created_at"),
        [(r["user_id"], r["interest_category"], r["created_at"]) for r in categories],
    )
    save(
        "interests",
        Interest,
        ("member", "venue", "created_at"),
        [(r["user_id"], r["venue_id"], r["created_at"]) for r in interests],
    )
    save(
        "friendships",
        Friendship,
        ("member", "friend", "created_at"),
        [
            (min(r["user_id"], r["friend_id"]), max(r["user_id"], r["friend_id"]), r["created_at"])
            for r in friendships
        ],
    )
    save(
        "action_items",
        ActionItem,
        (
            "id",
            "venue",
            "action_type",
            "action_code",
            "description",
            "status",
            "threshold_met",
            "created_at",
        ),
        [
            (
                r["id"],
                r["venue_id"],
                r["action_type"],
                r["action_code"],
                r["description"],
                r["status"],
                r["threshold_met"],
                r["created_at"],
            )
            for r in items
        ],
    )
    bulk_insert(
        ActionItemMember,
        ("action_item", "member", "position"),
        [
            (r["id"], member_id, position)
            for r in items
            for position, member_id in enumerate(r["interested_user_ids"])
        ],
        batch_size=BATCH,
    )
    affected = {r["venue_id"] for r in interests} | {r["id"] for r in venues}
    if affected:
        services.venue_recount(venue_ids=sorted(affected))
