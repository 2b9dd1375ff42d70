//! Reporting to GitHub: the client, one issue per bug, and the sink that queues every report
//! before the first byte goes out.

mod client;
mod deliver;
mod error;
mod known_issues;
mod lock;
mod sink;

pub use client::{GitHubClient, IssueRef};
pub use error::GitHubError;
pub use sink::{FlushSummary, GitHubSink, flush};
