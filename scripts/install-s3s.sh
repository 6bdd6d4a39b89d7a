#!/usr/bin/env bash
# s3s-fs, an S3-compatible server that checks request signatures and presigned URLs' expiry as S3
# does (moto accepts any), for the tests of presigned uploads: built from crates.io into
# .tools/cargo (first time only: a few minutes). 0.14.1 is the version seen working here.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .tools/cargo/bin/s3s-fs ]; then
  echo "==> installing s3s-fs into .tools/cargo (first time only: a few minutes)"
  cargo install s3s-fs@0.14.1 --features binary --locked --root .tools/cargo --quiet
fi
