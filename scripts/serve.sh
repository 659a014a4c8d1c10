#!/usr/bin/env bash
# Starts the background-job worker and the web server together; stopping the server stops the worker.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# Development server: local settings unless told otherwise (`tepat` alone means production settings).
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.django.local}"
"$BIN/tepat" worker --interval 1 --queue-name "*" &  # db_worker with a heartbeat for /healthz
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null || true' EXIT INT TERM
echo "Tepat: http://127.0.0.1:8000  (worker pid $WORKER; Ctrl-C to stop)"
"$BIN/tepat" runserver 127.0.0.1:8000
