"""The original's persistence test, as ours: write through the API, then read everything back
through the API from a NEW process on the same database.

SQLite: a database file in tmp_path, migrated by a `manage.py migrate` process. PostgreSQL:
the test database itself (a transactional test, so the other processes see committed rows).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _run(database_url: str, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "EDGESOUL_ACCESS": "open",  # the original client sends no credentials
    }
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _database_url(tmp_path: Path) -> str:
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        user, host, port = settings["USER"], settings["HOST"], settings["PORT"]
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    url = f"sqlite:///{tmp_path / 'edgesoul.db'}"
    _run(url, "manage.py", "migrate", "--noinput", "--verbosity", "0")
    return url


@pytest.mark.django_db(transaction=True)
def test_everything_written_through_the_api_survives_a_restart(tmp_path):
    url = _database_url(tmp_path)

    written = json.loads(_run(url, "-m", "memory.tests.persistence_client", "write"))
    read = json.loads(_run(url, "-m", "memory.tests.persistence_client", "read"))

    assert read["pid"] != written["pid"] != os.getpid()
    assert written["emotions"] == [201, 201, 201]
    assert written["conversation"] == 201
    # Profile: what the PUT answered, plus the conversation message counted afterwards.
    assert read["profile"] == {**written["profile"], "total_conversations": 1, "total_messages": 1}
    assert (
        read["profile"]["name"],
        read["profile"]["empathy_level"],
        read["profile"]["humor_level"],
        read["profile"]["gender"],
    ) == ("Test User", 95, 75, "female")
    # Memories: both there, newest first, and findable by search.
    preference_id, fact_id = (memory["id"] for memory in written["memories"])
    assert [(m["id"], m["memory_type"]) for m in read["memories"]] == [
        (fact_id, "fact"),
        (preference_id, "preference"),
    ]
    assert [(m["id"], m["access_count"]) for m in read["search"]] == [(fact_id, 1)]
    # Patterns: joy twice (mean 0.875 on the 0-1 input scale) and sadness once.
    patterns = read["patterns"]["patterns"]
    assert {
        emotion: (pattern["frequency"], pattern["avg_intensity"], pattern["triggers"])
        for emotion, pattern in patterns.items()
    } == {"joy": (2, 0.875, ["work", "success"]), "sadness": (1, 0.3, ["tired"])}
    assert round(patterns["joy"]["avg_intensity"], 2) == 0.88
    # Conversation context.
    assert read["context"]["session_id"] == "test_session_123"
    assert read["context"]["message_count"] == 1
    assert read["context"]["topics"] == ["greeting"]
    assert [(m["role"], m["content"]) for m in read["conversations"]] == [
        ("user", "Hello, how are you?")
    ]
