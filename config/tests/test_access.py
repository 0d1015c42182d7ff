"""The platform's access policy (config/access.py): application keys, their admin, the deploy
check, the settings. Each app's tests/test_access*.py covers its routes in every mode."""

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import AccessToken

from config import access
from config.models import ApplicationKey
from config.tests.access_helpers import (
    KEY_INVALID,
    KEY_REQUIRED,
    TOKEN_REQUIRED,
    key_client,
    make_key,
    wrong_mount,
)
from projects.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LUNA_ROOT = "/luna/"


# --- Keys ---------------------------------------------------------------------------------


def test_a_key_is_stored_as_a_fast_sha512_hash_never_in_clear():
    key, raw = make_key(luna=True)

    prefix, _, secret = raw.partition(".")
    assert (len(prefix), len(secret)) == (8, 32)
    assert key.prefix == prefix
    assert key.hashed_key.startswith("sha512$$")
    assert raw not in key.hashed_key and secret not in key.pk
    assert ApplicationKey.objects.usable(raw) == key


@pytest.mark.parametrize(
    "raw",
    ["", "nodot", "unknown1.secretsecretsecretsecretsecretsec", "."],
)
def test_unknown_or_malformed_keys_are_not_usable(raw):
    make_key(luna=True)
    assert ApplicationKey.objects.usable(raw) is None


def test_a_right_prefix_with_a_wrong_secret_is_not_usable():
    _, raw = make_key(luna=True)
    prefix = raw.partition(".")[0]
    assert ApplicationKey.objects.usable(f"{prefix}.{'x' * 32}") is None


def test_revoked_and_expired_keys_are_not_usable():
    _, revoked = make_key(luna=True, revoked=True)
    _, expired = make_key(luna=True, expired=True)
    assert ApplicationKey.objects.usable(revoked) is None
    assert ApplicationKey.objects.usable(expired) is None


def test_a_key_opening_nothing_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        ApplicationKey.objects.create_key(name="nothing")


def test_opens_and_mounts():
    key, _ = make_key(luna=True, yago=True)
    assert [key.opens(mount) for mount in ("luna", "edgesoul", "learning", "yago")] == [
        True,
        False,
        False,
        True,
    ]
    assert key.mounts == ["luna", "yago"]


# --- Authentication --------------------------------------------------------------------------


@pytest.fixture
def luna_key_mode(settings):
    settings.LUNA_ACCESS = "key"


def test_key_mode_without_a_key_is_401_naming_the_header(luna_key_mode):
    response = key_client("").get(LUNA_ROOT)
    assert (response.status_code, response.json()) == (401, KEY_REQUIRED)
    assert response["WWW-Authenticate"] == 'ApiKey header="X-API-Key"'


def test_key_mode_with_a_valid_key_answers(luna_key_mode):
    _, raw = make_key(luna=True)
    response = key_client(raw).get(LUNA_ROOT)
    assert response.status_code == 200
    assert response.json()["message"] == "Luna Venue Discovery API"


@pytest.mark.parametrize("kind", ["revoked", "expired", "wrong"])
def test_key_mode_with_a_revoked_expired_or_wrong_key_is_401(luna_key_mode, kind):
    _, raw = make_key(luna=True, revoked=kind == "revoked", expired=kind == "expired")
    if kind == "wrong":
        raw = raw[:-1] + ("a" if raw[-1] != "a" else "b")
    response = key_client(raw).get(LUNA_ROOT)
    assert (response.status_code, response.json()) == (401, KEY_INVALID)


def test_key_mode_with_another_apps_key_is_403(luna_key_mode):
    _, raw = make_key(edgesoul=True, learning=True, yago=True)
    response = key_client(raw).get(LUNA_ROOT)
    assert (response.status_code, response.json()) == (403, wrong_mount("/luna/"))


def test_a_key_in_the_authorization_header_is_not_read(luna_key_mode, api_client):
    _, raw = make_key(luna=True)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api_client.get(LUNA_ROOT).status_code == 401


def test_the_key_name_is_set_on_the_django_request_for_the_audit_log(luna_key_mode):
    _, raw = make_key("partner-backend", luna=True)
    django_request = RequestFactory().get(LUNA_ROOT, HTTP_X_API_KEY=raw)
    request = Request(django_request)

    user, key = access.ApplicationKeyAuthentication(access.LUNA).authenticate(request)

    assert (user.is_authenticated, key.name) == (False, "partner-backend")
    assert django_request.access_key_name == "partner-backend"


# --- Last use ------------------------------------------------------------------------------


def test_first_use_is_recorded_after_the_request_transaction(
    luna_key_mode, django_capture_on_commit_callbacks
):
    key, raw = make_key(luna=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert key_client(raw).get(LUNA_ROOT).status_code == 200
    key.refresh_from_db()
    assert len(callbacks) == 1
    assert key.last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(
    luna_key_mode, django_capture_on_commit_callbacks
):
    key, raw = make_key(luna=True)
    recent = timezone.now() - access.LAST_USE_INTERVAL + timedelta(seconds=5)
    ApplicationKey.objects.filter(pk=key.pk).update(last_used_at=recent)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        key_client(raw).get(LUNA_ROOT)

    key.refresh_from_db()
    assert (len(callbacks), key.last_used_at) == (0, recent)


def test_last_use_older_than_a_minute_is_refreshed(
    luna_key_mode, django_capture_on_commit_callbacks
):
    key, raw = make_key(luna=True)
    old = timezone.now() - access.LAST_USE_INTERVAL - timedelta(seconds=1)
    ApplicationKey.objects.filter(pk=key.pk).update(last_used_at=old)

    with django_capture_on_commit_callbacks(execute=True):
        key_client(raw).get(LUNA_ROOT)

    key.refresh_from_db()
    assert key.last_used_at > old


def test_a_key_read_costs_one_query_when_its_last_use_is_fresh(
    luna_key_mode, django_assert_num_queries
):
    key, raw = make_key(luna=True)
    ApplicationKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    client = key_client(raw)
    with django_assert_num_queries(1):  # the key by its prefix; no write
        assert client.get(LUNA_ROOT).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_last_use_is_written_at_once(settings):
    settings.LUNA_ACCESS = "key"
    key, raw = make_key(luna=True)
    assert key_client(raw).get(LUNA_ROOT).status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


# --- The deploy check ---------------------------------------------------------------------


def _check_ids(settings) -> list[str]:
    return [message.id for message in access.check_open_mounts()]


def test_deploy_check_warns_for_every_open_mount_with_debug_off(settings):
    settings.DEBUG = False
    settings.LUNA_ACCESS = settings.EDGESOUL_ACCESS = "open"
    settings.LEARNING_ACCESS = settings.YAGO_ACCESS = "open"

    messages = access.check_open_mounts()

    assert [(m.id, m.level) for m in messages] == [
        ("platform.W001", 30),
        ("platform.W002", 30),
        ("platform.W003", 30),
        ("platform.W004", 30),
    ]
    assert messages[0].msg == (
        "LUNA_ACCESS is 'open': anyone who can reach /luna/ reads and changes all of its data."
    )
    assert messages[3].hint == (
        "Set YAGO_ACCESS=key (application keys made in the admin) or YAGO_ACCESS=user (JWT, "
        "data scoped to its account); keep 'open' only on a trusted network."
    )


def test_deploy_check_names_only_the_open_mounts(settings):
    settings.DEBUG = False
    settings.LUNA_ACCESS, settings.EDGESOUL_ACCESS = "key", "open"
    settings.LEARNING_ACCESS, settings.YAGO_ACCESS = "user", "user"
    assert _check_ids(settings) == ["platform.W002"]


def test_deploy_check_is_silent_with_no_open_mount_or_with_debug(settings):
    settings.DEBUG = False
    settings.LUNA_ACCESS = settings.EDGESOUL_ACCESS = settings.LEARNING_ACCESS = "key"
    settings.YAGO_ACCESS = "user"
    assert _check_ids(settings) == []
    settings.LUNA_ACCESS = "open"
    settings.DEBUG = True
    assert _check_ids(settings) == []


def test_check_deploy_shows_the_open_mount_warning(settings, capsys):
    settings.DEBUG = False
    settings.LUNA_ACCESS = "open"
    settings.EDGESOUL_ACCESS = settings.LEARNING_ACCESS = "key"
    settings.YAGO_ACCESS = "user"
    call_command("check", "--deploy", "--tag", "security", "--fail-level", "CRITICAL")
    err = capsys.readouterr().err
    assert "?: (platform.W001) LUNA_ACCESS is 'open'" in err
    assert "platform.W002" not in err and "platform.W004" not in err


def test_plain_check_does_not_run_the_deploy_check(settings, capsys):
    settings.DEBUG = False
    call_command("check")
    assert "platform.W00" not in capsys.readouterr().err


# --- Settings -----------------------------------------------------------------------------


def _settings_in_a_clean_process(**env) -> str:
    """Settings read in a new process that ignores .env (tests never depend on it)."""
    code = (
        "import environ; environ.Env.read_env = lambda *a, **k: None; "
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.LUNA_ACCESS, s.EDGESOUL_ACCESS, s.LEARNING_ACCESS, s.YAGO_ACCESS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ALLOW_INSECURE_SECRET_KEY": "1",
            **env,
        },
        capture_output=True,
        text=True,
        cwd=str(access.settings.BASE_DIR),
    )
    return result.stdout.strip() or result.stderr


def test_defaults_are_key_for_luna_edgesoul_learning_and_user_for_yago():
    assert _settings_in_a_clean_process() == "key key key user"


def test_each_access_setting_is_read_from_the_environment():
    assert (
        _settings_in_a_clean_process(
            LUNA_ACCESS="open", EDGESOUL_ACCESS="user", LEARNING_ACCESS="open", YAGO_ACCESS="key"
        )
        == "open user open key"
    )


def test_a_bad_access_value_refuses_to_start(monkeypatch):
    from config import settings as settings_module

    monkeypatch.setenv("LUNA_ACCESS", "public")
    with pytest.raises(ImproperlyConfigured, match="LUNA_ACCESS must be open, key or user"):
        settings_module._access("LUNA_ACCESS", "key")


def test_yago_require_auth_is_gone(settings):
    assert not hasattr(settings, "YAGO_REQUIRE_AUTH")


# --- The YAGO classes other YAGO routes reuse -----------------------------------------------


class _Catalogue(access.YagoPublicReadAccess, APIView):
    def get(self, request):
        return Response({"read": True})

    def post(self, request):
        return Response({"written": True})


class _Owned(access.YagoAccess, APIView):
    def get(self, request):
        return Response({"read": True})


def _answer(view, method: str, **headers):
    request = getattr(APIRequestFactory(), method)("/yago/catalogue", **headers)
    response = view.as_view()(request)
    response.render()
    return response.status_code, json.loads(response.content)


def test_yago_public_read_in_user_mode_reads_without_an_account(settings):
    settings.YAGO_ACCESS = "user"
    assert _answer(_Catalogue, "get") == (200, {"read": True})
    assert _answer(_Catalogue, "post") == (401, TOKEN_REQUIRED)
    assert _answer(_Owned, "get") == (401, TOKEN_REQUIRED)


def test_yago_public_read_writes_with_a_token(settings):
    settings.YAGO_ACCESS = "user"
    token = f"Bearer {AccessToken.for_user(UserFactory())}"
    assert _answer(_Catalogue, "post", HTTP_AUTHORIZATION=token) == (200, {"written": True})
    assert _answer(_Owned, "get", HTTP_AUTHORIZATION=token) == (200, {"read": True})


def test_yago_public_read_in_key_mode_still_needs_a_key(settings):
    settings.YAGO_ACCESS = "key"
    _, raw = make_key(yago=True)
    assert _answer(_Catalogue, "get") == (401, KEY_REQUIRED)
    assert _answer(_Catalogue, "get", HTTP_X_API_KEY=raw) == (200, {"read": True})


def test_yago_classes_in_open_mode_answer_anyone(settings):
    settings.YAGO_ACCESS = "open"
    assert _answer(_Catalogue, "post") == (200, {"written": True})
    assert _answer(_Owned, "get") == (200, {"read": True})


class _Public(access.YagoPublicAccess, APIView):
    def post(self, request):
        return Response({"compared": True})


class _Staff(access.YagoStaffAccess, APIView):
    def get(self, request):
        return Response({"status": True})


def test_yago_public_routes_take_any_method_without_an_account_in_user_mode(settings):
    settings.YAGO_ACCESS = "user"
    assert _answer(_Public, "post") == (200, {"compared": True})


def test_yago_public_routes_in_key_mode_still_need_a_key(settings):
    settings.YAGO_ACCESS = "key"
    _, raw = make_key(yago=True)
    assert _answer(_Public, "post") == (401, KEY_REQUIRED)
    assert _answer(_Public, "post", HTTP_X_API_KEY=raw) == (200, {"compared": True})


def test_yago_staff_routes_need_a_staff_account_in_user_mode(settings):
    settings.YAGO_ACCESS = "user"
    member = f"Bearer {AccessToken.for_user(UserFactory())}"
    staff = f"Bearer {AccessToken.for_user(UserFactory(is_staff=True))}"
    assert _answer(_Staff, "get") == (401, TOKEN_REQUIRED)
    assert _answer(_Staff, "get", HTTP_AUTHORIZATION=member) == (
        403,
        {"detail": "You do not have permission to perform this action."},
    )
    assert _answer(_Staff, "get", HTTP_AUTHORIZATION=staff) == (200, {"status": True})


def test_yago_staff_routes_in_open_and_key_mode(settings):
    settings.YAGO_ACCESS = "open"
    assert _answer(_Staff, "get") == (200, {"status": True})
    settings.YAGO_ACCESS = "key"
    _, raw = make_key(yago=True)
    assert _answer(_Staff, "get") == (401, KEY_REQUIRED)
    assert _answer(_Staff, "get", HTTP_X_API_KEY=raw) == (200, {"status": True})


@pytest.mark.parametrize("mode", ["key", "user"])
def test_options_describes_a_route_without_credentials(settings, api_client, mode):
    settings.LUNA_ACCESS = mode
    settings.LEARNING_ACCESS = mode
    luna = api_client.options("/luna/venues")
    learning = api_client.options("/learning/profiles")
    assert (luna.status_code, learning.status_code) == (200, 200)
    assert "actions" not in learning.json()  # POST is not allowed without credentials
    assert api_client.get("/learning/profiles").status_code == 401


def test_the_schema_describes_the_application_key_in_key_mode(settings, api_client):
    settings.LUNA_ACCESS = "key"
    schema = api_client.get("/api/schema/?format=json").json()
    assert schema["components"]["securitySchemes"]["applicationKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
    }
    assert schema["paths"]["/luna/venues"]["get"]["security"] == [{"applicationKey": []}]
