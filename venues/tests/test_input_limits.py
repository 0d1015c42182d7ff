"""Luna search input is bounded the same on both engines (issue 10)."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/luna/venues/search"


def words(n: int) -> str:
    return " ".join(f"w{i}" for i in range(n))


def test_sixteen_words_are_searched(api_client):
    response = api_client.get(URL, {"q": words(16)})

    assert response.status_code == 200
    assert response.json() == {"query": words(16), "venues": []}


@pytest.mark.parametrize("n", [17, 22, 40])
def test_more_than_sixteen_words_is_400_naming_the_problem(api_client, n):
    response = api_client.get(URL, {"q": words(n)})

    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {
                "field": "q",
                "message": "Search text has too many words: at most 16.",
                "code": "invalid",
            }
        ]
    }


def test_two_hundred_characters_are_searched_and_one_more_is_400(api_client):
    at_limit = api_client.get(URL, {"q": "a" * 200})
    beyond = api_client.get(URL, {"q": "a" * 201})

    assert at_limit.status_code == 200
    assert beyond.status_code == 400
    assert beyond.json() == {
        "detail": [
            {
                "field": "q",
                "message": "Ensure this field has no more than 200 characters.",
                "code": "max_length",
            }
        ]
    }


def test_punctuation_only_finds_nothing(api_client):
    response = api_client.get(URL, {"q": "!!"})

    assert response.status_code == 200
    assert response.json() == {"query": "!!", "venues": []}
