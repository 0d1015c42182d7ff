"""The Luna importer against stores built from the documented legacy schema."""

import json
import sqlite3

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from config.legacy import LegacyImportError
from venues import legacy
from venues.models import ActionItem, Friendship, Interest, Member, MemberCategory, Venue

SCHEMA = """
CREATE TABLE users (
  id VARCHAR(100) NOT NULL, name VARCHAR(255) NOT NULL, avatar VARCHAR(500) NOT NULL,
  bio TEXT NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id)
);
CREATE TABLE venues (
  id VARCHAR(100) NOT NULL, name VARCHAR(255) NOT NULL, category VARCHAR(100) NOT NULL,
  description TEXT NOT NULL, image VARCHAR(500) NOT NULL, address VARCHAR(500) NOT NULL,
  latitude FLOAT NOT NULL, longitude FLOAT NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id)
);
CREATE INDEX idx_venue_category ON venues (category);
CREATE TABLE interests (
  user_id VARCHAR(100) NOT NULL, venue_id VARCHAR(100) NOT NULL, created_at DATETIME NOT NULL,
  PRIMARY KEY (user_id, venue_id), FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE,
  FOREIGN KEY(venue_id) REFERENCES venues (id) ON DELETE CASCADE
);
CREATE TABLE user_interests (
  id VARCHAR(100) NOT NULL, user_id VARCHAR(100) NOT NULL, interest_category VARCHAR(100) NOT NULL,
  created_at DATETIME NOT NULL, PRIMARY KEY (id),
  CONSTRAINT uq_user_interest UNIQUE (user_id, interest_category),
  FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE TABLE friendships (
  user_id VARCHAR(100) NOT NULL, friend_id VARCHAR(100) NOT NULL, created_at DATETIME NOT NULL,
  PRIMARY KEY (user_id, friend_id), FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE,
  FOREIGN KEY(friend_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE TABLE action_items (
  id VARCHAR(100) NOT NULL, venue_id VARCHAR(100) NOT NULL, interested_user_ids JSON NOT NULL,
  action_type VARCHAR(50) NOT NULL, action_code VARCHAR(100) NOT NULL, description TEXT NOT NULL,
  status VARCHAR(50) NOT NULL, threshold_met BOOLEAN NOT NULL, created_at DATETIME NOT NULL,
  PRIMARY KEY (id), FOREIGN KEY(venue_id) REFERENCES venues (id) ON DELETE CASCADE,
  UNIQUE (action_code)
);
"""
SEEDED = "2025-11-23 06:00:57.{:06d}"


def seed_rows() -> dict[str, list[tuple]]:
    """The committed luna.db: the contract's seed, with (user_1, venue_2) re-toggled last."""
    with open(settings.BASE_DIR / "fixtures" / "luna.json") as f:
        fixture = json.load(f)

    def of(model):
        return [r for r in fixture if r["model"] == f"venues.{model}"]

    def when(value: str) -> str:
        return value.replace("T", " ").replace("Z", "").ljust(19, ":")[:19] + ".000000"

    users = [
        (r["pk"], r["fields"]["name"], r["fields"]["avatar"], r["fields"]["bio"], SEEDED.format(n))
        for n, r in enumerate(of("member"))
    ]
    venues = [
        (
            r["pk"],
            f["name"],
            f["category"],
            f["description"],
            f["image"],
            f["address"],
            f["latitude"],
            f["longitude"],
            SEEDED.format(100 + n),
        )
        for n, r in enumerate(of("venue"))
        for f in [r["fields"]]
    ]
    interests = [
        (r["fields"]["member"], r["fields"]["venue"], when(r["fields"]["created_at"]))
        for r in of("interest")
    ]
    retoggled = next(i for i in interests if i[:2] == ("user_1", "venue_2"))
    interests.remove(retoggled)
    interests.append(("user_1", "venue_2", "2025-11-23 06:03:38.711118"))
    categories = [
        (
            f"{r['fields']['member']}_interest_{n}",
            r["fields"]["member"],
            r["fields"]["category"],
            SEEDED.format(200 + n),
        )
        for n, r in enumerate(of("membercategory"))
    ]
    friendships = [
        (r["fields"]["member"], r["fields"]["friend"], SEEDED.format(0)) for r in of("friendship")
    ]
    return {
        "users": users,
        "venues": venues,
        "interests": interests,
        "user_interests": categories,
        "friendships": friendships,
        "action_items": [],
    }


def build_store(path, rows=None, schema=SCHEMA) -> str:
    rows = seed_rows() if rows is None else rows
    conn = sqlite3.connect(path)
    conn.executescript(schema)
    for table, values in rows.items():
        for row in values:
            conn.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
    conn.commit()
    conn.close()
    return str(path)


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (Member, Venue, Interest, MemberCategory, Friendship, ActionItem)
    )


@pytest.fixture
def store(tmp_path) -> str:
    return build_store(tmp_path / "luna.db")


@pytest.mark.django_db
def test_import_then_the_routes_answer_as_the_original(store, api_client):
    report = legacy.run(store)

    assert counts() == (8, 12, 25, 16, 28, 0)
    assert {t: (s.read, s.written, s.unchanged, s.rejected) for t, s in report.tables.items()} == {
        "users": (8, 8, 0, []),
        "venues": (12, 12, 0, []),
        "user_interests": (16, 16, 0, []),
        "interests": (25, 25, 0, []),
        "friendships": (28, 28, 0, []),
        "action_items": (0, 0, 0, []),
    }
    venues = api_client.get("/luna/venues").json()["venues"]
    assert [(v["id"], v["interested_count"]) for v in venues] == [
        ("venue_1", 4),
        ("venue_2", 1),
        ("venue_3", 1),
        ("venue_4", 3),
        ("venue_5", 2),
        ("venue_6", 2),
        ("venue_7", 2),
        ("venue_8", 2),
        ("venue_9", 2),
        ("venue_10", 2),
        ("venue_11", 2),
        ("venue_12", 2),
    ]
    rows = api_client.get("/luna/recommendations?user_id=user_1").json()["recommendations"]
    assert [
        (r["venue"]["id"], r["score"], r["friends_interested"], r["total_interested"])
        for r in rows[:5]
    ] == [
        ("venue_1", 8.0, 3, 4),
        ("venue_2", 4.0, 0, 1),
        ("venue_3", 4.0, 0, 1),
        ("venue_4", 4.0, 3, 3),
        ("venue_5", 2.7, 2, 2),
    ]
    profile = api_client.get("/luna/users/user_1").json()
    assert profile["user"]["interests"] == ["coffee", "food"]
    # The re-toggled interest is the newest, as in the original store.
    assert [v["id"] for v in profile["interested_venues"]] == ["venue_3", "venue_1", "venue_2"]
    # The next add on venue_1 creates its action item, as it would have on the original.
    toggled = api_client.post(
        "/luna/interests", {"user_id": "user_4", "venue_id": "venue_1"}, format="json"
    )
    assert toggled.json()["action_item"]["interested_user_ids"] == [
        "user_6",
        "user_1",
        "user_2",
        "user_3",
        "user_4",
    ]


@pytest.mark.django_db
def test_a_second_run_writes_nothing_new(store):
    legacy.run(store)
    Venue.objects.filter(pk="venue_1").update(name="Changed here since")

    report = legacy.run(store)

    assert counts() == (8, 12, 25, 16, 28, 0)
    assert {t: (s.written, s.unchanged) for t, s in report.tables.items()} == {
        "users": (0, 8),
        "venues": (0, 11),
        "user_interests": (0, 16),
        "interests": (0, 25),
        "friendships": (0, 28),
        "action_items": (0, 0),
    }
    assert report.tables["venues"].rejected == [
        "row 1: venue_1 exists here with other values; kept"
    ]
    assert Venue.objects.get(pk="venue_1").name == "Changed here since"


@pytest.mark.django_db
def test_action_items_keep_ids_codes_and_members(tmp_path, api_client):
    rows = seed_rows()
    rows["action_items"] = [
        (
            "action_venue_1_4821",
            "venue_1",
            json.dumps(["user_1", "user_2", "user_3", "user_6"]),
            "visit_venue",
            "LUNA-venue_1-0375",
            "Goal reached! 4 people want to visit",
            "pending",
            1,
            "2025-11-23 06:05:00.000000",
        ),
    ]
    store = build_store(tmp_path / "luna.db", rows)

    legacy.run(store)

    item = api_client.get("/luna/users/user_6").json()["action_items"][0]
    assert (item["id"], item["action_code"], item["interested_user_ids"], item["status"]) == (
        "action_venue_1_4821",
        "LUNA-venue_1-0375",
        ["user_1", "user_2", "user_3", "user_6"],
        "pending",
    )


@pytest.mark.django_db
def test_dry_run_validates_and_writes_nothing(store):
    report = legacy.run(store, dry_run=True)

    assert counts() == (0, 0, 0, 0, 0, 0)
    assert report.dry_run is True
    assert report.tables["interests"].read == 25


@pytest.mark.django_db
def test_newer_columns_and_tables_are_ignored(tmp_path):
    schema = (
        SCHEMA
        + "CREATE TABLE chats (id INTEGER PRIMARY KEY); ALTER TABLE users ADD COLUMN latitude FLOAT;"
    )
    rows = seed_rows()
    rows["users"] = [row + (40.7,) for row in rows["users"]]
    store = build_store(tmp_path / "luna.db", rows, schema)

    legacy.run(store)

    assert counts() == (8, 12, 25, 16, 28, 0)


def broken_missing_table(tmp_path):
    return build_store(
        tmp_path / "luna.db",
        {k: v for k, v in seed_rows().items() if k != "friendships"},
        SCHEMA.replace("CREATE TABLE friendships", "CREATE TABLE friends"),
    )


def broken_column_type(tmp_path):
    rows = seed_rows()
    rows["venues"][4] = rows["venues"][4][:6] + ("forty",) + rows["venues"][4][7:]
    return build_store(tmp_path / "luna.db", rows)


def broken_foreign_key(tmp_path):
    rows = seed_rows()
    rows["interests"][2] = ("user_3", "venue_99", "2024-11-20 14:20:00.000000")
    return build_store(tmp_path / "luna.db", rows)


def broken_datetime(tmp_path):
    rows = seed_rows()
    rows["users"][1] = rows["users"][1][:4] + ("yesterday",)
    return build_store(tmp_path / "luna.db", rows)


def truncated_file(tmp_path):
    path = build_store(tmp_path / "full.db")
    data = open(path, "rb").read()
    truncated = tmp_path / "luna.db"
    truncated.write_bytes(data[: len(data) // 3])
    return str(truncated)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (broken_missing_table, "friendships, row -: table is missing"),
        (broken_column_type, "venues, row 5 (latitude): expected a number, found str 'forty'"),
        (broken_foreign_key, "interests, row 3 (venue_id): refers to a missing row: 'venue_99'"),
        (
            broken_datetime,
            "users, row 2 (created_at): expected a datetime 'YYYY-MM-DD HH:MM:SS.ffffff', found 'yesterday'",
        ),
        (truncated_file, "luna.db, row -: "),
    ],
)
@pytest.mark.django_db
def test_bad_stores_name_table_and_row_and_write_nothing(tmp_path, make, message):
    store = make(tmp_path)

    with pytest.raises(LegacyImportError) as error:
        legacy.run(store)

    assert str(error.value).startswith(message)
    assert counts() == (0, 0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_import_legacy_command_prints_the_report(store, capsys):
    call_command("import_legacy", "luna", store)

    lines = capsys.readouterr().out.splitlines()
    assert lines[:7] == [
        "  table               read   written  unchanged  rejected",
        "  users                  8         8          0         0",
        "  venues                12        12          0         0",
        "  user_interests        16        16          0         0",
        "  interests             25        25          0         0",
        "  friendships           28        28          0         0",
        "  action_items           0         0          0         0",
    ]
    assert lines[7].startswith("import_legacy luna: 89 rows read, 89 written (")
    assert counts() == (8, 12, 25, 16, 28, 0)


@pytest.mark.django_db
def test_import_legacy_command_fails_cleanly_on_a_bad_store(tmp_path):
    store = broken_foreign_key(tmp_path)

    with pytest.raises(
        CommandError, match=r"interests, row 3 \(venue_id\): refers to a missing row"
    ):
        call_command("import_legacy", "luna", store)

    assert counts() == (0, 0, 0, 0, 0, 0)
