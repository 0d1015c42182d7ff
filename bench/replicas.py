"""Read-heavy Luna and PupMatch routes: one primary vs primary + one streaming replica.

Two gunicorn servers (config/gunicorn.py, DEBUG off, throttles off) on the same data: one with
DATABASE_URL only, one with DATABASE_REPLICA_URLS too. wrk drives each route on each server in
turn (A, B, A, B), beside the bare Django view (the ceiling) in the same run. While the replica
server runs, a sampler reads the replica's lag (pg_stat_replication on the primary, and the
state check the router itself uses) and counts the transactions each server ran for this
database (pg_stat_database). A last run drives Luna's interest toggle (writes) on the replica
server and samples the lag under writes.

Needs a streaming replica of the local server (.ci/replica start) and a migrated database that
the replica has (created on the primary, replication copies it). bench/replicas.sh runs it all.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench import serve  # noqa: E402

OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
ROUTES = [
    "luna GET /venues/{id}",
    "luna GET /users/{id}",
    "luna GET /recommendations",
    "luna GET /venues/nearby (1 km)",
    "pupmatch GET /discover",
]
WRITE_ROUTE = "luna POST /interests (toggle)"


def log(message: str) -> None:
    print(f"[replicas {datetime.now():%H:%M:%S}] {message}", flush=True)


def environment(args, *, replica: bool, port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "SECRET_KEY": "bench-only-secret-key-not-used-elsewhere",
        "DEBUG": "0",
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "DISABLE_THROTTLES": "1",
        "LUNA_ACCESS": "open",
        "EDGESOUL_ACCESS": "open",
        "LEARNING_ACCESS": "open",
        "YAGO_ACCESS": "open",
        "DATABASE_REPLICA_URLS": "",
    }
    if replica:
        env["DATABASE_REPLICA_URLS"] = (
            f"postgres://postgres@127.0.0.1:{args.replica_port}/{args.database}"
        )
    return env


def start_gunicorn(env: dict, port: int, app: str | None = None) -> subprocess.Popen:
    return serve(env, port, app)


def run_wrk(endpoint: dict, port: int, args) -> dict:
    env = {
        **os.environ,
        "BENCH_METHOD": endpoint["method"],
        "BENCH_PATHS": "\n".join(endpoint["paths"]),
        "BENCH_BODY": "\n".join(endpoint.get("bodies") or []),
        "BENCH_HEADERS": "",
        "BENCH_AUTH": "\n".join(endpoint.get("auth") or []),
    }
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    command += ["--timeout", "10s", "-s", str(ROOT / "bench" / "wrk.lua")]
    command += [f"http://127.0.0.1:{port}"]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    time.sleep(3)  # requests still queued when wrk stops finish before the next run counts
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    return result


class Sampler:
    """Replica lag and per-server transaction counts while a run lasts."""

    def __init__(self, args):
        self.args = args
        self.primary = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres")
        self.replica = psycopg.connect(
            f"host=127.0.0.1 port={args.replica_port} user=postgres dbname=postgres"
        )
        self.primary.autocommit = self.replica.autocommit = True

    def transactions(self) -> tuple[int, int]:
        sql = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s"
        counts = []
        for connection in (self.primary, self.replica):
            connection.execute("SELECT pg_stat_clear_snapshot()")
            counts.append(connection.execute(sql, [self.args.database]).fetchone()[0])
        return counts[0], counts[1]

    def lag(self) -> dict:
        replay_lag, behind = self.primary.execute(
            "SELECT coalesce(extract(epoch FROM max(replay_lag)), 0),"
            " coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0)"
            " FROM pg_stat_replication"
        ).fetchone()
        from config.replicas import STATUS_SQL

        seen_by_router = self.replica.execute(STATUS_SQL).fetchone()[2]
        return {
            "replay_lag_s": float(replay_lag),
            "bytes_behind": int(behind),
            "router_lag_s": float(seen_by_router or 0),
        }

    def during(self, call):
        samples, done = [], threading.Event()

        def sample():
            while not done.is_set():
                samples.append(self.lag())
                done.wait(0.2)

        before = self.transactions()
        thread = threading.Thread(target=sample)
        thread.start()
        try:
            result = call()
        finally:
            done.set()
            thread.join()
        after = self.transactions()
        result["primary_transactions"] = after[0] - before[0]
        result["replica_transactions"] = after[1] - before[1]
        result["max_replay_lag_ms"] = round(1000 * max(s["replay_lag_s"] for s in samples), 1)
        result["max_bytes_behind"] = max(s["bytes_behind"] for s in samples)
        result["max_router_lag_ms"] = round(1000 * max(s["router_lag_s"] for s in samples), 1)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="wt_replicas_scale1")
    parser.add_argument("--replica-port", type=int, default=5433)
    parser.add_argument("--port", type=int, default=8140, help="uses PORT, PORT+1, PORT+2")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    one, two, bare = args.port, args.port + 1, args.port + 2

    endpoints_file = OUT / f"replicas-endpoints-{args.database}.json"
    if not endpoints_file.exists():
        log("picking ids and counting queries (bench/endpoints.py)")
        subprocess.run(
            [PYTHON, "bench/endpoints.py", str(endpoints_file)],
            cwd=ROOT,
            env=environment(args, replica=False, port=one),
            check=True,
        )
    endpoints = {e["name"]: e for e in json.loads(endpoints_file.read_text())}
    sampler = Sampler(args)
    servers = [
        start_gunicorn(environment(args, replica=False, port=one), one),
        start_gunicorn(environment(args, replica=True, port=two), two),
        start_gunicorn(
            environment(args, replica=False, port=bare), bare, "bench.ceiling:application"
        ),
    ]
    results = []
    try:
        ceiling = [run_wrk({"method": "GET", "paths": ["/"]}, bare, args)["rps"]]
        for name in ROUTES:
            runs = {"primary": [], "replica": []}
            for round_ in range(args.rounds):
                for setup, port in (("primary", one), ("replica", two)):
                    log(f"{name}: {setup} (round {round_ + 1})")
                    runs[setup].append(
                        sampler.during(lambda p=port, n=name: run_wrk(endpoints[n], p, args))
                    )
            results.append({"route": name, **runs})
        log(f"{WRITE_ROUTE}: replica server, lag under writes")
        writes = sampler.during(lambda: run_wrk(endpoints[WRITE_ROUTE], two, args))
        ceiling.append(run_wrk({"method": "GET", "paths": ["/"]}, bare, args)["rps"])
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    write_results(args, results, writes, ceiling)


def write_results(args, results, writes, ceiling) -> None:
    command = "bash bench/replicas.sh " + " ".join(sys.argv[1:])
    lines = [
        "",
        f"## Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`{command.strip()}` — database `{args.database}`, gunicorn (config/gunicorn.py, "
        f"{os.cpu_count()} cores), wrk {args.threads} threads, {args.connections} connections, "
        f"{args.duration} s per run, {args.rounds} rounds alternating A (primary) and B "
        "(primary + replica). Bare Django view (ceiling): "
        + " → ".join(f"{value:,.0f}" for value in ceiling)
        + " req/s (start → end).",
        "",
        "| route | A: primary req/s | B: + replica req/s | B/A | B: transactions primary / replica | B: max replay lag |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in results:
        a = statistics.mean(run["rps"] for run in row["primary"])
        b = statistics.mean(run["rps"] for run in row["replica"])
        on_primary = sum(run["primary_transactions"] for run in row["replica"])
        on_replica = sum(run["replica_transactions"] for run in row["replica"])
        lag = max(run["max_replay_lag_ms"] for run in row["replica"])
        errors = sum(run["errors"] for run in row["replica"] + row["primary"])
        lines.append(
            f"| {row['route']} | {a:,.0f} | {b:,.0f} | {f'{b / a:.2f}' if a else '–'} | "
            f"{on_primary:,} / {on_replica:,} | {lag:.1f} ms |"
            + (f" ({errors} errors)" if errors else "")
        )
    lines += [
        "",
        f"Writes ({WRITE_ROUTE}) on B: {writes['rps']:,.0f} req/s; replica lag sampled every "
        f"0.2 s: at most {writes['max_replay_lag_ms']:.1f} ms replay lag "
        f"(pg_stat_replication), {writes['max_bytes_behind']:,} bytes of WAL behind, "
        f"{writes['max_router_lag_ms']:.1f} ms as the router's state check measures it.",
        "",
    ]
    (OUT / "replicas.json").write_text(json.dumps({"results": results, "writes": writes}, indent=2))
    path = ROOT / "bench" / "REPLICAS.md"
    if not path.exists():
        path.write_text("# Read replicas: one primary vs primary + one streaming replica\n")
    with path.open("a") as file:
        file.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
