//! Answering an auto-heal issue on GitHub: read the issue back, diagnose it, and answer with
//! one comment — plus, when asked, a draft pull request with the fix and a troubleshooting
//! entry, or a hand-off of an unrecognised failure to the Copilot coding agent.
//!
//! Every step is idempotent, so a second run changes nothing that the first one did: the
//! comment is found again by [`FIX_COMMENT_MARKER`] and updated in place, the branch, the
//! commits and the pull request are looked up before they are made, and an accepted hand-off
//! is remembered in the comment. A dry run reads what it needs and writes nothing; it returns
//! every request it would have made.
//!
//! ```no_run
//! use autoheal::github::{FixOptions, GitHubClient, fix_issue};
//! # fn run(config: &autoheal::Config) -> Result<(), Box<dyn std::error::Error>> {
//! let client = GitHubClient::from_config(config).ok_or("no repository or token")?;
//! let outcome = fix_issue(&client, &FixOptions { issue: 42, create_pr: true, ..FixOptions::default() })?;
//! println!("{}: {}", outcome.issue_url, outcome.diagnosis.title);
//! # Ok(()) }
//! ```

mod api;
mod approval;
mod comment;
mod copilot;
mod pull_request;
mod repair_pull;

pub use api::PlannedRequest;
pub use approval::{APPROVAL_LABEL, Approval};
pub use copilot::{COPILOT_LOGIN, NEEDS_TRIAGE_LABEL};
pub use pull_request::{DRAFT_MARK, TROUBLESHOOTING_PATH, fix_branch};

use std::fmt;

use api::Api;

use crate::fix::{Diagnosis, FIX_COMMENT_MARKER, ParseError, diagnose, parse_issue_body};
use crate::github::trust::trusted_author;
use crate::github::{GitHubClient, GitHubError};
use crate::repair::{BundleOutcome, DEFAULT_MAX_CHANGED_LINES, RepairBundle};

/// Pages of comments (100 a page) searched for the earlier answer.
const MAX_COMMENT_PAGES: usize = 30;

/// What [`fix_issue`] is asked to do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixOptions {
    /// The issue's number.
    pub issue: u64,
    /// Also open a draft pull request with the fix and a troubleshooting entry (recognised
    /// failures only).
    pub create_pr: bool,
    /// Hand an unrecognised failure to the Copilot coding agent.
    pub copilot: bool,
    /// Read, but write nothing: report the writes instead.
    pub dry_run: bool,
    /// The token of the Copilot hand-off's requests (starting the agent, assigning it), when
    /// it is not the client's: [`Config::copilot_token`](crate::Config::copilot_token).
    pub handoff_token: Option<crate::Token>,
    /// Who approved the issue, when its author is an outsider: acted on only when this person
    /// may triage the repository (the workflow names who added the label).
    pub approved_by: Option<String>,
    /// The SHA-256 (hex) of the issue body the approval saw (the workflow's event): the issue
    /// is refused when its body changed since, so an edit after a maintainer labelled it
    /// cannot swap the report.
    pub expect_body_sha256: Option<String>,
    /// A repair made where nothing could be written (`ipfs-kit autoheal repair --bundle`):
    /// checked without trusting it, then, when verified and `create_pr` is set, committed to
    /// the issue's branch with a draft pull request; when dropped, what was tried and why is
    /// said in the comment and the failure may be handed to Copilot.
    pub repair: Option<RepairBundle>,
}

/// What became of the answering comment.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommentOutcome {
    /// A new comment was posted.
    Posted {
        /// Its address.
        url: String,
    },
    /// The earlier answer was updated.
    Updated {
        /// Its address.
        url: String,
    },
    /// The earlier answer already said exactly this.
    Unchanged {
        /// Its address.
        url: String,
    },
    /// Dry run: a comment would be posted.
    WouldPost,
    /// Dry run: the earlier answer would be updated.
    WouldUpdate {
        /// Its address.
        url: String,
    },
}

/// What became of the pull request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PullRequestOutcome {
    /// A pull request was opened: a draft, or where GitHub refuses drafts (private
    /// repositories on GitHub Free and Pro) a normal one marked [`DRAFT_MARK`] in its title.
    Opened {
        /// Its number.
        number: u64,
        /// Its address.
        url: String,
        /// The files committed to its branch by this run.
        committed: Vec<String>,
        /// Whether it is a draft.
        draft: bool,
    },
    /// The branch already has a pull request (from an earlier run); nothing was changed.
    Existing {
        /// Its number.
        number: u64,
        /// Its address.
        url: String,
        /// `open` or `closed`.
        state: String,
    },
    /// The default branch already holds the fix and the entry: there is nothing to propose.
    AlreadyFixed {
        /// The default branch.
        base: String,
    },
    /// Dry run: these files would be committed to the branch and a draft pull request opened.
    WouldOpen {
        /// The branch.
        branch: String,
        /// The files.
        files: Vec<String>,
    },
    /// A repair's pull request, opened by an earlier run, brought up to date: the files that
    /// differed committed, its title and description rewritten when they differed.
    Updated {
        /// Its number.
        number: u64,
        /// Its address.
        url: String,
        /// `open` or `closed`.
        state: String,
        /// The files committed by this run (none when the branch had them already).
        committed: Vec<String>,
    },
    /// Dry run: a repair's files would be committed and its pull request opened or updated.
    WouldWrite {
        /// The branch.
        branch: String,
        /// The files that would be committed (those whose contents differ).
        files: Vec<String>,
        /// The pull request's title.
        title: String,
        /// The pull request's description.
        body: String,
        /// The pull request that would be updated, when one exists.
        existing: Option<u64>,
    },
}

/// What became of the hand-off to the Copilot coding agent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handoff {
    /// A Copilot coding agent task was started.
    TaskStarted {
        /// The task's id.
        id: String,
        /// Its web address, when GitHub gave one.
        url: Option<String>,
    },
    /// The issue was assigned to Copilot (the agent tasks API was not available).
    Assigned {
        /// The login that was assigned.
        login: String,
    },
    /// An earlier run handed the issue off already; nothing was sent again.
    AlreadyHandedOff,
    /// GitHub refused both ways (no Copilot plan, or the agent disabled).
    Refused {
        /// What GitHub answered.
        reason: String,
    },
    /// Dry run: a task would be requested.
    WouldHandOff,
}

/// What [`fix_issue`] did.
#[derive(Clone, Debug)]
pub struct FixOutcome {
    /// The issue's web address.
    pub issue_url: String,
    /// Why the report was trusted.
    pub approval: Approval,
    /// The diagnosis.
    pub diagnosis: Diagnosis,
    /// The answering comment.
    pub comment: CommentOutcome,
    /// The pull request, when one was asked for or already exists.
    pub pull_request: Option<PullRequestOutcome>,
    /// The hand-off, when one was asked for an unrecognised failure.
    pub handoff: Option<Handoff>,
    /// Things the user should know (a patch that no longer applies, a flag that did not apply).
    pub notes: Vec<String>,
    /// Every request of the run, in order; writes held back by a dry run are marked unsent.
    pub requests: Vec<PlannedRequest>,
}

/// Why an issue could not be answered.
#[derive(Debug)]
#[non_exhaustive]
pub enum FixError {
    /// GitHub answered 404 for the issue.
    IssueNotFound {
        /// The repository.
        repo: String,
        /// The issue's number.
        number: u64,
    },
    /// The number is a pull request's.
    NotAnIssue {
        /// The number.
        number: u64,
    },
    /// The issue's body holds no auto-heal report.
    NotAnAutohealIssue {
        /// The issue's number.
        number: u64,
        /// Why its body could not be read back.
        reason: ParseError,
    },
    /// Nobody the repository trusts wrote or approved the issue's report: an outsider's text
    /// is not acted on.
    Untrusted {
        /// The issue's number.
        number: u64,
        /// Who opened it.
        author: String,
        /// What was checked.
        reason: String,
    },
    /// The issue's body is not the one the approval saw: it was edited since.
    BodyChanged {
        /// The issue's number.
        number: u64,
        /// The SHA-256 the caller expected.
        expected: String,
        /// The SHA-256 of the body now.
        actual: String,
    },
    /// The repair bundle given is refused: nothing was read or written.
    InvalidRepair {
        /// What is wrong with it.
        reason: String,
    },
    /// A call to GitHub failed.
    GitHub {
        /// What was being done.
        action: String,
        /// What went wrong.
        source: GitHubError,
    },
}

impl FixError {
    /// Whether the user named something that cannot be answered (as opposed to GitHub failing).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, FixError::GitHub { .. })
    }

    fn github(action: impl Into<String>) -> impl FnOnce(GitHubError) -> FixError {
        let action = action.into();
        move |source| FixError::GitHub { action, source }
    }
}

impl fmt::Display for FixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FixError::IssueNotFound { repo, number } => write!(
                f,
                "issue #{number} was not found in {repo} (404); check the number and the repository, and that the token can read it"
            ),
            FixError::NotAnIssue { number } => {
                write!(f, "#{number} is a pull request, not an auto-heal issue")
            }
            FixError::NotAnAutohealIssue { number, reason } => {
                write!(f, "issue #{number} is not an auto-heal issue: {reason}")
            }
            FixError::Untrusted {
                number,
                author,
                reason,
            } => write!(
                f,
                "issue #{number} was opened by {author}, who is not an owner, member or collaborator of the repository, and {reason}; \
                 not acting on an outsider's text (someone who may triage approves it by adding the {APPROVAL_LABEL} label, or names themselves with --approved-by)"
            ),
            FixError::BodyChanged {
                number,
                expected,
                actual,
            } => write!(
                f,
                "the body of issue #{number} changed since it was approved (SHA-256 {actual}, expected {expected}); not acting on text nobody approved: label it again to answer the body as it is now"
            ),
            FixError::InvalidRepair { reason } => write!(
                f,
                "{reason}; nothing was written (make the bundle again with `ipfs-kit autoheal repair --bundle FILE` on the failed commit)"
            ),
            FixError::GitHub { action, source } => write!(f, "{action}: {source}"),
        }
    }
}

impl std::error::Error for FixError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FixError::NotAnAutohealIssue { reason, .. } => Some(reason),
            FixError::GitHub { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The SHA-256 of an issue body, as lowercase hex: what `--expect-body-sha256` compares with
/// (`printf '%s' "$BODY" | sha256sum` in a shell).
pub fn body_sha256(body: &str) -> String {
    let mut hash = crate::sha256::Sha256::new();
    hash.update(body.as_bytes());
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Answer issue `options.issue` of the client's repository: diagnose the report in its body
/// and post (or update) one comment with the diagnosis — after opening a draft pull request
/// (`create_pr`, recognised failures) or handing the issue to the Copilot coding agent
/// (`copilot`, unrecognised failures), whose results the comment mentions.
///
/// # Errors
///
/// When the issue does not exist, is a pull request, holds no auto-heal report, is not trusted
/// ([`FixError::Untrusted`]) or was edited since it was approved ([`FixError::BodyChanged`]),
/// and when
/// a call to GitHub fails (what was done before the failure stays done; running again
/// finishes the job).
pub fn fix_issue(client: &GitHubClient, options: &FixOptions) -> Result<FixOutcome, FixError> {
    if let Some(bundle) = &options.repair {
        bundle
            .check(DEFAULT_MAX_CHANGED_LINES)
            .map_err(|error| FixError::InvalidRepair {
                reason: error.to_string(),
            })?;
    }
    let api = Api::new(client, options.dry_run).with_handoff_token(options.handoff_token.clone());
    let number = options.issue;
    let issue = api.issue(number).map_err(|error| match error {
        GitHubError::NoAccess(404) => FixError::IssueNotFound {
            repo: api.repo().to_string(),
            number,
        },
        other => FixError::github(format!("reading issue #{number}"))(other),
    })?;
    if issue.pull_request.is_some() {
        return Err(FixError::NotAnIssue { number });
    }
    if let Some(expected) = &options.expect_body_sha256 {
        let actual = body_sha256(issue.body.as_deref().unwrap_or_default());
        if !actual.eq_ignore_ascii_case(expected.trim()) {
            return Err(FixError::BodyChanged {
                number,
                expected: expected.clone(),
                actual,
            });
        }
    }
    let (approval, text) = approval::approve(&api, &issue, options.approved_by.as_deref())?;
    let parsed = parse_issue_body(&text)
        .map_err(|reason| FixError::NotAnAutohealIssue { number, reason })?;
    let diagnosis = diagnose(&parsed.report);
    // Anyone may comment on a public issue: only the answer of a trusted author is the earlier
    // answer.
    let earlier = api
        .find_comment(number, MAX_COMMENT_PAGES, |c| {
            if !c
                .body
                .as_deref()
                .is_some_and(|b| b.contains(FIX_COMMENT_MARKER))
            {
                return Ok(false);
            }
            let login = c.user.as_ref().map(|u| u.login.as_str());
            trusted_author(api.client(), login, c.author_association.as_deref())
        })
        .map_err(FixError::github(format!(
            "reading the comments of #{number}"
        )))?;
    let mut notes = Vec::new();

    let repaired = (options.repair.as_ref()).filter(|b| b.outcome == BundleOutcome::Repaired);
    let dropped = (options.repair.as_ref()).filter(|b| b.outcome == BundleOutcome::Dropped);
    let advised = (options.repair.as_ref()).filter(|b| b.outcome == BundleOutcome::Advice);
    // A failure a rule recognises is answered by the comment, unless its repair was dropped:
    // then it needs someone (or the coding agent) to repair it. Advice (a system package to
    // install) answers it too: no change to the code would.
    let answered = (diagnosis.is_recognised() && dropped.is_none()) || advised.is_some();
    let run_url = parsed.report.env.get("RUN_URL").map(String::as_str);
    let pull_request = match (repaired, dropped) {
        (Some(bundle), _) if options.create_pr => Some(repair_pull::propose(
            &api, &issue, bundle, run_url, &mut notes,
        )?),
        (Some(_), _) => pull_request::existing(&api, number)?,
        (None, Some(_)) => {
            if options.create_pr {
                notes.push("no pull request: the repair was dropped".to_string());
            }
            pull_request::existing(&api, number)?
        }
        (None, None) if advised.is_some() => {
            if options.create_pr {
                notes.push(
                    "no pull request: a system package is missing, and workflows are never edited automatically"
                        .to_string(),
                );
            }
            pull_request::existing(&api, number)?
        }
        (None, None) => diagnosis_pull_request(&api, &issue, &diagnosis, options, &mut notes)?,
    };
    let earlier_handoff = earlier
        .as_ref()
        .and_then(|c| comment::accepted_handoff(c.body.as_deref().unwrap_or_default()));
    let (handoff, handoff_section) = match (answered, options.copilot) {
        (false, true) => match earlier_handoff {
            Some(section) => (Some(Handoff::AlreadyHandedOff), Some(section)),
            None => {
                let handoff = copilot::hand_off(&api, &issue, &parsed.report)?;
                let section = comment::handoff_section(&handoff);
                (Some(handoff), section)
            }
        },
        (true, true) => {
            notes.push(
                "not handed to Copilot: the failure is recognised, and the comment answers it"
                    .to_string(),
            );
            (None, None)
        }
        (_, false) => (None, earlier_handoff),
    };
    let body = comment::compose(
        &diagnosis,
        pull_request.as_ref(),
        options.repair.as_ref(),
        handoff_section.as_deref(),
    );
    let comment = comment::publish(&api, number, earlier.as_ref(), &body)?;
    Ok(FixOutcome {
        issue_url: issue.html_url,
        approval,
        diagnosis,
        comment,
        pull_request,
        handoff,
        notes,
        requests: api.requests(),
    })
}

/// The pull request of a diagnosis (no repair given): the fix and a troubleshooting entry.
fn diagnosis_pull_request(
    api: &Api<'_>,
    issue: &api::IssueDetails,
    diagnosis: &Diagnosis,
    options: &FixOptions,
    notes: &mut Vec<String>,
) -> Result<Option<PullRequestOutcome>, FixError> {
    let number = issue.number;
    Ok(match (diagnosis.is_recognised(), options.create_pr) {
        (true, true) => Some(pull_request::propose(api, issue, diagnosis, notes)?),
        (true, false) => pull_request::existing(api, number)?,
        (false, true) => {
            notes.push("no pull request: no rule recognises this failure".to_string());
            None
        }
        (false, false) => None,
    })
}
