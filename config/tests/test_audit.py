import json

import pytest
from auditlog.context import set_extra_data
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.http import HttpResponse
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from config.audit import audit_actor, audit_batch, audit_bulk_write, audit_prune, named_actor
from memory.learning.models import LearnerProfile
from venues.models import ActionItem, Member, Venue


class InviteView(APIView):
    """A JWT-authenticated write like the apps' API views: creates a user."""

    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]

    def post(self, request):
        User.objects.create_user(request.data["email"], "secret-pass")
        return Response(status=201)


def keyed_write(request):
    """A write authenticated by an application key (its auth sets `access_key_name`)."""
    request.access_key_name = "partner-app"
    Group.objects.create(name="Keyed")
    return HttpResponse(status=201)


def anonymous_write(request):
    Group.objects.create(name="Anonymous")
    return HttpResponse(status=201)


urlpatterns = [
    path("invite", InviteView.as_view()),
    path("keyed", keyed_write),
    path("anonymous", anonymous_write),
]


def entries_for(obj):
    return list(LogEntry.objects.get_for_object(obj).order_by("timestamp", "pk"))


def test_every_app_model_is_audited_and_bookkeeping_is_not():
    audited = {model._meta.label for model in auditlog.get_models()}
    app_models = {
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "venues", "matching", "projects", "memory"}
    }

    assert app_models <= audited
    assert audited.isdisjoint(
        {
            "sessions.Session",
            "contenttypes.ContentType",
            "admin.LogEntry",
            "auditlog.LogEntry",
            "auth.Permission",
        }
    )


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_jwt_api_change_records_the_authenticated_user(client):
    staff = User.objects.create_user("staff@example.com", "secret-pass")
    token = AccessToken.for_user(staff)

    response = client.post(
        "/invite",
        data=json.dumps({"email": "new@example.com"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response.status_code == 201
    new_user = User.objects.get(email="new@example.com")
    [entry] = entries_for(new_user)
    assert (entry.action, entry.actor, entry.actor_email) == (
        LogEntry.Action.CREATE,
        staff,
        "staff@example.com",
    )
    assert entry.changes["email"] == [None, "new@example.com"]
    assert entry.changes["password"][1] != new_user.password  # masked, never stored


@pytest.mark.django_db
def test_admin_change_records_the_staff_user_with_old_values(admin_client, admin_user):
    group = Group.objects.create(name="Editors")

    response = admin_client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    deleted = LogEntry.objects.get(object_pk=str(group.pk), action=LogEntry.Action.DELETE)
    assert deleted.actor == admin_user
    assert deleted.changes == {"id": [group.pk, None], "name": ["Editors", None]}


@pytest.mark.django_db
def test_change_outside_any_request_or_command_has_no_actor():
    user = User.objects.create_user("plain@example.com", "secret-pass")

    [entry] = entries_for(user)
    assert (entry.actor, named_actor(entry)) == (None, None)


@pytest.mark.django_db
def test_audit_actor_names_the_command_on_create_update_and_delete():
    with audit_actor("migration"):
        group = Group.objects.create(name="Editors")
        group.name = "Writers"
        group.save()
        group_pk = group.pk
        group.delete()

    entries = LogEntry.objects.filter(object_pk=str(group_pk)).order_by("timestamp", "pk")
    assert [(e.action, e.actor, named_actor(e)) for e in entries] == [
        (LogEntry.Action.CREATE, None, "migration"),
        (LogEntry.Action.UPDATE, None, "migration"),
        (LogEntry.Action.DELETE, None, "migration"),
    ]
    assert entries[1].changes == {"name": ["Editors", "Writers"]}


@pytest.mark.django_db
def test_audit_actors_nest_and_restore_the_outer_name():
    with audit_actor("transfer"):
        with audit_actor("seed"):
            inner = User.objects.create_user("inner@example.com")
        outer = User.objects.create_user("outer@example.com")

    assert named_actor(entries_for(inner)[0]) == "seed"
    assert named_actor(entries_for(outer)[0]) == "transfer"


@pytest.mark.django_db
def test_seed_command_runs_under_the_seed_actor(settings, tmp_path):
    (tmp_path / "people.json").write_text(
        json.dumps(
            [
                {
                    "model": "accounts.user",
                    "pk": "6f1d0c8e-8b1e-4a43-9d55-0f3c2b7f4a10",
                    "fields": {
                        "email": "seeded@example.com",
                        "password": "",
                        "created_at": "2026-01-01T00:00:00Z",
                    },
                }
            ]
        )
    )
    settings.FIXTURE_DIRS = [tmp_path]

    call_command("seed", "people", stdout=open("/dev/null", "w"))  # noqa: SIM115

    [entry] = entries_for(User.objects.get(email="seeded@example.com"))
    assert (entry.action, entry.actor, named_actor(entry)) == (
        LogEntry.Action.CREATE,
        None,
        "command:seed",
    )


@pytest.mark.django_db
def test_bulk_write_logs_one_batch_entry_instead_of_one_per_row():
    with audit_actor("migration"), audit_bulk_write():
        for number in range(3):
            User.objects.create_user(f"bulk{number}@example.com")
        user = User.objects.get(email="bulk0@example.com")
        user.is_staff = True
        user.save()
        Group.objects.create(name="Bulk").delete()
        entry = audit_batch(actor="import_legacy", model=User, count=3, source="legacy.db")

    assert list(LogEntry.objects.all()) == [entry]
    entry.refresh_from_db()
    assert (
        entry.content_type,
        entry.object_pk,
        entry.object_repr,
        entry.action,
        entry.changes,
        entry.additional_data,
    ) == (
        ContentType.objects.get_for_model(User),
        "*",
        "3 users from legacy.db",
        LogEntry.Action.CREATE,
        {"rows": [None, 3]},
        {
            "actor": "import_legacy",
            "batch": {"model": "accounts.User", "rows": 3, "source": "legacy.db"},
        },
    )
    # Per-row logging is back on after the block.
    later = User.objects.create_user("later@example.com")
    assert len(entries_for(later)) == 1


@pytest.mark.django_db
def test_audit_actor_inside_a_request_keeps_the_user():
    staff = User.objects.create_user("staff@example.com")

    with set_extra_data({"actor": staff, "remote_addr": "10.0.0.7"}):  # as the middleware does
        with audit_actor("account-deletion"):
            group = Group.objects.create(name="Editors")

    [entry] = entries_for(group)
    assert (entry.actor, entry.remote_addr, named_actor(entry)) == (
        staff,
        "10.0.0.7",
        "account-deletion",
    )


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_api_change_without_a_user_names_the_access_key_else_api(client):
    assert client.post("/keyed").status_code == 201
    assert client.post("/anonymous").status_code == 201

    keyed = entries_for(Group.objects.get(name="Keyed"))
    anonymous = entries_for(Group.objects.get(name="Anonymous"))
    assert [(e.actor, e.additional_data) for e in keyed] == [(None, {"actor": "partner-app"})]
    assert [(e.actor, e.additional_data) for e in anonymous] == [(None, {"actor": "api"})]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_api_change_by_a_user_names_the_user_only(client):
    staff = User.objects.create_user("staff@example.com", "secret-pass")
    client.force_login(staff)

    assert client.post("/anonymous").status_code == 201

    [entry] = entries_for(Group.objects.get(name="Anonymous"))
    assert (entry.actor, entry.additional_data) == (staff, None)


VENUE_FIELDS = {
    "id",
    "position",
    "name",
    "category",
    "description",
    "image",
    "address",
    "latitude",
    "longitude",
    "interested_count",
    "created_at",
    "updated_at",
}


def make_venue(**fields) -> Venue:
    return Venue.objects.create(
        **{
            "id": "venue_1",
            "position": 1,
            "name": "Cafe",
            "category": "coffee",
            "description": "d",
            "image": "https://example.com/v.png",
            "address": "1 Main St",
            "latitude": 1.0,
            "longitude": 2.0,
            **fields,
        }
    )


@pytest.mark.django_db
def test_reverse_relations_are_never_logged_as_fields():
    venue = make_venue()
    user = User.objects.create_user("new@example.com", "secret-pass")
    venue.delete()

    created, deleted = entries_for_pk(Venue, "venue_1")
    assert set(created.changes) == VENUE_FIELDS  # no "action_items", no "interests"
    assert set(deleted.changes) == VENUE_FIELDS
    [user_entry] = entries_for(user)
    assert set(user_entry.changes) == {
        "id",
        "email",
        "password",
        "is_active",
        "is_staff",
        "is_superuser",
        "created_at",
    }


def entries_for_pk(model, pk):
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_pk=str(pk)
        ).order_by("timestamp", "pk")
    )


@pytest.mark.django_db
def test_many_to_many_changes_are_logged_as_such():
    venue = make_venue()
    item = ActionItem.objects.create(
        id="ai_1", venue=venue, action_type="book_venue", action_code="AC1", description="d"
    )
    member = Member.objects.create(id="user_1", name="Ann", avatar="https://example.com/a.png")
    user = User.objects.create_user("new@example.com")
    group = Group.objects.create(name="Editors")

    item.members.add(member)
    user.groups.add(group)

    assert entries_for(item)[-1].changes == {
        "members": {"type": "m2m", "operation": "add", "objects": ["Ann (user_1)"]}
    }
    assert entries_for(user)[-1].changes == {
        "groups": {"type": "m2m", "operation": "add", "objects": ["Editors"]}
    }


@pytest.mark.django_db
def test_createsuperuser_is_audited_as_the_command(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-password")

    call_command("createsuperuser", "--noinput", "--email", "root@example.com", verbosity=0)

    [entry] = entries_for(User.objects.get(email="root@example.com"))
    assert (entry.actor, named_actor(entry), len(entry.changes)) == (
        None,
        "command:createsuperuser",
        7,
    )


@pytest.mark.django_db
def test_a_command_called_by_another_keeps_the_outer_name(settings, tmp_path):
    (tmp_path / "groups.json").write_text(
        json.dumps([{"model": "auth.group", "pk": 7, "fields": {"name": "Loaded"}}])
    )
    settings.FIXTURE_DIRS = [tmp_path]

    call_command("loaddata", "groups", verbosity=0)
    loaded = entries_for(Group.objects.get(name="Loaded"))
    Group.objects.all().delete()
    call_command("seed", "groups", stdout=open("/dev/null", "w"))  # noqa: SIM115  (seed calls loaddata)
    seeded = entries_for(Group.objects.get(name="Loaded"))

    assert named_actor(loaded[0]) == "command:loaddata"
    assert named_actor(seeded[-1]) == "command:seed"


@pytest.mark.django_db
def test_learning_profile_put_audits_each_list_change_once(api_client):
    api_client.post(
        "/learning/profiles",
        {
            "name": "Ann",
            "dob": "2019-03-14",
            "gender": "female",
            "address": "1 Garden Road",
            "school": "Sunshine",
            "neighborhood": "Riverside",
            "interests": ["trains"],
            "mastered_words": "一, 二",
            "mastered_grammar": "g:1",
        },
        format="json",
    )
    LogEntry.objects.all().delete()

    response = api_client.put(
        "/learning/profiles/Ann",
        {"mastered_words": "二, 三, 四", "mastered_grammar": "g:1,g:2"},
        format="json",
    )

    assert response.status_code == 200
    profile = LearnerProfile.objects.get(pk="ann")
    added = [
        (entry.action, entry.changes, entry.additional_data)
        for entry in entries_for(profile)
        if entry.action == LogEntry.Action.UPDATE and "mastered" in next(iter(entry.changes))
    ]
    assert added == [
        (
            LogEntry.Action.UPDATE,
            {"mastered words (zh)": {"type": "m2m", "operation": "add", "objects": ["三", "四"]}},
            {"actor": "api"},
        ),
        (
            LogEntry.Action.UPDATE,
            {"mastered grammar": {"type": "m2m", "operation": "add", "objects": ["g:2"]}},
            {"actor": "api"},
        ),
    ]
    # The removed word is logged as a delete of its row.
    deleted = LogEntry.objects.filter(action=LogEntry.Action.DELETE)
    assert [entry.object_repr for entry in deleted] == ["一 (zh)"]


@pytest.mark.django_db
def test_prune_deletes_entries_older_than_the_retention_only():
    from datetime import timedelta

    from django.utils import timezone

    for name in ("a", "b", "c"):
        Group.objects.create(name=name)
    now = timezone.now()
    entries = list(LogEntry.objects.order_by("pk"))
    LogEntry.objects.filter(pk=entries[0].pk).update(timestamp=now - timedelta(days=31))
    LogEntry.objects.filter(pk=entries[1].pk).update(timestamp=now - timedelta(days=30))
    seen = []

    deleted = audit_prune(
        older_than_days=30, batch_size=1, progress=lambda d, t: seen.append((d, t)), now=now
    )

    assert deleted == 1
    assert seen == [(1, 1)]
    assert list(LogEntry.objects.order_by("pk").values_list("pk", flat=True)) == [
        entries[1].pk,
        entries[2].pk,
    ]


@pytest.mark.django_db
def test_prune_command_uses_the_setting_and_prints_a_summary(settings, capsys):
    from datetime import timedelta
    from io import StringIO

    from django.utils import timezone

    settings.AUDITLOG_RETENTION_DAYS = 10
    Group.objects.create(name="old")
    Group.objects.create(name="new")
    LogEntry.objects.filter(object_repr="old").update(timestamp=timezone.now() - timedelta(days=11))
    out = StringIO()

    call_command("prune_auditlog", stdout=out)

    assert list(LogEntry.objects.values_list("object_repr", flat=True)) == ["new"]
    assert out.getvalue().startswith("prune_auditlog: 1 entries older than 10 days deleted in ")


@pytest.mark.django_db
def test_prune_command_with_zero_retention_keeps_everything(settings):
    from io import StringIO

    settings.AUDITLOG_RETENTION_DAYS = 0
    Group.objects.create(name="kept")
    out = StringIO()

    call_command("prune_auditlog", stdout=out)

    assert LogEntry.objects.count() == 1
    assert out.getvalue() == "prune_auditlog: retention is 0 (keep everything); nothing deleted\n"
