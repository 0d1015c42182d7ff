import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_create_user_stores_the_email_in_one_case_and_hashes_the_password():
    user = User.objects.create_user(" Bella@PupMatch.Example ", "a-long-password")

    assert user.email == "bella@pupmatch.example"
    assert user.check_password("a-long-password")
    assert user.password != "a-long-password"
    assert (user.is_staff, user.is_superuser, user.is_active) == (False, False, True)
    assert len(str(user.pk)) == 36  # a UUID key


def test_email_is_unique_whatever_its_case():
    User.objects.create_user("max@pupmatch.example", "a-long-password")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="MAX@pupmatch.example")


def test_create_superuser_is_staff():
    admin = User.objects.create_superuser("admin@example.com", "a-long-password")

    assert (admin.is_staff, admin.is_superuser) == (True, True)


def test_an_email_is_required():
    with pytest.raises(ValueError, match="An email address is required"):
        User.objects.create_user("", "a-long-password")


def test_bcrypt_is_the_production_hasher():
    from config import settings as configured  # the module, not the per-test override

    assert (
        configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.BCryptSHA256PasswordHasher"
    )


def test_user_admin_pages(admin_client):
    user = User.objects.create_user("luna@pupmatch.example", "a-long-password")

    assert admin_client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert (
        admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "luna"}).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:accounts_user_add")).status_code == 200
    assert (
        admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).status_code == 200
    )


def test_adding_a_user_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New@Example.com",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email__iexact="new@example.com").exists()
