"""Every registered model's admin pages at scale: constant queries, no scan of a large table.

A small data set from `generate_demo_data` (scale 0.0005, then again at 0.001: twice the rows)
and, for each model, its changelist plain, searched, filtered and drilled down by date, and the
change page of one row. The query count of every page must be the same at both sizes; on
PostgreSQL every SELECT touching a large table is EXPLAINed with `enable_seqscan = off`: a
`Seq Scan` left in the plan means no index can serve the query (a full scan at scale 1).
"""

import json
from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import ForeignKey, ManyToManyField, OneToOneField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.admin_scale import ScaledAdmin, ScaledPaginator
from config.audit import audit_bulk_write

APPS = ("accounts", "venues", "matching", "projects", "memory")
# Tables of 50k rows or more at demo scale 1 (and the audit log, which grows forever).
LARGE_TABLES = {
    "accounts_user",
    "venues_member",
    "venues_interest",
    "venues_membercategory",
    "venues_friendship",
    "matching_profile",
    "matching_preferences",
    "matching_prompt",
    "matching_photo",
    "matching_like",
    "matching_pass",
    "matching_match",
    "matching_conversation",
    "matching_message",
    "memory_companionprofile",
    "memory_memory",
    "memory_emotionalpattern",
    "memory_masteredword",
    "auditlog_logentry",
}
SEARCH_TERM = "nobody@example.com"
# Full scans accepted, with the reason: nothing else may scan a large table.
ALLOWED_SCANS = (
    # EdgeSoul's statistics on the companion profile changelist (its "emotion occurrences"
    # total), computed at most once a minute (cached).
    'SELECT SUM("memory_emotionalpattern"."frequency")',
)


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


def _pages(client, model, model_admin) -> list[tuple[str, str]]:
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    pages = [("changelist", changelist)]
    if model_admin.search_fields:
        pages.append(("search", f"{changelist}?q={SEARCH_TERM}"))
    response = client.get(changelist)
    assert response.status_code == 200, changelist
    for spec in response.context["cl"].filter_specs:
        choices = list(spec.choices(response.context["cl"]))
        if len(choices) > 1:
            pages.append(("filter", f"{changelist}{choices[1]['query_string']}"))
            break
    if model_admin.date_hierarchy:
        today = timezone.localdate()
        field = model_admin.date_hierarchy
        pages.append(
            ("date", f"{changelist}?{field}__year={today.year}&{field}__month={today.month}")
        )
    row = model._base_manager.order_by("pk").first()
    if row is not None:
        pages.append(
            ("change", reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
        )
    return pages


def _walk(client) -> tuple[dict[str, int], list[str]]:
    counts, selects = {}, []
    for model, model_admin in registered():
        for kind, page in _pages(client, model, model_admin):
            cache.clear()  # cached statistics would make the second size look cheaper
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page)
            assert response.status_code == 200, page
            counts[f"{model._meta.label} {kind}"] = len(captured)
            selects += [
                q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")
            ]
    return counts, selects


def _seq_scans(plan: dict) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in LARGE_TABLES:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += _seq_scans(child)
    return found


@pytest.mark.django_db
def test_every_admin_page_has_constant_queries_and_scans_no_large_table(admin_client):
    _generate(0.0005)
    small, _ = _walk(admin_client)
    _clear_demo_rows()
    _generate(0.001)
    large, selects = _walk(admin_client)

    assert large == small
    if connection.vendor != "postgresql":
        return
    scans = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in set(selects):
            if not any(f'"{table}"' in sql for table in LARGE_TABLES):
                continue
            if sql.startswith(ALLOWED_SCANS):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            tables = _seq_scans(plan[0]["Plan"])
            if tables:
                scans[sql[:300]] = tables
    assert scans == {}
