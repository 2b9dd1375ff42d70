#!/usr/bin/env bash
# Answer one auto-heal issue with `ipfs-kit autoheal fix`: a diagnosis comment, a draft pull
# request with the fix, or (with AUTOHEAL_COPILOT=true) a hand-off to the Copilot coding agent.
#
# Environment, set by the workflow (never written into this script):
#   ISSUE_NUMBER       the issue to answer: digits only, anything else is refused
#   ISSUE_TITLE        the issue's title, shown in the log as data (optional)
#   AUTOHEAL_COPILOT   "true" to hand unrecognised failures to Copilot (optional)
#   AUTOHEAL_CREATE_PR "false" to leave pull requests alone (the hand-off jobs); default true
#   APPROVED_BY        who labelled an outsider's issue (optional): ipfs-kit checks that this
#                      login may triage the repository before acting on the issue
#   ISSUE_BODY         the issue's body as the triggering event carried it (optional; set, even
#                      empty, it is hashed and ipfs-kit refuses the issue if its body changed
#                      since); only its SHA-256 leaves this script
#   AUTOHEAL_BUNDLE_DIR the repair bundles of the failed run (optional; the read-only repair
#                      job's artifact, one JOB_ID.json per failed job)
#   ISSUE_JOBS         {"ISSUE": JOB_ID, ...} (optional; the report job's output): the job
#                      whose log filed this issue, whose bundle is passed with --repair when
#                      it exists and records the same job (a dropped one only when
#                      AUTOHEAL_CREATE_PR=false: that job opens no pull request)
#   GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_TOKEN   as GitHub Actions sets them
# ipfs-kit reads the issue itself through the API; its body never passes through this script.
set -euo pipefail

if [[ ! "${ISSUE_NUMBER:-}" =~ ^[1-9][0-9]{0,9}$ ]]; then
    echo "autoheal-fix-issue: ISSUE_NUMBER must be an issue number" >&2
    exit 2
fi
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is set by GitHub Actions}"
: "${GITHUB_TOKEN:?GITHUB_TOKEN must be passed to this step through env}"

# Text from the issue, and whatever ipfs-kit prints about it, must not be read by the runner as
# workflow commands (`::add-mask::`, `::set-output ...`): stop command processing around it.
stop_token="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '::stop-commands::%s\n' "$stop_token"
resume_commands() { printf '::%s::\n' "$stop_token"; }
trap resume_commands EXIT

printf 'Answering issue #%s of %s\n' "$ISSUE_NUMBER" "$GITHUB_REPOSITORY"
if [[ -n "${ISSUE_TITLE:-}" ]]; then
    printf 'Title: %s\n' "${ISSUE_TITLE//$'\n'/ }"
fi

args=(autoheal fix --issue "$ISSUE_NUMBER" --repo "$GITHUB_REPOSITORY")
if [[ "${AUTOHEAL_CREATE_PR:-true}" != "false" ]]; then
    args+=(--create-pr)
fi
if [[ -n "${ISSUE_BODY+set}" ]]; then
    body_sha256="$(printf '%s' "$ISSUE_BODY" | sha256sum | cut -d' ' -f1)"
    args+=(--expect-body-sha256 "$body_sha256")
fi
if [[ -n "${APPROVED_BY:-}" ]]; then
    if [[ ! "$APPROVED_BY" =~ ^[A-Za-z0-9][A-Za-z0-9-]{0,38}(\[bot\])?$ ]]; then
        echo "autoheal-fix-issue: APPROVED_BY must be a GitHub login" >&2
        exit 2
    fi
    args+=(--approved-by "$APPROVED_BY")
fi
if [[ "${AUTOHEAL_COPILOT:-false}" == "true" ]]; then
    args+=(--copilot)
fi
if [[ -n "${AUTOHEAL_BUNDLE_DIR:-}" && -n "${ISSUE_JOBS:-}" ]]; then
    job_id="$(jq -r --arg issue "$ISSUE_NUMBER" '.[$issue] // empty' <<<"$ISSUE_JOBS")"
    bundle="${AUTOHEAL_BUNDLE_DIR}/${job_id}.json"
    if [[ "$job_id" =~ ^[1-9][0-9]{0,19}$ && -f "$bundle" ]] &&
        jq -e --argjson job "$job_id" '.job_id == $job' "$bundle" >/dev/null; then
        if [[ "${AUTOHEAL_CREATE_PR:-true}" != "false" ]] ||
            jq -e '.outcome == "dropped"' "$bundle" >/dev/null; then
            printf 'Repair bundle of job %s\n' "$job_id"
            args+=(--repair "$bundle")
        fi
    else
        printf 'No repair bundle for issue #%s\n' "$ISSUE_NUMBER"
    fi
fi
ipfs-kit "${args[@]}"
