"""config/gunicorn.py reads `.env` the way the settings do: the process environment wins."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def _resolved_config(tmp_path: Path, dotenv: str, **environ: str) -> dict[str, str]:
    """gunicorn's own view of config/gunicorn.py in a project folder with this `.env`."""
    (tmp_path / "config").mkdir()
    shutil.copy(Path(settings.BASE_DIR) / "config" / "gunicorn.py", tmp_path / "config")
    # --print-config also loads the app: a stub stands in for Django here.
    (tmp_path / "config" / "__init__.py").write_text("")
    (tmp_path / "config" / "wsgi.py").write_text("def application(environ, start_response): ...\n")
    (tmp_path / ".env").write_text(dotenv)
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUNICORN_")}
    result = subprocess.run(
        [GUNICORN, "--config", "config/gunicorn.py", "--print-config"],
        cwd=tmp_path,
        env={**env, **environ},
        capture_output=True,
        text=True,
        check=True,
    )
    lines = (line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in lines}


def test_port_and_workers_come_from_dotenv(tmp_path):
    config = _resolved_config(
        tmp_path,
        "GUNICORN_BIND=127.0.0.1:8011\nGUNICORN_WORKERS=3\nGUNICORN_THREADS=4\n"
        "GUNICORN_TIMEOUT=90\nGUNICORN_ACCESSLOG=\nGUNICORN_MAX_REQUESTS=5000\n",
    )

    assert config["bind"] == "['127.0.0.1:8011']"
    assert config["workers"] == "3"
    assert config["threads"] == "4"
    assert config["worker_class"] == "gthread"
    assert config["timeout"] == "90"
    assert config["accesslog"] == "None"
    assert config["max_requests"] == "5000"
    assert config["max_requests_jitter"] == "500"


def test_defaults_without_dotenv_values(tmp_path):
    config = _resolved_config(tmp_path, "SECRET_KEY=x\n")

    assert config["bind"] == "['127.0.0.1:8000']"
    assert config["workers"] == str(os.cpu_count())  # bench/WORKERS.md: one per core, 4 threads
    assert config["threads"] == "4"
    assert config["worker_class"] == "gthread"
    assert config["timeout"] == "60"
    assert config["accesslog"] == "-"
    assert config["max_requests"] == "100000"
    assert config["max_requests_jitter"] == "10000"


def test_process_environment_wins_over_dotenv(tmp_path):
    config = _resolved_config(
        tmp_path, "GUNICORN_BIND=127.0.0.1:8011\n", GUNICORN_BIND="127.0.0.1:8022"
    )

    assert config["bind"] == "['127.0.0.1:8022']"


def test_a_worker_freezes_what_it_loaded_out_of_garbage_collection():
    import gc

    from config import gunicorn

    try:
        gunicorn.post_worker_init(worker=None)

        assert gc.get_freeze_count() > 10_000  # Django, the apps and every view
    finally:
        gc.unfreeze()
