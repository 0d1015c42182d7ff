"""A real Huey consumer process for the queue tests, on the SQLite or the Redis storage."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings as django_settings
from django.db import connection
from huey.storage import RedisStorage, SqliteStorage

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database as a DATABASE_URL (the consumer must use the very same one)."""
    info = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{info['NAME']}"
    user = info.get("USER") or ""
    password = f":{info['PASSWORD']}" if info.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{info['PORT']}" if info.get("PORT") else ""
    return f"postgres://{auth}{info.get('HOST') or '127.0.0.1'}{port}/{info['NAME']}"


class QueueUnderTest:
    def __init__(self, kind: str, tmp_path: Path, settings, *, redis_url: str):
        self.kind = kind
        self.tmp_path = tmp_path
        self.settings = settings
        self.name = f"test-{uuid.uuid4().hex[:12]}"
        self.env = {"HUEY_NAME": self.name}
        if kind == "redis":
            self.storage = RedisStorage(name=self.name, url=redis_url)
            self.env["HUEY_URL"] = redis_url
        else:
            path = tmp_path / "huey.sqlite3"
            self.storage = SqliteStorage(name=self.name, filename=str(path))
            self.env["HUEY_SQLITE_PATH"] = str(path)
            self.env["HUEY_URL"] = ""
            self.env["REDIS_URL"] = ""
        self.processes: list[subprocess.Popen] = []

    def consumer_env(self, **extra) -> dict:
        s = self.settings
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_", "HUEY_", "REDIS_URL", "YAGO_"))
        }
        env.update(
            {
                "DATABASE_URL": database_url(),
                "ALLOW_INSECURE_SECRET_KEY": "1",
                "SECRET_KEY": "consumer-test-key",
                "MEDIA_ROOT": str(s.MEDIA_ROOT),
                "BACKUP_DIR": str(getattr(s, "BACKUP_DIR", self.tmp_path / "backups")),
                "YAGO_PROVIDER": s.YAGO_PROVIDER,
                "OPENAI_API_KEY": s.YAGO_OPENAI_API_KEY or "",
                "OPENAI_BASE_URL": s.YAGO_OPENAI_BASE_URL or "",
                "YAGO_OPENAI_MODEL": s.YAGO_OPENAI_MODEL,
                "YAGO_PROVIDER_MAX_RETRIES": str(s.YAGO_PROVIDER_MAX_RETRIES),
                "YAGO_PROVIDER_TIMEOUT": str(s.YAGO_PROVIDER_TIMEOUT),
                "YAGO_EXECUTION_HEARTBEAT": str(s.YAGO_EXECUTION_HEARTBEAT),
                "YAGO_EXECUTION_STALE_AFTER": str(s.YAGO_EXECUTION_STALE_AFTER),
                "HUEY_IMMEDIATE": "0",
                "LOG_LEVEL": "INFO",
                **self.env,
                **{key: str(value) for key, value in extra.items()},
            }
        )
        return env

    def start_consumer(self, *, periodic: bool = False, workers: int = 2, **extra):
        """Start `manage.py run_huey` and wait until it runs jobs (a ping goes through)."""
        args = [sys.executable, "manage.py", "run_huey", "-w", str(workers), "-k", "thread"]
        if not periodic:
            args.append("--no-periodic")
        log = open(self.tmp_path / f"consumer-{len(self.processes)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.consumer_env(**extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        self.wait_ready(process)
        return process

    def wait_ready(self, process=None, timeout: float = 90.0) -> float:
        """Enqueue a ping and wait for it: the enqueue-to-start latency in seconds."""
        from config.tasks import ping

        enqueued = time.time()
        result = ping()
        deadline = time.monotonic() + timeout
        while (started := result.get()) is None:
            if process is not None and process.poll() is not None:
                raise AssertionError(f"the consumer exited:\n{self.logs()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the consumer did not start:\n{self.logs()[-3000:]}")
            time.sleep(0.05)
        return started - enqueued

    def kill(self, process, sig=signal.SIGKILL) -> None:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.tmp_path.glob("consumer-*.log")))

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        try:
            self.storage.flush_all()
        except Exception:  # noqa: BLE001 (best effort: the name is unique anyway)
            pass
        if self.kind == "redis":
            self.storage.conn.close()


def wait_for(predicate, *, timeout: float = 60.0, interval: float = 0.1, what: str = "condition"):
    """Poll `predicate` until it returns a truthy value (which is returned)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


__all__ = ["QueueUnderTest", "database_url", "django_settings", "wait_for"]
