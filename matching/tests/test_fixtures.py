from pathlib import Path

import pytest
from django.conf import settings

from config.seeding import seed_fixture
from matching.models import Conversation, Like, Match, Message, Playground, Profile, Prompt

pytestmark = pytest.mark.django_db

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "pupmatch.json"
BELLA = "00000000-0000-4000-8000-000000000001"


def test_demo_world_loads_and_demo_users_can_log_in(api_client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.BCryptSHA256PasswordHasher"]
    result = seed_fixture(FIXTURE, demo_accounts=True)
    assert (result.loaded, result.accounts, result.demo_accounts) == (True, 12, 12)
    assert (
        Profile.objects.count(),
        Prompt.objects.count(),
        Like.objects.count(),
        Match.objects.count(),
        Conversation.objects.count(),
        Message.objects.count(),
        Playground.objects.count(),
    ) == (12, 24, 6, 1, 1, 4, 5)

    login = api_client.post(
        "/pupmatch/auth/login", {"email": "bella@pupmatch.example", "password": "pupmatch-demo"}
    )
    assert login.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access_token']}")
    assert api_client.get("/pupmatch/auth/me").json()["id"] == BELLA
    matches = api_client.get("/pupmatch/matches").json()
    assert [m["profile"]["name"] for m in matches["results"]] == ["Max"]
    conversation = matches["results"][0]["conversation_id"]
    history = api_client.get(f"/pupmatch/conversations/{conversation}/messages").json()
    assert [m["content"] for m in history["results"]][-1] == "Saturday 9am?"
    assert api_client.get("/pupmatch/conversations/unread").json()["total"] == 1
    discover = api_client.get("/pupmatch/discover").json()
    # Bella liked Max (matched) and nobody passed on her: the other ten dogs within 25 miles.
    assert discover["count"] == 10
    profile = api_client.get("/pupmatch/profile").json()
    assert [p["name"] for p in profile["favourite_playgrounds"]] == ["Central Park – Dog Hill"]


def test_seeding_twice_does_not_duplicate():
    assert seed_fixture(FIXTURE).loaded is True
    second = seed_fixture(FIXTURE)
    assert second.loaded is False
    assert Profile.objects.count() == 12
