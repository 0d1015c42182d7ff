import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from matching.tests.conftest import bearer
from matching.tests.factories import PASSWORD, PhotoFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_register_returns_the_user(api_client):
    response = api_client.post(
        "/pupmatch/auth/register", {"email": "Bella@Example.com", "password": "12345678"}
    )
    assert response.status_code == 201
    user = User.objects.get()
    assert response.json() == {
        "id": str(user.pk),
        "email": "bella@example.com",
        "created_at": user.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert user.check_password("12345678")


def test_register_duplicate_email_any_case_is_409(api_client):
    UserFactory(email="bella@example.com")
    response = api_client.post(
        "/pupmatch/auth/register", {"email": "BELLA@example.com", "password": "12345678"}
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "Email already registered"}


@pytest.mark.parametrize("password", ["1234567", "x" * 101])
def test_register_password_length_is_checked(api_client, password):
    response = api_client.post(
        "/pupmatch/auth/register", {"email": "a@example.com", "password": password}
    )
    assert response.status_code == 400
    assert [problem["field"] for problem in response.json()["detail"]] == ["password"]


def test_register_stores_a_bcrypt_hash(api_client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.BCryptSHA256PasswordHasher"]
    api_client.post("/pupmatch/auth/register", {"email": "a@example.com", "password": "12345678"})
    assert User.objects.get().password.startswith("bcrypt_sha256$")


def test_login_returns_a_bearer_token_with_sub(api_client):
    user = UserFactory(email="bella@example.com")
    response = api_client.post(
        "/pupmatch/auth/login", {"email": "Bella@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 86400
    token = AccessToken(body["access_token"])
    assert token["sub"] == str(user.pk)


@pytest.mark.parametrize(
    "email, password", [("bella@example.com", "wrong password"), ("nobody@example.com", PASSWORD)]
)
def test_login_failure_is_401_with_one_message(api_client, email, password):
    UserFactory(email="bella@example.com")
    response = api_client.post("/pupmatch/auth/login", {"email": email, "password": password})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid email or password"}


def test_a_deactivated_account_cannot_log_in_with_the_right_password(api_client):
    UserFactory(email="bella@example.com", is_active=False)
    response = api_client.post(
        "/pupmatch/auth/login", {"email": "bella@example.com", "password": PASSWORD}
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid email or password"}


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_a_deactivated_account_receives_no_reset_email(api_client):
    UserFactory(email="bella@example.com", is_active=False)
    response = api_client.post(
        "/pupmatch/auth/password-reset/request", {"email": "bella@example.com"}
    )
    assert response.status_code == 204
    assert mail.outbox == []


def test_login_attempts_and_failures_are_logged_without_password(api_client, caplog):
    UserFactory(email="bella@example.com")
    with caplog.at_level(logging.INFO, logger="accounts.auth"):
        api_client.post(
            "/pupmatch/auth/login", {"email": "bella@example.com", "password": "s3cret-guess"}
        )
        api_client.post(
            "/pupmatch/auth/login", {"email": "bella@example.com", "password": PASSWORD}
        )
    messages = [
        (record.levelname, record.getMessage())
        for record in caplog.records
        if record.name == "accounts.auth"
    ]
    assert messages == [
        ("INFO", "pupmatch login attempt email=bella@example.com ip=127.0.0.1"),
        (
            "WARNING",
            "pupmatch login failed email=bella@example.com ip=127.0.0.1 reason=wrong_password",
        ),
        ("INFO", "pupmatch login attempt email=bella@example.com ip=127.0.0.1"),
        ("INFO", "pupmatch login succeeded email=bella@example.com ip=127.0.0.1"),
    ]
    assert "s3cret-guess" not in caplog.text
    assert PASSWORD not in caplog.text


def test_me_returns_the_user(django_assert_num_queries):
    user = UserFactory(email="bella@example.com")
    client = bearer(user)
    with django_assert_num_queries(1):
        response = client.get("/pupmatch/auth/me")
    assert response.json() == {
        "id": str(user.pk),
        "email": "bella@example.com",
        "created_at": user.created_at.isoformat().replace("+00:00", "Z"),
    }


def test_me_without_token_is_401(api_client):
    response = api_client.get("/pupmatch/auth/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_me_with_bad_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api_client.get("/pupmatch/auth/me").status_code == 401


def test_me_with_expired_token_is_401(api_client):
    user = UserFactory()
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api_client.get("/pupmatch/auth/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "Given token not valid for any token type"


PROTECTED = [
    ("get", "/pupmatch/profile"),
    ("post", "/pupmatch/profile"),
    ("get", "/pupmatch/discover"),
    ("get", "/pupmatch/photos/"),
    ("post", "/pupmatch/photos/upload"),
    ("put", "/pupmatch/photos/reorder"),
    ("delete", "/pupmatch/photos/00000000-0000-0000-0000-000000000001"),
    ("get", "/pupmatch/matches"),
    ("get", "/pupmatch/conversations"),
    ("get", "/pupmatch/conversations/unread"),
    ("post", "/pupmatch/messages"),
    ("get", "/pupmatch/playgrounds"),
    ("post", "/pupmatch/playgrounds"),
    ("post", "/pupmatch/profiles/00000000-0000-0000-0000-000000000001/like"),
    ("delete", "/pupmatch/auth/me"),
]


@pytest.mark.parametrize("method, url", PROTECTED)
def test_protected_routes_need_a_valid_token(api_client, method, url):
    assert getattr(api_client, method)(url).status_code == 401
    token = AccessToken.for_user(UserFactory())
    token.set_exp(lifetime=-timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert getattr(api_client, method)(url).status_code == 401


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_password_reset_request_and_confirm(api_client):
    user = UserFactory(email="bella@example.com")
    response = api_client.post(
        "/pupmatch/auth/password-reset/request", {"email": "Bella@example.com"}
    )
    assert response.status_code == 204
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bella@example.com"]
    uid, token = re.search(r"uid=(\S+) and token=(\S+) ", mail.outbox[0].body).groups()
    assert "/pupmatch/auth/password-reset/confirm?uid=" in mail.outbox[0].body

    response = api_client.post(
        "/pupmatch/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "brand new pw"},
    )
    assert response.status_code == 204
    user.refresh_from_db()
    assert user.check_password("brand new pw")
    # A token works once: the password change invalidates it.
    again = api_client.post(
        "/pupmatch/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "another pw!"},
    )
    assert again.status_code == 400
    assert again.json() == {
        "detail": [
            {"field": "token", "message": "Invalid or expired reset token", "code": "invalid"}
        ]
    }


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
@pytest.mark.parametrize("email", ["nobody@example.com", "not an email", ""])
def test_password_reset_request_never_reveals_anything(api_client, email):
    response = api_client.post("/pupmatch/auth/password-reset/request", {"email": email})
    assert response.status_code == 204
    assert mail.outbox == []


def test_password_reset_confirm_with_garbage_is_400(api_client):
    response = api_client.post(
        "/pupmatch/auth/password-reset/confirm",
        {"uid": "garbage", "token": "nope", "new_password": "brand new pw"},
    )
    assert response.status_code == 400


def test_health(api_client):
    response = api_client.get("/pupmatch/health")
    assert response.json() == {"status": "healthy", "version": "1.0.0"}


def test_delete_account_removes_everything_including_files(django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    from matching.models import Photo, Profile

    profile = ProfileFactory()
    photo = PhotoFactory(profile=profile)
    other = PhotoFactory()
    name = photo.image.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = bearer(profile.user).delete("/pupmatch/auth/me")
    assert response.status_code == 204
    assert not User.objects.filter(pk=profile.user.pk).exists()
    assert list(Profile.objects.all()) == [other.profile]
    assert list(Photo.objects.all()) == [other]
    assert not default_storage.exists(name)
    assert default_storage.exists(other.image.name)
