#!/usr/bin/env bash
# Runs a command beside a private DynamoDB Local (in memory), a private S3-compatible server
# (moto) and an S3 server that checks signatures (s3s-fs), each on a free loopback port, and
# always stops them afterwards, even when the command fails or is interrupted:
#   scripts/with-test-services.sh cargo test --workspace
# The command sees MENU_TEST_DYNAMODB_ENDPOINT, MENU_TEST_S3_ENDPOINT,
# MENU_TEST_SIGNING_S3_ENDPOINT and MENU_TEST_RUN (a marker
# that tests put on the DynamoDB Local processes they start themselves, so that none outlives us).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dynamodb-local.sh
scripts/install-python-tools.sh
scripts/install-s3s.sh

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for_port() { # port pid name log
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "$3 failed to start:" >&2; cat "$4" >&2; return 1; }
    sleep 0.1
  done
  echo "$3 did not open port $1 within 30 s" >&2; cat "$4" >&2; return 1
}

export MENU_TEST_RUN="cafe-test-$$"
logs=$(mktemp -d -t cafe-test-services.XXXX)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # DynamoDB Local processes that tests started (and a crashed test could not stop).
  pkill -f -- "-Dcafe.test.run=$MENU_TEST_RUN" 2>/dev/null || true
  rm -rf "$logs"
}
trap stop EXIT INT TERM

ddb_dir=.tools/dynamodb-local
ddb_port=$(free_port)
java "-Dcafe.test.run=$MENU_TEST_RUN" -Djava.library.path="$ddb_dir/DynamoDBLocal_lib" \
  -jar "$ddb_dir/DynamoDBLocal.jar" -port "$ddb_port" -inMemory -disableTelemetry -sharedDb \
  >"$logs/dynamodb.log" 2>&1 &
pids+=($!)
s3_port=$(free_port)
.tools/venv/bin/moto_server -H 127.0.0.1 -p "$s3_port" >"$logs/s3.log" 2>&1 &
pids+=($!)
# A second S3 server that checks signatures and presigned URLs' expiry as S3 does (moto checks
# neither): s3s-fs, for the presigned-upload tests. Its keys are the tests' (testing/mod.rs).
s3s_port=$(free_port)
mkdir -p "$logs/s3s-data"
.tools/cargo/bin/s3s-fs --host 127.0.0.1 --port "$s3s_port" --access-key cafe-signing-test \
  --secret-key cafe-signing-test-secret "$logs/s3s-data" >"$logs/s3s.log" 2>&1 &
pids+=($!)
wait_for_port "$ddb_port" "${pids[0]}" "DynamoDB Local" "$logs/dynamodb.log"
wait_for_port "$s3_port" "${pids[1]}" "the S3 server (moto)" "$logs/s3.log"
wait_for_port "$s3s_port" "${pids[2]}" "the signing S3 server (s3s-fs)" "$logs/s3s.log"

export MENU_TEST_DYNAMODB_ENDPOINT="http://127.0.0.1:$ddb_port"
export MENU_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"
export MENU_TEST_SIGNING_S3_ENDPOINT="http://127.0.0.1:$s3s_port"
export MENU_TEST_DYNAMODB_LOCAL_DIR="$PWD/$ddb_dir"
echo "==> DynamoDB Local on $MENU_TEST_DYNAMODB_ENDPOINT, S3 (moto) on $MENU_TEST_S3_ENDPOINT"
"$@"
