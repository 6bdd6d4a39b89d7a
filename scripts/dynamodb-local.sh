#!/usr/bin/env bash
# Runs a command with a private DynamoDB Local on a free loopback port, then always stops it.
#   scripts/dynamodb-local.sh cargo test --workspace
# The command sees MENU_TEST_DYNAMODB_ENDPOINT (and AWS_ENDPOINT_URL_DYNAMODB) pointing at it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dynamodb-local.sh
dir=.tools/dynamodb-local
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp -t dynamodb-local.XXXX.log)
java -Djava.library.path="$dir/DynamoDBLocal_lib" -jar "$dir/DynamoDBLocal.jar" \
  -port "$port" -inMemory -disableTelemetry -sharedDb >"$log" 2>&1 &
pid=$!
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"; }
trap stop EXIT INT TERM
for _ in $(seq 1 200); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "DynamoDB Local failed to start:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
export MENU_TEST_DYNAMODB_ENDPOINT="http://127.0.0.1:$port"
echo "==> DynamoDB Local on $MENU_TEST_DYNAMODB_ENDPOINT (pid $pid)"
"$@"
