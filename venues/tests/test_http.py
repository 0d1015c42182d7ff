"""Large responses: gzip over a threshold, ETag / If-None-Match, recommendations' `limit`;
the Luna routes on the shared cache (real Redis) and with Redis down."""

import gzip

import pytest

from config import cache
from conftest import CLOSED_REDIS_URL
from venues.models import ActionItem, ActionItemMember

pytestmark = pytest.mark.django_db



def toggle(client, user_id, venue_id):
    return client.post("/luna/interests", {"user_id": user_id, "venue_id": venue_id}, format="json")


# --- gzip ----------------------------------------------------------------------------------
def test_json_at_exactly_the_threshold_is_gzipped(api_client, luna_seed, settings):
    plain = api_client.get("/luna/venues")
    settings.GZIP_MIN_BYTES = len(plain.content)

    response = api_client.get("/luna/venues", HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content) == plain.content


def test_json_one_byte_below_the_threshold_is_sent_as_it_is(api_client, luna_seed, settings):
    plain = api_client.get("/luna/venues")
    settings.GZIP_MIN_BYTES = len(plain.content) + 1

    response = api_client.get("/luna/venues", HTTP_ACCEPT_ENCODING="gzip")

    assert response.has_header("Content-Encoding") is False
    assert response.content == plain.content


def test_no_gzip_for_a_client_that_does_not_accept_it(api_client, luna_seed, settings):
    settings.GZIP_MIN_BYTES = 1

    response = api_client.get("/luna/venues")

    assert response.has_header("Content-Encoding") is False


# --- ETag / If-None-Match ------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/luna/venues", "/luna/recommendations?user_id=user_1", "/luna/users/user_1"]
)
def test_list_routes_answer_304_to_a_matching_etag(api_client, luna_seed, path):
    first = api_client.get(path)

    again = api_client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["ETag"].startswith('"')
    assert (again.status_code, again.content) == (304, b"")


def test_etag_changes_after_a_write(api_client, luna_seed):
    before = api_client.get("/luna/venues")["ETag"]
    toggle(api_client, "user_8", "venue_1")

    response = api_client.get("/luna/venues", HTTP_IF_NONE_MATCH=before)

    assert response.status_code == 200
    assert response["ETag"] != before


def test_gzipped_etag_is_weak_and_still_matches(api_client, luna_seed, settings):
    settings.GZIP_MIN_BYTES = 1
    first = api_client.get("/luna/venues", HTTP_ACCEPT_ENCODING="gzip")

    again = api_client.get(
        "/luna/venues", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert first["ETag"].startswith('W/"')
    assert again.status_code == 304


# --- GET /luna/recommendations?limit= ------------------------------------------------------
def test_limit_returns_the_first_rows_of_the_full_list(api_client, luna_seed):
    full = api_client.get("/luna/recommendations?user_id=user_1").json()["recommendations"]

    for limit in (1, 4, 11, 12, 13, 10000):
        response = api_client.get(f"/luna/recommendations?user_id=user_1&limit={limit}")
        assert response.json()["recommendations"] == full[:limit]


@pytest.mark.parametrize(
    ("limit", "code", "message"),
    [
        ("0", "min_value", "Ensure this value is greater than or equal to 1."),
        ("10001", "max_value", "Ensure this value is less than or equal to 10000."),
        ("-1", "min_value", "Ensure this value is greater than or equal to 1."),
        ("ten", "invalid", "A valid integer is required."),
        ("", "invalid", "A valid integer is required."),
    ],
)
def test_bad_limit_is_400_naming_the_problem(api_client, luna_seed, limit, code, message):
    response = api_client.get(f"/luna/recommendations?user_id=user_1&limit={limit}")

    assert response.status_code == 400
    assert response.json() == {"detail": [{"field": "limit", "code": code, "message": message}]}


def test_limit_is_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    parameters = schema["paths"]["/luna/recommendations"]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 10000}
    assert limit.get("required", False) is False


# --- the shared cache (real Redis), and Redis down ---------------------------------------
def test_action_item_members_come_from_redis_and_follow_a_membership_change(
    api_client, luna_seed, redis_cache, django_assert_num_queries
):
    redis_cache.point_at()
    toggle(api_client, "user_4", "venue_1")
    api_client.get("/luna/users/user_1")  # fills the cache
    cache.clear_local()  # another process

    with django_assert_num_queries(3):
        cached = api_client.get("/luna/users/user_1").json()["action_items"][0]
    ActionItemMember.objects.filter(member_id="user_2").delete()
    changed = api_client.get("/luna/users/user_1").json()["action_items"][0]

    assert cached["interested_user_ids"] == ["user_6", "user_1", "user_2", "user_3", "user_4"]
    assert changed["interested_user_ids"] == ["user_6", "user_1", "user_3", "user_4"]


def test_luna_routes_answer_with_redis_down(api_client, luna_seed, redis_cache, caplog):
    redis_cache.point_at(CLOSED_REDIS_URL)
    toggle(api_client, "user_4", "venue_1")
    item = ActionItem.objects.get()

    users = api_client.get("/luna/users/user_1")
    recommendations = api_client.get("/luna/recommendations?user_id=user_1&limit=1")
    health = api_client.get("/healthz")

    assert users.status_code == 200
    assert users.json()["action_items"][0]["id"] == item.pk
    assert recommendations.json()["recommendations"][0]["score"] == 8.3
    assert (health.status_code, health.json()["cache"]) == (200, "unavailable")
    assert "shared cache unavailable" in caplog.text


def test_an_admin_save_forgets_an_items_cached_members(
    api_client, luna_seed, redis_cache, rf, admin_user, django_capture_on_commit_callbacks
):
    from types import SimpleNamespace

    from django.contrib.admin import site

    redis_cache.point_at()
    toggle(api_client, "user_4", "venue_1")
    api_client.get("/luna/users/user_1")  # fills the cache
    item = ActionItem.objects.get()
    # A member swapped for another in the admin's inline: the count, the cache's version, stays.
    ActionItemMember.objects.filter(action_item=item, member_id="user_2").update(member_id="user_5")
    stale = api_client.get("/luna/users/user_1").json()["action_items"][0]
    request = rf.post("/admin/")
    request.user = admin_user
    form = SimpleNamespace(instance=item, save_m2m=lambda: None)

    with django_capture_on_commit_callbacks(execute=True):
        site._registry[ActionItem].save_related(request, form, [], True)
    fresh = api_client.get("/luna/users/user_1").json()["action_items"][0]

    assert stale["interested_user_ids"] == ["user_6", "user_1", "user_2", "user_3", "user_4"]
    assert fresh["interested_user_ids"] == ["user_6", "user_1", "user_5", "user_3", "user_4"]
