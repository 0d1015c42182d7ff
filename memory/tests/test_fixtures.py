import pytest

from config.seeding import fixture_paths, seed_fixture

pytestmark = pytest.mark.django_db


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
    # Sequences were moved past the fixture's keys: new rows get fresh ids.
    created = api_client.post(
        "/learning/profiles/xiao-ming/chat", {"role": "user", "content": "再见"}, format="json"
    )
    assert created.json()["id"] == 3


def test_seeding_twice_loads_nothing_the_second_time():
    seed_fixture(_fixture("learning"))

    assert seed_fixture(_fixture("learning")).loaded is False
