//! What the auto-heal issues of a repository say, read from GitHub: how many are open and
//! closed, how often each bug happened, how long issues took to close, which came back, which
//! diagnosis rule recognised each, and what became of the fix pull requests and the Copilot
//! hand-offs.
//!
//! Three steps, each usable alone: [`fetch`] reads the issues, their comments and the pull
//! requests from GitHub (paginated, bounded, stopping at a rate limit rather than waiting);
//! [`RepoStats::compute`] sums them up without any I/O; [`RepoStats::to_text`] and
//! [`RepoStats::to_json`] show the result, and [`RepoStats::put_charts`] puts it on the stats
//! page ([`crate::stats::html`]).
//!
//! # What counts
//!
//! - An *occurrence*: the issue itself (plus the occurrences its body says waited in the queue
//!   before it was filed), and each recurrence comment autoheal posts ("This failure happened
//!   again — 3 more times since the last update": three).
//! - A *regression*: an issue filed saying "Regression of #N" (its bug's issue was closed).
//! - The *rule*: the one named in the fix flow's diagnosis comment (`<!-- autoheal:fix -->`).
//! - A *fix pull request*: one from branch `autoheal/issue-N` of the repository itself. It
//!   *recurred* when its bug happened again after it was merged: a recurrence comment on issue
//!   N, or a regression of N, dated after `merged_at`.
//! - The *success rate*: merged fixes that did not recur, out of the fix pull requests decided
//!   (merged or closed unmerged).
//!
//! The diagnosis and hand-off markers count only in comments of the repository's owners,
//! members, collaborators and bots: anyone may comment on a public repository.
//!
//! # Usage
//!
//! ```
//! use autoheal::stats::repo::{RepoIssue, RepoOptions, RepoStats};
//!
//! let day = 86_400_000;
//! let mut issue = RepoIssue::new(7, "[auto-heal] io: not found", 20_000 * day);
//! issue.closed_ms = Some(20_002 * day);
//! let options = RepoOptions::at(20_010 * day);
//! let stats = RepoStats::compute("acme/tools", &[issue], &[], &options);
//! assert_eq!((stats.open_issues, stats.closed_issues), (0, 1));
//! assert_eq!(stats.median_close_secs, Some(2 * 86_400));
//! ```

mod charts;
mod compute;
mod fetch;
mod parse;
mod render;

pub use charts::{REPO_BY_RULE, REPO_OCCURRENCES};
pub use fetch::{Fetched, fetch};
pub use render::JSON_SCHEMA;

/// The most issues read unless told otherwise.
pub const DEFAULT_MAX_ISSUES: usize = 1_000;

/// Which issues count, when "now" is, and how much may be read from GitHub.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct RepoOptions {
    /// Now, in milliseconds since the Unix epoch.
    pub now_ms: u64,
    /// Only issues opened from this time on count (milliseconds since the Unix epoch).
    pub since_ms: Option<u64>,
    /// The most issues read (the newest first).
    pub max_issues: usize,
    /// The most pages (of 100) read of each list: the issues, the pull requests, and the
    /// comments of one issue.
    pub max_pages: usize,
}

impl RepoOptions {
    /// Every issue, up to [`DEFAULT_MAX_ISSUES`], with `now_ms` as now.
    pub fn at(now_ms: u64) -> RepoOptions {
        RepoOptions {
            now_ms,
            since_ms: None,
            max_issues: DEFAULT_MAX_ISSUES,
            max_pages: 20,
        }
    }

    /// Only the issues opened from `since_ms` on.
    #[must_use]
    pub fn since(mut self, since_ms: Option<u64>) -> RepoOptions {
        self.since_ms = since_ms;
        self
    }

    /// At most `max_issues` issues.
    #[must_use]
    pub fn max_issues(mut self, max_issues: usize) -> RepoOptions {
        self.max_issues = max_issues.max(1);
        self
    }
}

/// An auto-heal issue as read from GitHub, with its comments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepoIssue {
    /// Its number.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its web address.
    pub html_url: String,
    /// Its body (empty when it has none).
    pub body: String,
    /// When it was opened (milliseconds since the Unix epoch).
    pub created_ms: u64,
    /// When it was closed, if it is closed.
    pub closed_ms: Option<u64>,
    /// Its comments, oldest first.
    pub comments: Vec<RepoComment>,
}

impl RepoIssue {
    /// Open issue `number` titled `title`, opened at `created_ms`, with no body or comments.
    pub fn new(number: u64, title: &str, created_ms: u64) -> RepoIssue {
        RepoIssue {
            number,
            title: title.to_string(),
            created_ms,
            ..RepoIssue::default()
        }
    }
}

/// A comment on an issue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepoComment {
    /// Its body.
    pub body: String,
    /// When it was written (milliseconds since the Unix epoch).
    pub created_ms: u64,
    /// Whether its author is an owner, member or collaborator of the repository, or a bot:
    /// only then do its diagnosis and hand-off markers count.
    pub trusted: bool,
}

/// A pull request as read from GitHub.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepoPull {
    /// Its number.
    pub number: u64,
    /// Its web address.
    pub html_url: String,
    /// The branch it merges (`head.ref`).
    pub head_ref: String,
    /// Whether that branch is the repository's own (not a fork's).
    pub from_repo: bool,
    /// When it was opened.
    pub created_ms: u64,
    /// When it was closed (merged or not).
    pub closed_ms: Option<u64>,
    /// When it was merged.
    pub merged_ms: Option<u64>,
}

/// What became of a fix pull request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixState {
    /// Still open.
    Open,
    /// Merged.
    Merged,
    /// Closed without being merged.
    ClosedUnmerged,
}

impl FixState {
    /// `open`, `merged` or `closed_unmerged`.
    pub fn as_str(self) -> &'static str {
        match self {
            FixState::Open => "open",
            FixState::Merged => "merged",
            FixState::ClosedUnmerged => "closed_unmerged",
        }
    }
}

/// What became of handing an issue to the Copilot coding agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandoffOutcome {
    /// The agent took the task (or the issue was assigned to it).
    Accepted,
    /// GitHub refused the hand-off.
    Refused,
}

impl HandoffOutcome {
    /// `accepted` or `refused`.
    pub fn as_str(self) -> &'static str {
        match self {
            HandoffOutcome::Accepted => "accepted",
            HandoffOutcome::Refused => "refused",
        }
    }
}

/// The fix pull request of an issue: the merged one when there is one, else the newest.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssueFix {
    /// Its number.
    pub number: u64,
    /// Its web address.
    pub html_url: String,
    /// What became of it.
    pub state: FixState,
    /// When it was merged.
    pub merged_ms: Option<u64>,
    /// Whether the bug happened again after it was merged.
    pub recurred: bool,
}

/// One issue summed up.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssueStats {
    /// Its number.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its web address.
    pub html_url: String,
    /// Whether it is open.
    pub open: bool,
    /// How many times its bug happened: 1, plus the occurrences its body and its recurrence
    /// comments count.
    pub occurrences: u64,
    /// When it was opened.
    pub created_ms: u64,
    /// When it was closed.
    pub closed_ms: Option<u64>,
    /// The rule of its diagnosis comment, if the fix flow answered it.
    pub rule: Option<String>,
    /// The issue it is a regression of.
    pub regression_of: Option<u64>,
    /// What became of its Copilot hand-off, if it was handed off.
    pub handoff: Option<HandoffOutcome>,
    /// Its fix pull request.
    pub fix: Option<IssueFix>,
}

/// Issues and occurrences of one diagnosis rule (`None`: no diagnosis comment, or none yet).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleStats {
    /// The rule's id (`file-not-found`, `unrecognised`), or `None`.
    pub rule: Option<String>,
    /// Its issues.
    pub issues: u64,
    /// Their occurrences.
    pub occurrences: u64,
}

/// What became of the fix pull requests (branch `autoheal/issue-N`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FixStats {
    /// Opened, in all.
    pub opened: u64,
    /// Still open.
    pub open: u64,
    /// Merged.
    pub merged: u64,
    /// Closed without being merged.
    pub closed_unmerged: u64,
    /// Merged, and the bug happened again after.
    pub recurred_after_merge: u64,
}

impl FixStats {
    /// Merged fixes whose bug did not come back, out of the pull requests decided (merged or
    /// closed unmerged); `None` before any was decided.
    pub fn success_rate(&self) -> Option<f64> {
        let decided = self.merged + self.closed_unmerged;
        (decided > 0)
            .then(|| self.merged.saturating_sub(self.recurred_after_merge) as f64 / decided as f64)
    }
}

/// The Copilot hand-offs, by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandoffStats {
    /// Accepted by the agent.
    pub accepted: u64,
    /// Refused by GitHub.
    pub refused: u64,
}

/// The repository's auto-heal issues summed up. See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RepoStats {
    /// `owner/repo`.
    pub repo: String,
    /// Only issues opened since then count.
    pub since_ms: Option<u64>,
    /// Now, as the options said.
    pub now_ms: u64,
    /// Issues still open.
    pub open_issues: u64,
    /// Issues closed.
    pub closed_issues: u64,
    /// Occurrences of all the issues' bugs.
    pub occurrences: u64,
    /// Issues filed as a regression of a closed one.
    pub regressions: u64,
    /// How long each closed issue took to close, in seconds, the shortest first.
    pub close_secs: Vec<u64>,
    /// The median of [`close_secs`](RepoStats::close_secs) (the mean of the middle two for an
    /// even count); `None` when no issue was closed.
    pub median_close_secs: Option<u64>,
    /// Per issue, the most occurrences first (then the newest).
    pub issues: Vec<IssueStats>,
    /// Per diagnosis rule, the most occurrences first.
    pub rules: Vec<RuleStats>,
    /// The fix pull requests.
    pub fixes: FixStats,
    /// The Copilot hand-offs.
    pub handoffs: HandoffStats,
    /// Occurrences per day (UTC) as days since the Unix epoch, every day from the first
    /// occurrence's to the last's, the oldest first.
    pub daily: Vec<(u64, u64)>,
    /// Why the figures are not the whole story, when they are not: a bound reached, or a rate
    /// limit that stopped the reading. Empty when everything was read.
    pub incomplete: Vec<String>,
}

#[cfg(test)]
mod tests;
