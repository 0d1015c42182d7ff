"""gunicorn sync vs gthread workers, per engine: the servers run side by side, runs alternate.

    .venv/bin/python bench/workers.py [--rounds 3] [--duration 5]

On the contract fixtures (`--data seed` of bench/bench.py) and the four Luna routes of issue
11's first table, plus the bare view: each worker model is its own gunicorn (same settings but
GUNICORN_WORKERS / GUNICORN_THREADS) on its own port, all up at once; every round drives each
in turn, so each comparison is of the same minute on a shared machine. Writes bench/WORKERS.md
and .json: median req/s and p99 per model and route, and worker RSS. config/gunicorn.py's
defaults come from this table.
"""

import argparse
import json
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bench  # noqa: E402

MODELS = {
    "sync 5×1 (2 × cores + 1)": {"GUNICORN_WORKERS": "5", "GUNICORN_THREADS": "1"},
    "gthread 2×4": {"GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "4"},
    "gthread 3×4": {"GUNICORN_WORKERS": "3", "GUNICORN_THREADS": "4"},
}
ROUTES = [
    ("bare view", "/", "bench.ceiling:application"),
    ("GET /luna/venues", "/luna/venues", None),
    ("GET /luna/venues/venue_1", "/luna/venues/venue_1", None),
    ("GET /luna/users/user_1", "/luna/users/user_1", None),
    ("GET /luna/recommendations?user_id=user_1", "/luna/recommendations?user_id=user_1", None),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    bench.ARGS.data = "seed"
    bench.OUT.mkdir(parents=True, exist_ok=True)
    results = {}
    for engine in args.engines:
        bench.ensure_data(engine, 0, 0, False)
        for app in ("bench.ceiling:application", None):
            servers, port = {}, bench.PORT
            try:
                for name, env in MODELS.items():
                    servers[name] = (port, bench.start_gunicorn(engine, app, port, env))
                    port += 1
                for route, path, route_app in ROUTES:
                    if route_app != app:
                        continue
                    runs = {name: [] for name in MODELS}
                    endpoint = {"method": "GET", "paths": [path]}
                    for port_, _ in servers.values():
                        bench.run_wrk(endpoint, 1, args.connections, 2, port=port_)  # warm-up
                    for _ in range(args.rounds):
                        for name, (port_, _) in servers.items():
                            runs[name].append(
                                bench.run_wrk(
                                    endpoint, args.duration, args.connections, 2, port=port_
                                )
                            )
                    for name, measured in runs.items():
                        row = {
                            "rps": statistics.median(r["rps"] for r in measured),
                            "p99_ms": statistics.median(r["p99_ms"] for r in measured),
                            "errors": sum(r["errors"] for r in measured),
                            "rounds_rps": [r["rps"] for r in measured],
                        }
                        results.setdefault(engine, {}).setdefault(route, {})[name] = row
                        bench.log(f"{engine} {route} {name}: {row}")
                if app is None:
                    for name, (_, process) in servers.items():
                        results[engine].setdefault("worker RSS MiB", {})[name] = (
                            bench.workers_rss_mb(process)
                        )
            finally:
                for _, process in servers.values():
                    bench.stop(process)
    command = "python bench/workers.py " + " ".join(sys.argv[1:])
    (bench.ROOT / "bench" / "WORKERS.json").write_text(
        json.dumps({"command": command, "results": results}, indent=2) + "\n"
    )
    lines = [
        "# gunicorn worker models (bench/workers.py)",
        "",
        f"- Generated {datetime.now(UTC).isoformat(timespec='seconds')} by `{command}`",
        f"- {bench.machine()}; seed data; wrk 2 threads, {args.connections} connections, "
        f"{args.duration} s per run, {args.rounds} rounds alternating between the models "
        "(all servers up at once); median req/s (p99 ms)",
        "",
    ]
    for engine, routes in results.items():
        lines += [f"## {engine}", "", "| route | " + " | ".join(MODELS) + " |"]
        lines.append("|---|" + "---:|" * len(MODELS))
        for route, by_model in routes.items():
            if route == "worker RSS MiB":
                cells = [f"{sum(by_model[m]):.0f} total" for m in MODELS]
            else:
                cells = [f"{by_model[m]['rps']:.0f} ({by_model[m]['p99_ms']:.0f})" for m in MODELS]
            lines.append(f"| {route} | " + " | ".join(cells) + " |")
        lines.append("")
    (bench.ROOT / "bench" / "WORKERS.md").write_text("\n".join(lines))
    bench.log("wrote bench/WORKERS.md")


if __name__ == "__main__":
    main()
