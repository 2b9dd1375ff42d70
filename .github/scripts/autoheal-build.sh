#!/usr/bin/env bash
# Build ipfs-kit (the cargo cache of the job keeps this short) and put it on the PATH of the
# job's later steps.
set -euo pipefail

cargo build --locked --package ipfs-kit --bin ipfs-kit
target_dir="${CARGO_TARGET_DIR:-${GITHUB_WORKSPACE:-$PWD}/target}"
printf '%s\n' "${target_dir}/debug" >>"${GITHUB_PATH:?GITHUB_PATH is set by GitHub Actions}"
