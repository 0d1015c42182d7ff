"""`make bench`: generated data, gunicorn with production settings, wrk over loopback.

For each engine: builds (or reuses) a data set with `generate_demo_data --scale`, starts the
app under gunicorn (config/gunicorn.py, DEBUG off), drives every endpoint of bench/endpoints.py
with wrk for --duration seconds, does the same for a bare Django JSON view (the ceiling), and
writes bench/RESULTS.md and bench/results.json: throughput, p50/p95/p99, errors and queries per
request for each endpoint, and its throughput as a fraction of the ceiling.
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
PORT = 8765
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def database_url(engine: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{OUT / 'bench.sqlite3'}"
    return "postgres://postgres@127.0.0.1:5432/bench_backend"


def environment(engine: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(engine),
        "SECRET_KEY": "bench-only-secret-key-not-used-elsewhere",
        "DEBUG": "0",
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "LOG_LEVEL": "WARNING",
        # Benchmarks measure the endpoints, not the rate limits.
        "DISABLE_THROTTLES": "1",
        # ... nor the access policy: the benchmark clients call them as the originals did.
        "LUNA_ACCESS": "open",
        "EDGESOUL_ACCESS": "open",
        "LEARNING_ACCESS": "open",
        "YAGO_ACCESS": "open",
    }


def manage(engine: str, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=environment(engine), check=True)


def ensure_data(engine: str, scale: float, seed: int, regenerate: bool) -> float:
    """Build the data set unless one of the same scale and seed is there; return seconds spent."""
    marker = OUT / f"{engine}.dataset.json"
    wanted = {"scale": scale, "seed": seed}
    if not regenerate and marker.exists() and json.loads(marker.read_text()) == wanted:
        log(f"{engine}: reusing the data set at scale {scale}")
        return 0.0
    started = time.monotonic()
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{OUT / 'bench.sqlite3'}{suffix}").unlink(missing_ok=True)
    else:
        for sql in ("DROP DATABASE IF EXISTS bench_backend", "CREATE DATABASE bench_backend"):
            subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True)
    log(f"{engine}: migrate and generate_demo_data --scale {scale}")
    manage(engine, "migrate", "--noinput", "-v0")
    manage(engine, "generate_demo_data", "--scale", str(scale), "--seed", str(seed))
    if engine == "postgresql":
        subprocess.run(["psql", database_url(engine), "-qc", "VACUUM ANALYZE"], check=True)
    marker.write_text(json.dumps(wanted))
    return time.monotonic() - started


def start_gunicorn(engine: str, app: str | None = None) -> subprocess.Popen:
    command = [GUNICORN, "--config", "config/gunicorn.py"] + ([app] if app else [])
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment(engine), stderr=subprocess.DEVNULL
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=1)
            return process
        except urllib.error.HTTPError:
            return process  # it answers (a 404 is an answer)
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


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

    ceiling_server = start_gunicorn(engine, "bench.ceiling:application")
    try:
        ceiling = run_wrk(
            {"method": "GET", "paths": ["/"]}, args.duration, args.connections, args.threads
        )
    finally:
        stop(ceiling_server)
    log(f"{engine}: ceiling {ceiling['rps']} req/s")

    server = start_gunicorn(engine)
    rows = []
    try:
        for endpoint in endpoints:
            run_wrk(
                endpoint, 1, args.connections, args.threads
            )  # warm-up: every worker imports and caches
            result = run_wrk(endpoint, args.duration, args.connections, args.threads)
            result.update(
                name=endpoint["name"],
                queries=endpoint["queries"],
                note=endpoint.get("note", ""),
                ceiling_fraction=round(result["rps"] / ceiling["rps"], 3),
            )
            rows.append(result)
            log(f"{engine}: {endpoint['name']}: {result['rps']} req/s, p95 {result['p95_ms']} ms")
    finally:
        stop(server)
    return {
        "engine": engine,
        "generation_seconds": round(generation, 1),
        "ceiling": ceiling,
        "endpoints": rows,
    }


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
        f"- Data set: `generate_demo_data --scale {args.scale} --seed {args.seed}`",
        "",
    ]
    for result in results:
        ceiling = result["ceiling"]
        lines += [
            f"## {result['engine']}",
            "",
            f"Ceiling (bare Django JSON view, same settings): **{ceiling['rps']} req/s**, "
            f"p95 {ceiling['p95_ms']} ms. Data generation: {result['generation_seconds']} s (0 = reused).",
            "",
            "| endpoint | req/s | of ceiling | p50 ms | p95 ms | p99 ms | errors | queries/request |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in result["endpoints"]:
            errors = f"{row['errors']}" + (f" ({row['note']})" if row["note"] else "")
            lines.append(
                f"| {row['name']} | {row['rps']} | {row['ceiling_fraction']:.0%} | {row['p50_ms']:.1f} | "
                f"{row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {errors} | {row['queries']} |"
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
    args = parser.parse_args()
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
