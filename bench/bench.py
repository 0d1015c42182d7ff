"""`make bench`: generated data, gunicorn with production settings, wrk over loopback.

For each engine: builds (or reuses) a data set with `generate_demo_data --scale` (or, with
`--data seed`, the contract fixtures of `manage.py seed`), starts the app under gunicorn
(config/gunicorn.py, DEBUG off), drives every endpoint of bench/endpoints.py with wrk for
--duration seconds, does the same for a bare Django JSON view (the ceiling), and writes
bench/RESULTS.md and bench/results.json: throughput, p50/p95/p99, errors and queries per
request for each endpoint, and its throughput as a fraction of the ceiling.

`--access key` benches what production runs: application keys (one made for the run, sent in
X-API-Key) and the throttles on; `--access open` (the default) the trial mode, throttles off.
`--database-url` benches an existing database as it is (the shared scale-1 copy, say).
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "bench_backend")
# main() fills it from the command line; bench/workers.py sets what it needs.
ARGS = argparse.Namespace(
    data="scale",
    access="open",
    workers=None,
    gunicorn_threads=None,
    database_url=None,
    apps=None,
    accept_encoding=None,
    rounds=1,
)


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def database_url(engine: str) -> str:
    if ARGS.database_url:
        return ARGS.database_url
    name = "seed" if ARGS.data == "seed" else "bench"
    if engine == "sqlite":
        return f"sqlite:///{OUT / f'{name}.sqlite3'}"
    suffix = "_seed" if ARGS.data == "seed" else ""
    return f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}{suffix}"


def environment(engine: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(engine),
        "SECRET_KEY": "bench-only-secret-key-not-used-elsewhere",
        "DEBUG": "0",
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "LOG_LEVEL": "WARNING",
        "BENCH_DATA": ARGS.data,
    }
    if ARGS.workers:
        env["GUNICORN_WORKERS"] = str(ARGS.workers)
    if ARGS.gunicorn_threads:
        env["GUNICORN_THREADS"] = str(ARGS.gunicorn_threads)
    if ARGS.apps:
        env["BENCH_APPS"] = ",".join(ARGS.apps)
    if ARGS.access == "key":
        # What production runs: the default access modes and every throttle on.
        for name in ("LUNA_ACCESS", "EDGESOUL_ACCESS", "LEARNING_ACCESS", "YAGO_ACCESS"):
            env.pop(name, None)
        env.update(BENCH_ACCESS="key", DISABLE_THROTTLES="0")
        return env
    # Trial mode: the endpoints, not the rate limits nor the access policy (the benchmark
    # clients call them as the originals did).
    env.update(
        DISABLE_THROTTLES="1",
        LUNA_ACCESS="open",
        EDGESOUL_ACCESS="open",
        LEARNING_ACCESS="open",
        YAGO_ACCESS="open",
    )
    return env


def manage(engine: str, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=environment(engine), check=True)


def ensure_data(engine: str, scale: float, seed: int, regenerate: bool) -> float:
    """Build the data set unless one of the same scale and seed is there; return seconds spent."""
    if ARGS.database_url:
        log(f"{engine}: benching {ARGS.database_url} as it is")
        manage(engine, "migrate", "--noinput", "-v0")
        return 0.0
    marker = OUT / f"{engine}.{ARGS.data}.dataset.json"
    wanted = {"scale": scale, "seed": seed} if ARGS.data == "scale" else {"data": "seed"}
    if not regenerate and marker.exists() and json.loads(marker.read_text()) == wanted:
        log(f"{engine}: reusing the data set {wanted}")
        return 0.0
    started = time.monotonic()
    url = database_url(engine)
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{url.removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[1]
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True)
    manage(engine, "migrate", "--noinput", "-v0")
    if ARGS.data == "seed":
        log(f"{engine}: the contract fixtures (manage.py seed)")
        manage(engine, "seed")
    else:
        log(f"{engine}: generate_demo_data --scale {scale}")
        manage(engine, "generate_demo_data", "--scale", str(scale), "--seed", str(seed))
    if engine == "postgresql":
        subprocess.run(["psql", database_url(engine), "-qc", "VACUUM ANALYZE"], check=True)
    marker.write_text(json.dumps(wanted))
    return time.monotonic() - started


def start_gunicorn(
    engine: str, app: str | None = None, port: int = PORT, extra_env: dict | None = None
) -> subprocess.Popen:
    env = {**environment(engine), "GUNICORN_BIND": f"127.0.0.1:{port}", **(extra_env or {})}
    return serve(env, port, app)


def serve(env: dict[str, str], port: int, app: str | None = None) -> subprocess.Popen:
    """gunicorn (config/gunicorn.py) with `env`, once it answers on `port` (30 s at most)."""
    command = [GUNICORN, "--config", "config/gunicorn.py"] + ([app] if app else [])
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except urllib.error.HTTPError:
            return process  # it answers (a 404 is an answer)
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def workers_rss_mb(process: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children), in MiB."""
    try:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            kb = next(line for line in status.splitlines() if line.startswith("VmRSS"))
            sizes.append(round(int(kb.split()[1]) / 1024, 1))
        return sizes
    except (OSError, StopIteration, ValueError):
        return []


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def run_wrk(
    endpoint: dict, duration: int, connections: int, threads: int, port: int = PORT
) -> dict:
    env = {
        **os.environ,
        "BENCH_METHOD": endpoint["method"],
        "BENCH_PATHS": "\n".join(endpoint["paths"]),
        "BENCH_BODY": "\n".join(endpoint.get("bodies") or []),
        "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in (endpoint.get("headers") or {}).items()),
        "BENCH_AUTH": "\n".join(endpoint.get("auth") or []),
        "BENCH_ACCEPT_ENCODING": ARGS.accept_encoding or "",
    }
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "wrk.lua"),
        f"http://127.0.0.1:{port}",
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    return result


def bench_engine(engine: str, args) -> dict:
    generation = ensure_data(engine, args.scale, args.seed, args.regenerate)
    endpoints_file = OUT / f"{engine}.endpoints.json"
    subprocess.run(
        [PYTHON, "bench/endpoints.py", str(endpoints_file)],
        cwd=ROOT,
        env=environment(engine),
        check=True,
    )
    endpoints = json.loads(endpoints_file.read_text())
    if args.reads:
        endpoints = [e for e in endpoints if e["method"] == "GET"]

    # The ceiling runs beside the app (same worker settings, next port) and is measured right
    # before each endpoint: on a shared, noisy machine each fraction compares like with like.
    ceiling_endpoint = {"method": "GET", "paths": ["/"]}
    ceiling_port = PORT + 1
    ceiling_server = start_gunicorn(engine, "bench.ceiling:application", port=ceiling_port)
    server = start_gunicorn(engine)
    rows, ceilings, rss = [], [], []
    try:
        run_wrk(ceiling_endpoint, 1, args.connections, args.threads, port=ceiling_port)
        for endpoint in endpoints:
            run_wrk(
                endpoint, 1, args.connections, args.threads
            )  # warm-up: every worker imports and caches
            pairs = []
            for _ in range(args.rounds):
                ceiling = run_wrk(
                    ceiling_endpoint,
                    args.duration,
                    args.connections,
                    args.threads,
                    port=ceiling_port,
                )
                ceilings.append(ceiling)
                pairs.append(
                    (run_wrk(endpoint, args.duration, args.connections, args.threads), ceiling)
                )
            # The median round by its fraction of the ceiling (rounds on a noisy machine).
            pairs.sort(key=lambda pair: pair[0]["rps"] / pair[1]["rps"])
            result, ceiling = pairs[len(pairs) // 2]
            result.update(
                name=endpoint["name"],
                queries=endpoint["queries"],
                note=endpoint.get("note", ""),
                ceiling_rps=ceiling["rps"],
                ceiling_fraction=round(result["rps"] / ceiling["rps"], 3),
                ceiling_p50_ms=ceiling["p50_ms"],
                ceiling_p99_ms=ceiling["p99_ms"],
                tail_ratio=tail_ratio(result, ceiling),
                round_fractions=[round(r["rps"] / c["rps"], 3) for r, c in pairs],
            )
            rows.append(result)
            log(
                f"{engine}: {endpoint['name']}: {result['rps']} req/s "
                f"({result['ceiling_fraction']:.0%} of {ceiling['rps']}; rounds "
                f"{result['round_fractions']}), p95 {result['p95_ms']} ms"
            )
        rss = workers_rss_mb(server)
        log(f"{engine}: worker RSS after the run: {rss} MiB")
    finally:
        stop(server)
        stop(ceiling_server)
    ceiling = {
        key: round(sum(c[key] for c in ceilings) / len(ceilings), 1)
        for key in ("rps", "p50_ms", "p95_ms", "p99_ms")
    }
    return {
        "engine": engine,
        "workers_rss_mb": rss,
        "generation_seconds": round(generation, 1),
        "ceiling": ceiling,
        "endpoints": rows,
    }


def tail_ratio(result: dict, ceiling: dict) -> float | None:
    """The endpoint's p99 ÷ p50 against the bare view's own p99 ÷ p50 in the same round.

    Issue 11 wants it at most 2 for every read route: a route may be slower than the bare view,
    but its slow requests should not be further from its typical one than the framework's are.
    """
    if not (result["p50_ms"] and ceiling["p50_ms"] and ceiling["p99_ms"]):
        return None
    spread = result["p99_ms"] / result["p50_ms"]
    return round(spread / (ceiling["p99_ms"] / ceiling["p50_ms"]), 2)


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    try:
        kb = int(
            next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1]
        )
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{platform.system()} {platform.machine()}, {cpus} cores{memory}, Python {platform.python_version()}"


def write_results(results: list[dict], args, command: str) -> None:
    data = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": command,
        "data": args.data,
        "access": args.access,
        "gunicorn_workers": args.workers or "config/gunicorn.py default",
        "gunicorn_threads": args.gunicorn_threads or "config/gunicorn.py default",
        "scale": args.scale,
        "duration_seconds": args.duration,
        "connections": args.connections,
        "wrk_threads": args.threads,
        "engines": results,
    }
    (ROOT / "bench" / f"{args.output}.json").write_text(json.dumps(data, indent=2) + "\n")
    lines = [
        "# Benchmark results",
        "",
        f"- Generated {data['generated_at']} by `{command}`",
        f"- Machine: {data['machine']}; gunicorn with config/gunicorn.py (DEBUG off); "
        f"wrk {args.threads} threads, {args.connections} connections, {args.duration} s per endpoint, loopback",
        f"- Each endpoint: {args.rounds} round(s) of (bare view, endpoint) measured back to back; "
        "the table shows the median round by fraction of the ceiling (of an even count, the "
        "upper middle one: of 2, the better), all fractions in the JSON",
        "- Data set: "
        + (
            "the contract fixtures (`manage.py seed`)"
            if args.data == "seed"
            else f"`{args.database_url}` as it is"
            if args.database_url
            else f"`generate_demo_data --scale {args.scale} --seed {args.seed}`"
        ),
        f"- gunicorn workers: {data['gunicorn_workers']}, threads per worker: "
        f"{data['gunicorn_threads']}; access: "
        + (
            "application keys (X-API-Key) and throttles on, as in production"
            if args.access == "key"
            else "open, throttles off (the trial mode)"
        )
        + (
            f"; requests send Accept-Encoding: {args.accept_encoding}"
            if args.accept_encoding
            else ""
        ),
        "",
    ]
    for result in results:
        ceiling = result["ceiling"]
        lines += [
            f"## {result['engine']}",
            "",
            f"Ceiling (bare Django JSON view, same settings, measured right before each "
            f"endpoint): **{ceiling['rps']} req/s** on average, p50 {ceiling['p50_ms']} ms, "
            f"p95 {ceiling['p95_ms']} ms, p99 {ceiling['p99_ms']} ms. "
            f"Data generation: {result['generation_seconds']} s (0 = reused). "
            f"Worker RSS after the run: {result.get('workers_rss_mb')} MiB.",
            "",
            "The tail column is the endpoint's p99 ÷ p50 divided by the bare view's p99 ÷ p50 "
            "in the same round (issue 11: at most 2 for read routes).",
            "",
            "| endpoint | req/s | ceiling req/s | of ceiling | p50 ms | p95 ms | p99 ms | tail "
            "| errors | queries/request |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in result["endpoints"]:
            errors = f"{row['errors']}" + (f" ({row['note']})" if row["note"] else "")
            tail = "–" if row.get("tail_ratio") is None else f"{row['tail_ratio']:.1f}"
            lines.append(
                f"| {row['name']} | {row['rps']} | {row['ceiling_rps']} | {row['ceiling_fraction']:.0%} | {row['p50_ms']:.1f} | "
                f"{row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {tail} | {errors} | {row['queries']} |"
            )
        lines.append("")
    (ROOT / "bench" / f"{args.output}.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--engines", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "0.1")))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "5")))
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--regenerate", action="store_true", help="rebuild the data set even if one exists"
    )
    parser.add_argument(
        "--output", default="RESULTS", help="writes bench/OUTPUT.md and bench/OUTPUT.json"
    )
    parser.add_argument(
        "--data",
        choices=["scale", "seed"],
        default="scale",
        help="seed: the contract fixtures and the four routes of issue 11's first table",
    )
    parser.add_argument("--access", choices=["open", "key"], default="open")
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default: config/gunicorn.py)"
    )
    parser.add_argument("--gunicorn-threads", type=int, help="threads per worker (>1: gthread)")
    parser.add_argument("--database-url", help="bench this existing database (no generation)")
    parser.add_argument("--apps", nargs="+", help="only these apps of bench/endpoints.py")
    parser.add_argument(
        "--reads", action="store_true", help="only the GET routes (the tail target's 30 s runs)"
    )
    parser.add_argument("--accept-encoding", help="sent with every request (e.g. gzip)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=int(os.environ.get("BENCH_ROUNDS", "1")),
        help="ceiling/endpoint pairs per endpoint; the table shows the median pair",
    )
    args = parser.parse_args()
    ARGS.__dict__.update(vars(args))
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `apt-get install wrk` (bench/run.sh does it)")
    OUT.mkdir(parents=True, exist_ok=True)
    command = (
        "make bench" if len(sys.argv) == 1 else "python bench/bench.py " + " ".join(sys.argv[1:])
    )
    results = [bench_engine(engine, args) for engine in args.engines]
    write_results(results, args, command)
    log(f"wrote bench/{args.output}.md and bench/{args.output}.json")


if __name__ == "__main__":
    main()
