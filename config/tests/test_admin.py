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
