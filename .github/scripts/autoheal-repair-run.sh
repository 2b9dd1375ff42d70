#!/usr/bin/env bash
# Repair every downloaded failed job's log with `ipfs-kit autoheal repair --bundle`, in a
# checkout of the commit that failed, and write one bundle per job (JOB_ID.json): the verified
# repair, or what was tried and why it was dropped. Runs in a job that may only read; the job
# that writes takes the bundles as an artifact and checks them again.
#
# Environment, set by the workflow (never written into this script):
#   AUTOHEAL_LOG_DIR     the logs, one JOB_ID.log per failed job (autoheal-fetch-logs.sh)
#   AUTOHEAL_CHECKOUT    the git working tree of the commit that failed
#   AUTOHEAL_BUNDLE_DIR  where the bundles go (created); index.txt lists the jobs tried
# Logs are data: they reach ipfs-kit as a file path. No token is needed or read here.
set -euo pipefail

: "${AUTOHEAL_LOG_DIR:?AUTOHEAL_LOG_DIR names the directory of the logs}"
: "${AUTOHEAL_CHECKOUT:?AUTOHEAL_CHECKOUT names the checkout of the failed commit}"
: "${AUTOHEAL_BUNDLE_DIR:?AUTOHEAL_BUNDLE_DIR names the directory of the bundles}"
mkdir -p -- "$AUTOHEAL_BUNDLE_DIR"
: >"$AUTOHEAL_BUNDLE_DIR/index.txt"

# The repairs run offline: the dependencies are fetched first, at the lock file's versions
# when the commit has one (fetching runs no code of the crates).
if [[ -f "$AUTOHEAL_CHECKOUT/Cargo.lock" ]]; then
    fetch=(cargo fetch --locked)
else
    fetch=(cargo fetch)
fi
if ! (cd -- "$AUTOHEAL_CHECKOUT" && "${fetch[@]}"); then
    echo "autoheal-repair-run: ${fetch[*]} failed; a repair that needs a dependency is dropped" >&2
fi

# What ipfs-kit prints quotes the log: no workflow commands while it runs.
stop_token="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
shopt -s nullglob
for log in "$AUTOHEAL_LOG_DIR"/*.log; do
    job_id="$(basename -- "$log" .log)"
    if [[ ! "$job_id" =~ ^[1-9][0-9]{0,19}$ ]]; then
        continue
    fi
    printf '::stop-commands::%s\n' "$stop_token"
    if ipfs-kit autoheal repair --log "$log" --dir "$AUTOHEAL_CHECKOUT" \
        --bundle "$AUTOHEAL_BUNDLE_DIR/${job_id}.json" --job-id "$job_id"; then
        verdict=repaired
    else
        verdict=not-repaired
    fi
    printf '::%s::\n' "$stop_token"
    printf '%s %s\n' "$job_id" "$verdict" >>"$AUTOHEAL_BUNDLE_DIR/index.txt"
    # The next job's log is repaired from the commit as it failed.
    git -C "$AUTOHEAL_CHECKOUT" reset --hard --quiet
done
echo "Repairs tried:"
cat -- "$AUTOHEAL_BUNDLE_DIR/index.txt"
