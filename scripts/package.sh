#!/usr/bin/env bash
# `make package`: `sam build` of every function (cargo-lambda cross-compiling to arm64, offline),
# then each function's deployment zip and its size, then each zip's bootstrap started under
# qemu-aarch64 (a Graviton CPU model) with the built template's environment and real events,
# beside DynamoDB Local and moto (scripts/start-packaged.py): a function that does not start, needs
# a newer glibc than provided.al2023's, crashes or answers wrongly fails `make package`. The
# figures go to target/lambda-zips/started.json (read by `make bench`).
# Only the start, on what is already built: scripts/with-test-services.sh .tools/venv/bin/python scripts/start-packaged.py
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-python-tools.sh
scripts/install-qemu.sh
export PATH="$PWD/.tools/venv/bin:$PATH" SAM_CLI_TELEMETRY=0
# cargo-lambda runs `python3 -m ziglang`: the venv's python3 (first on PATH) has it.
rustup target list --installed | grep -q '^aarch64-unknown-linux-gnu$' \
  || rustup target add aarch64-unknown-linux-gnu
echo "==> sam build (arm64, release profile: LTO, strip, panic=abort)"
sam build --region us-east-1
mkdir -p target/lambda-zips
rm -f target/lambda-zips/started.json
printf '\n%-24s %12s %12s\n' function "bootstrap" "zip"
for dir in .aws-sam/build/*Function; do
  name=$(basename "$dir")
  zip=target/lambda-zips/$name.zip
  rm -f "$zip"
  (cd "$dir" && python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.write("bootstrap")' "$OLDPWD/$zip")
  printf '%-24s %10s B %10s B\n' "$name" "$(stat -c %s "$dir/bootstrap")" "$(stat -c %s "$zip")"
done
echo "(zips in target/lambda-zips/; sam deploy makes its own, the same way)"
echo
echo "==> starting what ships: each zip's arm64 bootstrap under qemu, against a local Lambda Runtime API"
scripts/with-test-services.sh .tools/venv/bin/python scripts/start-packaged.py
