"""The PupMatch importer against legacy databases built here from the documented schema
(contracts/legacy-stores.md, alembic revision 001), on a scratch PostgreSQL + PostGIS database."""

import uuid

import bcrypt
import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection

from config.legacy import LegacyImportError
from matching import legacy
from matching.models import (
    Conversation,
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
from matching.tests.conftest import image_bytes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

User = get_user_model()

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;
CREATE TYPE public.activity_level_enum AS ENUM ('low', 'medium', 'high');
CREATE TYPE public.distance_unit_enum AS ENUM ('miles', 'kilometers');
CREATE TABLE public.alembic_version (version_num character varying(32) NOT NULL);
CREATE TABLE public.users (
  id character varying(36) NOT NULL, email character varying(255) NOT NULL,
  password_hash character varying(255) NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL);
CREATE TABLE public.profiles (
  id character varying(36) NOT NULL, user_id character varying(36) NOT NULL,
  name character varying(100) NOT NULL, age integer NOT NULL, bio text NOT NULL,
  location public.geometry(Point,4326), created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL);
CREATE TABLE public.photos (
  id character varying(36) NOT NULL, profile_id character varying(36) NOT NULL,
  url character varying(500) NOT NULL, "order" integer NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL);
CREATE TABLE public.prompts (
  id character varying(36) NOT NULL, profile_id character varying(36) NOT NULL,
  question character varying(500) NOT NULL, answer text NOT NULL, "order" integer NOT NULL);
CREATE TABLE public.user_preferences (
  id character varying(36) NOT NULL, profile_id character varying(36) NOT NULL,
  min_age integer DEFAULT 0 NOT NULL, max_age integer DEFAULT 20 NOT NULL,
  max_distance double precision DEFAULT '25'::double precision NOT NULL,
  activity_level public.activity_level_enum DEFAULT 'medium'::public.activity_level_enum NOT NULL,
  distance_unit public.distance_unit_enum DEFAULT 'miles'::public.distance_unit_enum NOT NULL);
CREATE TABLE public.likes (
  id character varying(36) NOT NULL, user_id character varying(36) NOT NULL,
  target_id character varying(36) NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL);
CREATE TABLE public.passes (
  id character varying(36) NOT NULL, user_id character varying(36) NOT NULL,
  target_id character varying(36) NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL);
CREATE TABLE public.matches (
  id character varying(36) NOT NULL, user1_id character varying(36) NOT NULL,
  user2_id character varying(36) NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL);
CREATE TABLE public.conversations (
  id character varying(36) NOT NULL, match_id character varying(36) NOT NULL,
  user1_id character varying(36) NOT NULL, user2_id character varying(36) NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL);
CREATE TABLE public.messages (
  id character varying(36) NOT NULL, conversation_id character varying(36) NOT NULL,
  sender_id character varying(36) NOT NULL, recipient_id character varying(36) NOT NULL,
  content text NOT NULL, read boolean DEFAULT false NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL);
CREATE TABLE public.playgrounds (
  id character varying(36) NOT NULL, user_id character varying(36) NOT NULL,
  name character varying(200) NOT NULL, description text NOT NULL,
  location public.geometry(Point,4326) NOT NULL,
  created_at timestamp with time zone DEFAULT now() NOT NULL);
ALTER TABLE ONLY public.alembic_version ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);
ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.users ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE ONLY public.profiles ADD CONSTRAINT profiles_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.profiles ADD CONSTRAINT profiles_user_id_key UNIQUE (user_id);
ALTER TABLE ONLY public.photos ADD CONSTRAINT photos_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.prompts ADD CONSTRAINT prompts_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.user_preferences ADD CONSTRAINT user_preferences_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.user_preferences ADD CONSTRAINT user_preferences_profile_id_key UNIQUE (profile_id);
ALTER TABLE ONLY public.likes ADD CONSTRAINT likes_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.likes ADD CONSTRAINT uq_like_user_target UNIQUE (user_id, target_id);
ALTER TABLE ONLY public.passes ADD CONSTRAINT passes_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.passes ADD CONSTRAINT uq_pass_user_target UNIQUE (user_id, target_id);
ALTER TABLE ONLY public.matches ADD CONSTRAINT matches_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.matches ADD CONSTRAINT uq_match_users UNIQUE (user1_id, user2_id);
ALTER TABLE ONLY public.conversations ADD CONSTRAINT conversations_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.conversations ADD CONSTRAINT conversations_match_id_key UNIQUE (match_id);
ALTER TABLE ONLY public.messages ADD CONSTRAINT messages_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.playgrounds ADD CONSTRAINT playgrounds_pkey PRIMARY KEY (id);
CREATE INDEX idx_playgrounds_location ON public.playgrounds USING gist (location);
CREATE INDEX idx_profiles_location ON public.profiles USING gist (location);
INSERT INTO public.alembic_version VALUES ('001');
"""
# Foreign keys as the original declares them; the broken-store tests drop them to plant orphans.
FOREIGN_KEYS = """
ALTER TABLE public.profiles ADD FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;
ALTER TABLE public.photos ADD FOREIGN KEY (profile_id) REFERENCES public.profiles(id) ON DELETE CASCADE;
ALTER TABLE public.prompts ADD FOREIGN KEY (profile_id) REFERENCES public.profiles(id) ON DELETE CASCADE;
ALTER TABLE public.user_preferences ADD FOREIGN KEY (profile_id) REFERENCES public.profiles(id) ON DELETE CASCADE;
ALTER TABLE public.likes ADD FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;
ALTER TABLE public.likes ADD FOREIGN KEY (target_id) REFERENCES public.users(id) ON DELETE CASCADE;
ALTER TABLE public.passes ADD FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;
ALTER TABLE public.passes ADD FOREIGN KEY (target_id) REFERENCES public.users(id) ON DELETE CASCADE;
ALTER TABLE public.matches ADD FOREIGN KEY (user1_id) REFERENCES public.users(id) ON DELETE CASCADE;
ALTER TABLE public.matches ADD FOREIGN KEY (user2_id) REFERENCES public.users(id) ON DELETE CASCADE;
ALTER TABLE public.conversations ADD FOREIGN KEY (match_id) REFERENCES public.matches(id) ON DELETE CASCADE;
ALTER TABLE public.messages ADD FOREIGN KEY (conversation_id) REFERENCES public.conversations(id) ON DELETE CASCADE;
ALTER TABLE public.playgrounds ADD FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;
"""


def u(n: int) -> str:
    return str(uuid.UUID(int=n))


# Ids chosen so string order and UUID order agree; user 3 < user 2 is NOT how match m2 is stored.
LEO, MIA, ZED = u(0x10), u(0x20), u(0x30)


def server_url(dbname: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgresql://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{dbname}"


@pytest.fixture
def legacy_db():
    name = f"pm_legacy_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    conn = psycopg.connect(server_url(name), autocommit=True)
    conn.execute(SCHEMA)
    conn.execute(FOREIGN_KEYS)
    try:
        yield conn, server_url(name)
    finally:
        conn.close()
        with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill(conn, uploads=None):
    """A small store shaped as the original wrote it, with the documented quirks."""
    hash_ = bcrypt.hashpw(b"woofwoof1", bcrypt.gensalt(4)).decode()
    ts = "2025-01-02 10:00:00.123456+00"
    conn.execute(
        "INSERT INTO users (id, email, password_hash, created_at) VALUES "
        "(%s, 'Leo.Rossi@example.com', %s, %s), (%s, 'mia@example.com', %s, %s), "
        "(%s, 'zed@example.com', %s, %s)",
        (LEO, hash_, ts, MIA, hash_, ts, ZED, hash_, ts),
    )
    conn.execute(
        "INSERT INTO profiles (id, user_id, name, age, bio, location, created_at, updated_at) "
        "VALUES (%s, %s, 'Leo', 3, 'Good boy', ST_GeomFromText('POINT(-73.9855 40.758)', 4326), "
        "%s, %s), (%s, %s, 'Mia', 5, '', NULL, %s, %s), "
        "(%s, %s, 'Zed', 1, 'Puppy', ST_GeomFromText('POINT(-73.95 40.78)', 4326), %s, %s)",
        (u(0x101), LEO, ts, ts, u(0x102), MIA, ts, ts, u(0x103), ZED, ts, ts),
    )
    conn.execute(
        'INSERT INTO photos (id, profile_id, url, "order", created_at) VALUES '
        "(%s, %s, 'http://localhost:8000/uploads/photos/aaa.jpg', 0, %s), "
        "(%s, %s, 'http://localhost:8000/uploads/photos/missing.png', 1, %s)",
        (u(0x201), u(0x101), ts, u(0x202), u(0x101), ts),
    )
    if uploads is not None:
        (uploads / "aaa.jpg").write_bytes(image_bytes("JPEG"))
    conn.execute(
        'INSERT INTO prompts (id, profile_id, question, answer, "order") VALUES '
        "(%s, %s, 'Best trick?', 'Sit', 1), (%s, %s, 'Snack?', 'Cheese', 4)",
        (u(0x301), u(0x101), u(0x302), u(0x101)),
    )
    conn.execute(
        "INSERT INTO user_preferences (id, profile_id, max_distance, activity_level, "
        "distance_unit) VALUES (%s, %s, 10, 'high', 'kilometers')",
        (u(0x401), u(0x101)),
    )
    conn.execute(
        "INSERT INTO likes (id, user_id, target_id, created_at) VALUES "
        "(%s, %s, %s, %s), (%s, %s, %s, %s), (%s, %s, %s, %s)",
        (u(0x501), LEO, MIA, ts, u(0x502), MIA, LEO, ts, u(0x503), ZED, LEO, ts),
    )
    conn.execute(
        "INSERT INTO passes (id, user_id, target_id, created_at) VALUES (%s, %s, %s, %s)",
        (u(0x601), LEO, ZED, ts),
    )
    # Stored reversed (user1 > user2): the convention was never enforced.
    conn.execute(
        "INSERT INTO matches (id, user1_id, user2_id, created_at) VALUES (%s, %s, %s, %s)",
        (u(0x701), MIA, LEO, ts),
    )
    conn.execute(
        "INSERT INTO conversations (id, match_id, user1_id, user2_id, created_at, updated_at) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        (u(0x801), u(0x701), MIA, LEO, ts, ts),
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, sender_id, recipient_id, content, read, "
        "created_at) VALUES (%s, %s, %s, %s, 'Caf\u00e9 later? \U0001f436', true, %s), "
        "(%s, %s, %s, %s, 'Yes!', false, '2025-01-02 11:00:00+00')",
        (u(0x901), u(0x801), LEO, MIA, ts, u(0x902), u(0x801), MIA, LEO),
    )
    conn.execute(
        "INSERT INTO playgrounds (id, user_id, name, description, location, created_at) VALUES "
        "(%s, %s, 'Dog Hill', 'Off-leash mornings', "
        "ST_GeomFromText('POINT(-73.9669 40.7794)', 4326), %s)",
        (u(0xA01), LEO, ts),
    )


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Profile,
            Photo,
            Prompt,
            Preferences,
            Like,
            Pass,
            Match,
            Conversation,
            Message,
            Playground,
            PlaygroundFavourite,
        )
    }


NOTHING = {
    "User": 0,
    "Profile": 0,
    "Photo": 0,
    "Prompt": 0,
    "Preferences": 0,
    "Like": 0,
    "Pass": 0,
    "Match": 0,
    "Conversation": 0,
    "Message": 0,
    "Playground": 0,
    "PlaygroundFavourite": 0,
}


def summary(report):
    return {
        name: (t.read, t.written, t.unchanged, len(t.rejected)) for name, t in report.tables.items()
    }


def test_import_keeps_ids_and_converts_values(legacy_db, tmp_path, settings):
    conn, url = legacy_db
    fill(conn, uploads=tmp_path)
    report = legacy.run(f"{url}?uploads={tmp_path}")
    assert summary(report) == {
        "users": (3, 3, 0, 0),
        "profiles": (3, 3, 0, 0),
        "photos": (2, 1, 0, 1),
        "prompts": (2, 2, 0, 0),
        "user_preferences": (1, 1, 0, 0),
        "likes": (3, 3, 0, 0),
        "passes": (1, 1, 0, 0),
        "matches": (1, 1, 0, 0),
        "conversations": (1, 1, 0, 0),
        "messages": (2, 2, 0, 0),
        "playgrounds": (1, 1, 0, 0),
        "playground_favourites": (0, 1, 0, 0),
    }
    assert report.tables["photos"].rejected == [
        f"{u(0x202)}: file missing.png not found in {tmp_path}"
    ]
    leo = User.objects.get(pk=LEO)
    assert leo.email == "leo.rossi@example.com"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.BCryptPasswordHasher"]
    assert leo.check_password("woofwoof1")
    profile = Profile.objects.get(pk=u(0x101))
    assert (profile.user_id, profile.latitude, profile.longitude) == (leo.pk, 40.758, -73.9855)
    assert Profile.objects.get(pk=u(0x102)).latitude is None
    photo = Photo.objects.get()
    assert photo.image.name == f"pupmatch/photos/{u(0x201)}.jpg"
    assert default_storage.open(photo.image.name).read() == image_bytes("JPEG")
    assert list(Prompt.objects.order_by("order").values_list("order", flat=True)) == [1, 4]
    prefs = Preferences.objects.get()
    assert (prefs.max_distance, prefs.activity_level, prefs.distance_unit, prefs.max_age) == (
        10.0,
        "high",
        "kilometers",
        20,
    )
    match = Match.objects.get()
    assert (str(match.user1_id), str(match.user2_id)) == (LEO, MIA)
    conversation = Conversation.objects.get()
    assert (conversation.match, str(conversation.user1_id)) == (match, LEO)
    messages = list(Message.objects.order_by("created_at").values_list("content", "read"))
    assert messages == [("Caf\u00e9 later? \U0001f436", True), ("Yes!", False)]
    playground = Playground.objects.get()
    assert (playground.owner_id, playground.latitude, playground.longitude) == (
        leo.pk,
        40.7794,
        -73.9669,
    )
    assert PlaygroundFavourite.objects.get().user_id == leo.pk


def test_second_run_writes_nothing(legacy_db, tmp_path):
    conn, url = legacy_db
    fill(conn, uploads=tmp_path)
    legacy.run(f"{url}?uploads={tmp_path}")
    before = counts()
    report = legacy.run(f"{url}?uploads={tmp_path}")
    assert counts() == before
    assert summary(report) == {
        "users": (3, 0, 3, 0),
        "profiles": (3, 0, 3, 0),
        "photos": (2, 0, 1, 1),
        "prompts": (2, 0, 2, 0),
        "user_preferences": (1, 0, 1, 0),
        "likes": (3, 0, 3, 0),
        "passes": (1, 0, 1, 0),
        "matches": (1, 0, 1, 0),
        "conversations": (1, 0, 1, 0),
        "messages": (2, 0, 2, 0),
        "playgrounds": (1, 0, 1, 0),
        "playground_favourites": (0, 0, 1, 0),
    }


def test_rows_changed_here_since_are_kept_and_reported(legacy_db, tmp_path):
    conn, url = legacy_db
    fill(conn, uploads=tmp_path)
    legacy.run(f"{url}?uploads={tmp_path}")
    Profile.objects.filter(pk=u(0x101)).update(name="Leonardo")
    report = legacy.run(f"{url}?uploads={tmp_path}")
    assert report.tables["profiles"].rejected == [
        f"{u(0x101)}: already imported and changed here since; kept"
    ]
    assert Profile.objects.get(pk=u(0x101)).name == "Leonardo"


def test_dry_run_validates_and_writes_nothing(legacy_db, tmp_path):
    conn, url = legacy_db
    fill(conn, uploads=tmp_path)
    report = legacy.run(f"{url}?uploads={tmp_path}", dry_run=True)
    assert report.dry_run is True
    assert report.tables["users"].read == 3
    assert sum(t.written for t in report.tables.values()) == 0
    assert counts() == NOTHING
    assert not default_storage.exists(f"pupmatch/photos/{u(0x201)}.jpg")


def test_pair_stored_in_both_orders_is_merged(legacy_db):
    conn, url = legacy_db
    fill(conn)
    conn.execute(
        "INSERT INTO matches (id, user1_id, user2_id, created_at) VALUES "
        "(%s, %s, %s, '2025-02-01 00:00:00+00')",
        (u(0x702), LEO, MIA),
    )
    conn.execute(
        "INSERT INTO conversations (id, match_id, user1_id, user2_id) VALUES (%s, %s, %s, %s)",
        (u(0x802), u(0x702), LEO, MIA),
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, sender_id, recipient_id, content) "
        "VALUES (%s, %s, %s, %s, 'From the twin')",
        (u(0x903), u(0x802), LEO, MIA),
    )
    report = legacy.run(url)
    assert report.tables["matches"].rejected == [
        f"{u(0x702)}: same pair as match {u(0x701)} (reversed order); merged"
    ]
    assert Match.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(conversation_id=u(0x801)).count() == 3


def test_photos_without_an_uploads_folder_are_rejected_with_the_reason(legacy_db):
    conn, url = legacy_db
    fill(conn)
    report = legacy.run(url)
    assert report.tables["photos"].rejected == [
        f"{u(0x201)}: no uploads folder given (?uploads=... on the source URL)",
        f"{u(0x202)}: no uploads folder given (?uploads=... on the source URL)",
    ]


@pytest.mark.parametrize(
    "sql, table, row, problem",
    [
        ("DROP TABLE public.messages", "messages", "-", "table is missing"),
        (
            f"UPDATE profiles SET user_id = '{u(0xFFF)}' WHERE id = '{u(0x103)}'",
            "profiles",
            u(0x103),
            f"user_id {u(0xFFF)} has no row in users",
        ),
        (
            "ALTER TABLE profiles ALTER COLUMN age TYPE text",
            "profiles",
            u(0x101),
            "age: expected int, found str '3'",
        ),
        (
            f"UPDATE profiles SET age = 25 WHERE id = '{u(0x102)}'",
            "profiles",
            u(0x102),
            "age 25 is outside 0–20",
        ),
        (
            "UPDATE users SET email = 'MIA@example.com' WHERE email = 'zed@example.com'",
            "users",
            ZED,
            "differs only by case from user",
        ),
        (
            f"UPDATE messages SET conversation_id = '{u(0xEEE)}' WHERE id = '{u(0x902)}'",
            "messages",
            u(0x902),
            "has no row in conversations",
        ),
        (
            f"UPDATE messages SET sender_id = '{ZED}' WHERE id = '{u(0x902)}'",
            "messages",
            u(0x902),
            "not the conversation's pair",
        ),
        (
            f"UPDATE users SET id = 'user-1' WHERE id = '{ZED}'",
            "users",
            "user-1",
            "id: not a UUID",
        ),
    ],
)
def test_broken_store_stops_with_table_and_row_and_writes_nothing(
    legacy_db, sql, table, row, problem
):
    conn, url = legacy_db
    fill(conn)
    # Plant the damage past the original's own foreign keys (triggers off for this session).
    conn.execute("SET session_replication_role = replica")
    conn.execute(sql)
    with pytest.raises(LegacyImportError) as error:
        legacy.run(url)
    assert error.value.table == table
    assert str(error.value.row) == row
    assert problem in error.value.problem
    assert counts() == NOTHING


def test_unreachable_database_is_a_clear_error():
    with pytest.raises(LegacyImportError) as error:
        legacy.run("postgresql://nobody@127.0.0.1:1/none")
    assert error.value.table == "database"
    assert error.value.problem.startswith("cannot connect")


def test_not_a_postgres_url_is_a_clear_error():
    with pytest.raises(LegacyImportError) as error:
        legacy.run("sqlite:///pupmatch.db")
    assert (
        str(error.value)
        == "database, row -: expected a postgresql:// URL, got 'sqlite:///pupmatch.db'"
    )


def test_import_legacy_command_runs_this_importer(legacy_db, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    conn, url = legacy_db
    fill(conn, uploads=tmp_path)
    out = StringIO()
    call_command(
        "import_legacy", "pupmatch", f"{url}?uploads={tmp_path}", stdout=out, stderr=StringIO()
    )
    assert "import_legacy pupmatch: 20 rows read, 20 written" in out.getvalue()
    assert counts()["Message"] == 2
