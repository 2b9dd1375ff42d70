#!/usr/bin/env bash
# Build the fuzz targets once and run each for SECONDS (default 20) from its committed seed
# corpus. New corpus entries go to a scratch directory, so the committed seeds stay small.
# Fails, naming the target and the crashing input, on the first crash.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Stable Rust: `-s none` builds with libFuzzer's coverage instrumentation but without a
# sanitizer (AddressSanitizer needs nightly's -Zsanitizer); safe Rust checks bounds anyway.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-20}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(issue_body config_file redactor markdown)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# Its own target directory: the fuzz build (instrumented, release) shares nothing with the
# workspace's.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-../target}/fuzz}"
cargo fuzz build -s none

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for target in "${targets[@]}"; do
    echo "== fuzz $target for ${seconds}s"
    mkdir -p "$scratch/$target"
    log="$scratch/$target.log"
    if ! cargo fuzz run -s none "$target" "$scratch/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        { grep -A3 'panicked at' "$log" || true; } | cut -c1-500 | head -n 20 >&2
        { grep -v '^\s*[0-9]*: \|^\s*at ' "$log" || true; } | cut -c1-500 | tail -n 25 >&2
        echo "fuzz/run.sh: $target crashed; the input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
    grep -E '^stat::number_of_executed_units|^Done' "$log" || true
done
