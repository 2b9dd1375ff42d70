#!/usr/bin/env bash
# File every failed job of a workflow run with `ipfs-kit autoheal report-log`: one issue per
# failure (an existing one is updated), labelled workflow-error.
#
# Environment, set by the workflow (never written into this script):
#   RUN_ID        the failed run's id: digits only, anything else is refused
#   RUN_ATTEMPT   its attempt (default 1)
#   RUN_URL       its web address, linked from the issue
#   GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_TOKEN   as GitHub Actions sets them
#   GITHUB_OUTPUT (optional) receives `issues=[N, ...]`: the issues filed or updated, and
#                 `issue_jobs={"N": JOB_ID, ...}`: for each issue, the failed job whose log
#                 filed it (the first, when several jobs failed the same way), which is how
#                 the answering job finds the repair bundle made of the same log
# Job names and logs are data: they reach ipfs-kit as one argument and on standard input.
set -euo pipefail

if [[ ! "${RUN_ID:-}" =~ ^[1-9][0-9]{0,19}$ ]]; then
    echo "autoheal-report-run: RUN_ID must be a workflow run id" >&2
    exit 2
fi
attempt="${RUN_ATTEMPT:-1}"
if [[ ! "$attempt" =~ ^[1-9][0-9]{0,4}$ ]]; then
    echo "autoheal-report-run: RUN_ATTEMPT must be a number" >&2
    exit 2
fi
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is set by GitHub Actions}"
: "${GITHUB_TOKEN:?GITHUB_TOKEN must be passed to this step through env}"
api_url="${GITHUB_API_URL:-https://api.github.com}"
repo_url="${api_url%/}/repos/${GITHUB_REPOSITORY}"

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

# The failed jobs of this attempt, 100 a page.
: >"$work/failed"
for page in $(seq 1 10); do
    api_get "actions/runs/${RUN_ID}/attempts/${attempt}/jobs?per_page=100&page=${page}" "$work/jobs.json"
    jq -c '.jobs[] | select(.conclusion == "failure") | {id, name}' "$work/jobs.json" >>"$work/failed"
    [[ "$(jq '.jobs | length' "$work/jobs.json")" -eq 100 ]] || break
done

stop_token="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
issues=()
issue_jobs='{}'
failures=0
while IFS= read -r job; do
    job_id="$(jq -r '.id' <<<"$job")"
    job_name="$(jq -r '.name' <<<"$job")"
    if [[ ! "$job_id" =~ ^[0-9]+$ ]]; then
        continue
    fi
    if ! api_get "actions/jobs/${job_id}/logs" "$work/${job_id}.log"; then
        echo "autoheal-report-run: could not download the log of job ${job_id}" >&2
        failures=$((failures + 1))
        continue
    fi
    # What ipfs-kit prints quotes the log: no workflow commands while it runs.
    printf '::stop-commands::%s\n' "$stop_token"
    if ipfs-kit autoheal report-log --kind workflow --run-url "${RUN_URL:-}" --job "$job_name" \
        <"$work/${job_id}.log" >"$work/${job_id}.out"; then
        cat "$work/${job_id}.out"
        number="$(sed -n 's|^Issue: .*/issues/\([0-9][0-9]*\) .*$|\1|p' "$work/${job_id}.out" | head -n 1)"
        if [[ -n "$number" ]]; then
            issues+=("$number")
            issue_jobs="$(jq -c --arg issue "$number" --argjson job "$job_id" \
                'if has($issue) then . else .[$issue] = $job end' <<<"$issue_jobs")"
        fi
    else
        cat "$work/${job_id}.out"
        failures=$((failures + 1))
    fi
    printf '::%s::\n' "$stop_token"
done <"$work/failed"

# The issues, each once, as a JSON array for the job that answers them.
issues_json="$(printf '%s\n' "${issues[@]}" | jq -R 'select(length > 0) | tonumber' | jq -cs 'unique')"
echo "Issues filed or updated: ${issues_json}"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf 'issues=%s\n' "$issues_json" >>"$GITHUB_OUTPUT"
    printf 'issue_jobs=%s\n' "$issue_jobs" >>"$GITHUB_OUTPUT"
fi
if ((failures > 0)); then
    echo "autoheal-report-run: ${failures} failed job(s) could not be reported" >&2
    exit 1
fi
