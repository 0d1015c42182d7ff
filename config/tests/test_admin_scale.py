"""Every registered model's admin pages at scale: constant queries, no scan of a large table.

A small data set from `generate_demo_data` (scale 0.0005, then again at 0.001: twice the rows)
and, for each model, its changelist plain, searched, filtered and drilled down by date, and the
change page of one row. The query count of every page must be the same at both sizes; on
PostgreSQL every SELECT touching a large table is EXPLAINed with `enable_seqscan = off`: a
`Seq Scan` left in the plan means no index can serve the query (a full scan at scale 1).
"""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import ForeignKey, ManyToManyField, OneToOneField
from django.test.utils import CaptureQueriesContext

from config import cache as project_cache
from config.admin_scale import ScaledAdmin, ScaledPaginator
from config.admin_walk import large_table_scans, sample_pages
from config.audit import audit_bulk_write

APPS = ("accounts", "venues", "matching", "projects", "memory")


def registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def app_admins():
    return [(m, a) for m, a in registered() if m._meta.app_label in APPS]


def test_every_app_admin_counts_without_scanning():
    for model, model_admin in [
        *app_admins(),
        *[(m, a) for m, a in registered() if m._meta.app_label == "auditlog"],
    ]:
        assert isinstance(model_admin, ScaledAdmin), model._meta.label
        assert model_admin.show_full_result_count is False, model._meta.label
        assert model_admin.paginator is ScaledPaginator, model._meta.label


def test_every_foreign_key_in_a_form_is_an_autocomplete():
    """A plain select of a foreign key renders every row of the related table (100k users)."""
    missing = []
    for model, model_admin in app_admins():
        owners = [(model, model_admin)] + [(inline.model, inline) for inline in model_admin.inlines]
        for owner_model, owner in owners:
            readonly = set(owner.readonly_fields)
            fields = owner.fields or [f.name for f in owner_model._meta.get_fields()]
            for name in fields:
                field = next((f for f in owner_model._meta.get_fields() if f.name == name), None)
                if not isinstance(field, ForeignKey | OneToOneField | ManyToManyField):
                    continue
                if not field.editable or name in readonly:
                    continue
                if isinstance(field, ManyToManyField) and (
                    not field.remote_field.through._meta.auto_created  # not in the form
                    or name in getattr(owner, "filter_horizontal", ())  # groups, permissions
                ):
                    continue
                if getattr(owner, "fk_name", None) == name or (
                    owner is not model_admin and field.related_model is model
                ):
                    continue  # the inline's link to its parent
                if name not in owner.autocomplete_fields and name not in owner.raw_id_fields:
                    missing.append(f"{type(owner).__name__}.{name}")
    assert missing == []


def _clear_demo_rows():
    with audit_bulk_write():
        for model in apps.get_models():
            if model._meta.app_label in APPS and model._meta.managed:
                if model._meta.label == "accounts.User":
                    model._base_manager.filter(is_superuser=False)._raw_delete(connection.alias)
                else:
                    model._base_manager.all()._raw_delete(connection.alias)


def _generate(scale: float):
    call_command("generate_demo_data", scale=scale, stdout=StringIO(), stderr=StringIO())


def _walk(client, user) -> tuple[dict[str, int], list[str]]:
    counts, selects = {}, []
    for model, model_admin in registered():
        for kind, page in sample_pages(user, model, model_admin):
            # cached statistics would make the second size look cheaper
            cache.clear()
            project_cache.clear_local()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page)
            assert response.status_code == 200, page
            counts[f"{model._meta.label} {kind}"] = len(captured)
            selects += [
                q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")
            ]
    return counts, selects


@pytest.mark.django_db
def test_every_admin_page_has_constant_queries_and_scans_no_large_table(admin_client, admin_user):
    _generate(0.0005)
    small, _ = _walk(admin_client, admin_user)
    _clear_demo_rows()
    _generate(0.001)
    large, selects = _walk(admin_client, admin_user)

    assert large == small
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert large_table_scans(connection, selects) == {}
