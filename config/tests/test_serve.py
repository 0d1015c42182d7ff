"""`make serve` (config/serve.sh): gunicorn and the consumer start together and stop together."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from config.tests.consumer import wait_for

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in result.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is not running any more.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def healthz(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status
    except OSError:
        return None


def test_serve_starts_web_and_consumer_and_ctrl_c_stops_both(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "HUEY_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "HUEY_URL": "",
        "REDIS_URL": "",
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"),
        "SECRET_KEY": "serve-test-key",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESSLOG": "",
        "STOP_TIMEOUT": "10",
    }
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115
    # SIGINT not ignored, as from a terminal: a test run started as a background job inherits
    # it ignored, and a shell started so can't trap it ("signals ignored upon entry cannot be
    # trapped"). Signalling the whole group instead raced the consumer's start-up: the script's
    # own trap is what stops both, and what this tests.
    process = subprocess.Popen(
        ["bash", "config/serve.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        wait_for(lambda: healthz(port) == 200, timeout=90, interval=0.3, what="gunicorn")
        pids = wait_for(lambda: len(c := children(process.pid)) == 2 and c, what="2 children")
        commands = sorted(Path(f"/proc/{pid}/cmdline").read_bytes() for pid in pids)
        assert [b"run_huey" in c or b"gunicorn" in c for c in commands] == [True, True]

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) is not None

        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [alive(pid) for pid in pids] == [False, False]
        assert healthz(port) is None
    finally:
        if process.poll() is None:
            process.kill()
