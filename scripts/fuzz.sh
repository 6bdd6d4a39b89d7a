#!/usr/bin/env bash
# `make fuzz`: each cargo fuzz target (FUZZ_TARGETS: all three) for FUZZ_SECONDS (default 60),
# starting from fuzz/seeds.
# A crash leaves its input in fuzz/artifacts/<target>/: fix the bug, then copy the input to
# fuzz/regressions/<target>/, where `make test` replays it (shared/tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INSTALL_ROOT="$PWD/.tools/cargo"
if [ ! -x .tools/cargo/bin/cargo-fuzz ]; then
  echo "==> installing cargo-fuzz into .tools/cargo (first time only)"
  cargo install cargo-fuzz --locked --quiet
fi
# libFuzzer's instrumentation flags are unstable ones: allow them on the stable toolchain.
export PATH="$PWD/.tools/cargo/bin:$PATH" RUSTC_BOOTSTRAP=1
seconds=${FUZZ_SECONDS:-60}
for target in ${FUZZ_TARGETS:-menu_file product_body cursor_and_query}; do
  mkdir -p "fuzz/corpus/$target"
  cp -n fuzz/seeds/"$target"/* "fuzz/corpus/$target/" 2>/dev/null || true
  echo "==> fuzzing $target for ${seconds}s"
  (cd fuzz && cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=65536 \
      -print_final_stats=1 2>&1 | grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|Done)' || true)
  if compgen -G "fuzz/artifacts/$target/crash-*" >/dev/null; then
    echo "crash found: fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
echo "fuzz: no crash in $seconds s per target"
