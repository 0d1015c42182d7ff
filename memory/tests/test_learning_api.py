from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from memory.models import (
    ApprovedCard,
    ChatMessage,
    LearnerProfile,
    MasteredGrammar,
    MasteredWord,
)
from memory.tests.factories import (
    ApprovedCardFactory,
    ChatMessageFactory,
    LearnerProfileFactory,
    MasteredGrammarFactory,
    MasteredWordFactory,
)

pytestmark = pytest.mark.django_db

URL = "/learning/profiles"

CREATE_BODY = {
    "name": "Xiao Ming",
    "dob": "2019-03-14",
    "gender": "male",
    "address": "1 Garden Road",
    "school": "Sunshine Kindergarten",
    "neighborhood": "Riverside",
    "interests": ["dinosaurs", "trains"],
}


def iso(moment: datetime) -> str:
    return serializers.DateTimeField().to_representation(moment)


def profile_json(profile_id: str, **changes) -> dict:
    return {
        "id": profile_id,
        **CREATE_BODY,
        "character_roster": [],
        "verbal_fluency": None,
        "passive_language_level": None,
        "mental_age": None,
        "raw_input": None,
        "mastered_words": "",
        "mastered_english_words": "",
        "mastered_grammar": "",
        "extracted_data": {},
        **changes,
    }


def words_of(profile_id: str, language: str) -> list[str]:
    return list(
        MasteredWord.objects.filter(profile_id=profile_id, language=language)
        .order_by("id")
        .values_list("word", flat=True)
    )


def test_create_returns_the_profile_with_200(api_client):
    response = api_client.post(
        URL,
        {
            **CREATE_BODY,
            "character_roster": ["Peppa", {"name": "George", "kind": "pig"}],
            "verbal_fluency": "fluent",
            "passive_language_level": "B1",
            "mental_age": 5.5,
            "raw_input": "notes",
            "mastered_words": "你好, 谢谢,  ,你好",
            "mastered_english_words": "cat, dog",
            "mastered_grammar": "grammar:ba, grammar:le,grammar:ba",
            "extracted_data": {"source": "interview"},
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == profile_json(
        "xiao-ming",
        character_roster=["Peppa", {"name": "George", "kind": "pig"}],
        verbal_fluency="fluent",
        passive_language_level="B1",
        mental_age=5.5,
        raw_input="notes",
        mastered_words="你好, 谢谢",
        mastered_english_words="cat, dog",
        mastered_grammar="grammar:ba,grammar:le",
        extracted_data={"source": "interview"},
    )
    assert words_of("xiao-ming", "zh") == ["你好", "谢谢"]


def test_ids_clash_get_numbered_suffixes(api_client):
    ids = [api_client.post(URL, CREATE_BODY, format="json").json()["id"] for _ in range(3)]
    other = api_client.post(URL, {**CREATE_BODY, "name": "Xiao Ming 2"}, format="json")

    assert ids == ["xiao-ming", "xiao-ming-2", "xiao-ming-3"]
    # "xiao-ming-2" is already taken by the second Xiao Ming.
    assert other.json()["id"] == "xiao-ming-2-2"


def test_unicode_names_keep_their_characters_in_the_id(api_client):
    response = api_client.post(URL, {**CREATE_BODY, "name": "小明"}, format="json")

    assert response.json()["id"] == "小明"
    assert api_client.get(f"{URL}/小明").json()["name"] == "小明"


def test_create_requires_name_through_interests(api_client):
    response = api_client.post(URL, {"name": " "}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {"field": "name", "message": "This field may not be blank.", "code": "blank"},
            *(
                {"field": field, "message": "This field is required.", "code": "required"}
                for field in ("dob", "gender", "address", "school", "neighborhood", "interests")
            ),
        ]
    }
    assert LearnerProfile.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field", "message", "code"),
    [
        (
            {"interests": "dinosaurs"},
            "interests",
            'Expected a list of items but got type "str".',
            "not_a_list",
        ),
        ({"mental_age": "five"}, "mental_age", "A valid number is required.", "invalid"),
        (
            {"extracted_data": []},
            "extracted_data",
            'Expected a dictionary of items but got type "list".',
            "not_a_dict",
        ),
    ],
)
def test_create_rejects_wrong_types(api_client, change, field, message, code):
    response = api_client.post(URL, {**CREATE_BODY, **change}, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": [{"field": field, "message": message, "code": code}]}


def test_get_by_id_or_by_name(api_client):
    api_client.post(URL, {**CREATE_BODY, "mastered_words": "一, 二"}, format="json")

    by_id = api_client.get(f"{URL}/xiao-ming")
    by_name = api_client.get(f"{URL}/Xiao Ming")

    assert by_id.json() == profile_json("xiao-ming", mastered_words="一, 二")
    assert by_name.json() == by_id.json()


def test_an_exact_id_wins_over_a_name(api_client):
    LearnerProfileFactory(id="ann-1", name="ann")
    LearnerProfileFactory(id="ann", name="Someone else")

    assert api_client.get(f"{URL}/ann").json()["name"] == "Someone else"


def test_of_two_profiles_with_the_name_the_oldest_answers(api_client):
    now = timezone.now()
    LearnerProfileFactory(id="b-newer", name="Bo", created_at=now)
    LearnerProfileFactory(id="z-older", name="Bo", created_at=now - timedelta(days=1))

    assert api_client.get(f"{URL}/Bo").json()["id"] == "z-older"


def test_detail_answers_the_list_s_profile_object(api_client):
    profile = LearnerProfileFactory(
        id="full",
        name="Full",
        interests=["kites"],
        character_roster=[{"name": "Panda", "age": 3}],
        verbal_fluency="high",
        mental_age=5.5,
        raw_input="notes",
        extracted_data={"likes": ["red"], "n": 1},
    )
    MasteredWordFactory(profile=profile, word="山", language="zh")
    MasteredWordFactory(profile=profile, word="hill", language="en")
    MasteredWordFactory(profile=profile, word="水", language="zh")
    MasteredGrammarFactory(profile=profile, grammar_uri="g:1")
    MasteredGrammarFactory(profile=profile, grammar_uri="g:2")

    detail = api_client.get(f"{URL}/full").json()

    assert detail == api_client.get(URL).json()[0]
    assert (detail["mastered_words"], detail["mastered_english_words"]) == ("山, 水", "hill")
    assert (detail["mastered_grammar"], detail["mental_age"]) == ("g:1,g:2", 5.5)
    assert detail["character_roster"] == [{"name": "Panda", "age": 3}]


def test_unknown_profile_is_404(api_client):
    for method in ("get", "put", "delete"):
        response = getattr(api_client, method)(f"{URL}/nobody", {}, format="json")
        assert (response.status_code, response.json()) == (404, {"detail": "Profile not found"})
    assert api_client.get(f"{URL}/nobody/cards").status_code == 404
    assert api_client.post(f"{URL}/nobody/chat", {}, format="json").status_code == 404


def test_put_replaces_the_lists_that_are_present(api_client):
    api_client.post(
        URL,
        {
            **CREATE_BODY,
            "mastered_words": "一, 二, 三",
            "mastered_english_words": "cat, dog",
            "mastered_grammar": "g:1,g:2",
        },
        format="json",
    )
    kept = MasteredWord.objects.get(word="二")

    response = api_client.put(
        f"{URL}/Xiao Ming",
        {"mastered_words": "二, 四", "mastered_grammar": "", "school": "Big School"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == profile_json(
        "xiao-ming",
        school="Big School",
        mastered_words="二, 四",
        mastered_english_words="cat, dog",
        mastered_grammar="",
    )
    assert MasteredWord.objects.get(word="二").pk == kept.pk
    assert MasteredGrammar.objects.count() == 0


def test_put_rejects_a_blank_name(api_client):
    LearnerProfileFactory(id="ann", name="Ann")

    response = api_client.put(f"{URL}/ann", {"name": ""}, format="json")

    assert response.status_code == 400
    assert LearnerProfile.objects.get().name == "Ann"


def test_delete_cascades_to_every_child_row(api_client):
    profile = LearnerProfileFactory(id="ann", name="Ann")
    MasteredWordFactory(profile=profile)
    MasteredGrammarFactory(profile=profile)
    ApprovedCardFactory(profile=profile)
    ChatMessageFactory(profile=profile)
    other = MasteredWordFactory()

    response = api_client.delete(f"{URL}/Ann")

    assert response.json() == {"message": "Profile deleted successfully"}
    assert list(LearnerProfile.objects.values_list("id", flat=True)) == [other.profile_id]
    assert (
        MasteredWord.objects.count(),
        MasteredGrammar.objects.count(),
        ApprovedCard.objects.count(),
        ChatMessage.objects.count(),
    ) == (1, 0, 0, 0)


@pytest.mark.parametrize(("profiles", "words"), [(1, 3), (6, 40)])
def test_profile_list_query_budget(api_client, django_assert_num_queries, profiles, words):
    for index in range(profiles):
        profile = LearnerProfileFactory()
        MasteredWordFactory.create_batch(
            words, profile=profile, language="zh" if index % 2 else "en"
        )
        MasteredGrammarFactory.create_batch(2, profile=profile)

    with django_assert_num_queries(3):
        response = api_client.get(URL)

    assert len(response.json()) == profiles


def test_profile_list_in_creation_order(api_client):
    now = timezone.now()
    second = LearnerProfileFactory(id="b", name="B", created_at=now)
    first = LearnerProfileFactory(id="a-later-id", name="A", created_at=now - timedelta(days=1))
    MasteredWordFactory(profile=second, word="dog", language="en")

    assert [profile["id"] for profile in api_client.get(URL).json()] == [first.id, second.id]


@pytest.mark.parametrize("words", [2, 50])
def test_profile_detail_query_budget(api_client, django_assert_num_queries, words):
    profile = LearnerProfileFactory(name="Ann")
    MasteredWordFactory.create_batch(words, profile=profile)

    # The profile, then its words and grammar points in one query.
    with django_assert_num_queries(2):
        response = api_client.get(f"{URL}/Ann")

    assert len(response.json()["mastered_english_words"].split(", ")) == words


def test_cards(api_client):
    profile = LearnerProfileFactory(id="ann", name="Ann")

    created = api_client.post(
        f"{URL}/Ann/cards", {"card_type": "vocabulary", "content": {"word": "猫"}}, format="json"
    )

    card = ApprovedCard.objects.get()
    assert card.profile == profile
    assert created.status_code == 201
    expected = {
        "id": card.id,
        "card_type": "vocabulary",
        "content": {"word": "猫"},
        "approved_at": iso(card.approved_at),
    }
    assert created.json() == expected
    assert api_client.get(f"{URL}/ann/cards").json() == [expected]


def test_card_needs_an_object_content(api_client):
    LearnerProfileFactory(id="ann")

    response = api_client.post(
        f"{URL}/ann/cards", {"card_type": "vocabulary", "content": "猫"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {
                "field": "content",
                "message": 'Expected a dictionary of items but got type "str".',
                "code": "not_a_dict",
            }
        ]
    }


def test_chat_is_chronological(api_client):
    LearnerProfileFactory(id="ann")
    api_client.post(
        f"{URL}/ann/chat",
        {"role": "assistant", "content": "Later", "timestamp": "2026-01-02T10:00:00Z"},
        format="json",
    )
    created = api_client.post(
        f"{URL}/ann/chat",
        {"role": "user", "content": "Earlier", "timestamp": "2026-01-01T10:00:00Z"},
        format="json",
    )

    later, earlier = ChatMessage.objects.order_by("id")
    assert created.status_code == 201
    assert created.json() == {
        "id": earlier.id,
        "role": "user",
        "content": "Earlier",
        "timestamp": "2026-01-01T10:00:00Z",
    }
    assert api_client.get(f"{URL}/ann/chat").json() == [
        {
            "id": earlier.id,
            "role": "user",
            "content": "Earlier",
            "timestamp": "2026-01-01T10:00:00Z",
        },
        {
            "id": later.id,
            "role": "assistant",
            "content": "Later",
            "timestamp": "2026-01-02T10:00:00Z",
        },
    ]
    assert earlier.timestamp == datetime(2026, 1, 1, 10, tzinfo=UTC)


def test_chat_role_must_be_user_or_assistant(api_client):
    LearnerProfileFactory(id="ann")

    response = api_client.post(f"{URL}/ann/chat", {"role": "system", "content": "x"}, format="json")

    assert response.json() == {
        "detail": [
            {
                "field": "role",
                "message": '"system" is not a valid choice.',
                "code": "invalid_choice",
            }
        ]
    }


@pytest.mark.parametrize("rows", [1, 25])
@pytest.mark.parametrize("route", ["cards", "chat"])
def test_cards_and_chat_query_budget(api_client, django_assert_num_queries, rows, route):
    profile = LearnerProfileFactory(id="ann")
    ApprovedCardFactory.create_batch(rows, profile=profile)
    ChatMessageFactory.create_batch(rows, profile=profile)

    with django_assert_num_queries(2):
        response = api_client.get(f"{URL}/ann/{route}")

    assert len(response.json()) == rows


def test_a_nul_character_in_the_id_is_400(api_client):
    response = api_client.get(f"{URL}/bad%00id")

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Null characters are not allowed in the URL."},
    )


def test_nul_characters_in_a_card_are_400(api_client):
    LearnerProfileFactory(id="ann")

    response = api_client.post(
        f"{URL}/ann/cards", {"card_type": "vocabulary", "content": {"w\x00": 1}}, format="json"
    )

    # Refused by the JSON parser (config/parsers.py) before the serializer runs.
    assert response.json() == {"detail": "JSON parse error - Null characters are not allowed."}
