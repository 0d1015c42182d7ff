"""config.authentication.JWTAuthentication: scheme in any case, tokens revoked by a new password."""

import re

import pytest
from django.core import mail
from rest_framework_simplejwt.tokens import AccessToken

from matching.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ME = "/pupmatch/auth/me"


def _me(api_client, authorization: str):
    api_client.credentials(HTTP_AUTHORIZATION=authorization)
    return api_client.get(ME)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_bearer_is_accepted_in_any_case(api_client, scheme, django_assert_num_queries):
    user = UserFactory(email="bella@example.com")
    with django_assert_num_queries(1):  # the user lookup simplejwt does anyway, nothing more
        response = _me(api_client, f"{scheme} {AccessToken.for_user(user)}")
    assert response.status_code == 200
    assert response.json()["email"] == "bella@example.com"


def test_the_token_type_login_returns_works_as_the_scheme(api_client):
    UserFactory(email="bella@example.com")
    body = api_client.post(
        "/pupmatch/auth/login", {"email": "bella@example.com", "password": PASSWORD}
    ).json()
    response = _me(api_client, f"{body['token_type']} {body['access_token']}")
    assert response.status_code == 200


@pytest.mark.parametrize("authorization", ["Token {t}", "Basic {t}", "Bearerx {t}"])
def test_other_schemes_are_not_a_jwt(api_client, authorization):
    token = AccessToken.for_user(UserFactory())
    response = _me(api_client, authorization.format(t=token))
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_scheme_without_token_is_401(api_client):
    response = _me(api_client, "bearer")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authorization header must contain two space-delimited values",
        "code": "bad_authorization_header",
    }


def test_a_password_change_revokes_every_earlier_token(api_client):
    user = UserFactory()
    first, second = str(AccessToken.for_user(user)), str(AccessToken.for_user(user))
    user.set_password("a brand new password")
    user.save()
    for old in (first, second):
        response = _me(api_client, f"Bearer {old}")
        assert response.status_code == 401
        assert response.json() == {
            "detail": "The user's password has been changed.",
            "code": "password_changed",
        }
    assert _me(api_client, f"Bearer {AccessToken.for_user(user)}").status_code == 200


def test_setting_the_same_password_again_still_revokes(api_client):
    user = UserFactory()
    old = str(AccessToken.for_user(user))
    user.set_password(PASSWORD)  # a new salt: a new hash
    user.save()
    assert _me(api_client, f"Bearer {old}").status_code == 401


def test_a_password_reset_revokes_the_token_issued_before_it(api_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    UserFactory(email="bella@example.com")
    login = api_client.post(
        "/pupmatch/auth/login", {"email": "bella@example.com", "password": PASSWORD}
    ).json()["access_token"]
    assert _me(api_client, f"Bearer {login}").status_code == 200
    api_client.credentials()
    api_client.post("/pupmatch/auth/password-reset/request", {"email": "bella@example.com"})
    uid, token = re.search(r"uid=(\S+) and token=(\S+) ", mail.outbox[0].body).groups()
    confirm = api_client.post(
        "/pupmatch/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "brand new pw"},
    )
    assert confirm.status_code == 204
    response = _me(api_client, f"Bearer {login}")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "The user's password has been changed.",
        "code": "password_changed",
    }


def test_a_token_without_the_password_claim_is_refused(api_client):
    token = AccessToken.for_user(UserFactory())
    del token["pwd"]
    response = _me(api_client, f"Bearer {token}")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "The user's password has been changed.",
        "code": "password_changed",
    }


def test_a_deleted_users_token_is_refused(api_client):
    user = UserFactory()
    token = AccessToken.for_user(user)
    user.delete()
    response = _me(api_client, f"Bearer {token}")
    assert response.status_code == 401
    assert response.json() == {"detail": "User not found", "code": "user_not_found"}


@pytest.mark.parametrize("subject", ["not-a-uuid", "", "12345"])
def test_a_signed_token_whose_subject_is_no_user_id_is_401_not_500(api_client, subject):
    token = AccessToken.for_user(UserFactory())
    token["sub"] = subject
    response = _me(api_client, f"Bearer {token}")
    assert response.status_code == 401
    assert response.json() == {"detail": "User not found", "code": "user_not_found"}


def test_the_user_is_read_with_its_stored_fields(api_client):
    user = UserFactory(email="luna@example.com", is_staff=True)
    response = _me(api_client, f"Bearer {AccessToken.for_user(user)}")
    assert response.status_code == 200
    assert response.json()["email"] == "luna@example.com"
    assert response.wsgi_request.user.pk == user.pk
    assert response.wsgi_request.user.is_staff is True
    assert response.wsgi_request.user.created_at == user.created_at


def test_a_deactivated_users_token_is_refused(api_client):
    user = UserFactory()
    token = AccessToken.for_user(user)
    user.is_active = False
    user.save()
    response = _me(api_client, f"Bearer {token}")
    assert response.status_code == 401
    assert response.json() == {"detail": "User is inactive", "code": "user_inactive"}


def test_yago_uses_the_same_authentication(api_client, settings):
    settings.YAGO_ACCESS = "user"
    user = UserFactory()
    old = str(AccessToken.for_user(user))
    api_client.credentials(HTTP_AUTHORIZATION=f"bearer {old}")
    assert api_client.get("/yago/api/v1/projects").status_code == 200
    user.set_password("a brand new password")
    user.save()
    assert api_client.get("/yago/api/v1/projects").status_code == 401
