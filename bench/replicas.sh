#!/usr/bin/env bash
# Read-heavy Luna and PupMatch routes, one primary vs primary + one streaming replica
# (bench/replicas.py; results appended to bench/REPLICAS.md).
#
#   bash bench/replicas.sh [--database NAME] [--duration 10] [--connections 8] ...
#
# The database must exist, migrated, on the local server (e.g. a copy of the shared scale-1 data:
# createdb -T scale1_base NAME; manage.py migrate). A streaming replica is started on
# REPLICA_PORT (5433) unless one answers there already, and stopped again afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${REPLICA_PORT:-5433}
if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if ! pg_isready -h 127.0.0.1 -p "$PORT" -q; then
  DIR=$(mktemp -d /tmp/backend-bench-replica.XXXXXX)
  trap '.ci/replica stop "$DIR"' EXIT
  .ci/replica start "$DIR"
fi
.venv/bin/python bench/replicas.py --replica-port "$PORT" "$@"
