"""Walk every registered model's admin pages and check their plans: shared by the suite and the bench.

`sample_pages` lists, for one model, the pages a staff user opens (its changelist plain,
searched, filtered by the first list filter's first choice and drilled down by date to this
month, and the change page of its first row). `large_table_scans` EXPLAINs queries on
PostgreSQL and names the large tables a plan reads with a sequential scan.

config/tests/test_admin_scale.py walks them on a small data set (constant query counts, no
scan with `enable_seqscan = off`); bench/admin_pages.py times them at scale 1 and EXPLAINs
them with the planner's real choices.
"""

import json

from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

# Tables of 50k rows or more at demo scale 1 (and the audit log, which grows forever).
LARGE_TABLES = frozenset(
    {
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
)
SEARCH_TERM = "nobody@example.com"
# Full scans accepted, with the reason: nothing else may scan a large table.
ALLOWED_SCANS = (
    # EdgeSoul's statistics on the companion profile changelist (its "emotion occurrences"
    # total), computed at most once a minute (cached).
    'SELECT SUM("memory_emotionalpattern"."frequency")',
)


def sample_pages(user, model, model_admin) -> list[tuple[str, str]]:
    """[(kind, url)] for one model: changelist, search, filter, date drill-down, change page.

    `user` is the staff user the pages are for (the list filters' choices depend on them).
    """
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    pages = [("changelist", changelist)]
    if model_admin.search_fields:
        pages.append(("search", f"{changelist}?q={SEARCH_TERM}"))
    request = RequestFactory().get(changelist)
    request.user = user
    cl = model_admin.get_changelist_instance(request)
    for spec in cl.filter_specs:
        choices = list(spec.choices(cl))
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


# Plan nodes that read all their input before returning a row: a LIMIT above them does not
# bound what the scans below them read.
BLOCKING_NODES = {"Sort", "Incremental Sort", "Aggregate", "Hash", "Materialize", "WindowAgg", "SetOp"}
# A scan that a LIMIT stops within this share of the table (by the planner's costs) is bounded:
# the capped count of a changelist (10,001 rows) reads a fifth of a 50k-row table.
BOUNDED_SHARE = 0.25


def _seq_scans(plan: dict, tables, *, share: float = 1.0) -> list[str]:
    """Tables the plan reads with a sequential scan that no LIMIT stops early.

    Under a LIMIT (with no blocking node between), a scan reads about the share of its input
    that the Limit's cost is of its child's: the capped count of an unfiltered changelist
    (`LIMIT 10001` of 1M rows) reads 1 %. A planner forbidden sequential scans
    (`enable_seqscan = off`) prices them so high that any left reads everything.
    """
    node = plan.get("Node Type")
    children = plan.get("Plans", [])
    if node == "Limit" and children and children[0]["Total Cost"] > 0:
        share = min(share, plan["Total Cost"] / children[0]["Total Cost"])
    elif node in BLOCKING_NODES or plan.get("Parent Relationship") == "Inner":
        share = 1.0  # read whole, or once per outer row
    found = []
    if node == "Seq Scan" and plan.get("Relation Name") in tables and share > BOUNDED_SHARE:
        found.append(plan["Relation Name"])
    for child in children:
        found += _seq_scans(child, tables, share=share)
    return found


def large_table_scans(connection, selects, tables=LARGE_TABLES) -> dict[str, list[str]]:
    """{sql: [large tables its PostgreSQL plan scans sequentially]} for the SELECTs given.

    Run inside a transaction with `SET LOCAL enable_seqscan = off` to ask whether an index
    *can* serve each query (small test data makes a scan the cheaper plan); outside, with the
    planner's own choices on real data.
    """
    scans = {}
    with connection.cursor() as cursor:
        for sql in dict.fromkeys(selects):
            if not sql.startswith("SELECT") or sql.startswith(ALLOWED_SCANS):
                continue
            if not any(f'"{table}"' in sql for table in tables):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            scanned = _seq_scans(plan[0]["Plan"], tables)
            if scanned:
                scans[sql] = scanned
    return scans
