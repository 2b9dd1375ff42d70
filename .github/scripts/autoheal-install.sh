#!/usr/bin/env bash
# Put the ipfs-kit binary built by the workflow's read-only `build` job (downloaded into dist/
# as an artifact, which does not keep the executable bit) on the PATH of the job's later steps.
set -euo pipefail

binary="${GITHUB_WORKSPACE:-$PWD}/dist/ipfs-kit"
if [[ ! -f "$binary" ]]; then
    echo "autoheal-install: $binary is missing; the build job's artifact was not downloaded" >&2
    exit 1
fi
chmod +x -- "$binary"
"$binary" --version
printf '%s\n' "$(dirname -- "$binary")" >>"${GITHUB_PATH:?GITHUB_PATH is set by GitHub Actions}"
