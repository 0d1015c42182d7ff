"""Builds folders shaped like the old learning app's JSON files (for tests and timing)."""

import json
from pathlib import Path

# The original's real migration: 1 profile, 5,297 zh words, 3,098 en words, 76 grammar points.
REAL_SIZE = {"zh": 5297, "en": 3098, "grammar": 76}


def zh_words(count: int) -> list[str]:
    # Two CJK ideographs per word: 20,992 ** 2 distinct words, deterministic.
    return [chr(0x4E00 + index // 400) + chr(0x4E00 + 400 + index % 400) for index in range(count)]


def en_words(count: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [
        letters[index % 26] + letters[index // 26 % 26] + f"word{index}" for index in range(count)
    ]


def profile_record(
    name: str = "Xiao Ming", *, zh: int = 3, en: int = 2, grammar: int = 2, **extra
) -> dict:
    return {
        "id": None,
        "name": name,
        "dob": "2019-03-14",
        "gender": "male",
        "address": "1 Garden Road",
        "school": "Sunshine Kindergarten",
        "neighborhood": "Riverside",
        "interests": ["dinosaurs", "trains"],
        "character_roster": ["Peppa"],
        "verbal_fluency": "fluent",
        "passive_language_level": "advanced",
        "mental_age": 5.5,
        "raw_input": "parent interview",
        "mastered_words": ", ".join(zh_words(zh)),
        "mastered_english_words": ", ".join(en_words(en)),
        "mastered_grammar": ",".join(f"grammar:point-{index}" for index in range(grammar)),
        "extracted_data": {"source": "interview"},
        **extra,
    }


def write_learning_folder(
    folder: Path,
    profiles: list[dict] | None = None,
    *,
    cards: list | dict | None = None,
    chat: list | dict | None = None,
    words: list | None = None,
) -> Path:
    """profiles/child_profiles.json and content_db/*.json, as the old app laid them out."""
    (folder / "profiles").mkdir(parents=True, exist_ok=True)
    (folder / "content_db").mkdir(parents=True, exist_ok=True)
    records = profiles if profiles is not None else [profile_record(**REAL_SIZE)]
    dump = lambda data: json.dumps(data, ensure_ascii=False, indent=2)  # noqa: E731
    (folder / "profiles" / "child_profiles.json").write_text(dump(records), encoding="utf-8")
    if cards is not None:
        (folder / "content_db" / "approved_cards.json").write_text(dump(cards), encoding="utf-8")
    if chat is not None:
        (folder / "content_db" / "chat_history.json").write_text(dump(chat), encoding="utf-8")
    if words is not None:
        (folder / "content_db" / "mastered_words.json").write_text(dump(words), encoding="utf-8")
    return folder
