import pytest
from django.core.management import call_command

from config.fixture_check import fixture_differences
from config.seeding import fixture_paths, seed_fixture
from memory.models import (
    ApprovedCard,
    ChatMessage,
    CompanionProfile,
    ConversationContext,
    EmotionalPattern,
    MasteredWord,
)

pytestmark = pytest.mark.django_db

LEARNER = {
    "dob": "2019-03-14",
    "gender": "male",
    "address": "1 Garden Road",
    "school": "Sunshine Kindergarten",
    "neighborhood": "Riverside",
    "interests": ["dinosaurs"],
}
LISTS = ("mastered_words", "mastered_english_words", "mastered_grammar")


def _fixture(name: str):
    return next(path for path in fixture_paths() if path.stem == name)


def test_edgesoul_fixture_loads_and_is_served(api_client):
    result = seed_fixture(_fixture("edgesoul"))

    assert (result.loaded, result.objects) == (True, 9)
    profile = api_client.get("/edgesoul/api/v1/memory/profile/demo_user").json()
    assert (profile["name"], profile["interests"]) == ("Alex", ["hiking", "jazz"])
    found = api_client.post(
        "/edgesoul/api/v1/memory/memories/search",
        {"user_id": "demo_user", "query": "hiking"},
        format="json",
    ).json()
    assert [memory["id"] for memory in found] == ["demo_mem_3"]
    assert api_client.get("/edgesoul/api/v1/memory/context/demo_user").json()["topics"] == [
        "work",
        "stress",
    ]


def test_learning_fixture_loads_and_is_served(api_client):
    result = seed_fixture(_fixture("learning"))

    assert (result.loaded, result.objects) == (True, 20)
    profile = api_client.get("/learning/profiles/Xiao Ming").json()
    assert profile["mastered_words"] == "你好, 谢谢, 妈妈, 爸爸, 猫, 狗, 恐龙, 火车"
    assert profile["mastered_english_words"] == "cat, dog, dinosaur, train, apple"
    assert profile["mastered_grammar"] == (
        "grammar:zh/ba-construction,grammar:zh/le-completion,grammar:en/plural-s"
    )
    # The fixture's rows took keys from the sequence (natural keys): new rows get the next.
    seeded = max(ChatMessage.objects.values_list("pk", flat=True))
    created = api_client.post(
        "/learning/profiles/xiao-ming/chat", {"role": "user", "content": "再见"}, format="json"
    )
    assert created.json()["id"] == seeded + 1


def test_seeding_twice_loads_nothing_the_second_time():
    seed_fixture(_fixture("learning"))

    assert seed_fixture(_fixture("learning")).loaded is False


EDGESOUL = "/edgesoul/api/v1/memory"


def test_loaddata_edgesoul_leaves_rows_the_api_made_first_alone_and_restores_the_seed(
    api_client,
):
    # Before the fixture: another user's profile, pattern and context take the first keys.
    api_client.get(f"{EDGESOUL}/profile/early_user")
    emotion = {"emotion": "joy", "intensity": 40, "triggers": ["rain"]}
    api_client.post(f"{EDGESOUL}/emotion/early_user", emotion, format="json")
    said = {"session_id": "s1", "role": "user", "content": "hello"}
    api_client.post(f"{EDGESOUL}/conversation/early_user", said, format="json")
    call_command("loaddata", "edgesoul", verbosity=0)
    # Then the API changes the seed user's rows.
    api_client.put(f"{EDGESOUL}/profile/demo_user", {"name": "Changed"}, format="json")
    api_client.post(f"{EDGESOUL}/emotion/demo_user", emotion, format="json")
    api_client.post(f"{EDGESOUL}/conversation/demo_user", said, format="json")
    assert api_client.delete(f"{EDGESOUL}/memories/demo_user").status_code == 200
    assert CompanionProfile.objects.get(user_id="demo_user").name == "Changed"

    call_command("loaddata", "edgesoul", verbosity=0)

    assert fixture_differences("edgesoul") == []
    assert CompanionProfile.objects.get(user_id="early_user").name is None
    assert EmotionalPattern.objects.get(user_id="early_user").triggers == ["rain"]
    assert ConversationContext.objects.get(user_id="early_user").topics == []
    assert CompanionProfile.objects.count() == 2


def test_loaddata_learning_after_the_api_replaced_the_word_lists(api_client):
    # Before the fixture: another child's card and chat message take the first keys.
    other = api_client.post(
        "/learning/profiles", {**LEARNER, "name": "Early Child"}, format="json"
    ).json()["id"]
    card = {"card_type": "vocabulary", "content": {"word": "水"}}
    api_client.post(f"/learning/profiles/{other}/cards", card, format="json")
    chat = {"role": "user", "content": "hi"}
    api_client.post(f"/learning/profiles/{other}/chat", chat, format="json")
    call_command("loaddata", "learning", verbosity=0)
    # Then the API clears the seed child's lists and writes the same words again.
    words = api_client.get("/learning/profiles/xiao-ming").json()
    lists = {key: words[key] for key in LISTS}
    api_client.put("/learning/profiles/xiao-ming", dict.fromkeys(LISTS, ""), format="json")
    api_client.put("/learning/profiles/xiao-ming", lists, format="json")

    call_command("loaddata", "learning", verbosity=0)

    assert fixture_differences("learning") == []
    assert list(ApprovedCard.objects.filter(profile_id=other).values_list("content", flat=True)) == [
        {"word": "水"}
    ]
    assert list(ChatMessage.objects.filter(profile_id=other).values_list("content", flat=True)) == [
        "hi"
    ]
    assert MasteredWord.objects.filter(profile_id="xiao-ming").count() == 13
