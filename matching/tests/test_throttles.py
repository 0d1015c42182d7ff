import pytest
from rest_framework.throttling import SimpleRateThrottle

from matching.tests.conftest import bearer
from matching.tests.factories import PASSWORD, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch, settings):
    base = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])

    def apply(**overrides):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**base, **overrides})

    return apply


def test_login_is_throttled_per_client(api_client, rates):
    rates(pupmatch_auth="2/minute")
    UserFactory(email="bella@example.com")
    payload = {"email": "bella@example.com", "password": PASSWORD}
    assert api_client.post("/pupmatch/auth/login", payload).status_code == 200
    assert api_client.post("/pupmatch/auth/login", payload).status_code == 200
    response = api_client.post("/pupmatch/auth/login", payload)
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Request was throttled.")


def test_like_scope_is_per_user_and_per_endpoint(rates):
    rates(pupmatch_like="1/minute")
    first, second = ProfileFactory(), ProfileFactory()
    target = ProfileFactory()
    client = bearer(first.user)
    assert client.post(f"/pupmatch/profiles/{target.pk}/like").status_code == 200
    assert client.post(f"/pupmatch/profiles/{target.pk}/like").status_code == 429
    # Another endpoint of the same user is not affected ...
    assert client.get("/pupmatch/profile").status_code == 200
    # ... nor is another user on the same endpoint.
    assert bearer(second.user).post(f"/pupmatch/profiles/{target.pk}/like").status_code == 200


def test_message_scope(rates):
    from matching.tests.factories import make_match

    rates(pupmatch_message="1/minute")
    me, other = ProfileFactory(), ProfileFactory()
    conversation = make_match(me, other).conversation
    client = bearer(me.user)
    url = f"/pupmatch/conversations/{conversation.pk}/messages"
    assert client.post(url, {"content": "one"}).status_code == 201
    assert client.post(url, {"content": "two"}).status_code == 429
    # Reading the history is a different scope.
    assert client.get(url).status_code == 200


def test_user_rate_covers_every_endpoint(rates):
    rates(user="2/minute")
    client = bearer(ProfileFactory().user)
    assert client.get("/pupmatch/profile").status_code == 200
    assert client.get("/pupmatch/photos/").status_code == 200
    assert client.get("/pupmatch/matches").status_code == 429
