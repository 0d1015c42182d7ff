"""`make bench-pooling`: PostgreSQL connections per request, persistent, pooled, or via PgBouncer.

The findings and their reading are in bench/POOLING.md.

gunicorn as config/gunicorn.py runs it (sync workers; gthread with --threads), against one
generated data set on PostgreSQL, with wrk at 8 and 64 client connections on a read route
(`GET /luna/venues/{id}`) and a write route (`POST /luna/interests`, a toggle), in each mode:

- per-request: CONN_MAX_AGE=0, a new PostgreSQL connection for every request (the baseline);
- persistent:  CONN_MAX_AGE=60, one connection per worker thread, kept (the default);
- pool:        DATABASE_POOL=1, psycopg's pool per worker process (Django's OPTIONS["pool"]);
- pgbouncer:   DATABASE_PGBOUNCER=1 through PgBouncer in transaction mode (when installed:
  `apt-get install pgbouncer`), the app keeping its connections to PgBouncer.

The bare ceiling view (bench/ceiling.py) runs in the same session at both client counts.
Each mode runs in turn within a round, --rounds times, the order turning by one each round
(the median is reported), so a noisy machine spreads its noise over all of them. Writes bench/POOLING-sync.table.md and .json
(or -gthread with --threads); the most PostgreSQL backends seen during each
run are sampled from pg_stat_activity.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench import machine, run_wrk, serve  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG = "postgres://postgres@127.0.0.1:5432"
MODES = {
    "per-request": {"CONN_MAX_AGE": "0"},
    "persistent": {"CONN_MAX_AGE": "60"},
    "pool": {"DATABASE_POOL": "1"},
    "pgbouncer": {"DATABASE_PGBOUNCER": "1", "CONN_MAX_AGE": "60"},
}


def log(message: str) -> None:
    print(f"[pooling {datetime.now():%H:%M:%S}] {message}", flush=True)


def environment(args, database_url: str, **extra: str) -> dict[str, str]:
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CONN_", "GUNICORN_"))
    }
    return {
        **keep,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-secret-key-not-used-elsewhere",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "GUNICORN_THREADS": str(args.threads),
        **({"GUNICORN_WORKERS": str(args.workers)} if args.workers else {}),
        "DISABLE_THROTTLES": "1",
        "LUNA_ACCESS": "open",
        **extra,
    }


def ensure_data(args) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.database}"')
        # PgBouncer refuses the `-c jit=off` start-up option: the database carries it instead.
        conn.execute(f'ALTER DATABASE "{args.database}" SET jit = off')
    if exists:
        log(f"reusing the database {args.database}")
        return
    env = environment(args, f"{PG}/{args.database}")
    log(f"{args.database}: migrate and generate_demo_data --scale {args.scale}")
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["generate_demo_data", "--scale", str(args.scale), "--seed", "42"],
    ):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    with psycopg.connect(f"{PG}/{args.database}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def endpoints(args) -> dict[str, dict]:
    rng = random.Random(1)
    with psycopg.connect(f"{PG}/{args.database}") as conn:
        venues = [r[0] for r in conn.execute("SELECT id FROM venues_venue ORDER BY id")]
        members = [r[0] for r in conn.execute("SELECT id FROM venues_member ORDER BY id")]
    venues, members = rng.sample(venues, 200), rng.sample(members, 200)
    return {
        "read GET /luna/venues/{id}": {
            "method": "GET",
            "paths": [f"/luna/venues/{v}" for v in venues],
        },
        "write POST /luna/interests": {
            "method": "POST",
            "paths": ["/luna/interests"],
            "bodies": [
                json.dumps({"user_id": m, "venue_id": v})
                for m, v in zip(members, venues, strict=True)
            ],
        },
    }


class PgBouncer:
    """PgBouncer in transaction mode on --pgbouncer-port, run as the postgres user."""

    def __init__(self, args):
        self.folder = Path(tempfile.mkdtemp(prefix="wt_scaleout_pgbouncer_"))
        (self.folder / "users.txt").write_text('"postgres" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            "* = host=127.0.0.1 port=5432\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {args.pgbouncer_port}\n"
            f"unix_socket_dir =\nauth_type = trust\nauth_file = {self.folder}/users.txt\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {args.pgbouncer_pool_size}\nmax_client_conn = 1000\n"
            f"logfile = {self.folder}/pgbouncer.log\n"
        )
        shutil.chown(self.folder, "postgres")
        self.process = subprocess.Popen(
            ["pgbouncer", "-u", "postgres", str(self.folder / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1)
        if self.process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: see {self.folder}/pgbouncer.log")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_gunicorn(args, env: dict[str, str], app: str | None = None) -> subprocess.Popen:
    return serve(env, args.port, app)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


class BackendSampler:
    """The most client backends connected to the benchmark database while it runs."""

    def __init__(self, database: str):
        self.database, self.most, self._stop = database, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            while not self._stop.wait(0.25):
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND backend_type = 'client backend'",
                    [self.database],
                ).fetchone()
                self.most = max(self.most, count)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def measure(args, endpoint: dict, connections: int) -> dict:
    run_wrk(endpoint, 2, connections, args.wrk_threads, port=args.port)  # warm-up
    with BackendSampler(args.database) as sampler:
        result = run_wrk(endpoint, args.duration, connections, args.wrk_threads, port=args.port)
    result["backends"] = sampler.most
    return result


def run_round(args, routes: dict[str, dict], number: int) -> dict:
    """The ceiling, then every mode: each route at each client count. The modes' order turns
    by one each round, so none always runs first or last (after the other's load)."""
    direct = f"{PG}/{args.database}"
    results = {"ceiling": {}, "modes": {}}
    server = start_gunicorn(args, environment(args, direct), "bench.ceiling:application")
    try:
        for connections in args.connections:
            ceiling = measure(args, {"method": "GET", "paths": ["/"]}, connections)
            results["ceiling"][str(connections)] = ceiling
            log(f"ceiling at {connections}: {ceiling['rps']} req/s")
    finally:
        stop(server)
    turn = number % len(args.modes)
    for mode in args.modes[turn:] + args.modes[:turn]:
        bouncer = None
        url = direct
        if mode == "pgbouncer":
            bouncer = PgBouncer(args)
            url = f"postgres://postgres@127.0.0.1:{args.pgbouncer_port}/{args.database}"
        server = start_gunicorn(args, environment(args, url, **MODES[mode]))
        cells = results["modes"][mode] = {}
        try:
            for name, endpoint in routes.items():
                for connections in args.connections:
                    result = measure(args, endpoint, connections)
                    cells[f"{name}|{connections}"] = result
                    log(
                        f"{mode}: {name} at {connections}: {result['rps']} req/s, "
                        f"p95 {result['p95_ms']} ms, {result['errors']} errors, "
                        f"{result['backends']} backends"
                    )
        finally:
            stop(server)
            if bouncer:
                bouncer.stop()
    return results


def write_results(args, rounds: list[dict], command: str) -> None:
    """Medians over the rounds; `of ceiling` is the median of each round's own ratio."""
    workers = args.workers or os.cpu_count() * 2 + 1
    kind = "sync" if args.threads == 1 else f"gthread, {args.threads} threads"
    data = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average": os.getloadavg(),
        "command": command,
        "gunicorn": f"{workers} workers ({kind})",
        "duration_seconds": args.duration,
        "rounds": rounds,
    }
    (ROOT / "bench" / f"{args.output}.json").write_text(json.dumps(data, indent=2) + "\n")
    ceilings = {c: median(r["ceiling"][str(c)]["rps"] for r in rounds) for c in args.connections}
    lines = [
        f"gunicorn {data['gunicorn']}; generated {data['generated_at']} by `{command}` on "
        f"{data['machine']}; wrk {args.wrk_threads} threads, {args.duration} s per cell after a "
        f"2 s warm-up; median of {len(rounds)} rounds (modes in turn, the order turning each round); "
        f"load average at the end {data['load_average'][0]:.1f}.",
        "",
        "Ceiling (bare Django JSON view, same gunicorn): "
        + ", ".join(f"{c} clients **{rps:.0f} req/s**" for c, rps in ceilings.items()),
        "",
        "| mode | route | clients | req/s | of ceiling | p50 ms | p95 ms | p99 ms | errors "
        "| PostgreSQL backends (most) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for mode in args.modes:
        for key in rounds[0]["modes"][mode]:
            route, connections = key.split("|")
            cells = [r["modes"][mode][key] for r in rounds]
            share = median(
                cell["rps"] / r["ceiling"][connections]["rps"]
                for cell, r in zip(cells, rounds, strict=True)
            )

            def mid(field, cells=cells):
                return median(cell[field] for cell in cells)

            lines.append(
                f"| {mode} | {route} | {connections} | {mid('rps'):.1f} | {share:.0%} | "
                f"{mid('p50_ms'):.0f} | {mid('p95_ms'):.0f} | {mid('p99_ms'):.0f} | "
                f"{sum(c['errors'] for c in cells)} | {max(c['backends'] for c in cells)} |"
            )
    (ROOT / "bench" / f"{args.output}.table.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="bench_pooling")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    parser.add_argument("--connections", nargs="+", type=int, default=[8, 64])
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads (1: sync)")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: its default)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--pgbouncer-port", type=int, default=8191)
    parser.add_argument("--pgbouncer-pool-size", type=int, default=10)
    parser.add_argument(
        "--output", help="bench/OUTPUT.json, OUTPUT.table.md (default POOLING-sync/-gthread)"
    )
    args = parser.parse_args()
    args.output = args.output or ("POOLING-sync" if args.threads == 1 else "POOLING-gthread")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `apt-get install wrk`")
    if "pgbouncer" in args.modes and shutil.which("pgbouncer") is None:
        log("pgbouncer is not installed (`apt-get install pgbouncer`): skipping that mode")
        args.modes.remove("pgbouncer")
    OUT.mkdir(parents=True, exist_ok=True)
    command = "python bench/pooling.py " + " ".join(sys.argv[1:])
    ensure_data(args)
    routes = endpoints(args)
    rounds = []
    for number in range(1, args.rounds + 1):
        log(f"round {number} of {args.rounds}")
        rounds.append(run_round(args, routes, number - 1))
    write_results(args, rounds, command.strip())
    log(f"wrote bench/{args.output}.json and bench/{args.output}.table.md")


if __name__ == "__main__":
    main()
