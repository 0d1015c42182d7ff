"""The original's persistence test as two processes: `write` then, in a NEW process, `read`.

Run as `python -m memory.tests.persistence_client write|read` with DATABASE_URL set; prints
the API's answers as JSON on stdout. Used by test_persistence.py.
"""

import json
import os
import sys

BASE = "/edgesoul/api/v1/memory"
USER = "test_persistence_user"


def write(client) -> dict:
    profile = client.put(
        f"{BASE}/profile/{USER}",
        {"name": "Test User", "gender": "female", "personality": {"empathy": 95, "humor": 75}},
        format="json",
    )
    memories = [
        client.post(f"{BASE}/memory/{USER}", body, format="json").json()
        for body in (
            {
                "memory_type": "preference",
                "content": "User prefers detailed explanations",
                "context": "Please explain in detail",
                "confidence": 0.9,
                "importance": 0.8,
            },
            {"memory_type": "fact", "content": "User works as a software engineer"},
        )
    ]
    emotions = [
        client.post(f"{BASE}/emotion/{USER}", body, format="json").status_code
        for body in (
            {"emotion": "joy", "intensity": 0.85, "triggers": ["work", "success"]},
            {"emotion": "joy", "intensity": 0.9},
            {"emotion": "sadness", "intensity": 0.3, "triggers": ["tired"]},
        )
    ]
    conversation = client.post(
        f"{BASE}/conversation/{USER}",
        {
            "session_id": "test_session_123",
            "role": "user",
            "content": "Hello, how are you?",
            "topics": ["greeting"],
            "emotion": "joy",
        },
        format="json",
    )
    return {
        "pid": os.getpid(),
        "profile": profile.json(),
        "memories": memories,
        "emotions": emotions,
        "conversation": conversation.status_code,
    }


def read(client) -> dict:
    return {
        "pid": os.getpid(),
        "profile": client.get(f"{BASE}/profile/{USER}").json(),
        "memories": client.get(f"{BASE}/memories/{USER}").json(),
        "search": client.post(
            f"{BASE}/memories/search",
            {"user_id": USER, "query": "software engineer"},
            format="json",
        ).json(),
        "patterns": client.get(f"{BASE}/emotions/{USER}/patterns").json(),
        "context": client.get(f"{BASE}/context/{USER}").json(),
        "conversations": client.get(f"{BASE}/conversations/{USER}").json(),
    }


def main(action: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from rest_framework.test import APIClient

    print(json.dumps({"write": write, "read": read}[action](APIClient())))


if __name__ == "__main__":
    main(sys.argv[1])
