#!/usr/bin/env bash
# `make serve`: gunicorn and the job consumer side by side. Ctrl-C (or TERM) stops both, and
# when either one exits the other is stopped too, so nothing is left running half.
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
# The consumer finishes its running jobs on SIGINT; after this many seconds it gets SIGTERM
# (running jobs are interrupted; a YAGO execution is then resumable, see projects/README.md).
STOP_TIMEOUT=${STOP_TIMEOUT:-30}

# One metrics folder for gunicorn's workers and the consumer, so /metrics shows job durations.
made_metrics_dir=""
if [ -z "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  PROMETHEUS_MULTIPROC_DIR=$(mktemp -d -t metrics-XXXXXX)
  made_metrics_dir=1
fi
export PROMETHEUS_MULTIPROC_DIR

"$BIN/python" manage.py run_huey &
consumer=$!
"$BIN/gunicorn" --config config/gunicorn.py &
web=$!

stop() {
  kill -TERM "$web" 2>/dev/null
  kill -INT "$consumer" 2>/dev/null
}
trap 'stop' INT TERM
wait -n "$consumer" "$web"
status=$?
stop
# A consumer still starting up has not installed its SIGINT handler yet: TERM after a while.
for _ in $(seq "$STOP_TIMEOUT"); do
  kill -0 "$consumer" 2>/dev/null || break
  sleep 1
done
kill -TERM "$consumer" 2>/dev/null
wait "$consumer" "$web" 2>/dev/null
[ -n "$made_metrics_dir" ] && rm -rf "$PROMETHEUS_MULTIPROC_DIR"
exit "$status"
