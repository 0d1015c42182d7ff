"""YAGO's account routes: /yago/api/v1/auth/register, login, me (the platform's accounts)."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User

pytestmark = pytest.mark.django_db

AUTH = "/yago/api/v1/auth"
PASSWORD = "correct horse battery"


def iso(value):
    return value.isoformat().replace("+00:00", "Z")


@pytest.fixture
def rates(monkeypatch, settings):
    base = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])

    def apply(**overrides):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**base, **overrides})

    return apply


def _user(email="ada@example.com", *, is_active=True) -> User:
    return User.objects.create_user(email, PASSWORD, is_active=is_active)


def test_register_returns_the_user(api_client):
    response = api_client.post(
        f"{AUTH}/register", {"email": "Ada@Example.com", "password": "12345678"}
    )
    assert response.status_code == 201
    user = User.objects.get()
    assert response.json() == {
        "id": str(user.pk),
        "email": "ada@example.com",
        "created_at": iso(user.created_at),
    }
    assert user.check_password("12345678")


def test_register_duplicate_email_in_any_case_is_409(api_client):
    _user("ada@example.com")
    response = api_client.post(
        f"{AUTH}/register", {"email": "ADA@example.com", "password": "12345678"}
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "Email already registered"}


def test_register_password_at_the_edges(api_client):
    short = api_client.post(f"{AUTH}/register", {"email": "a@example.com", "password": "1234567"})
    assert short.status_code == 422
    assert short.json() == {
        "detail": [
            {
                "field": "password",
                "message": "Ensure this field has at least 8 characters.",
                "code": "min_length",
            }
        ]
    }
    ok = api_client.post(f"{AUTH}/register", {"email": "a@example.com", "password": "12345678"})
    assert ok.status_code == 201


def test_register_without_fields_is_422(api_client):
    response = api_client.post(f"{AUTH}/register", {})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"field": "email", "message": "This field is required.", "code": "required"},
            {"field": "password", "message": "This field is required.", "code": "required"},
        ]
    }


def test_login_returns_a_bearer_token_for_the_user(api_client):
    user = _user()
    response = api_client.post(f"{AUTH}/login", {"email": "Ada@example.com", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "access_token": body["access_token"],
        "token_type": "bearer",
        "expires_in": 86400,
    }
    assert AccessToken(body["access_token"])["sub"] == str(user.pk)


@pytest.mark.parametrize(
    "email, password", [("ada@example.com", "wrong password"), ("nobody@example.com", PASSWORD)]
)
def test_login_failure_is_401_with_one_message(api_client, email, password):
    _user()
    response = api_client.post(f"{AUTH}/login", {"email": email, "password": password})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid email or password"}


def test_a_deactivated_account_cannot_log_in(api_client):
    _user(is_active=False)
    response = api_client.post(f"{AUTH}/login", {"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid email or password"}


def test_me_returns_the_tokens_user(api_client, django_assert_num_queries):
    user = _user()
    token = api_client.post(
        f"{AUTH}/login", {"email": "ada@example.com", "password": PASSWORD}
    ).json()["access_token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"bearer {token}")
    with django_assert_num_queries(1):
        response = api_client.get(f"{AUTH}/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": str(user.pk),
        "email": "ada@example.com",
        "created_at": iso(user.created_at),
    }


def test_me_without_a_token_is_401(api_client):
    response = api_client.get(f"{AUTH}/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_one_account_logs_in_to_pupmatch_and_yago(api_client):
    user = _user()
    token = api_client.post(
        "/pupmatch/auth/login", {"email": "ada@example.com", "password": PASSWORD}
    ).json()["access_token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get(f"{AUTH}/me").json()["id"] == str(user.pk)


def test_a_new_password_revokes_yago_tokens(api_client):
    user = _user()
    token = api_client.post(
        f"{AUTH}/login", {"email": "ada@example.com", "password": PASSWORD}
    ).json()["access_token"]
    user.set_password("another password")
    user.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api_client.get(f"{AUTH}/me")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "The user's password has been changed.",
        "code": "password_changed",
    }


def test_login_is_throttled_per_address_at_the_limit(api_client, rates):
    rates(yago_auth="3/minute")
    _user()
    payload = {"email": "ada@example.com", "password": "wrong password"}
    assert [api_client.post(f"{AUTH}/login", payload).status_code for _ in range(4)] == [
        401,
        401,
        401,
        429,
    ]


def test_register_is_throttled_per_address(api_client, rates):
    rates(yago_auth="1/minute")
    first = api_client.post(f"{AUTH}/register", {"email": "a@example.com", "password": "12345678"})
    assert first.status_code == 201
    second = api_client.post(f"{AUTH}/register", {"email": "b@example.com", "password": "12345678"})
    assert second.status_code == 429
    assert second.json()["detail"].startswith("Request was throttled. Expected available in ")


def test_login_per_account_limit_holds_across_addresses_and_apps(api_client, rates):
    rates(login_account="3/hour")
    _user()
    payload = {"email": "ada@example.com", "password": "wrong password"}
    codes = [
        api_client.post(f"{AUTH}/login", payload, REMOTE_ADDR="10.0.0.1").status_code,
        api_client.post(f"{AUTH}/login", payload, REMOTE_ADDR="10.0.0.2").status_code,
        # The same account through PupMatch's route counts too.
        api_client.post("/pupmatch/auth/login", payload, REMOTE_ADDR="10.0.0.3").status_code,
        api_client.post(f"{AUTH}/login", {**payload, "password": PASSWORD}).status_code,
    ]
    assert codes == [401, 401, 401, 429]
    # Another account is not affected.
    _user("bob@example.com")
    other = api_client.post(f"{AUTH}/login", {"email": "bob@example.com", "password": PASSWORD})
    assert other.status_code == 200


def test_auth_routes_are_in_the_schema_with_typed_responses():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = {
        path: set(ops) for path, ops in schema["paths"].items() if "/yago/api/v1/auth/" in path
    }
    assert paths == {
        "/yago/api/v1/auth/register": {"post"},
        "/yago/api/v1/auth/login": {"post"},
        "/yago/api/v1/auth/me": {"get"},
    }
    responses = {
        path: {method: sorted(operation["responses"]) for method, operation in operations.items()}
        for path, operations in schema["paths"].items()
        if "/yago/api/v1/auth/" in path
    }
    assert responses == {
        "/yago/api/v1/auth/register": {"post": ["201", "400", "409", "415", "422", "429"]},
        "/yago/api/v1/auth/login": {"post": ["200", "400", "401", "415", "422", "429"]},
        "/yago/api/v1/auth/me": {"get": ["200", "400", "401", "403", "404"]},
    }
    login = schema["paths"]["/yago/api/v1/auth/login"]["post"]
    assert login["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Token"
    }
    assert sorted(schema["components"]["schemas"]["Token"]["required"]) == [
        "access_token",
        "expires_in",
        "token_type",
    ]
    me = schema["paths"]["/yago/api/v1/auth/me"]["get"]
    assert me["security"] == [{"jwtAuth": []}]
