#!/usr/bin/env bash
# Build ipfs-kit (the cache restored by the job keeps this short) and put the binary in dist/,
# from where the job uploads it for the jobs that write: they never build.
set -euo pipefail

cargo build --locked --package ipfs-kit --bin ipfs-kit
target_dir="${CARGO_TARGET_DIR:-${GITHUB_WORKSPACE:-$PWD}/target}"
mkdir -p dist
cp -- "${target_dir}/debug/ipfs-kit" dist/ipfs-kit
