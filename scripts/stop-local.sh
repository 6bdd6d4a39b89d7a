#!/usr/bin/env bash
# `make stop`: ends a `make run` started from another shell (it stops everything it started).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${CAFE_LOCAL_DIR:-.local}
if [ ! -f "$STATE/run.pid" ] || ! kill -0 "$(cat "$STATE/run.pid")" 2>/dev/null; then
  echo "make run is not running"
  exit 0
fi
pid=$(cat "$STATE/run.pid")
kill -TERM "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || { echo "stopped"; exit 0; }; sleep 0.1; done
echo "make run (pid $pid) did not stop within 10 s" >&2
exit 1
