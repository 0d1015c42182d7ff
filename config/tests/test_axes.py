"""Admin login lockout (django-axes), with the same client-address rule as the throttles."""

import pytest
from axes.models import AccessAttempt

from accounts.models import User

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery"


@pytest.fixture
def staff():
    return User.objects.create_user("admin@example.com", PASSWORD, is_staff=True)


def _login(client, username="admin@example.com", password="wrong", **extra):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def test_four_failures_then_the_right_password_logs_in(client, staff):
    assert [_login(client).status_code for _ in range(4)] == [200] * 4
    response = _login(client, password=PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    # A success clears the failures (AXES_RESET_ON_SUCCESS).
    assert AccessAttempt.objects.count() == 0


def test_the_fifth_failure_locks_out_even_the_right_password(client, staff):
    assert [_login(client).status_code for _ in range(5)] == [200, 200, 200, 200, 429]
    response = _login(client, password=PASSWORD)
    assert response.status_code == 429
    assert "Account locked: too many login attempts." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_address_trying_many_accounts_is_locked_out(client, staff):
    codes = [_login(client, username=f"guess{n}@example.com").status_code for n in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert _login(client, password=PASSWORD).status_code == 429


def test_one_account_tried_from_many_addresses_is_locked_out(client, staff):
    codes = [
        _login(client, username="Admin@Example.com", REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n in range(5)
    ]
    assert codes == [200, 200, 200, 200, 429]
    assert _login(client, password=PASSWORD, REMOTE_ADDR="192.0.2.44").status_code == 429


def test_rotating_x_forwarded_for_does_not_reset_the_count(client, staff):
    codes = [
        _login(
            client, username=f"g{n}@example.com", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(5)
    ]
    assert codes == [200, 200, 200, 200, 429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_a_trusted_proxy_the_forwarded_address_is_locked(client, staff, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(5):
        _login(client, username="nobody@example.com", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]
    # Another client behind the same proxy still gets in.
    other = _login(client, password=PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.status_code == 302


def test_the_limit_comes_from_settings(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert [_login(client).status_code for _ in range(2)] == [200, 429]


def test_the_attempts_are_listed_and_searchable_in_the_admin(client, admin_client):
    for _ in range(2):
        _login(client, username="Guess@Example.com")
    changelist = admin_client.get("/admin/axes/accessattempt/")
    assert changelist.status_code == 200
    assert "guess@example.com" in changelist.content.decode()
    found = admin_client.get("/admin/axes/accessattempt/?q=guess")
    assert found.status_code == 200
    assert found.context["cl"].result_count == 1
    missing = admin_client.get("/admin/axes/accessattempt/?q=nobody")
    assert missing.context["cl"].result_count == 0
