from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import User
from config.fixture_check import fixture_differences
from config.seeding import seed_fixture
from matching.models import Conversation, Like, Match, Message, Playground, Profile, Prompt

pytestmark = pytest.mark.django_db

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "pupmatch.json"
BELLA = "00000000-0000-4000-8000-000000000001"
MAX_PROFILE = "00000000-0000-4000-8001-000000000002"
DOG_HILL = "00000000-0000-4000-8008-000000000001"


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


def test_loaddata_after_the_api_unliked_and_liked_again_and_refavourited(api_client):
    call_command("loaddata", "pupmatch", verbosity=0)
    api_client.force_authenticate(User.objects.get(pk=BELLA))
    like = f"/pupmatch/profiles/{MAX_PROFILE}/like"
    favourite = f"/pupmatch/playgrounds/{DOG_HILL}/favourite"
    assert api_client.delete(like).status_code == 204
    assert api_client.post(like).json()["is_match"] is True
    assert api_client.delete(favourite).status_code == 204
    assert api_client.post(favourite).json() == {"is_favourite": True}
    match = Match.objects.get()
    assert Message.objects.count() == 0  # the unmatch took the conversation's messages

    call_command("loaddata", "pupmatch", verbosity=0)

    assert fixture_differences("pupmatch") == []
    # The re-created match and conversation were updated in place, the messages are back.
    assert Match.objects.get().pk == match.pk
    assert Conversation.objects.get().match_id == match.pk
    assert (Like.objects.count(), Message.objects.count()) == (6, 4)
