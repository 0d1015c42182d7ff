"""Job queue figures: enqueue-to-start latency on each storage, and YAGO executions per minute
one consumer (`manage.py run_huey`, default settings: 2 worker threads) sustains with the
offline provider.

    .venv/bin/python bench/jobs.py --storage sqlite
    .venv/bin/python bench/jobs.py --storage redis --redis redis://127.0.0.1:6379/2

Runs against a fresh SQLite database in a temporary folder (or DATABASE_URL with --database-url)
and a queue name unique to the run, and prints a summary.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--storage", choices=("sqlite", "redis"), required=True)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--pings", type=int, default=50)
    parser.add_argument("--executions", type=int, default=40)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url or f"sqlite:///{folder / 'db.sqlite3'}",
        "HUEY_NAME": f"bench-{uuid.uuid4().hex[:10]}",
        "HUEY_URL": args.redis if args.storage == "redis" else "",
        "REDIS_URL": "",
        "HUEY_SQLITE_PATH": str(folder / "huey.sqlite3"),
        "MEDIA_ROOT": str(folder / "media"),
        "ALLOW_INSECURE_SECRET_KEY": "1",
        "YAGO_PROVIDER": "offline",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    print(f"== {args.storage}: migrating {env['DATABASE_URL']}", flush=True)
    call_command("migrate", verbosity=0)

    consumer = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "consumer.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    try:
        latency(args.pings)
        throughput(args.executions)
    finally:
        os.killpg(consumer.pid, signal.SIGINT)
        consumer.wait(timeout=60)
        from config.jobs import huey

        huey.storage.flush_all()


def latency(count: int) -> None:
    from config.tasks import ping

    ping().get(blocking=True, timeout=120)  # the consumer is up
    samples = []
    for index in range(count):
        time.sleep(0.05 if index % 2 else 0.6)  # half from a busy, half from an idle worker
        enqueued = time.time()
        started = ping().get(blocking=True, timeout=60)
        samples.append((started - enqueued) * 1000)
    samples.sort()
    print(
        f"enqueue-to-start latency over {count} pings: median {statistics.median(samples):.1f} ms, "
        f"p95 {samples[int(len(samples) * 0.95) - 1]:.1f} ms, max {samples[-1]:.1f} ms",
        flush=True,
    )


def throughput(count: int) -> None:
    from projects import execution, services
    from projects.models import ProjectExecution

    projects = [
        services.project_create(brief={"project_idea": f"Todo list {n}"}, config={})
        for n in range(count)
    ]
    started = time.monotonic()
    ids = [execution.execution_enqueue(project=project).pk for project in projects]
    last_report = started
    while True:
        done = ProjectExecution.objects.filter(pk__in=ids, status="completed").count()
        failed = ProjectExecution.objects.filter(pk__in=ids, status="failed").count()
        if done + failed == count:
            break
        if time.monotonic() - last_report > 10:
            print(f"  {done}/{count} executions done", flush=True)
            last_report = time.monotonic()
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    print(
        f"{done} YAGO executions (offline provider) in {elapsed:.1f} s with one consumer: "
        f"{done / elapsed * 60:.0f} per minute ({failed} failed)",
        flush=True,
    )


if __name__ == "__main__":
    main()
