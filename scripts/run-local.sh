#!/usr/bin/env bash
# `make run`: the whole café backend on this machine, in the foreground, until Ctrl-C or `make stop`.
# DynamoDB Local (data kept in .local/dynamodb), a moto S3 server for the upload bucket, the
# real function binaries behind the API's routes through `cargo lambda watch`, and a stand-in for
# the bucket's S3 event notification (scripts/local_s3.py notify: a new menu file under the upload
# prefix invokes the bulk loader, as S3 does on AWS).
# The public API is scripts/local_gateway.py (the stand-in for API Gateway's HTTP API: the template's
# routes and its JWT authorizer) in front of `cargo lambda watch` on an internal port; the staff user
# pool is in moto's Cognito (scripts/local_cognito.py setup), its sign-in page a stand-in for
# Cognito's managed login (scripts/local_login.py).
# The same gateway stands in, on WEBSITE_API_PORT, for the menu's CloudFront distribution with
# AWS WAF's per-client limit in front: the website's API base, as WebsiteApiUrl is on AWS.
# A stand-in of Lambda's event source mapping on the table's stream (scripts/local_streams.py) hands
# the photo function each product added or removed, as on AWS.
# The café website is served from its bucket (moto's) by scripts/local_website.py, the stand-in of
# S3's website hosting, on WEBSITE_URL; `make run WEBSITE=DIR` publishes the website in DIR there,
# its config.js pointed at this system. The photo function puts the products' pictures there.
# Ports: API_PORT (9000), WEBSITE_API_PORT (9300), DYNAMODB_PORT (8000), S3_PORT (9100, moto: S3
# and Cognito), LOGIN_PORT (9200), WEBSITE_PORT (9400), FUNCTIONS_PORT (9001, internal: the
# gateway's way to the functions).
set -euo pipefail
cd "$(dirname "$0")/.."
API_PORT=${API_PORT:-9000}
WEBSITE_API_PORT=${WEBSITE_API_PORT:-9300}
DYNAMODB_PORT=${DYNAMODB_PORT:-8000}
S3_PORT=${S3_PORT:-9100}
LOGIN_PORT=${LOGIN_PORT:-9200}
FUNCTIONS_PORT=${FUNCTIONS_PORT:-9001}
WEBSITE_PORT=${WEBSITE_PORT:-9400}
# localhost, not 127.0.0.1: the website is another origin than the API, as on AWS.
WEBSITE_URL=http://localhost:$WEBSITE_PORT
export WEBSITE_CALLBACK_URL=${WEBSITE_CALLBACK_URL:-$WEBSITE_URL/callback.html}
STATE=${CAFE_LOCAL_DIR:-.local}
BUCKET=cafe-menu-uploads
WEBSITE_BUCKET=cafe-website
UPLOAD_PREFIX=uploads/
REPORT_PREFIX=reports/
TABLE=FoodProducts
mkdir -p "$STATE/logs" "$STATE/dynamodb"
STATE=$(cd "$STATE" && pwd)

if [ -f "$STATE/run.pid" ] && kill -0 "$(cat "$STATE/run.pid")" 2>/dev/null; then
  echo "make run is already running (pid $(cat "$STATE/run.pid")); stop it with 'make stop' or Ctrl-C in its shell." >&2
  exit 1
fi
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for spec in "API_PORT:$API_PORT" "WEBSITE_API_PORT:$WEBSITE_API_PORT" "DYNAMODB_PORT:$DYNAMODB_PORT" "S3_PORT:$S3_PORT" "LOGIN_PORT:$LOGIN_PORT" \
  "FUNCTIONS_PORT:$FUNCTIONS_PORT" "WEBSITE_PORT:$WEBSITE_PORT"; do
  if port_in_use "${spec#*:}"; then
    echo "port ${spec#*:} (${spec%%:*}) is already in use: free it, or choose another, e.g. make run ${spec%%:*}=$(( ${spec#*:} + 1 ))" >&2
    exit 1
  fi
done
if [ -n "${WEBSITE:-}" ] && [ ! -d "$WEBSITE" ]; then
  echo "WEBSITE=$WEBSITE: no such folder (give the folder that holds the café website's index.html)" >&2
  exit 2
fi
echo $$ > "$STATE/run.pid"

step() { printf '\n==> %s\n' "$*"; }
children=()
descendants() { local p; for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do descendants "$p"; echo "$p"; done; }
stop_all() {
  trap - EXIT INT TERM
  echo; step "stopping"
  local pids=()
  for pid in "${children[@]}"; do pids+=($(descendants "$pid") "$pid"); done
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  [ ${#pids[@]} -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null || true
  rm -f "$STATE/run.pid" "$STATE/run.env"
  echo "stopped: DynamoDB Local, moto (S3, Cognito), the functions, the gateway, the sign-in page and the website (data kept in $STATE/dynamodb)"
}
trap stop_all EXIT
trap 'exit 0' INT TERM  # Ctrl-C or make stop: the normal way to end it, a clean stop

wait_for() { # port pid name log
  for _ in $(seq 1 600); do
    port_in_use "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 stopped; its log ($4):" >&2; tail -20 "$4" >&2; exit 1; }
    sleep 0.2
  done
  echo "$3 did not open port $1 in 2 minutes; see $4" >&2; exit 1
}

# The installs wait on the network, the build on the CPU: on a first run they go side by side.
step "installing what is missing (first time only), and building the functions (the first build takes a few minutes)"
{
  scripts/install-dynamodb-local.sh
  scripts/install-python-tools.sh run  # the local AWS stand-ins only; the test tools come with make test
} > >(sed -u 's/^/    [install] /') 2>&1 &
children+=($!); install_pid=$!
cargo build --workspace --bins 2>&1 | grep -E '^\s*(Compiling|Finished|error|warning: unused)' | sed -u 's/^ */    /' || true
CLI="${CARGO_TARGET_DIR:-target}/debug/cafe-menu"
[ -x "$CLI" ] || { echo "the build failed: run 'cargo build' to see why" >&2; exit 1; }
wait "$install_pid" || { echo "an install failed (its lines above start with [install])" >&2; exit 1; }
export PATH="$PWD/.tools/venv/bin:$PATH"
CLI=$(cd "$(dirname "$CLI")" && pwd)/cafe-menu

step "starting DynamoDB Local on 127.0.0.1:$DYNAMODB_PORT (data in $STATE/dynamodb)"
java -Dcafe.run=local -Djava.library.path=.tools/dynamodb-local/DynamoDBLocal_lib \
  -jar .tools/dynamodb-local/DynamoDBLocal.jar -port "$DYNAMODB_PORT" -sharedDb \
  -dbPath "$STATE/dynamodb" -disableTelemetry >"$STATE/logs/dynamodb.log" 2>&1 &
children+=($!); ddb_pid=$!
step "starting moto (S3 and Cognito) on 127.0.0.1:$S3_PORT"
moto_server -H 127.0.0.1 -p "$S3_PORT" >"$STATE/logs/s3.log" 2>&1 &
children+=($!); s3_pid=$!
wait_for "$DYNAMODB_PORT" "$ddb_pid" "DynamoDB Local" "$STATE/logs/dynamodb.log"
wait_for "$S3_PORT" "$s3_pid" "The S3 server" "$STATE/logs/s3.log"

export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$DYNAMODB_PORT" AWS_ENDPOINT_URL_S3="http://127.0.0.1:$S3_PORT"
cat > "$STATE/run.env" <<ENV
API_PORT=$API_PORT
WEBSITE_API_PORT=$WEBSITE_API_PORT
DYNAMODB_PORT=$DYNAMODB_PORT
S3_PORT=$S3_PORT
LOGIN_PORT=$LOGIN_PORT
FUNCTIONS_PORT=$FUNCTIONS_PORT
WEBSITE_PORT=$WEBSITE_PORT
WEBSITE_URL=$WEBSITE_URL
WEBSITE_BUCKET=$WEBSITE_BUCKET
BUCKET=$BUCKET
UPLOAD_PREFIX=$UPLOAD_PREFIX
REPORT_PREFIX=$REPORT_PREFIX
TABLE=$TABLE
FRESHNESS_SECONDS=5
CLIENT_RATE_LIMIT=${CLIENT_RATE_LIMIT:-}
CLIENT_RATE_LIMIT_ENABLED=${CLIENT_RATE_LIMIT_ENABLED:-}
STAFF_PAGE_URL=http://127.0.0.1:$API_PORT/staff/
ENV
export CAFE_LOCAL_DIR="$STATE"
setting() { sed -n "s/^$1=//p" "$STATE/run.env"; }
# The stand-ins import scripts/local_gateway.py: no __pycache__ in the tree for the watcher to see.
export PYTHONDONTWRITEBYTECODE=1
"$CLI" create-table --endpoint "$AWS_ENDPOINT_URL_DYNAMODB" --table "$TABLE" | sed 's/^/    /'
python3 scripts/local_s3.py create-bucket
step "setting up the staff user pool in moto's Cognito (in memory: at every start)"
python3 scripts/local_cognito.py setup

step "starting the functions on 127.0.0.1:$FUNCTIONS_PORT (cargo lambda watch, behind the gateway)"
cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$FUNCTIONS_PORT" --disable-cors \
  --env-var TABLE_NAME="$TABLE" --env-var ALLOWED_ORIGINS='*' --env-var FRESHNESS_SECONDS="$(setting FRESHNESS_SECONDS)" \
  --env-var UPLOAD_BUCKET=$BUCKET --env-var UPLOAD_PREFIX=$UPLOAD_PREFIX --env-var REPORT_PREFIX=$REPORT_PREFIX \
  --env-var WEBSITE_BUCKET=$WEBSITE_BUCKET \
  --env-var AWS_ACCESS_KEY_ID=local --env-var AWS_SECRET_ACCESS_KEY=local --env-var AWS_REGION=us-east-1 \
  --env-var AWS_ENDPOINT_URL_DYNAMODB="$AWS_ENDPOINT_URL_DYNAMODB" --env-var AWS_ENDPOINT_URL_S3="$AWS_ENDPOINT_URL_S3" \
  --env-var RUST_LOG=info --concurrency "${FUNCTION_INSTANCES:-4}" ${CAFE_WATCH_FLAGS:-} >"$STATE/logs/functions.log" 2>&1 &
children+=($!); watch_pid=$!
wait_for "$FUNCTIONS_PORT" "$watch_pid" "cargo lambda watch" "$STATE/logs/functions.log"

step "starting the API gateway stand-in on 127.0.0.1:$API_PORT (template.yaml's routes, the JWT authorizer), and the distribution's on $WEBSITE_API_PORT (AWS WAF's per-client limit)"
python3 -u scripts/local_gateway.py >"$STATE/logs/gateway.log" 2>&1 &
children+=($!); gateway_pid=$!
step "starting the sign-in page stand-in on 127.0.0.1:$LOGIN_PORT"
python3 -u scripts/local_login.py >"$STATE/logs/login.log" 2>&1 &
children+=($!); login_pid=$!
wait_for "$API_PORT" "$gateway_pid" "The gateway" "$STATE/logs/gateway.log"
wait_for "$WEBSITE_API_PORT" "$gateway_pid" "The gateway's distribution" "$STATE/logs/gateway.log"
wait_for "$LOGIN_PORT" "$login_pid" "The sign-in page" "$STATE/logs/login.log"

step "starting the S3 event notification stand-in (a new uploads/*.json invokes the bulk loader, a photos/* the photo function)"
python3 -u scripts/local_s3.py notify >"$STATE/logs/notify.log" 2>&1 &
children+=($!); notify_pid=$!
step "starting the table stream's stand-in (a product added or removed invokes the photo function; every change the history function)"
python3 -u scripts/local_streams.py >"$STATE/logs/streams.log" 2>&1 &
children+=($!); streams_pid=$!
for _ in $(seq 1 150); do
  grep -q "watching" "$STATE/logs/streams.log" 2>/dev/null && break
  kill -0 "$streams_pid" 2>/dev/null || { echo "the stream stand-in stopped; its log:" >&2; tail -20 "$STATE/logs/streams.log" >&2; exit 1; }
  sleep 0.2
done
if [ -n "${WEBSITE:-}" ]; then
  step "publishing the café website from $WEBSITE to its bucket (config.js pointed at this system)"
  python3 scripts/local_website.py publish "$WEBSITE" | sed 's/^/    /'
fi
step "starting the website stand-in (S3 website hosting of s3://$WEBSITE_BUCKET/) on $WEBSITE_URL"
python3 -u scripts/local_website.py serve >"$STATE/logs/website.log" 2>&1 &
children+=($!); website_pid=$!
wait_for "$WEBSITE_PORT" "$website_pid" "The website stand-in" "$STATE/logs/website.log"

if [ ! -f "$STATE/dynamodb/.sample-menu-loaded" ]; then
  step "first start: loading the café's sample menu through the bulk loader (S3 upload + S3 event), as the demo staff member"
  # Its login is kept in the state folder, not in the user's own ~/.config/cafe-menu.
  setting STAFF_PASSWORD | XDG_CONFIG_HOME="$STATE/cli-config" "$CLI" login --username "$(setting STAFF_USERNAME)" \
    --password-stdin 2>&1 | sed 's/^/    /'
  XDG_CONFIG_HOME="$STATE/cli-config" "$CLI" upload data/sample-menu/all_products.json 2>&1 | sed 's/^/    /' | head -30
  touch "$STATE/dynamodb/.sample-menu-loaded"
fi

base="http://127.0.0.1:$API_PORT"
staff_user=$(setting STAFF_USERNAME); staff_password=$(setting STAFF_PASSWORD)
# The tool finds this checkout's .local/ by itself; a state folder elsewhere must be named.
find_state=""
[ "$STATE" = "$PWD/.local" ] || find_state="
   export CAFE_LOCAL_DIR=$STATE"
cat <<BANNER

================================================================================
 The café backend is running.                      (Ctrl-C or 'make stop' ends it)

 The website's API base (its API_GW_BASE_URL_STR: the stand-in of the CloudFront distribution
 with AWS WAF in front, per-client limit $(sed -n 's/.*per-client limit //p' "$STATE/logs/gateway.log" | head -1)):  http://127.0.0.1:$WEBSITE_API_PORT
 The API's own URL (the staff page, cafe-menu, curl):  $base
 The staff page (sign in as the demo staff member below):  $(setting STAFF_PAGE_URL)
 The café website (its bucket, as S3 website hosting serves it$([ -n "${WEBSITE:-}" ] && echo ", from $WEBSITE" || echo "; make run WEBSITE=DIR publishes yours")):  $WEBSITE_URL

 The staff's command line (from this checkout, in another shell):
$find_state
   alias cafe-menu=$CLI
   cafe-menu login --username $staff_user --password-stdin   # once; the changes below need it
   cafe-menu list                          # the menu; --json for scripts
   cafe-menu show 'apple pie'
   cafe-menu set-price 'apple pie' 46.50   # also: tag, untag, out-of-stock, in-stock, special
   cafe-menu add 'cheese scone' --price 3.50 --tag savoury
   cafe-menu upload path/to/menu.json      # waits for the load report (or: make upload FILE=...)
   cafe-menu photo 'apple pie' photo.jpg   # the product's picture on the website
   cafe-menu --help

 Signing in: the write routes need a staff member's ID token (Authorization: Bearer ...):
 without one the API answers 401, with a signed-in user who is not in the group staff 403.
   demo staff member:  $staff_user / $staff_password
   not staff:          $(setting NON_STAFF_USERNAME) / $(setting NON_STAFF_PASSWORD)
   the sign-in page (the website's COGNITO_LOGIN_BASE_URL_STR; it returns to WEBSITE_CALLBACK_URL):
     $(setting WEBSITE_LOGIN_URL)

 The raw API with curl:

   curl -s $base/products
   curl -s $base/products/on_offer
   curl -s '$base/products?limit=5'
   TOKEN=\$(curl -s http://127.0.0.1:$S3_PORT/ -H 'content-type: application/x-amz-json-1.1' \\
        -H 'x-amz-target: AWSCognitoIdentityProviderService.InitiateAuth' \\
        -d '{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"$(setting USER_POOL_CLIENT_ID)",
             "AuthParameters":{"USERNAME":"$staff_user","PASSWORD":"$staff_password"}}' \\
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["AuthenticationResult"]["IdToken"])')
   curl -s -i -X POST $base/products -H "authorization: Bearer \$TOKEN" -H 'content-type: application/json' \\
        -d '{"product_name_str":"cheese scone","product_id_str":"a501","price_in_cents_int":350}'
   curl -s -i -X PUT '$base/products/cheese%20scone' -H "authorization: Bearer \$TOKEN" -H 'content-type: application/json' \\
        -H 'if-match: "1"' \\
        -d '{"product_name_str":"cheese scone","product_id_str":"a501","price_in_cents_int":395}'

 Upload a menu file:  cafe-menu upload path/to/menu.json  (or make upload FILE=...)
   -> s3://$BUCKET/$UPLOAD_PREFIX<name>; the notification stand-in invokes the bulk loader;
      the report (s3://$BUCKET/$REPORT_PREFIX<name>.report.json) is printed

 DynamoDB Local: http://127.0.0.1:$DYNAMODB_PORT   data: $STATE/dynamodb (kept between runs)
 moto:           http://127.0.0.1:$S3_PORT   bucket $BUCKET, user pool $(setting USER_POOL_ID)
                 (in memory: files and users go when it stops; the pool is set up at every start)
 Logs:           $STATE/logs/{gateway,functions,dynamodb,s3,notify,streams,login,website}.log
================================================================================
BANNER
# In the foreground until a signal or until a service stops.
while kill -0 "$ddb_pid" 2>/dev/null && kill -0 "$s3_pid" 2>/dev/null && kill -0 "$watch_pid" 2>/dev/null \
  && kill -0 "$notify_pid" 2>/dev/null && kill -0 "$gateway_pid" 2>/dev/null && kill -0 "$login_pid" 2>/dev/null \
  && kill -0 "$website_pid" 2>/dev/null && kill -0 "$streams_pid" 2>/dev/null; do
  sleep 1
done
echo "a service stopped unexpectedly; see $STATE/logs/" >&2
exit 1
