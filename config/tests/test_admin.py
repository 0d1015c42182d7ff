import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group

from config.audit import audit_actor


@pytest.mark.django_db
def test_object_audit_history_page_lists_changes_with_actors(admin_client):
    with audit_actor("seed"):
        group = Group.objects.create(name="Editors")
    group.name = "Writers"
    group.save()

    response = admin_client.get(f"/admin/auth/group/{group.pk}/auditlog/")

    assert response.status_code == 200
    entries = list(response.context["log_entries"])
    assert [(entry.action, entry.changes) for entry in entries] == [
        (LogEntry.Action.UPDATE, {"name": ["Editors", "Writers"]}),
        (LogEntry.Action.CREATE, {"id": [None, group.pk], "name": [None, "Editors"]}),
    ]
    assert b'<span class="entry-user">seed</span>' in response.content


@pytest.mark.django_db
def test_change_page_links_the_audit_log(admin_client):
    group = Group.objects.create(name="Editors")

    response = admin_client.get(f"/admin/auth/group/{group.pk}/change/")

    assert response.status_code == 200
    assert f'href="/admin/auth/group/{group.pk}/auditlog/"'.encode() in response.content


@pytest.mark.django_db
def test_audit_history_of_unknown_model_or_object_is_404(admin_client):
    assert admin_client.get("/admin/nope/thing/1/auditlog/").status_code == 404
    assert admin_client.get("/admin/auth/group/999/auditlog/").status_code == 404


@pytest.mark.django_db
def test_audit_history_needs_staff(client):
    group = Group.objects.create(name="Editors")

    response = client.get(f"/admin/auth/group/{group.pk}/auditlog/")

    assert response.status_code == 302


@pytest.mark.django_db
def test_log_changelist_shows_and_searches_named_actors(admin_client):
    with audit_actor("import_legacy"):
        Group.objects.create(name="Imported")
    Group.objects.create(name="Typed")

    everything = admin_client.get("/admin/auditlog/logentry/")
    by_actor = admin_client.get("/admin/auditlog/logentry/", {"q": "import_legacy"})
    by_object = admin_client.get("/admin/auditlog/logentry/", {"q": "Typed"})

    assert everything.status_code == by_actor.status_code == by_object.status_code == 200
    assert [e.object_repr for e in by_actor.context["cl"].result_list] == ["Imported"]
    assert [e.object_repr for e in by_object.context["cl"].result_list] == ["Typed"]
    assert b'<td class="field-who">import_legacy</td>' in by_actor.content


@pytest.mark.django_db
def test_log_entry_detail_page(admin_client):
    group = Group.objects.create(name="Editors")
    entry = LogEntry.objects.get_for_object(group).get()

    response = admin_client.get(f"/admin/auditlog/logentry/{entry.pk}/change/")

    assert response.status_code == 200
    assert b"Editors" in response.content


def test_favicon_redirects_to_the_static_file(client):
    response = client.get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (302, "/static/config/favicon.ico")
    assert response["Cache-Control"] == "max-age=86400, public"


@pytest.mark.django_db
def test_admin_pages_link_the_favicon(admin_client):
    response = admin_client.get("/admin/")

    assert (
        b'<link rel="icon" href="/static/config/favicon.svg" type="image/svg+xml">'
        in response.content
    )


@pytest.mark.django_db
def test_date_drill_down_offers_fixed_links_without_scanning(admin_client):
    from django.utils import timezone

    today = timezone.localdate()
    url = "/admin/auditlog/logentry/"
    years = admin_client.get(url)
    months = admin_client.get(url, {"timestamp__year": today.year - 1})
    days = admin_client.get(url, {"timestamp__year": 2024, "timestamp__month": 2})

    assert [c["title"] for c in _hierarchy(years)] == [
        str(today.year - offset) for offset in range(5)
    ]
    assert len(_hierarchy(months)) == 12
    assert [c["title"] for c in _hierarchy(days)][-1] == "February 29"
    assert len(_hierarchy(days)) == 29


def _hierarchy(response):
    from config.templatetags.admin_scale import recent_date_hierarchy

    return recent_date_hierarchy(response.context["cl"])["choices"]


@pytest.mark.django_db
def test_paginator_caps_filtered_counts_and_says_so(monkeypatch):
    from config import admin_scale
    from config.admin_scale import ScaledPaginator

    monkeypatch.setattr(admin_scale, "COUNT_CAP", 2)
    for name in "abc":
        Group.objects.create(name=name)

    capped = ScaledPaginator(Group.objects.filter(name__in="abc").order_by("name"), 1)
    exact = ScaledPaginator(Group.objects.filter(name__in="ab").order_by("name"), 1)

    assert (capped.count, capped.count_kind) == (2, "at_least")
    assert (exact.count, exact.count_kind) == (2, "exact")


@pytest.mark.django_db
def test_changelist_pagination_says_more_than_when_capped(admin_client, monkeypatch):
    from config import admin_scale

    monkeypatch.setattr(admin_scale, "COUNT_CAP", 2)
    for name in "abc":
        Group.objects.create(name=name)

    response = admin_client.get("/admin/auditlog/logentry/", {"action__exact": 0})

    assert b"more than 2 log entries" in response.content


@pytest.mark.postgres
@pytest.mark.django_db
def test_unfiltered_count_is_the_planners_estimate_on_postgresql():
    from django.db import connection

    from config.admin_scale import ESTIMATE_FROM, ScaledPaginator

    table = LogEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE pg_class SET reltuples = %s WHERE oid = '\"{table}\"'::regclass",
            [ESTIMATE_FROM],
        )
        paginator = ScaledPaginator(LogEntry.objects.all(), 50)
        count, kind = paginator.count, paginator.count_kind
        cursor.execute(f"UPDATE pg_class SET reltuples = -1 WHERE oid = '\"{table}\"'::regclass")

    assert (count, kind) == (ESTIMATE_FROM, "estimate")


@pytest.mark.django_db
def test_exact_value_filter_filters_by_the_typed_value(admin_client):
    from memory.tests.factories import MemoryFactory

    MemoryFactory(user__user_id="u1", content="one")
    MemoryFactory(user__user_id="u2", content="two")

    response = admin_client.get("/admin/memory/memory/", {"user_id": "u2"})

    assert [m.content for m in response.context["cl"].result_list] == ["two"]
    assert b'placeholder="exact user id"' in response.content
