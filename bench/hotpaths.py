"""Issue 11's PupMatch, YAGO and memory routes under bench.py's method, on this helper's data.

bench.py drives every route on fixed names (port 8765, database bench_backend); this runs
the same measurement (gunicorn with config/gunicorn.py, wrk through bench/wrk.lua, the bare
view as the ceiling, each run in the same session) for the routes below, on its own port and
databases, and can serve another checkout of the code (`--code`) for a before/after pair:

    git archive <before> | tar -x -C /tmp/before && ln -s $PWD/.venv /tmp/before/.venv
    python bench/hotpaths.py --code /tmp/before --label before --output out/hotpaths-before
    python bench/hotpaths.py --label after --output out/hotpaths-after

Data: `generate_demo_data --scale 0.1 --seed 42`, made once into --pg-db and --sqlite-file.
"""

import argparse
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench  # noqa: E402

ROUTES = (
    "pupmatch GET /discover",
    "pupmatch POST /profiles/{id}/like",
    "pupmatch POST /conversations/{id}/messages",
    "yago GET /api/v1/projects",
    "yago GET /api/v1/projects?status=completed&limit=20",
    "yago PUT /api/v1/projects/{id}",
    "edgesoul POST /memories/search",
    "edgesoul POST /memory/{user_id}",
    "edgesoul POST /emotion/{user_id}",
    "learning GET /profiles/{id}",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--code", default=str(ROOT), help="the checkout gunicorn serves")
    parser.add_argument("--label", default="")
    parser.add_argument("--port", type=int, default=8120)
    parser.add_argument("--pg-db", default="wt_hotpaths_bench")
    parser.add_argument("--sqlite-file", default=str(ROOT / "bench" / "out" / "hotpaths.sqlite3"))
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=None, help="route names (default: all)")
    parser.add_argument("--output", default="out/hotpaths")
    args = parser.parse_args()

    code = Path(args.code).resolve()
    bench.ROOT = code  # gunicorn's working directory: the code it serves
    bench.PORT = args.port
    urls = {
        "sqlite": f"sqlite:///{args.sqlite_file}",
        "postgresql": f"postgres://postgres@127.0.0.1:5432/{args.pg_db}",
    }
    bench.database_url = urls.__getitem__
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for engine in args.engines:
        endpoints_file = out / f"hotpaths-{engine}-{args.label or 'run'}.endpoints.json"
        subprocess.run(
            [bench.PYTHON, str(ROOT / "bench" / "hotpaths_endpoints.py"), str(endpoints_file)],
            cwd=code,
            env={**bench.environment(engine), "BENCH_CODE": str(code)},
            check=True,
        )
        wanted = set(args.only or ROUTES)
        endpoints = [e for e in json.loads(endpoints_file.read_text()) if e["name"] in wanted]
        ceiling_server = bench.start_gunicorn(engine, "bench.ceiling:application")
        try:
            ceiling = bench.run_wrk(
                {"method": "GET", "paths": ["/"]}, args.duration, args.connections, args.threads
            )
        finally:
            bench.stop(ceiling_server)
        bench.log(f"{engine}: ceiling {ceiling['rps']} req/s")
        server = bench.start_gunicorn(engine)
        rows = []
        try:
            for endpoint in endpoints:
                bench.run_wrk(endpoint, 1, args.connections, args.threads)  # warm-up
                result = bench.run_wrk(endpoint, args.duration, args.connections, args.threads)
                result.update(
                    name=endpoint["name"],
                    queries=endpoint["queries"],
                    note=endpoint.get("note", ""),
                    ceiling_fraction=round(result["rps"] / ceiling["rps"], 3),
                )
                rows.append(result)
                bench.log(
                    f"{engine}: {endpoint['name']}: {result['rps']} req/s "
                    f"({result['ceiling_fraction']:.0%}), p50 {result['p50_ms']} ms"
                )
        finally:
            bench.stop(server)
        results.append({"engine": engine, "ceiling": ceiling, "endpoints": rows})
    data = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "label": args.label,
        "code": str(code),
        "command": "python bench/hotpaths.py " + " ".join(sys.argv[1:]),
        "duration_seconds": args.duration,
        "connections": args.connections,
        "engines": results,
    }
    (ROOT / "bench" / f"{args.output}.json").write_text(json.dumps(data, indent=2) + "\n")
    bench.log(f"wrote bench/{args.output}.json")


if __name__ == "__main__":
    main()
