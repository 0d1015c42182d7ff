"""gunicorn settings for `make run`: one gthread worker per core, 4 threads each.

Chosen by measurement (bench/WORKERS.md, `python bench/workers.py --rounds 2 --duration 4`,
2 cores, seed data, the models side by side): gthread 2×4 served 2–3× the requests of the
old default, gunicorn's 2 × cores + 1 sync workers, on both engines (SQLite: bare view 2166
vs 1082 req/s, /luna/venues/venue_1 753 vs 358; PostgreSQL: 1798 vs 657, 668 vs 324) in 194
instead of 455 MiB of workers. Sync workers close every connection after one response (no
keep-alive) and five processes fight over two cores; threads overlap the database waits.
3×4 was no better than 2×4. Re-measure on a bigger machine before raising either.

Read like config/settings.py: the process environment first, then `.env` in the project folder,
so `GUNICORN_BIND=127.0.0.1:8011` in `.env` moves the server to port 8011.
"""

import multiprocessing
from pathlib import Path

import environ

env = environ.Env()
environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env")

bind = env("GUNICORN_BIND", default="127.0.0.1:8000")
workers = env.int("GUNICORN_WORKERS", default=multiprocessing.cpu_count())
threads = env.int("GUNICORN_THREADS", default=4)
worker_class = "sync" if threads == 1 else "gthread"
timeout = env.int("GUNICORN_TIMEOUT", default=60)
graceful_timeout = 30
keepalive = 5
max_requests = 10000
max_requests_jitter = 1000
accesslog = env("GUNICORN_ACCESSLOG", default="-") or None  # empty: no access log (benchmarks)
errorlog = "-"
wsgi_app = "config.wsgi:application"
