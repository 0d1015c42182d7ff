"""gunicorn settings for `make run` (2 cores: 2 × cores + 1 sync workers is gunicorn's advice).

Read like config/settings.py: the process environment first, then `.env` in the project folder,
so `GUNICORN_BIND=127.0.0.1:8011` in `.env` moves the server to port 8011.
"""

import multiprocessing
from pathlib import Path

import environ

env = environ.Env()
environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env")

bind = env("GUNICORN_BIND", default="127.0.0.1:8000")
workers = env.int("GUNICORN_WORKERS", default=multiprocessing.cpu_count() * 2 + 1)
threads = env.int("GUNICORN_THREADS", default=1)
worker_class = "sync" if threads == 1 else "gthread"
timeout = env.int("GUNICORN_TIMEOUT", default=60)
graceful_timeout = 30
keepalive = 5
max_requests = 10000
max_requests_jitter = 1000
accesslog = env("GUNICORN_ACCESSLOG", default="-") or None  # empty: no access log (benchmarks)
errorlog = "-"
wsgi_app = "config.wsgi:application"
