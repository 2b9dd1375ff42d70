//! Reporting to GitHub: the client, one issue per bug, and the sink that queues every report
//! before the first byte goes out; with the `heal` feature, answering an auto-heal issue
//! (`fix_issue`).

mod client;
mod deliver;
mod error;
mod known_issues;
mod lookup;
mod sink;
pub(crate) mod trust;

#[cfg(feature = "heal")]
#[cfg_attr(docsrs, doc(cfg(feature = "heal")))]
pub use crate::heal::github_api::{
    APPROVAL_LABEL, Approval, COPILOT_LOGIN, CommentOutcome, DRAFT_MARK, FixError, FixOptions,
    FixOutcome, Handoff, NEEDS_TRIAGE_LABEL, PlannedRequest, PullRequestOutcome,
    TROUBLESHOOTING_PATH, body_sha256, fix_branch, fix_issue,
};
#[cfg(feature = "heal")]
pub(crate) use client::encode;
pub use client::{GitHubClient, IssueAuthor, IssueRef};
pub(crate) use client::{ListPage, encode as encode_query};
pub use error::GitHubError;
pub use sink::{FlushSummary, GitHubSink, flush, flush_asking, send_queued_report};
pub use trust::ACTIONS_BOT_LOGIN;
