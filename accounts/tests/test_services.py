"""accounts.services: the register, login, token and reset code PupMatch and YAGO share."""

import logging

import pytest
from django.core import mail
from rest_framework_simplejwt.tokens import AccessToken

from accounts import services
from accounts.models import User
from config.api import Conflict

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_user_register_refuses_case_variants():
    services.user_register(email="Bella@Example.com", password="12345678")
    with pytest.raises(Conflict):
        services.user_register(email="bella@example.COM", password="12345678")
    assert list(User.objects.values_list("email", flat=True)) == ["bella@example.com"]


def test_user_authenticate_returns_the_user_and_stamps_last_login():
    user = User.objects.create_user("ada@example.com", PASSWORD)
    assert services.user_authenticate(email="ADA@example.com", password=PASSWORD) == user
    user.refresh_from_db()
    assert user.last_login is not None


def test_a_deactivated_account_cannot_log_in_even_with_the_right_password(caplog):
    User.objects.create_user("ada@example.com", PASSWORD, is_active=False)
    with caplog.at_level(logging.WARNING, logger="accounts.auth"):
        with pytest.raises(services.Unauthorized):
            services.user_authenticate(
                email="ada@example.com", password=PASSWORD, client_ip="192.0.2.1", app="yago"
            )
    assert [record.getMessage() for record in caplog.records] == [
        "yago login failed email=ada@example.com ip=192.0.2.1 reason=inactive"
    ]
    assert User.objects.get().last_login is None


def test_a_deactivated_account_receives_no_reset_email():
    User.objects.create_user("ada@example.com", PASSWORD, is_active=False)
    services.password_reset_request(email="ada@example.com", reset_url="https://x/reset")
    assert mail.outbox == []


def test_an_active_account_receives_the_reset_email_of_its_app():
    User.objects.create_user("ada@example.com", PASSWORD)
    services.password_reset_request(
        email="Ada@example.com", reset_url="https://x/reset", app_name="YAGO"
    )
    assert [(message.subject, message.to) for message in mail.outbox] == [
        ("Reset your YAGO password", ["ada@example.com"])
    ]


def test_access_token_create():
    user = User.objects.create_user("ada@example.com", PASSWORD)
    body = services.access_token_create(user=user)
    assert body == {
        "access_token": body["access_token"],
        "token_type": "bearer",
        "expires_in": 86400,
    }
    token = AccessToken(body["access_token"])
    assert token["sub"] == str(user.pk)
    assert token["token_type"] == "access"
    assert len(token["pwd"]) == 32  # the password fingerprint that revokes it
