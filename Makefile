# `make run` takes a fresh clone to a running server; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/backend

.PHONY: run setup venv env migrate seed static serve test test-postgres lint check bench bench-admin clean

run: setup serve

setup: venv env migrate seed static

venv: $(BIN)/.installed

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# A random SECRET_KEY, written once and never committed (.env is ignored by git).
env: .env

.env:
	@$(PYTHON) -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50))" > .env
	@echo "wrote .env with a new random SECRET_KEY"

migrate: venv env
	$(PY) manage.py migrate --noinput

seed: venv env
	$(PY) manage.py seed

static: venv env
	$(PY) manage.py collectstatic --noinput --verbosity 0

serve:
	$(BIN)/gunicorn --config config/gunicorn.py

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

# Every admin page timed at ADMIN_SCALE on SQLite (bench/admin_pages.py), its data set in its own
# file, generated on the first run (scale 1: about an hour on a busy 2-core machine).
ADMIN_SCALE ?= 1
bench-admin: venv
	@mkdir -p bench/out
	@db="$(CURDIR)/bench/out/admin-scale$(ADMIN_SCALE).sqlite3"; gen=""; [ -f "$$db" ] || gen="--generate"; \
	DATABASE_URL="sqlite:///$$db" SECRET_KEY="bench-only-secret-key-not-used-elsewhere" \
	$(PY) bench/admin_pages.py --scale $(ADMIN_SCALE) $$gen

clean:
	rm -rf $(VENV) staticfiles
