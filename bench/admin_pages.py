"""`make bench-admin`: time every admin page at a data scale on SQLite or PostgreSQL, write a results table.

For every registered model: its changelist plain, searched, filtered (the first list filter's
first choice) and drilled down by date (this month), and the change page of its first row
(config/admin_walk.py, which the suite walks too); plus the admin index with its dashboard,
cold (cache cleared) and warm. Each page is requested once to warm up, then `--repeat` times;
the table shows the median wall and CPU time, the slowest wall time, the query count and
whether the median is under the 300 ms budget. Runs in-process with Django's test client (no
network, no server), DEBUG off. On PostgreSQL every SELECT of a large table is EXPLAINed with
the planner's own choices on this data: a sequential scan of a large table is listed.

    .venv/bin/python bench/admin_pages.py --scale 1 --database-url sqlite:////tmp/admin_scale1.sqlite3
    .venv/bin/python bench/admin_pages.py --scale 1 --database-url postgres://postgres@127.0.0.1:5432/scale1

The database must hold `generate_demo_data --scale <scale>` (`--generate` runs it first, with
its time in the results). Without `--database-url`, DATABASE_URL (the settings' default).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-elsewhere")
os.environ.setdefault("LOG_LEVEL", "WARNING")

BUDGET_MS = 300.0
BENCH_EMAIL = "admin-bench@example.com"
LARGE_ROWS = 50_000  # a table the EXPLAIN check covers (by the planner's row estimate)


def measure(client, url: str, repeat: int, *, clear_cache: bool = False) -> tuple[dict, list[str]]:
    """The page's timings and query count, and the SQL of its queries (the last request's)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config import cache as project_cache

    client.get(url)  # warm-up (the process's first request of the page: templates, URLs)
    times, cpu, queries, status, sql = [], [], 0, 0, []
    for _ in range(repeat):
        if clear_cache:
            cache.clear()
            project_cache.clear_local()
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries, status = len(captured), response.status_code
        sql = [q["sql"] for q in captured.captured_queries]
    result = {
        "url": url,
        "status": status,
        "queries": queries,
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        # CPU time of this process: on SQLite (in-process) what the page costs without the
        # wait for a CPU when the machine is busy; on PostgreSQL without the server's share.
        "cpu_ms": round(statistics.median(cpu), 1),
    }
    return result, sql


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, required=True, help="the data set's scale (for the report)"
    )
    parser.add_argument(
        "--database-url", default=None, help="the database to bench (default: DATABASE_URL)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generate", action="store_true", help="run generate_demo_data first")
    parser.add_argument(
        "--out", default=None, help="results file stem (default bench/ADMIN-<engine>-scale<scale>)"
    )
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url

    import django

    django.setup()
    from django.conf import settings
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from config.admin_walk import LARGE_TABLES, large_table_scans, sample_pages
    from config.dashboard import dashboard_rollup_refresh

    load_before = os.getloadavg()
    generated_s = None
    if args.generate:
        call_command("migrate", verbosity=0)
        started = time.monotonic()
        call_command("generate_demo_data", scale=args.scale)
        generated_s = round(time.monotonic() - started, 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # the statistics autovacuum would gather
    engine = connection.vendor
    user = get_user_model()._default_manager.filter(email=BENCH_EMAIL).first()
    if user is None:
        user = get_user_model()._default_manager.create_superuser(BENCH_EMAIL, None)
    client = Client()
    client.force_login(user)
    # What the hourly job (config/tasks.py) does: the dashboard's past days into its rollup.
    started = time.perf_counter()
    dashboard_rollup_refresh()
    rollup_s = round(time.perf_counter() - started, 2)
    rows, page_sql = [], {}

    def timed(model: str, kind: str, url: str, **options) -> None:
        result, sql = measure(client, url, args.repeat, **options)
        rows.append({"model": model, "page": kind, **result})
        page_sql[len(rows) - 1] = sql
        print(
            f"{result['median_ms']:8.1f} ms {result['cpu_ms']:8.1f} cpu "
            f"{result['queries']:3d} q  {kind:<10} {url}",
            flush=True,
        )

    # The manifest exists only after collectstatic; the pages are timed, not their assets.
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        DEBUG=False,
    ):
        timed("admin index (dashboard, cold cache)", "index", "/admin/", clear_cache=True)
        timed("admin index (dashboard, cached)", "index", "/admin/")
        for model, model_admin in sorted(
            admin.site._registry.items(), key=lambda item: item[0]._meta.label
        ):
            for kind, url in sample_pages(user, model, model_admin):
                timed(model._meta.label, kind, url)
    load_after = os.getloadavg()

    scans = []  # PostgreSQL: (row, sql, tables) for every plan that scans a large table
    large = []  # the tables of LARGE_TABLES that hold LARGE_ROWS rows or more here
    if engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= %s "
                "AND relname = ANY(%s) ORDER BY relname",
                [LARGE_ROWS, sorted(LARGE_TABLES)],
            )
            large = [name for (name,) in cursor.fetchall()]
        for index, sql in page_sql.items():
            for statement, tables in large_table_scans(connection, sql, large).items():
                scans.append((rows[index], statement, tables))
        for row in rows:
            row["seq_scans"] = sorted(
                {t for scanned, _, tables in scans if scanned is row for t in tables}
            )

    slow = [row for row in rows if row["median_ms"] >= BUDGET_MS or row["status"] != 200]
    slow_cpu = [row for row in rows if row["cpu_ms"] >= BUDGET_MS]
    stem = Path(args.out) if args.out else ROOT / "bench" / f"ADMIN-{engine}-scale{args.scale:g}"
    meta = {
        "engine": engine,
        "scale": args.scale,
        "repeat": args.repeat,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}",
        "generate_demo_data_s": generated_s,
        "dashboard_rollup_refresh_s": rollup_s,
        "pages": len(rows),
        "over_budget": len(slow),
        "over_budget_cpu": len(slow_cpu),
        "slowest_ms": max(row["median_ms"] for row in rows),
        "max_queries": max(row["queries"] for row in rows),
        "niceness": os.nice(0),
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average_after": [round(x, 1) for x in load_after],
        "budget_ms": BUDGET_MS,
        "large_table_scans": len(scans) if engine == "postgresql" else None,
        "large_tables": large,
    }
    command = " ".join(
        ["bench/admin_pages.py", *sys.argv[1:]]
    )
    stem.with_suffix(".json").write_text(
        json.dumps(
            {
                "meta": meta,
                "rows": rows,
                "scans": [
                    {"url": row["url"], "tables": tables, "sql": sql} for row, sql, tables in scans
                ],
            },
            indent=2,
        )
        + "\n"
    )
    cpu_note = (
        "the CPU time the request used in this process (SQLite runs in-process, so this is the "
        "page's whole cost without the wait for a CPU)"
        if engine == "sqlite"
        else "the CPU time of the Django process only (the PostgreSQL server's share is in the wall time)"
    )
    lines = [
        f"# Admin pages at scale {args.scale:g} on {engine}",
        "",
        f"`{command}` on a database holding `generate_demo_data --scale {args.scale:g}` — "
        f"{meta['when']}, {meta['machine']}; median of {args.repeat} requests after a warm-up "
        "(the cold dashboard: the cache cleared before each; its days read from the rollup, which "
        f"the hourly job refreshed first, in {rollup_s} s).",
        f"Load average (1/5/15 min) before {meta['load_average_before']}, after "
        f"{meta['load_average_after']}, this process's niceness {meta['niceness']}: wall times "
        f"include waiting for a CPU; `cpu ms` is {cpu_note}.",
        "",
        f"**{len(rows) - len(slow)} of {len(rows)} pages under {BUDGET_MS:.0f} ms wall time, "
        f"{len(rows) - len(slow_cpu)} of {len(rows)} under {BUDGET_MS:.0f} ms CPU time** (medians); "
        f"slowest {meta['slowest_ms']} ms, at most {meta['max_queries']} queries a page.",
    ]
    if engine == "postgresql":
        lines += [
            "",
            f"EXPLAIN (the planner's own choices on this data, analysed: `--generate` runs "
            f"`VACUUM ANALYZE`, as autovacuum would) of every "
            f"SELECT touching a table of {LARGE_ROWS:,} rows or more ({', '.join(large)}): "
            f"**{len(scans)} sequential scans of a large table** not stopped early by a LIMIT"
            + ("." if not scans else ":"),
        ]
        lines += [f"- `{row['url']}`: {', '.join(tables)} — `{sql[:200]}`" for row, sql, tables in scans]
    lines += [
        "",
        "| model | page | queries | median ms | max ms | cpu ms | status | url |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        mark = "" if row["median_ms"] < BUDGET_MS else " **(over)**"
        lines.append(
            f"| {row['model']} | {row['page']} | {row['queries']} | {row['median_ms']}{mark} | "
            f"{row['max_ms']} | {row['cpu_ms']} | {row['status']} | `{row['url']}` |"
        )
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print(
        f"admin_pages: {len(rows)} pages, {len(slow)} over {BUDGET_MS:.0f} ms or failing"
        + (f", {len(scans)} large-table scans" if engine == "postgresql" else "")
        + f"; wrote {stem}.md"
    )
    sys.exit(1 if any(row["status"] != 200 for row in rows) else 0)


if __name__ == "__main__":
    main()
