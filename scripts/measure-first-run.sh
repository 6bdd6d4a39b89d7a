#!/usr/bin/env bash
# How long a newcomer's first `make run` takes: a fresh clone of this checkout at REV (default
# HEAD), with an empty .tools/ and target folder, from `make run` until GET /products answers 200.
# The package caches (~/.cargo, pip's, npm's) are whatever this machine has: run it twice to
# compare two revisions under the same conditions, on a quiet machine (the build is most of it).
#   scripts/measure-first-run.sh [REV]
# Uses the default ports (API_PORT 9000 and the rest): nothing else may hold them.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rev=${1:-HEAD}
work=$(mktemp -d)
trap 'cd /; (cd "$work/clone" 2>/dev/null && make stop >/dev/null 2>&1) || true; rm -rf "$work"' EXIT
git clone -q "$repo" "$work/clone"
cd "$work/clone"
git checkout -q "$rev"
export CARGO_TARGET_DIR="$work/target"
started=$(date +%s.%N)
setsid make run >"$work/run.log" 2>&1 &
run=$!
until curl -sf -o /dev/null http://127.0.0.1:9000/products; do
  kill -0 "$run" 2>/dev/null || { echo "make run ended first:" >&2; tail -20 "$work/run.log" >&2; exit 1; }
  sleep 1
done
echo "$(git rev-parse --short HEAD): first GET /products 200 after $(echo "$(date +%s.%N) - $started" | bc) s from a fresh clone"
