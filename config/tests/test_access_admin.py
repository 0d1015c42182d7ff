"""Application keys in the admin: created (shown once), listed, searched, revoked for good."""

import pytest
from django.contrib.messages import get_messages

from config.models import ApplicationKey
from config.tests.access_helpers import make_key

pytestmark = pytest.mark.django_db
URL = "/admin/platform/applicationkey/"


def test_changelist_shows_name_and_mounts(admin_client):
    make_key("ios-app", luna=True, yago=True)
    make_key("tutor", learning=True)

    response = admin_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "ios-app" in html and "tutor" in html
    assert "<td class=\"field-mounts_opened\">luna, yago</td>" in html
    assert "<td class=\"field-mounts_opened\">learning</td>" in html


def test_changelist_search_and_filter(admin_client):
    make_key("ios-app", luna=True)
    make_key("tutor", learning=True)

    searched = admin_client.get(URL, {"q": "tutor"})
    filtered = admin_client.get(URL, {"luna__exact": "1"})

    assert [key.name for key in searched.context["cl"].result_list] == ["tutor"]
    assert [key.name for key in filtered.context["cl"].result_list] == ["ios-app"]


def test_adding_a_key_shows_it_once_and_stores_only_its_hash(admin_client):
    assert admin_client.get(f"{URL}add/").status_code == 200

    response = admin_client.post(
        f"{URL}add/",
        {"name": "partner", "edgesoul": "on", "expiry_date_0": "", "expiry_date_1": ""},
    )

    assert response.status_code == 302
    key = ApplicationKey.objects.get()
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(messages) == 2  # the key (warning) and Django's "added successfully"
    message = messages[0]
    raw = message.split("The API key for partner is: ")[1].split(". ")[0]
    assert raw.startswith(f"{key.prefix}.")
    assert ApplicationKey.objects.usable(raw) == key
    assert raw not in key.hashed_key
    assert (key.edgesoul, key.luna, key.learning, key.yago) == (True, False, False, False)


def test_adding_a_key_that_opens_nothing_is_refused(admin_client):
    response = admin_client.post(
        f"{URL}add/", {"name": "nothing", "expiry_date_0": "", "expiry_date_1": ""}
    )

    assert response.status_code == 200
    assert "A key must open at least one mount." in response.content.decode()
    assert ApplicationKey.objects.count() == 0


def test_revoking_a_key_in_the_admin_is_final(admin_client):
    key, raw = make_key("old", luna=True)

    response = admin_client.post(
        f"{URL}{key.pk}/change/",
        {"name": "old", "luna": "on", "revoked": "on", "expiry_date_0": "", "expiry_date_1": ""},
    )

    assert response.status_code == 302
    assert ApplicationKey.objects.usable(raw) is None
    change = admin_client.get(f"{URL}{key.pk}/change/")
    assert change.status_code == 200
    assert set(change.context["adminform"].readonly_fields) >= {"name", "revoked", "luna"}


def test_change_page_shows_prefix_and_last_use_read_only(admin_client):
    key, _ = make_key("ios-app", luna=True)

    response = admin_client.get(f"{URL}{key.pk}/change/")

    assert response.status_code == 200
    assert set(response.context["adminform"].readonly_fields) == {
        "prefix",
        "created",
        "last_used_at",
    }
    assert key.prefix in response.content.decode()


def test_the_librarys_unused_key_model_is_not_in_the_admin(admin_client):
    assert admin_client.get("/admin/rest_framework_api_key/apikey/").status_code == 404


def test_admin_index_lists_keys_and_database_page_under_platform(admin_client):
    response = admin_client.get("/admin/")
    platform = [app for app in response.context["app_list"] if app["app_label"] == "platform"]
    assert [[model["object_name"] for model in app["models"]] for app in platform] == [
        ["ApplicationKey", "BackupRun", "DashboardDay", "JobRecord", "DatabaseStatistics"]
    ]
