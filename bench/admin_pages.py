"""`make bench` (admin part): time every admin page at a data scale, write a results table.

For every registered model: its changelist plain, searched, filtered (the first list filter's
first choice) and drilled down by date (this month), and the change page of its first row; plus
the admin index with its dashboard, cold (cache cleared) and warm. Each page is requested once
to warm up, then `--repeat` times; the table shows the median and the slowest time, the query
count and whether the median is under the 300 ms budget. Runs in-process with Django's test
client (no network, no server), DEBUG off.

    DATABASE_URL=sqlite:////tmp/admin_scale1.sqlite3 .venv/bin/python bench/admin_pages.py --scale 1

The database at DATABASE_URL must hold `generate_demo_data --scale <scale>` (`--generate` runs
it first, with its time in the results).
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


def pages_of(client, model, model_admin) -> list[tuple[str, str]]:
    from django.urls import reverse
    from django.utils import timezone

    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    pages = [("changelist", changelist)]
    if model_admin.search_fields:
        pages.append(("search", f"{changelist}?q=nobody@example.com"))
    response = client.get(changelist)
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


def measure(client, url: str, repeat: int, *, clear_cache: bool = False) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not clear_cache:
        client.get(url)  # warm-up
    times, cpu, queries, status = [], [], 0, 0
    for _ in range(repeat):
        if clear_cache:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries, status = len(captured), response.status_code
    return {
        "url": url,
        "status": status,
        "queries": queries,
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        # CPU time of this process (SQLite runs in-process): what the page costs without the
        # wait for a CPU when the machine is busy (see the load average in the header).
        "cpu_ms": round(statistics.median(cpu), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, required=True, help="the data set's scale (for the report)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generate", action="store_true", help="run generate_demo_data first")
    parser.add_argument(
        "--out", default=None, help="results file stem (default bench/ADMIN-<engine>-scale<scale>)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()  # the test client's response.context
    load_before = os.getloadavg()
    generated_s = None
    if args.generate:
        call_command("migrate", verbosity=0)
        started = time.monotonic()
        call_command("generate_demo_data", scale=args.scale)
        generated_s = round(time.monotonic() - started, 1)
    engine = connection.vendor
    user = get_user_model()._default_manager.filter(email=BENCH_EMAIL).first()
    if user is None:
        user = get_user_model()._default_manager.create_superuser(BENCH_EMAIL, None)
    client = Client()
    client.force_login(user)
    rows = []
    # The manifest exists only after collectstatic; the pages are timed, not their assets.
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        DEBUG=False,
    ):
        rows.append(
            {
                "model": "admin index (dashboard, cold cache)",
                "page": "index",
                **measure(client, "/admin/", args.repeat, clear_cache=True),
            }
        )
        rows.append(
            {
                "model": "admin index (dashboard, cached)",
                "page": "index",
                **measure(client, "/admin/", args.repeat),
            }
        )
        for model, model_admin in sorted(
            admin.site._registry.items(), key=lambda item: item[0]._meta.label
        ):
            for kind, url in pages_of(client, model, model_admin):
                result = measure(client, url, args.repeat)
                rows.append({"model": model._meta.label, "page": kind, **result})
                print(
                    f"{result['median_ms']:8.1f} ms {result['cpu_ms']:8.1f} cpu "
                    f"{result['queries']:3d} q  {kind:<10} {url}",
                    flush=True,
                )
    load_after = os.getloadavg()
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
        "pages": len(rows),
        "over_budget": len(slow),
        "over_budget_cpu": len(slow_cpu),
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average_after": [round(x, 1) for x in load_after],
        "budget_ms": BUDGET_MS,
    }
    stem.with_suffix(".json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    lines = [
        f"# Admin pages at scale {args.scale:g} on {engine}",
        "",
        f"`{' '.join(['bench/admin_pages.py', *sys.argv[1:]])}` — {meta['when']}, {meta['machine']}; "
        f"median of {args.repeat} requests after a warm-up (the cold dashboard: cache cleared before each).",
        f"Load average (1/5/15 min) before {meta['load_average_before']}, after "
        f"{meta['load_average_after']}: wall times include waiting for a CPU; `cpu ms` is the CPU "
        "time the request used in this process (SQLite runs in-process).",
        "",
        f"**{len(rows) - len(slow)} of {len(rows)} pages under {BUDGET_MS:.0f} ms wall time, "
        f"{len(rows) - len(slow_cpu)} of {len(rows)} under {BUDGET_MS:.0f} ms CPU time** (medians).",
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
        f"admin_pages: {len(rows)} pages, {len(slow)} over {BUDGET_MS:.0f} ms or failing; wrote {stem}.md"
    )
    sys.exit(1 if any(row["status"] != 200 for row in rows) else 0)


if __name__ == "__main__":
    main()
