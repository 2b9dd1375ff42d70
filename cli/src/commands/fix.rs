//! `ipfs-kit autoheal fix`: answer an auto-heal issue on GitHub.

use anyhow::Result;
use autoheal::config::Overrides;
use autoheal::github::{
    CommentOutcome, FixOptions, FixOutcome, GitHubClient, Handoff, PullRequestOutcome, fix_issue,
};
use autoheal::repair::RepairBundle;
use autoheal::{App, Config};

use crate::args::FixArgs;

/// Diagnose issue `args.issue` and answer it.
///
/// # Errors
///
/// Bad input (exit code 2) as [`autoheal::Error::InvalidConfig`]: an invalid `--repo`, no
/// repository or token, an issue that does not exist or holds no auto-heal report. Any
/// failure of GitHub otherwise.
pub fn run(
    app: &App,
    overrides: &Overrides,
    repo_flag: Option<&str>,
    args: &FixArgs,
) -> Result<()> {
    let mut overrides = overrides.clone();
    if let Some(repo) = args.repo.as_deref().or(repo_flag) {
        overrides
            .set("github_repo", repo)
            .map_err(|error| bad_input("--repo", error_message(error)))?;
    }
    let config = Config::load(app.clone(), &overrides)?.config;
    let Some(client) = GitHubClient::from_config(&config) else {
        return Err(match config.github_repo {
            None => bad_input(
                "--repo",
                "no repository to read the issue from; pass --repo OWNER/REPO or set one with `ipfs-kit autoheal enable --github-repo OWNER/REPO`".to_string(),
            ),
            Some(_) => bad_input(
                "GITHUB_TOKEN",
                "not set; export GITHUB_TOKEN (or GH_TOKEN) with a token that has issues: write (and contents: write, pull-requests: write for --create-pr) on the repository".to_string(),
            ),
        });
    };
    let repair = match &args.repair {
        Some(path) => Some(
            RepairBundle::read(path).map_err(|error| bad_input("--repair", error.to_string()))?,
        ),
        None => None,
    };
    let options = FixOptions {
        issue: args.issue,
        create_pr: args.create_pr || repair.is_some(),
        copilot: args.copilot || config.copilot_handoff,
        dry_run: args.dry_run,
        handoff_token: config.copilot_token.clone(),
        approved_by: args.approved_by.clone(),
        expect_body_sha256: args.expect_body_sha256.clone(),
        repair,
    };
    let outcome = fix_issue(&client, &options).map_err(|error| {
        if error.is_bad_input() {
            bad_input("--issue", error.to_string())
        } else {
            anyhow::Error::new(error)
        }
    })?;
    print_outcome(&outcome, args.dry_run);
    Ok(())
}

/// An error the user fixes by changing what they typed (exit code 2).
fn bad_input(key: &str, message: String) -> anyhow::Error {
    autoheal::Error::InvalidConfig {
        key: key.to_string(),
        message,
    }
    .into()
}

fn error_message(error: autoheal::Error) -> String {
    match error {
        autoheal::Error::InvalidConfig { message, .. } => message,
        other => other.to_string(),
    }
}

/// The names, or `nothing` (the branch has them already).
fn list_or_none(files: &[String]) -> String {
    if files.is_empty() {
        "nothing (the branch has the files already)".to_string()
    } else {
        files.join(", ")
    }
}

fn print_outcome(outcome: &FixOutcome, dry_run: bool) {
    let diagnosis = &outcome.diagnosis;
    let recognised = if diagnosis.is_recognised() {
        format!(
            "{}, {:?} confidence",
            diagnosis.rule_id, diagnosis.confidence
        )
        .to_lowercase()
    } else {
        "no rule recognises it".to_string()
    };
    println!("{}", outcome.issue_url);
    println!("Trusted:   {}", outcome.approval);
    println!("Diagnosis: {} ({recognised})", diagnosis.title);
    match &outcome.comment {
        CommentOutcome::Posted { url } => println!("Comment:   posted {url}"),
        CommentOutcome::Updated { url } => println!("Comment:   updated {url}"),
        CommentOutcome::Unchanged { url } => println!("Comment:   unchanged {url}"),
        CommentOutcome::WouldPost => println!("Comment:   would be posted"),
        CommentOutcome::WouldUpdate { url } => println!("Comment:   {url} would be updated"),
        _ => {}
    }
    match &outcome.pull_request {
        Some(PullRequestOutcome::Opened {
            url,
            committed,
            draft,
            ..
        }) => println!(
            "Pull request: opened {url} ({}), committing {}",
            if *draft {
                "draft"
            } else {
                "not a draft: GitHub refused one"
            },
            committed.join(", ")
        ),
        Some(PullRequestOutcome::Existing { url, state, .. }) => {
            println!("Pull request: {url} ({state}, opened earlier; nothing changed)")
        }
        Some(PullRequestOutcome::AlreadyFixed { base }) => {
            println!("Pull request: none needed, {base} already has the fix and the entry")
        }
        Some(PullRequestOutcome::WouldOpen { branch, files }) => println!(
            "Pull request: a draft from {branch} would be opened, committing {}",
            files.join(", ")
        ),
        Some(PullRequestOutcome::Updated {
            url,
            state,
            committed,
            ..
        }) => println!(
            "Pull request: {url} ({state}, opened earlier) brought up to date, committing {}",
            list_or_none(committed)
        ),
        Some(PullRequestOutcome::WouldWrite {
            branch,
            files,
            title,
            body,
            existing,
        }) => {
            match existing {
                Some(number) => println!(
                    "Pull request: #{number} from {branch} would be updated, committing {}",
                    list_or_none(files)
                ),
                None => println!(
                    "Pull request: a draft from {branch} would be opened, committing {}",
                    list_or_none(files)
                ),
            }
            println!("  Title: {title}");
            println!("  Body:");
            for line in body.lines() {
                println!("    {line}");
            }
        }
        _ => {}
    }
    match &outcome.handoff {
        Some(Handoff::TaskStarted { id, .. }) => {
            println!("Copilot:   coding agent task {id} started")
        }
        Some(Handoff::Assigned { login }) => println!("Copilot:   issue assigned to {login}"),
        Some(Handoff::AlreadyHandedOff) => println!("Copilot:   handed off earlier"),
        Some(Handoff::Refused { reason }) => println!(
            "Copilot:   hand-off refused ({reason}); labelled {}",
            autoheal::github::NEEDS_TRIAGE_LABEL
        ),
        Some(Handoff::WouldHandOff) => {
            println!("Copilot:   a coding agent task would be requested")
        }
        _ => {}
    }
    for note in &outcome.notes {
        println!("note: {note}");
    }
    if dry_run {
        println!();
        println!("Dry run: nothing was changed. The requests, in order:");
        for request in &outcome.requests {
            println!("  {request}");
        }
    }
}
