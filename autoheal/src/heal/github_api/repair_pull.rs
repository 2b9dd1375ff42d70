//! The draft pull request of a verified repair ([`RepairBundle`]): branch `autoheal/issue-N`
//! (from the commit the repair was made on where GitHub has it, else from the default branch),
//! the repaired files committed through the contents API, and one draft pull request whose
//! description says what failed, what repaired it and how that was verified.
//!
//! Running again converges instead of piling up: a file already as the bundle has it gets no
//! commit, and the pull request found on the branch (open or closed) gets its title and
//! description updated, never a twin.

use serde_json::json;

use super::api::{Api, IssueDetails};
use super::comment::inline_code;
use super::pull_request::{DRAFT_MARK, fix_branch, refuses_drafts};
use super::{FixError, GitHubError, PullRequestOutcome};
use crate::issue::sanitize::plain_text;
use crate::repair::{BundleAdvice, BundleOutcome, BundleRun, RepairBundle};

/// Lines of a command's output quoted in a description.
const QUOTED_OUTPUT_LINES: usize = 15;

/// Open (or bring up to date) the draft pull request of the repaired `bundle` for `issue`.
/// `run_url` is the failed run the issue links.
pub(crate) fn propose(
    api: &Api<'_>,
    issue: &IssueDetails,
    bundle: &RepairBundle,
    run_url: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<PullRequestOutcome, FixError> {
    let branch = fix_branch(issue.number);
    let base = api
        .default_branch()
        .map_err(FixError::github("reading the repository's default branch"))?;
    let mut branch_sha = api
        .branch_sha(&branch)
        .map_err(FixError::github(format!("reading branch {branch}")))?;
    if branch_sha.is_none() {
        branch_sha = create_branch(api, &branch, &base, bundle, notes)?;
    }
    // In a dry run the branch is not made: read what it would start from.
    let read_from = if branch_sha.is_some() {
        branch.clone()
    } else {
        base.clone()
    };
    let mut committed = Vec::new();
    for file in &bundle.files {
        let current = api
            .file(&file.path, &read_from)
            .map_err(FixError::github(format!(
                "reading {} on {read_from}",
                file.path
            )))?;
        if current.as_ref().is_some_and(|c| c.text == file.content) {
            continue;
        }
        let message = plain_text(&format!(
            "Repair #{}: {} ({})",
            issue.number,
            one_line(&bundle.failure.kind),
            bundle.repair.as_ref().map_or("", |r| r.command.as_str())
        ));
        api.commit_file(
            &file.path,
            &branch,
            &file.content,
            &message,
            current.as_ref().map(|c| c.sha.as_str()),
        )
        .map_err(FixError::github(format!(
            "committing {} to {branch}",
            file.path
        )))?;
        committed.push(file.path.clone());
    }
    let title = pull_title(bundle);
    let body = pull_body(issue.number, bundle, run_url);
    let existing = api
        .pulls_from(&branch)
        .map_err(FixError::github("looking for the pull request"))?
        .into_iter()
        .next();
    if api.is_dry_run() {
        return Ok(PullRequestOutcome::WouldWrite {
            branch,
            files: committed,
            title,
            body,
            existing: existing.map(|pull| pull.number),
        });
    }
    if let Some(pull) = existing {
        if pull.body.as_deref() != Some(body.as_str()) || pull.title != title {
            api.update_pull(pull.number, &json!({ "title": title, "body": body }))
                .map_err(FixError::github(format!(
                    "updating the description of pull request #{}",
                    pull.number
                )))?;
        }
        return Ok(PullRequestOutcome::Updated {
            number: pull.number,
            url: pull.html_url,
            state: pull.state,
            committed,
        });
    }
    let request = |title: &str, draft: bool| json!({ "title": title, "head": branch, "base": base, "body": body, "draft": draft });
    let (created, draft) = match api.create_pull(&request(&title, true)) {
        Err(error) if refuses_drafts(&error) => {
            let marked: String = format!("{DRAFT_MARK} {title}").chars().take(256).collect();
            let created = api
                .create_pull(&request(&marked, false))
                .map_err(FixError::github(format!(
                    "opening a pull request from {branch} (drafts are refused here; the branch is left for a person to open one)"
                )))?;
            notes.push(format!(
                "GitHub refused a draft pull request: opened a normal one marked {DRAFT_MARK} in its title; review it before merging"
            ));
            (created, false)
        }
        other => (
            other.map_err(FixError::github("opening the draft pull request"))?,
            true,
        ),
    };
    match created {
        Some(pull) => Ok(PullRequestOutcome::Opened {
            number: pull.number,
            url: pull.html_url,
            committed,
            draft,
        }),
        None => Err(FixError::GitHub {
            action: "opening the draft pull request".to_string(),
            source: GitHubError::UnexpectedReply("no pull request in the reply".to_string()),
        }),
    }
}

/// Create `branch` at the bundle's base commit, or at the default branch when GitHub does not
/// have that commit (422); the new branch's sha (`None` in a dry run).
fn create_branch(
    api: &Api<'_>,
    branch: &str,
    base: &str,
    bundle: &RepairBundle,
    notes: &mut Vec<String>,
) -> Result<Option<String>, FixError> {
    let action = || format!("creating branch {branch}");
    match api.create_branch(branch, &bundle.base_commit) {
        Ok(()) if api.is_dry_run() => return Ok(None),
        Ok(()) => return Ok(Some(bundle.base_commit.clone())),
        Err(GitHubError::Rejected { status: 422, .. }) => {}
        Err(error) => return Err(FixError::github(action())(error)),
    }
    let base_sha = api
        .branch_sha(base)
        .map_err(FixError::github(format!("reading branch {base}")))?
        .ok_or_else(|| FixError::GitHub {
            action: format!("reading branch {base}"),
            source: GitHubError::UnexpectedReply(format!(
                "the default branch {base} has no reference"
            )),
        })?;
    api.create_branch(branch, &base_sha)
        .map_err(FixError::github(action()))?;
    notes.push(format!(
        "the repository does not have the repair's base commit {}: {branch} starts from {base} instead",
        short_sha(&bundle.base_commit)
    ));
    Ok(Some(base_sha))
}

/// The pull request's title.
fn pull_title(bundle: &RepairBundle) -> String {
    let title = format!(
        "Repair {}: {}",
        one_line(&bundle.failure.kind),
        one_line(&bundle.failure.message)
    );
    plain_text(&title).chars().take(200).collect()
}

/// The pull request's description: what failed (and where), what repaired it, how that was
/// verified, the diff's size, and the line that closes the issue on merge. Characters that show
/// nothing (bidirectional overrides, zero-width and tag characters) are removed: the text comes
/// from a log.
pub(crate) fn pull_body(number: u64, bundle: &RepairBundle, run_url: Option<&str>) -> String {
    plain_text(&describe(number, bundle, run_url))
}

fn describe(number: u64, bundle: &RepairBundle, run_url: Option<&str>) -> String {
    let mut body = String::from("## What failed\n\n");
    body.push_str(&format!(
        "`{}`: {}",
        inline_code(&bundle.failure.kind),
        inline_code(&bundle.failure.message)
    ));
    if let Some(step) = &bundle.failure.step {
        body.push_str(&format!(" (step `{}`)", inline_code(step)));
    }
    body.push_str(".\n\n");
    match run_url.filter(|u| u.starts_with("https://")) {
        Some(url) => body.push_str(&format!("Failed run: {url}\n\n")),
        None => body.push_str("Failed run: not linked from the issue.\n\n"),
    }
    body.push_str(&format!(
        "Repaired on commit `{}`.\n\n",
        short_sha(&bundle.base_commit)
    ));
    if let Some(repair) = &bundle.repair {
        body.push_str(&format!(
            "## Repair\n\n`{}` (the Rust tools' own fix; no other edit)\n\n",
            inline_code(&repair.command)
        ));
    }
    if let Some(verification) = &bundle.verification {
        body.push_str(&format!(
            "## Verification\n\n`{}`: {}\n\n",
            inline_code(&verification.command),
            verdict(verification)
        ));
        body.push_str(&quoted_output(verification));
    }
    let files: Vec<String> = bundle
        .files
        .iter()
        .map(|f| format!("`{}`", inline_code(&f.path)))
        .collect();
    body.push_str(&format!(
        "## Change\n\n{} file(s), +{} -{} lines: {}\n\nNothing under `.github/` and no file other than Rust sources and Cargo manifests is ever changed automatically. Review before merging.\n\nCloses #{number}\n",
        bundle.files.len(),
        bundle.lines_added,
        bundle.lines_removed,
        files.join(", ")
    ));
    body
}

/// The comment's section on a repair: the dropped one's commands and why it was dropped, or
/// the package to install when no change to the code repairs the failure.
pub(crate) fn comment_section(bundle: &RepairBundle) -> Option<String> {
    match bundle.outcome {
        BundleOutcome::Repaired => return None,
        BundleOutcome::Advice => return bundle.advice.as_ref().map(advice_section),
        BundleOutcome::Dropped => {}
    }
    let mut section =
        String::from("**Automatic repair:** tried and dropped, nothing was changed.\n\n");
    if bundle.tried.is_empty() {
        section.push_str("- no tool repairs this kind of failure\n");
    }
    for run in &bundle.tried {
        section.push_str(&format!(
            "- `{}`: {}\n",
            inline_code(&run.command),
            verdict(run)
        ));
    }
    section.push_str(&format!(
        "\nWhy it was dropped: {}\n",
        one_line(
            bundle
                .dropped_reason
                .as_deref()
                .unwrap_or("no reason given")
        )
    ));
    Some(plain_text(&section))
}

/// The advice as the comment gives it: each library and its package, and the workflow line.
/// The bundle was checked: names are package-name characters and the line is the one they make.
fn advice_section(advice: &BundleAdvice) -> String {
    let mut section = String::from(
        "**Automatic repair:** none: no change to the code repairs this. A system library the build needs is not installed where the job runs.\n\n",
    );
    for library in &advice.libraries {
        let guess = if library.guessed {
            format!(
                " (a guess: `apt-cache search {}` finds the package that provides it)",
                library.library
            )
        } else {
            String::new()
        };
        section.push_str(&format!(
            "- `{}`: Debian/Ubuntu package `{}`{guess}\n",
            library.library, library.package
        ));
    }
    section.push_str(&format!(
        "\nAdd to the workflow, in a step before the build:\n\n```sh\n{}\n```\n\nWorkflows are never edited automatically: add the step yourself.\n",
        advice.workflow_line
    ));
    plain_text(&section)
}

/// `passed`, or why not.
fn verdict(run: &BundleRun) -> String {
    match (run.passed, run.timed_out) {
        (true, _) => "passed".to_string(),
        (false, true) => "stopped: ran too long".to_string(),
        (false, false) => format!("failed: {}", inline_code(run.headline())),
    }
}

/// The end of a command's output, fenced.
fn quoted_output(run: &BundleRun) -> String {
    let lines: Vec<&str> = run.output_tail.lines().collect();
    let from = lines.len().saturating_sub(QUOTED_OUTPUT_LINES);
    let tail = lines.get(from..).unwrap_or_default().join("\n");
    if tail.trim().is_empty() {
        return String::new();
    }
    // A fence longer than any run of backticks in the output.
    let fence = "`".repeat(longest_backtick_run(&tail).max(2) + 1);
    format!("{fence}text\n{tail}\n{fence}\n\n")
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// `text` on one line, without control characters, bounded.
fn one_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(160)
        .collect()
}

/// The first 12 characters of a commit id.
fn short_sha(sha: &str) -> String {
    sha.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repair::{BundleFailure, BundleFile};

    #[test]
    fn the_description_says_what_failed_what_repaired_and_closes_the_issue() {
        let run = |command: &str, output: &str| BundleRun {
            command: command.to_string(),
            passed: true,
            output_tail: output.to_string(),
            ..BundleRun::default()
        };
        let bundle = RepairBundle {
            base_commit: "0123456789abcdef0123456789abcdef01234567".to_string(),
            failure: BundleFailure {
                kind: "cargo fmt".to_string(),
                message: "Diff in src/lib.rs at\u{202e} line 1".to_string(),
                step: Some("Run cargo fmt --check".to_string()),
                job: None,
            },
            outcome: BundleOutcome::Repaired,
            repair: Some(run("cargo fmt -p tiny", "")),
            verification: Some(run("cargo fmt --check -p tiny", "``` sneaky")),
            files: vec![BundleFile {
                path: "src/lib.rs".to_string(),
                content: String::new(),
            }],
            lines_added: 3,
            lines_removed: 1,
            ..RepairBundle::default()
        };
        let body = pull_body(
            7,
            &bundle,
            Some("https://github.com/acme/tools/actions/runs/9"),
        );
        for wanted in [
            "`cargo fmt`: Diff in src/lib.rs at line 1 (step `Run cargo fmt --check`)",
            "Failed run: https://github.com/acme/tools/actions/runs/9",
            "`cargo fmt -p tiny`",
            "`cargo fmt --check -p tiny`: passed",
            "````text\n``` sneaky\n````",
            "1 file(s), +3 -1 lines: `src/lib.rs`",
            "Closes #7\n",
        ] {
            assert!(body.contains(wanted), "{wanted:?} missing from:\n{body}");
        }
        assert!(
            pull_body(7, &bundle, Some("javascript:alert(1)")).contains("not linked"),
            "only a web address is linked"
        );
    }
}
