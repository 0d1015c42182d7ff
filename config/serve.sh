#!/usr/bin/env bash
# `make serve`: gunicorn and the job consumer side by side. Ctrl-C (or TERM) stops both, and
# when either one exits the other is stopped too, so nothing is left running half.
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}

"$BIN/python" manage.py run_huey &
consumer=$!
"$BIN/gunicorn" --config config/gunicorn.py &
web=$!

stop() {
  kill -TERM "$web" 2>/dev/null
  kill -INT "$consumer" 2>/dev/null  # the consumer finishes the jobs it is running
}
trap 'stop' INT TERM
wait -n "$consumer" "$web"
status=$?
stop
wait "$consumer" "$web" 2>/dev/null
exit "$status"
