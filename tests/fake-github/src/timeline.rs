//! Seeding a repository's past: issues opened, commented on and closed at given times, and pull
//! requests opened, merged or closed at given times, as a repository that has used autoheal
//! for months would have them. What they answer through the API is GitHub's shape, with these
//! times in `created_at`, `updated_at`, `closed_at` and `merged_at`.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use fake_github::{FakeGitHub, PastComment, PastIssue, PastPull};
//!
//! let github = FakeGitHub::start();
//! let week_ago = SystemTime::now() - Duration::from_secs(7 * 86_400);
//! let number = github.seed_past_issue(
//!     "acme/tools",
//!     PastIssue::new("[auto-heal] io: not found", week_ago)
//!         .labels(&["auto-heal"])
//!         .comment(PastComment::new("It happened again.", week_ago + Duration::from_secs(60)))
//!         .closed_at(week_ago + Duration::from_secs(3_600)),
//! );
//! github.seed_past_pull(
//!     "acme/tools",
//!     PastPull::new("Fix it", &format!("autoheal/issue-{number}"), week_ago)
//!         .merged_at(week_ago + Duration::from_secs(1_800)),
//! );
//! assert_eq!(github.issue("acme/tools", number).unwrap().state, "closed");
//! ```

use std::time::SystemTime;

use super::FakeGitHub;
use super::state::{Comment, IssueFields, PullInfo, State};

/// A comment written at a given time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastComment {
    /// Its body.
    pub body: String,
    /// When it was written.
    pub created_at: SystemTime,
    /// Its author; the token's user when `None`.
    pub login: Option<String>,
    /// Its author's `author_association`.
    pub association: String,
}

impl PastComment {
    /// `body`, written at `created_at` by the token's user (the repository's owner).
    pub fn new(body: &str, created_at: SystemTime) -> PastComment {
        PastComment {
            body: body.to_string(),
            created_at,
            login: None,
            association: "OWNER".to_string(),
        }
    }

    /// Written by `login`, whose `author_association` is `association` (`NONE` for an
    /// outsider).
    pub fn by(mut self, login: &str, association: &str) -> PastComment {
        self.login = Some(login.to_string());
        self.association = association.to_string();
        self
    }
}

/// An issue with its history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastIssue {
    /// Its title.
    pub title: String,
    /// Its body.
    pub body: String,
    /// Its labels (created in the repository when missing).
    pub labels: Vec<String>,
    /// When it was opened.
    pub created_at: SystemTime,
    /// When it was closed (as completed); open when `None`.
    pub closed_at: Option<SystemTime>,
    /// Its comments, in the order given.
    pub comments: Vec<PastComment>,
}

impl PastIssue {
    /// An open issue titled `title`, opened at `created_at`, with no body.
    pub fn new(title: &str, created_at: SystemTime) -> PastIssue {
        PastIssue {
            title: title.to_string(),
            body: String::new(),
            labels: Vec::new(),
            created_at,
            closed_at: None,
            comments: Vec::new(),
        }
    }

    /// With this body.
    pub fn body(mut self, body: &str) -> PastIssue {
        self.body = body.to_string();
        self
    }

    /// With these labels.
    pub fn labels(mut self, labels: &[&str]) -> PastIssue {
        self.labels = labels.iter().map(|l| (*l).to_string()).collect();
        self
    }

    /// Closed (as completed) at `closed_at`.
    pub fn closed_at(mut self, closed_at: SystemTime) -> PastIssue {
        self.closed_at = Some(closed_at);
        self
    }

    /// With one more comment.
    pub fn comment(mut self, comment: PastComment) -> PastIssue {
        self.comments.push(comment);
        self
    }
}

/// A pull request with its history, from a branch of the repository into its default branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastPull {
    /// Its title.
    pub title: String,
    /// The branch it merges (`head.ref`).
    pub head: String,
    /// When it was opened.
    pub created_at: SystemTime,
    /// When it was closed (merged or not); open when `None`.
    pub closed_at: Option<SystemTime>,
    /// When it was merged.
    pub merged_at: Option<SystemTime>,
    /// Whether it is a draft.
    pub draft: bool,
}

impl PastPull {
    /// An open pull request titled `title` from branch `head`, opened at `created_at`.
    pub fn new(title: &str, head: &str, created_at: SystemTime) -> PastPull {
        PastPull {
            title: title.to_string(),
            head: head.to_string(),
            created_at,
            closed_at: None,
            merged_at: None,
            draft: false,
        }
    }

    /// Merged (and so closed) at `merged_at`.
    pub fn merged_at(mut self, merged_at: SystemTime) -> PastPull {
        self.merged_at = Some(merged_at);
        self.closed_at = Some(merged_at);
        self
    }

    /// Closed without being merged at `closed_at`.
    pub fn closed_at(mut self, closed_at: SystemTime) -> PastPull {
        self.closed_at = Some(closed_at);
        self.merged_at = None;
        self
    }

    /// A draft.
    pub fn draft(mut self) -> PastPull {
        self.draft = true;
        self
    }
}

impl FakeGitHub {
    /// Seed `issue` with its times and comments (search finds it at once); returns its number.
    pub fn seed_past_issue(&self, repo: &str, issue: PastIssue) -> u64 {
        self.seed_past_issues(repo, 1, |_| issue.clone())
            .first()
            .copied()
            .unwrap_or_default()
    }

    /// Seed `count` issues under one lock, `make(i)` describing the `i`-th; returns their
    /// numbers.
    pub fn seed_past_issues(
        &self,
        repo: &str,
        count: usize,
        mut make: impl FnMut(usize) -> PastIssue,
    ) -> Vec<u64> {
        let mut state = self.state();
        let strict = std::mem::replace(&mut state.reject_unknown_labels, false);
        let numbers = (0..count)
            .map(|i| insert_past_issue(&mut state, repo, make(i)))
            .collect();
        state.reject_unknown_labels = strict;
        numbers
    }

    /// Seed `pull` with its times; returns its number (shared with issues, as on GitHub).
    pub fn seed_past_pull(&self, repo: &str, pull: PastPull) -> u64 {
        let mut state = self.state();
        let repo_state = state.repo_mut(repo);
        let sha = repo_state
            .branches
            .get(&repo_state.default_branch)
            .cloned()
            .unwrap_or_default();
        let fields = IssueFields {
            title: pull.title,
            closed: pull.closed_at.is_some(),
            pull: Some(PullInfo {
                head: pull.head,
                head_sha: sha.clone(),
                base: repo_state.default_branch.clone(),
                base_sha: sha,
                draft: pull.draft,
            }),
            ..IssueFields::default()
        };
        let number = state.insert_issue(repo, fields, true);
        if let Some(seeded) = state.repo_mut(repo).issues.get_mut(&number) {
            seeded.created_at = pull.created_at;
            seeded.closed_at = pull.closed_at;
            seeded.merged_at = pull.merged_at;
            seeded.updated_at = pull.closed_at.unwrap_or(pull.created_at);
        }
        number
    }
}

/// Insert `issue` into `repo` with its times and comments.
fn insert_past_issue(state: &mut State, repo: &str, issue: PastIssue) -> u64 {
    let labels = state.ensure_labels(repo, &issue.labels).unwrap_or_default();
    let fields = IssueFields {
        title: issue.title,
        body: Some(issue.body).filter(|b| !b.is_empty()),
        labels,
        closed: issue.closed_at.is_some(),
        ..IssueFields::default()
    };
    let number = state.insert_issue(repo, fields, true);
    let login = state.login.clone();
    let comments: Vec<Comment> = issue
        .comments
        .into_iter()
        .map(|past| {
            let author = past.login.as_deref().unwrap_or(&login);
            let mut comment = Comment::new(state.allocate_id(), past.body, author);
            comment.author_association = association(&past.association);
            comment.created_at = past.created_at;
            comment.updated_at = past.created_at;
            comment
        })
        .collect();
    let updated_at = comments
        .iter()
        .map(|c| c.created_at)
        .chain(issue.closed_at)
        .fold(issue.created_at, SystemTime::max);
    if let Some(seeded) = state.repo_mut(repo).issues.get_mut(&number) {
        seeded.created_at = issue.created_at;
        seeded.closed_at = issue.closed_at;
        seeded.updated_at = updated_at;
        seeded.comments = comments;
        for event in &mut seeded.events {
            event.created_at = issue.created_at;
        }
    }
    number
}

/// GitHub's `author_association` values, as the fake keeps them.
fn association(value: &str) -> &'static str {
    const KNOWN: [&str; 8] = [
        "OWNER",
        "MEMBER",
        "COLLABORATOR",
        "CONTRIBUTOR",
        "FIRST_TIME_CONTRIBUTOR",
        "FIRST_TIMER",
        "MANNEQUIN",
        "NONE",
    ];
    KNOWN.into_iter().find(|k| *k == value).unwrap_or("NONE")
}
