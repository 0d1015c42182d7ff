import json

import pytest
from auditlog.context import set_extra_data
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from config.audit import audit_actor, audit_batch, audit_bulk_write, named_actor


class InviteView(APIView):
    """A JWT-authenticated write like the apps' API views: creates a user."""

    authentication_classes = [JWTAuthentication]
    permission_classes = [IsAuthenticated]

    def post(self, request):
        User.objects.create_user(request.data["email"], "secret-pass")
        return Response(status=201)


urlpatterns = [path("invite", InviteView.as_view())]


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
        "seed",
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
