#!/usr/bin/env bash
# `make bench`: installs wrk if missing, starts PostgreSQL if it is down, then bench/bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
PG_VERSION=$(ls /etc/postgresql | sort -V | tail -n 1)
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "${PG_VERSION}" main start
fi
if ! dpkg -s "postgresql-${PG_VERSION}-postgis-3" >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-${PG_VERSION}-postgis-3" >/dev/null
fi
exec .venv/bin/python bench/bench.py "$@"
