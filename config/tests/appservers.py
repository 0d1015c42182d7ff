"""gunicorn app servers started by a test against the test database (PostgreSQL pass).

Each is `gunicorn --config config/gunicorn.py` as `make run` starts it, with the environment a
second machine would have: the same DATABASE_URL (the test database's name), SECRET_KEY and
Redis, and nothing else shared (its own media and queue folders). Ports come from the range
kept for these tests (TEST_SERVER_PORTS, default 8181-8189).
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
PORTS = [int(p) for p in os.environ.get("TEST_SERVER_PORTS", "8181-8189").split("-")]
PORT_RANGE = range(PORTS[0], PORTS[-1] + 1)
# Settings of the test process's own environment that must not leak into the servers.
_NOT_INHERITED = ("DATABASE_", "CONN_MAX_AGE", "GUNICORN_", "THROTTLE_", "CACHE_URL", "HUEY_")


def test_database_url() -> str:
    """The database the test runs against (pytest-django's `test_…` name), as a URL."""
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"


class AppServer:
    def __init__(self, port: int, folder: Path, **environ: str):
        self.port = port
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / f"gunicorn-{port}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_INHERITED)}
        env.update(
            DATABASE_URL=test_database_url(),
            SECRET_KEY=settings.SECRET_KEY,
            DEBUG="0",
            LOG_LEVEL="WARNING",
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS="2",
            GUNICORN_THREADS="4",
            GUNICORN_ACCESSLOG="",
            MEDIA_ROOT=str(folder / "media"),
            BACKUP_DIR=str(folder / "backups"),
            HUEY_SQLITE_PATH=str(folder / "huey.sqlite3"),
            REDIS_URL="",
            LUNA_ACCESS="open",
            EDGESOUL_ACCESS="open",
            LEARNING_ACCESS="open",
            YAGO_ACCESS="open",
        )
        env.update(environ)
        self._log = self.log_path.open("w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [GUNICORN, "--config", "config/gunicorn.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )

    def wait_until_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers ("degraded" is an answer)
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn on {self.port} did not answer within {seconds} s")

    def request(
        self, method: str, path: str, body: dict | None = None, token: str = ""
    ) -> tuple[int, dict | None]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            headers=headers,
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        return status, (json.loads(raw) if raw else None)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
