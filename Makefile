# `make run` takes a fresh clone to a running server and job consumer; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/backend

.PHONY: run setup venv env migrate seed static serve test test-postgres lint check bench bench-admin bench-pooling clean

run: setup serve

setup: venv env migrate seed static

venv: $(BIN)/.installed

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# A random SECRET_KEY, written once and never committed (.env is ignored by git), and the
# legacy mounts `open` for a local trial and the original clients: any <MOUNT>_ACCESS line
# missing from .env (a new one, or one written before these settings existed) is added.
ACCESS_SETTINGS := LUNA_ACCESS EDGESOUL_ACCESS LEARNING_ACCESS YAGO_ACCESS

env: .env
	@missing=""; for name in $(ACCESS_SETTINGS); do \
	  grep -q "^$$name=" .env || missing="$$missing $$name"; \
	done; \
	if [ -n "$$missing" ]; then \
	  { echo ""; \
	    echo "# Access per mount: open | key | user (README: Deploying safely). 'open' = anyone who"; \
	    echo "# reaches this server reads and changes that app's data, as the original apps and"; \
	    echo "# their clients expect: fine for a trial on your machine, never on a public server"; \
	    echo "# (there use key = application keys made in the admin, or user = JWT per account)."; \
	    for name in $$missing; do echo "$$name=open"; done; } >> .env; \
	  echo "notice: added$$missing (=open) to .env: those mounts answer anyone; see README 'Deploying safely'"; \
	fi

.env:
	@$(PYTHON) -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50))" > .env
	@echo "wrote .env with a new random SECRET_KEY"

migrate: venv env
	$(PY) manage.py migrate --noinput

# A local trial: the seeded accounts get the documented demo password (pupmatch-demo).
# Production runs `manage.py seed` without the flag: seeded accounts then have no password.
seed: venv env
	$(PY) manage.py seed --demo-accounts

static: venv env
	$(PY) manage.py collectstatic --noinput --verbosity 0

# gunicorn and the job consumer (`manage.py run_huey`) together; Ctrl-C stops both.
serve:
	BIN=$(BIN) bash config/serve.sh

test: venv env
	$(BIN)/pytest -q

test-postgres: venv env
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q

lint: venv env
	$(BIN)/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

bench: venv
	bash bench/run.sh
	$(MAKE) bench-admin

# PostgreSQL connections per request, persistent, pooled (psycopg) and through PgBouncer, at 8 and
# 64 clients, sync and gthread workers (bench/pooling.py; the reading is in bench/POOLING.md).
bench-pooling: venv
	$(PY) bench/pooling.py
	$(PY) bench/pooling.py --threads 4

# Every admin page timed at ADMIN_SCALE (bench/admin_pages.py) on ADMIN_ENGINE (sqlite or
# postgresql), its data set in its own SQLite file or PostgreSQL database, generated on the first
# run (scale 1: about an hour on a busy 2-core machine; `manage.py transfer --to` copies one
# engine's data set to the other in minutes).
ADMIN_SCALE ?= 1
ADMIN_ENGINE ?= sqlite
ADMIN_PG_URL ?= postgres://postgres@127.0.0.1:5432/admin_scale$(subst .,_,$(ADMIN_SCALE))
bench-admin: venv
	@mkdir -p bench/out
	@if [ "$(ADMIN_ENGINE)" = postgresql ]; then \
	  url="$(ADMIN_PG_URL)"; gen=""; \
	  psql "$$url" -tAc "select 1 from venues_venue limit 1" 2>/dev/null | grep -q 1 || { \
	    createdb "$${url##*/}" -h 127.0.0.1 -U postgres 2>/dev/null; gen="--generate"; }; \
	else \
	  db="$(CURDIR)/bench/out/admin-scale$(ADMIN_SCALE).sqlite3"; url="sqlite:///$$db"; gen=""; \
	  [ -f "$$db" ] || gen="--generate"; \
	fi; \
	SECRET_KEY="bench-only-secret-key-not-used-elsewhere" \
	$(PY) bench/admin_pages.py --scale $(ADMIN_SCALE) --database-url "$$url" $$gen

clean:
	rm -rf $(VENV) staticfiles
