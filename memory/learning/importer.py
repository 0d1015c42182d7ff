"""Import the old learning app's JSON files (the seed's "Step 2" migration).

The folder may hold (found anywhere below it, by name):

- `profiles.json` or `child_profiles.json`: a list of profile objects as the API serves them,
  word lists as joined strings (`"猫, 狗"`; grammar `"g:1,g:2"`);
- `approved_cards.json`: a list of cards (the card object itself, `type` or `card_type`,
  optional `profile_id`, `approved_at`); or an object {profile id or name: [cards]};
- `chat_history.json`: a list of `{role, content, timestamp?, profile_id?}`; or an object
  {profile id or name: [messages]};
- `mastered_words.json` (optional): a list of `{profile_id, word, language}` rows.

Records without a profile belong to the first profile of the profiles file (as the original
migration script assumed). Everything is validated before anything is written; a problem
raises `LegacyImportError` naming the file and the record, and nothing is written. The write
is one transaction; a second run skips what is already there (profiles and words by their
keys, cards and chat messages by a digest of the source record), so it never duplicates.
Source files are copied to a backup folder first.
"""

import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.audit import audit_batch, audit_bulk_write
from config.db import is_postgresql
from config.legacy import ImportReport, LegacyImportError, Progress

from .models import (
    ApprovedCard,
    ChatMessage,
    ChatRole,
    Language,
    LearnerProfile,
    MasteredGrammar,
    MasteredWord,
)
from .services import profile_slug, split_joined

PROFILE_FILES = ("profiles.json", "child_profiles.json")
CARDS_FILE = "approved_cards.json"
CHAT_FILE = "chat_history.json"
WORDS_FILE = "mastered_words.json"
AUDIT_ACTOR = "migration"
BATCH_SIZE = 2000

TABLES = ("profiles", "mastered_words", "mastered_grammar", "approved_cards", "chat_messages")
TEXT_FIELDS = ("dob", "gender", "address", "school", "neighborhood")
NULLABLE_TEXT_FIELDS = ("verbal_fluency", "passive_language_level", "raw_input")
ALREADY_THERE = "already in the database"
DUPLICATE = "duplicate in source"


@dataclass
class LearningImportReport(ImportReport):
    backup: str | None = None
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def skipped(self, table: str) -> Counter:
        """Skipped rows of a table by reason (already there, or duplicated in the source)."""
        report = self.table(table)
        reasons = Counter(reason.split(":", 1)[0] for reason in report.rejected)
        if report.unchanged:
            reasons[ALREADY_THERE] += report.unchanged
        return reasons


@dataclass
class _Plan:
    profiles: dict[str, LearnerProfile] = field(default_factory=dict)
    words: list[tuple[str, str, str]] = field(default_factory=list)  # (profile, word, language)
    grammar: list[tuple[str, str]] = field(default_factory=list)
    cards: list[ApprovedCard] = field(default_factory=list)
    chat: list[ChatMessage] = field(default_factory=list)


def _fail(path: Path, record: object, problem: str) -> LegacyImportError:
    return LegacyImportError(path.name, record, problem)


def find_files(folder: Path) -> dict[str, Path]:
    """The known JSON files below `folder`, by role (profiles, cards, chat, words)."""
    if not folder.is_dir():
        raise LegacyImportError(str(folder), "-", "not a folder")
    found: dict[str, Path] = {}
    wanted = {name: "profiles" for name in PROFILE_FILES}
    wanted |= {CARDS_FILE: "cards", CHAT_FILE: "chat", WORDS_FILE: "words"}
    for path in sorted(folder.rglob("*.json")):
        role = wanted.get(path.name)
        if role and role not in found:
            found[role] = path
    if "profiles" not in found:
        raise LegacyImportError(str(folder), "-", "no profiles.json (or child_profiles.json) found")
    return found


def _load(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        if "\x00" in text or "\\u0000" in text:  # PostgreSQL cannot store NUL characters
            line = text[: max(text.find("\x00"), text.find("\\u0000"))].count("\n") + 1
            raise _fail(path, f"line {line}", "contains a NUL character")
        return data
    except UnicodeDecodeError as error:
        raise _fail(path, "-", f"not UTF-8 text ({error.reason})") from error
    except json.JSONDecodeError as error:
        raise _fail(
            path, f"line {error.lineno}", f"invalid JSON: {error.msg} (column {error.colno})"
        ) from error


def _text(path: Path, record: object, data: dict, key: str, *, nullable: bool) -> str | None:
    value = data.get(key)
    if value is None:
        return None if nullable else ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail(path, record, f"`{key}` must be a string, not {type(value).__name__}")
    return str(value)


def _joined(path: Path, record: object, data: dict, key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return split_joined(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    raise _fail(path, record, f"`{key}` must be a joined string, not {type(value).__name__}")


def _when(path: Path, record: object, value: Any, key: str) -> datetime | None:
    if value is None:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise _fail(path, record, f"`{key}` is not an ISO date-time: {value!r}")
    if timezone.is_naive(moment):  # the old app wrote local time without an offset
        moment = timezone.make_aware(moment)
    return moment


def _profile(path: Path, index: int, data: Any) -> tuple[LearnerProfile, dict[str, list[str]]]:
    record = f"record {index}"
    if not isinstance(data, dict):
        raise _fail(path, record, f"a profile must be an object, not {type(data).__name__}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(path, record, "the profile has no name")
    record = f"record {index} ({name})"
    profile_id = data.get("id")
    if profile_id is not None and (not isinstance(profile_id, str) or not profile_id.strip()):
        raise _fail(path, record, "`id` must be a non-empty string")
    for key in ("interests", "character_roster"):
        if data.get(key) is not None and not isinstance(data[key], list):
            raise _fail(path, record, f"`{key}` must be a list, not {type(data[key]).__name__}")
    interests = data.get("interests") or []
    if not all(isinstance(item, str) for item in interests):
        raise _fail(path, record, "`interests` must be a list of strings")
    extracted = data.get("extracted_data")
    if extracted is not None and not isinstance(extracted, dict):
        raise _fail(
            path, record, f"`extracted_data` must be an object, not {type(extracted).__name__}"
        )
    mental_age = data.get("mental_age")
    if isinstance(mental_age, str) and mental_age.strip():
        try:
            mental_age = float(mental_age)
        except ValueError:
            raise _fail(
                path, record, f"`mental_age` must be a number, not {mental_age!r}"
            ) from None
    elif mental_age == "":
        mental_age = None
    if mental_age is not None and (
        isinstance(mental_age, bool) or not isinstance(mental_age, int | float)
    ):
        raise _fail(path, record, f"`mental_age` must be a number, not {type(mental_age).__name__}")
    profile = LearnerProfile(
        id=(profile_id or profile_slug(name)).strip(),
        name=name.strip(),
        interests=interests,
        character_roster=data.get("character_roster") or [],
        mental_age=mental_age,
        extracted_data=extracted or {},
        **{key: _text(path, record, data, key, nullable=False) for key in TEXT_FIELDS},
        **{key: _text(path, record, data, key, nullable=True) for key in NULLABLE_TEXT_FIELDS},
    )
    created = _when(path, record, data.get("created_at"), "created_at")
    if created:
        profile.created_at = created
    lists = {
        Language.CHINESE: _joined(path, record, data, "mastered_words"),
        Language.ENGLISH: _joined(path, record, data, "mastered_english_words"),
        "grammar": _joined(path, record, data, "mastered_grammar"),
    }
    return profile, lists


def _records(
    path: Path, data: Any, default_owner: str | None
) -> Iterable[tuple[str, str | None, Any]]:
    """(record label, owner reference, record) for a list, or an object keyed by owner."""
    if isinstance(data, list):
        for index, item in enumerate(data):
            yield f"record {index}", default_owner, item
    elif isinstance(data, dict):
        for owner, items in data.items():
            if not isinstance(items, list):
                raise _fail(path, f"key {owner!r}", "expected a list of records")
            for index, item in enumerate(items):
                yield f"{owner}[{index}]", owner, item
    else:
        raise _fail(path, "-", f"expected a list or an object, not {type(data).__name__}")


def _digest(*parts: Any) -> str:
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class _Owners:
    """Resolves a record's profile reference (id or name) among imported and stored profiles."""

    def __init__(self, profiles: dict[str, LearnerProfile]):
        self.ids = set(profiles)
        self.by_name = {}
        for profile in profiles.values():
            self.by_name.setdefault(profile.name, profile.id)
        self.cache: dict[str, str | None] = {}

    def resolve(self, path: Path, record: str, reference: Any) -> str:
        if not isinstance(reference, str) or not reference:
            raise _fail(path, record, "no profile to attach this record to")
        if reference not in self.cache:
            if reference in self.ids:
                found = reference
            elif reference in self.by_name:
                found = self.by_name[reference]
            else:
                stored = (
                    LearnerProfile.objects.filter(id=reference).values_list("id", flat=True).first()
                    or LearnerProfile.objects.filter(name=reference)
                    .order_by("created_at", "id")
                    .values_list("id", flat=True)
                    .first()
                )
                found = stored
            self.cache[reference] = found
        if self.cache[reference] is None:
            raise _fail(path, record, f"unknown profile {reference!r}")
        return self.cache[reference]


def _plan(files: dict[str, Path], report: LearningImportReport, progress: Progress | None) -> _Plan:
    plan = _Plan()
    path = files["profiles"]
    data = _load(path)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise _fail(path, "-", f"expected a list of profiles, not {type(data).__name__}")
    sources: dict[str, str] = {}
    for index, item in enumerate(data):
        profile, lists = _profile(path, index, item)
        if profile.id in plan.profiles:
            raise _fail(
                path, f"record {index}", f"profile id {profile.id!r} also in {sources[profile.id]}"
            )
        sources[profile.id] = f"record {index}"
        plan.profiles[profile.id] = profile
        for language in (Language.CHINESE, Language.ENGLISH):
            plan.words.extend((profile.id, word, language) for word in lists[language])
        plan.grammar.extend((profile.id, uri) for uri in lists["grammar"])
        if progress:
            progress("profiles", index + 1, len(data))
    default_owner = next(iter(plan.profiles), None)
    owners = _Owners(plan.profiles)

    if "words" in files:
        path = files["words"]
        for record, owner, item in _records(path, _load(path), default_owner):
            if not isinstance(item, dict):
                raise _fail(path, record, "a word must be an object")
            word, language = item.get("word"), item.get("language")
            if not isinstance(word, str) or not word.strip():
                raise _fail(path, record, "`word` must be a non-empty string")
            if language not in Language.values:
                raise _fail(path, record, f"unknown language {language!r} (expected zh or en)")
            profile_id = owners.resolve(path, record, item.get("profile_id", owner))
            plan.words.append((profile_id, word.strip(), language))

    seen: Counter = Counter()
    if "cards" in files:
        path = files["cards"]
        for record, owner, item in _records(path, _load(path), default_owner):
            if not isinstance(item, dict):
                raise _fail(path, record, "a card must be an object")
            card_type = item.get("card_type", item.get("type", "unknown"))
            if not isinstance(card_type, str) or not card_type:
                raise _fail(path, record, "`card_type` must be a non-empty string")
            content = item["content"] if isinstance(item.get("content"), dict) else item
            approved_at = _when(path, record, item.get("approved_at"), "approved_at")
            profile_id = owners.resolve(path, record, item.get("profile_id", owner))
            key = _digest("card", profile_id, item)
            seen[key] += 1
            plan.cards.append(
                ApprovedCard(
                    profile_id=profile_id,
                    card_type=card_type,
                    content=content,
                    approved_at=approved_at or timezone.now(),
                    import_key=_digest(key, seen[key]),
                )
            )
    if "chat" in files:
        path = files["chat"]
        for record, owner, item in _records(path, _load(path), default_owner):
            if not isinstance(item, dict):
                raise _fail(path, record, "a chat message must be an object")
            role, content = item.get("role"), item.get("content")
            if role not in ChatRole.values:
                raise _fail(path, record, f"unknown role {role!r} (expected user or assistant)")
            if not isinstance(content, str):
                raise _fail(path, record, "`content` must be a string")
            timestamp = _when(path, record, item.get("timestamp"), "timestamp")
            profile_id = owners.resolve(path, record, item.get("profile_id", owner))
            key = _digest("chat", profile_id, item)
            seen[key] += 1
            plan.chat.append(
                ChatMessage(
                    profile_id=profile_id,
                    role=role,
                    content=content,
                    timestamp=timestamp or timezone.now(),
                    import_key=_digest(key, seen[key]),
                )
            )
    return plan


def _new_rows(
    report: LearningImportReport,
    table: str,
    rows: list,
    key: Callable,
    existing: set,
    label: Callable,
) -> list:
    """Rows not yet stored, counting the others as unchanged or duplicated in the source."""
    stats = report.table(table)
    stats.read += len(rows)
    fresh, seen = [], set()
    for row in rows:
        row_key = key(row)
        if row_key in seen:
            stats.rejected.append(f"{DUPLICATE}: {label(row)}")
        elif row_key in existing:
            stats.unchanged += 1
        else:
            fresh.append(row)
        seen.add(row_key)
    return fresh


# Words and grammar points are written as plain tuples: building thousands of model
# instances for bulk_create costs more than the insert itself. PostgreSQL takes them through
# COPY (one round trip), SQLite through executemany (a C loop in the same process).
# Real folder (8,471 rows): bulk_create 0.7 s on SQLite; psycopg executemany 1.4 s and a
# multi-row INSERT 2 s (client-side placeholder parsing) on PostgreSQL; COPY well under that.
ROW_COLUMNS = {
    MasteredWord: ("profile", "word", "language", "added_at"),
    MasteredGrammar: ("profile", "grammar_uri", "added_at"),
}


def _insert_tuples(model, rows: list[tuple]) -> None:
    opts, ops = model._meta, connection.ops
    fields = [opts.get_field(name) for name in ROW_COLUMNS[model]]
    table = ops.quote_name(opts.db_table)
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        if is_postgresql(connection):
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
            [
                tuple(
                    ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value
                    for value in row
                )
                for row in rows
            ],
        )


def _write(
    model, rows: list, table: str, report: LearningImportReport, progress: Progress | None
) -> None:
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        if model in ROW_COLUMNS:
            _insert_tuples(model, batch)
        else:
            model.objects.bulk_create(batch)
        if progress:
            progress(table, min(start + BATCH_SIZE, len(rows)), len(rows))
    report.table(table).written = len(rows)


def import_learning_folder(
    folder: Path | str,
    *,
    dry_run: bool = False,
    backup_dir: Path | str | None = None,
    progress: Progress | None = None,
) -> LearningImportReport:
    """Validate and import a folder of the old app's JSON files (see the module docstring)."""
    started = timezone.now()
    folder = Path(folder)
    report = LearningImportReport(app="learning", source=str(folder), dry_run=dry_run)
    for table in TABLES:
        report.table(table)
    files = find_files(folder)
    report.files = [str(path.relative_to(folder)) for path in files.values()]
    plan = _plan(files, report, progress)

    profile_ids = (
        set(plan.profiles) | {row[0] for row in plan.words} | {row[0] for row in plan.grammar}
    )
    profile_ids |= {card.profile_id for card in plan.cards} | {
        message.profile_id for message in plan.chat
    }
    stored_profiles = set(
        LearnerProfile.objects.filter(id__in=profile_ids).values_list("id", flat=True)
    )
    profiles = list(plan.profiles.values())
    new_profiles = _new_rows(
        report, "profiles", profiles, lambda p: p.id, stored_profiles, lambda p: p.id
    )
    stored_words = set(
        MasteredWord.objects.filter(profile_id__in=profile_ids).values_list(
            "profile_id", "word", "language"
        )
    )
    new_words = _new_rows(
        report,
        "mastered_words",
        plan.words,
        lambda row: row,
        stored_words,
        lambda row: f"{row[2]} word {row[1]!r} of {row[0]}",
    )
    stored_grammar = set(
        MasteredGrammar.objects.filter(profile_id__in=profile_ids).values_list(
            "profile_id", "grammar_uri"
        )
    )
    new_grammar = _new_rows(
        report,
        "mastered_grammar",
        plan.grammar,
        lambda row: row,
        stored_grammar,
        lambda row: f"grammar {row[1]!r} of {row[0]}",
    )
    stored_cards = set(
        ApprovedCard.objects.filter(
            profile_id__in=profile_ids, import_key__isnull=False
        ).values_list("profile_id", "import_key")
    )
    new_cards = _new_rows(
        report,
        "approved_cards",
        plan.cards,
        lambda card: (card.profile_id, card.import_key),
        stored_cards,
        lambda card: f"card {card.card_type} of {card.profile_id}",
    )
    stored_chat = set(
        ChatMessage.objects.filter(
            profile_id__in=profile_ids, import_key__isnull=False
        ).values_list("profile_id", "import_key")
    )
    new_chat = _new_rows(
        report,
        "chat_messages",
        plan.chat,
        lambda message: (message.profile_id, message.import_key),
        stored_chat,
        lambda message: f"chat message of {message.profile_id}",
    )
    if dry_run:  # validated and counted; nothing written, no backup
        report.seconds = (timezone.now() - started).total_seconds()
        return report

    report.backup = str(_backup(files, folder, Path(backup_dir or settings.BACKUP_DIR), started))
    added_at = timezone.now()
    writes = (
        (LearnerProfile, new_profiles, "profiles"),
        (MasteredWord, [(p, w, lang, added_at) for p, w, lang in new_words], "mastered_words"),
        (MasteredGrammar, [(p, uri, added_at) for p, uri in new_grammar], "mastered_grammar"),
        (ApprovedCard, new_cards, "approved_cards"),
        (ChatMessage, new_chat, "chat_messages"),
    )
    with transaction.atomic():
        with audit_bulk_write():
            for model, rows, table in writes:
                _write(model, rows, table, report, progress)
        # One audit entry per table written (not per row), by the "migration" actor.
        for model, rows, _table in writes:
            if rows:
                audit_batch(actor=AUDIT_ACTOR, model=model, count=len(rows), source=str(folder))
    report.seconds = (timezone.now() - started).total_seconds()
    return report


def _backup(files: dict[str, Path], folder: Path, backup_root: Path, started: datetime) -> Path:
    """Copy the source files (keeping their sub-folders) into a timestamped backup folder."""
    target = backup_root / f"learning-json-{started:%Y%m%d-%H%M%S-%f}"
    for path in files.values():
        destination = target / path.relative_to(folder)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
    return target
