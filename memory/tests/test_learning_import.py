import json
import time
from datetime import UTC, datetime
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command

from config.audit import named_actor
from config.legacy import ImportReport, LegacyImportError
from memory.learning import legacy as legacy_learning
from memory.learning.importer import import_learning_folder
from memory.models import ApprovedCard, ChatMessage, LearnerProfile, MasteredGrammar, MasteredWord
from memory.tests.factories import LearnerProfileFactory, MasteredWordFactory
from memory.tests.learning_folder import (
    REAL_SIZE,
    en_words,
    profile_record,
    write_learning_folder,
    zh_words,
)

pytestmark = pytest.mark.django_db

CARDS = [
    {"type": "vocabulary", "word": "猫", "image": "cat.png"},
    {
        "card_type": "grammar",
        "content": {"uri": "grammar:ba"},
        "approved_at": "2025-10-27T09:15:55",
    },
]
CHAT = [
    {"role": "user", "content": "你好", "timestamp": "2025-10-27T09:13:10.319205"},
    {"role": "assistant", "content": "你好！", "timestamp": "2025-10-27T09:13:12"},
]


def counts() -> dict[str, int]:
    return {
        "profiles": LearnerProfile.objects.count(),
        "zh": MasteredWord.objects.filter(language="zh").count(),
        "en": MasteredWord.objects.filter(language="en").count(),
        "grammar": MasteredGrammar.objects.count(),
        "cards": ApprovedCard.objects.count(),
        "chat": ChatMessage.objects.count(),
    }


def table_figures(report: ImportReport) -> dict[str, tuple[int, int, int, int]]:
    return {
        name: (table.read, table.written, table.unchanged, len(table.rejected))
        for name, table in report.tables.items()
    }


@pytest.fixture
def real_folder(tmp_path):
    return write_learning_folder(tmp_path / "old-app", cards=CARDS, chat=CHAT)


def test_real_size_import_writes_everything_once(real_folder, tmp_path, record_property):
    started = time.perf_counter()
    report = import_learning_folder(real_folder, backup_dir=tmp_path / "backups")
    # Kept in the JUnit report (--junitxml), not printed: the suite prints only pytest's output.
    record_property("import_seconds", round(time.perf_counter() - started, 3))

    assert counts() == {"profiles": 1, "zh": 5297, "en": 3098, "grammar": 76, "cards": 2, "chat": 2}
    assert table_figures(report) == {
        "profiles": (1, 1, 0, 0),
        "mastered_words": (8395, 8395, 0, 0),
        "mastered_grammar": (76, 76, 0, 0),
        "approved_cards": (2, 2, 0, 0),
        "chat_messages": (2, 2, 0, 0),
    }
    profile = LearnerProfile.objects.get()
    assert (profile.id, profile.name, profile.mental_age, profile.interests) == (
        "xiao-ming",
        "Xiao Ming",
        5.5,
        ["dinosaurs", "trains"],
    )
    assert list(
        MasteredWord.objects.filter(language="zh").order_by("id").values_list("word", flat=True)
    ) == zh_words(REAL_SIZE["zh"])


def test_the_api_serves_the_imported_profile_as_the_old_app_did(real_folder, tmp_path, api_client):
    import_learning_folder(real_folder, backup_dir=tmp_path / "backups")

    body = api_client.get("/learning/profiles/Xiao Ming").json()

    assert body["mastered_words"] == ", ".join(zh_words(REAL_SIZE["zh"]))
    assert body["mastered_english_words"] == ", ".join(en_words(REAL_SIZE["en"]))
    assert body["mastered_grammar"] == ",".join(f"grammar:point-{i}" for i in range(76))


def test_cards_and_chat_belong_to_the_first_profile(real_folder, tmp_path):
    import_learning_folder(real_folder, backup_dir=tmp_path / "backups")

    cards = list(
        ApprovedCard.objects.order_by("id").values_list("profile_id", "card_type", "content")
    )
    assert cards == [
        ("xiao-ming", "vocabulary", CARDS[0]),
        ("xiao-ming", "grammar", {"uri": "grammar:ba"}),
    ]
    assert ApprovedCard.objects.get(card_type="grammar").approved_at == datetime(
        2025, 10, 27, 9, 15, 55, tzinfo=UTC
    )
    chat = list(
        ChatMessage.objects.order_by("timestamp").values_list("role", "content", "timestamp")
    )
    assert chat == [
        ("user", "你好", datetime(2025, 10, 27, 9, 13, 10, 319205, tzinfo=UTC)),
        ("assistant", "你好！", datetime(2025, 10, 27, 9, 13, 12, tzinfo=UTC)),
    ]


def test_second_run_writes_nothing_and_duplicates_nothing(real_folder, tmp_path):
    import_learning_folder(real_folder, backup_dir=tmp_path / "backups")
    before = counts()

    report = import_learning_folder(real_folder, backup_dir=tmp_path / "backups")

    assert counts() == before
    assert table_figures(report) == {
        "profiles": (1, 0, 1, 0),
        "mastered_words": (8395, 0, 8395, 0),
        "mastered_grammar": (76, 0, 76, 0),
        "approved_cards": (2, 0, 2, 0),
        "chat_messages": (2, 0, 2, 0),
    }
    assert report.skipped("mastered_words") == {"already in the database": 8395}


def test_a_second_run_adds_only_what_is_new(tmp_path):
    folder = write_learning_folder(
        tmp_path / "a", [profile_record(zh=2, en=0, grammar=0)], chat=CHAT
    )
    import_learning_folder(folder, backup_dir=tmp_path / "b")
    write_learning_folder(
        folder,
        [profile_record(zh=3, en=0, grammar=0)],
        chat=[*CHAT, {"role": "user", "content": "再见"}],
    )

    report = import_learning_folder(folder, backup_dir=tmp_path / "b")

    assert counts() == {"profiles": 1, "zh": 3, "en": 0, "grammar": 0, "cards": 0, "chat": 3}
    assert report.table("mastered_words").written == 1
    assert report.table("chat_messages").written == 1


def test_duplicate_words_are_skipped_with_a_reason(tmp_path):
    record = profile_record(
        zh=0, en=0, grammar=0, mastered_words="猫, 狗, 猫", mastered_grammar="g:1,g:1"
    )
    words = [{"profile_id": "Xiao Ming", "word": "狗", "language": "zh"}]
    folder = write_learning_folder(tmp_path / "a", [record], words=words)

    report = import_learning_folder(folder, backup_dir=tmp_path / "b")

    assert counts()["zh"] == 2
    assert report.table("mastered_words").rejected == [
        "duplicate in source: zh word '狗' of xiao-ming"
    ]
    assert report.skipped("mastered_words") == {"duplicate in source": 1}
    # The old app already de-duplicated joined strings on read: "猫, 狗, 猫" reads as two words.
    assert table_figures(report)["mastered_words"] == (3, 2, 0, 1)


def test_words_already_stored_are_skipped(tmp_path):
    profile = LearnerProfileFactory(id="xiao-ming", name="Xiao Ming")
    MasteredWordFactory(profile=profile, word="aaword0", language="en")
    folder = write_learning_folder(tmp_path / "a", [profile_record(zh=0, en=2, grammar=0)])

    report = import_learning_folder(folder, backup_dir=tmp_path / "b")

    assert table_figures(report)["profiles"] == (1, 0, 1, 0)
    assert table_figures(report)["mastered_words"] == (2, 1, 1, 0)
    assert counts()["en"] == 2


def test_source_files_are_copied_to_a_backup_folder(real_folder, tmp_path):
    report = import_learning_folder(real_folder, backup_dir=tmp_path / "backups")

    backup = tmp_path / "backups" / report.backup.rsplit("/", 1)[1]
    copied = sorted(str(path.relative_to(backup)) for path in backup.rglob("*.json"))
    assert copied == [
        "content_db/approved_cards.json",
        "content_db/chat_history.json",
        "profiles/child_profiles.json",
    ]
    assert (backup / "profiles/child_profiles.json").read_bytes() == (
        real_folder / "profiles/child_profiles.json"
    ).read_bytes()


def test_dry_run_validates_and_counts_but_writes_nothing(real_folder, tmp_path):
    report = import_learning_folder(real_folder, dry_run=True, backup_dir=tmp_path / "backups")

    assert counts() == {"profiles": 0, "zh": 0, "en": 0, "grammar": 0, "cards": 0, "chat": 0}
    assert report.dry_run is True
    assert report.backup is None
    assert table_figures(report)["mastered_words"] == (8395, 0, 0, 0)
    assert not (tmp_path / "backups").exists()


def _broken(tmp_path, name):
    """A real-size valid profile first, then one broken piece: nothing may be written."""
    good = profile_record(**REAL_SIZE)
    folder = tmp_path / name
    if name == "bad-json":
        write_learning_folder(folder, [good], cards=CARDS)
        (folder / "content_db" / "chat_history.json").write_text(
            '[{"role": "user",', encoding="utf-8"
        )
    elif name == "no-name":
        write_learning_folder(folder, [good, profile_record(name="  ")])
    elif name == "unknown-language":
        words = [{"profile_id": "xiao-ming", "word": "chat", "language": "fr"}]
        write_learning_folder(folder, [good], words=words)
    elif name == "wrong-type":
        write_learning_folder(folder, [good, profile_record(name="Ann", interests="dinosaurs")])
    elif name == "wrong-number":
        write_learning_folder(folder, [good, profile_record(name="Ann", mental_age="five")])
    elif name == "word-list-type":
        write_learning_folder(folder, [good, profile_record(name="Ann", mastered_words=42)])
    elif name == "bad-role":
        write_learning_folder(folder, [good], chat=[*CHAT, {"role": "system", "content": "x"}])
    elif name == "unknown-owner":
        write_learning_folder(folder, [good], cards={"Nobody": [CARDS[0]]})
    elif name == "bad-timestamp":
        write_learning_folder(
            folder, [good], chat=[{"role": "user", "content": "x", "timestamp": "yesterday"}]
        )
    elif name == "nul":
        write_learning_folder(folder, [good], chat=[{"role": "user", "content": "a\u0000b"}])
    elif name == "duplicate-id":
        write_learning_folder(folder, [good, profile_record(zh=1)])
    return folder


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "bad-json",
            "chat_history.json, row line 1: invalid JSON: Expecting property name enclosed in double quotes (column 18)",
        ),
        ("no-name", "child_profiles.json, row record 1: the profile has no name"),
        (
            "unknown-language",
            "mastered_words.json, row record 0: unknown language 'fr' (expected zh or en)",
        ),
        (
            "wrong-type",
            "child_profiles.json, row record 1 (Ann): `interests` must be a list, not str",
        ),
        (
            "wrong-number",
            "child_profiles.json, row record 1 (Ann): `mental_age` must be a number, not 'five'",
        ),
        (
            "word-list-type",
            "child_profiles.json, row record 1 (Ann): `mastered_words` must be a joined string, not int",
        ),
        (
            "bad-role",
            "chat_history.json, row record 2: unknown role 'system' (expected user or assistant)",
        ),
        ("unknown-owner", "approved_cards.json, row Nobody[0]: unknown profile 'Nobody'"),
        (
            "bad-timestamp",
            "chat_history.json, row record 0: `timestamp` is not an ISO date-time: 'yesterday'",
        ),
        (
            "duplicate-id",
            "child_profiles.json, row record 1: profile id 'xiao-ming' also in record 0",
        ),
        ("nul", "chat_history.json, row line 4: contains a NUL character"),
    ],
)
def test_a_broken_folder_names_file_and_record_and_writes_nothing(tmp_path, name, message):
    folder = _broken(tmp_path, name)

    with pytest.raises(LegacyImportError) as raised:
        import_learning_folder(folder, backup_dir=tmp_path / "backups")

    assert str(raised.value) == message
    assert counts() == {"profiles": 0, "zh": 0, "en": 0, "grammar": 0, "cards": 0, "chat": 0}
    assert not (tmp_path / "backups").exists()


def test_a_failure_while_writing_rolls_everything_back(real_folder, tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ChatMessage.objects, "bulk_create", fail)

    with pytest.raises(RuntimeError):
        import_learning_folder(real_folder, backup_dir=tmp_path / "backups")

    assert counts() == {"profiles": 0, "zh": 0, "en": 0, "grammar": 0, "cards": 0, "chat": 0}


def test_a_folder_without_profiles_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()

    with pytest.raises(LegacyImportError) as raised:
        import_learning_folder(tmp_path / "empty", backup_dir=tmp_path / "b")

    assert raised.value.problem == "no profiles.json (or child_profiles.json) found"


def test_chat_keyed_by_profile_name(tmp_path):
    folder = write_learning_folder(
        tmp_path / "a",
        [profile_record(zh=0, en=0, grammar=0), profile_record("Ann", zh=0, en=0, grammar=0)],
        chat={"Ann": [{"role": "user", "content": "hi"}]},
    )

    import_learning_folder(folder, backup_dir=tmp_path / "b")

    assert list(ChatMessage.objects.values_list("profile_id", "content")) == [("ann", "hi")]


def test_command_prints_the_verification_report(real_folder, tmp_path):
    out = StringIO()

    call_command(
        "import_learning_json",
        str(real_folder),
        "--backup-dir",
        str(tmp_path / "b"),
        stdout=out,
        stderr=StringIO(),
    )
    call_command(
        "import_learning_json",
        str(real_folder),
        "--backup-dir",
        str(tmp_path / "b"),
        stdout=out,
        stderr=StringIO(),
    )

    lines = out.getvalue().splitlines()
    assert lines[0] == (
        f"Imported: {real_folder} (content_db/approved_cards.json, content_db/chat_history.json, "
        "profiles/child_profiles.json)"
    )
    assert lines[1:7] == [
        "table                 read  written  skipped  reasons",
        "profiles                 1        1        0",
        "mastered_words        8395     8395        0",
        "mastered_grammar        76       76        0",
        "approved_cards           2        2        0",
        "chat_messages            2        2        0",
    ]
    second = lines[lines.index("table                 read  written  skipped  reasons", 2) :]
    assert second[1:6] == [
        "profiles                 1        0        1  already in the database: 1",
        "mastered_words        8395        0     8395  already in the database: 8395",
        "mastered_grammar        76        0       76  already in the database: 76",
        "approved_cards           2        0        2  already in the database: 2",
        "chat_messages            2        0        2  already in the database: 2",
    ]
    assert counts()["zh"] == 5297


def test_command_error_is_clear_and_writes_nothing(tmp_path):
    folder = _broken(tmp_path, "no-name")

    with pytest.raises(CommandError) as raised:
        call_command("import_learning_json", str(folder), stdout=StringIO(), stderr=StringIO())

    assert str(raised.value) == (
        "nothing imported: child_profiles.json, row record 1: the profile has no name"
    )
    assert LearnerProfile.objects.count() == 0


def test_import_legacy_interface(real_folder, tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    calls = []

    report = legacy_learning.run(str(real_folder), progress=lambda *call: calls.append(call))

    assert isinstance(report, ImportReport)
    assert (report.app, report.source, report.dry_run) == ("learning", str(real_folder), False)
    assert report.table("mastered_words").written == 8395
    assert ("profiles", 1, 1) in calls
    assert ("mastered_words", 8395, 8395) in calls
    assert (
        json.loads((real_folder / "profiles/child_profiles.json").read_text())[0]["name"]
        == "Xiao Ming"
    )


def test_the_import_writes_one_audit_entry_per_table_as_migration(real_folder, tmp_path):
    import_learning_folder(real_folder, backup_dir=tmp_path / "backups")

    entries = {
        entry.content_type.model: (entry.changes, named_actor(entry))
        for entry in LogEntry.objects.select_related("content_type")
    }
    assert entries == {
        "learnerprofile": ({"rows": [None, 1]}, "migration"),
        "masteredword": ({"rows": [None, 8395]}, "migration"),
        "masteredgrammar": ({"rows": [None, 76]}, "migration"),
        "approvedcard": ({"rows": [None, 2]}, "migration"),
        "chatmessage": ({"rows": [None, 2]}, "migration"),
    }
