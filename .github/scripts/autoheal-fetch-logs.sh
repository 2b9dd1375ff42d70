#!/usr/bin/env bash
# Download the log of every failed job of a workflow run into a directory, one file per job,
# named by the job's id (JOB_ID.log): what the read-only repair job repairs.
#
# Environment, set by the workflow (never written into this script):
#   RUN_ID           the failed run's id: digits only, anything else is refused
#   RUN_ATTEMPT      its attempt (default 1)
#   AUTOHEAL_LOG_DIR where the logs go (created)
#   GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_TOKEN   as GitHub Actions sets them
# Job names and logs are data: they are written to files and never read by the shell.
set -euo pipefail

if [[ ! "${RUN_ID:-}" =~ ^[1-9][0-9]{0,19}$ ]]; then
    echo "autoheal-fetch-logs: RUN_ID must be a workflow run id" >&2
    exit 2
fi
attempt="${RUN_ATTEMPT:-1}"
if [[ ! "$attempt" =~ ^[1-9][0-9]{0,4}$ ]]; then
    echo "autoheal-fetch-logs: RUN_ATTEMPT must be a number" >&2
    exit 2
fi
: "${AUTOHEAL_LOG_DIR:?AUTOHEAL_LOG_DIR names the directory of the logs}"
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is set by GitHub Actions}"
: "${GITHUB_TOKEN:?GITHUB_TOKEN must be passed to this step through env}"
api_url="${GITHUB_API_URL:-https://api.github.com}"
repo_url="${api_url%/}/repos/${GITHUB_REPOSITORY}"
mkdir -p -- "$AUTOHEAL_LOG_DIR"

work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT

# GET one API path into a file. The token goes to curl on a file descriptor, not the command
# line; curl drops it when GitHub redirects a log download to its storage host.
api_get() {
    curl --fail --silent --show-error --location --retry 3 --max-time 120 \
        --header @<(printf 'Authorization: Bearer %s\n' "$GITHUB_TOKEN") \
        --header 'Accept: application/vnd.github+json' \
        --header 'X-GitHub-Api-Version: 2022-11-28' \
        --output "$2" "${repo_url}/$1"
}

: >"$work/failed"
for page in $(seq 1 10); do
    api_get "actions/runs/${RUN_ID}/attempts/${attempt}/jobs?per_page=100&page=${page}" "$work/jobs.json"
    jq -r '.jobs[] | select(.conclusion == "failure") | .id' "$work/jobs.json" >>"$work/failed"
    [[ "$(jq '.jobs | length' "$work/jobs.json")" -eq 100 ]] || break
done

fetched=0
while IFS= read -r job_id; do
    if [[ ! "$job_id" =~ ^[1-9][0-9]{0,19}$ ]]; then
        continue
    fi
    if api_get "actions/jobs/${job_id}/logs" "$AUTOHEAL_LOG_DIR/${job_id}.log"; then
        fetched=$((fetched + 1))
    else
        echo "autoheal-fetch-logs: could not download the log of job ${job_id}" >&2
        rm -f -- "$AUTOHEAL_LOG_DIR/${job_id}.log"
    fi
done <"$work/failed"
echo "Logs of failed jobs downloaded: ${fetched}"
