//! What can go wrong talking to GitHub, each with what to do about it.

use std::fmt;
use std::time::SystemTime;

/// A failed exchange with the GitHub API.
#[derive(Debug)]
#[non_exhaustive]
pub enum GitHubError {
    /// No connection: refused, reset, DNS, TLS.
    Unreachable(String),
    /// No answer within `timeout_secs`.
    TimedOut,
    /// 401: the token is invalid or expired.
    Unauthorized,
    /// 403 or 404 without rate limiting: no such repository, or the token cannot reach it.
    NoAccess(u16),
    /// 410: the repository has issues turned off.
    IssuesDisabled,
    /// 400 or 422: GitHub refused the request as written. Sending it again is refused again:
    /// the report is kept for a person to look at, not retried on its own.
    Rejected {
        /// 400 or 422.
        status: u16,
        /// GitHub's `message` (`Validation Failed`, `Problems parsing JSON`).
        message: String,
        /// The `errors` details, one line each (`body: body is too long`).
        errors: Vec<String>,
    },
    /// 3xx on a request that is not followed: the issue was transferred or deleted, or the
    /// repository renamed. Following a write would turn it into a `GET` without the token
    /// that looks like success; the bug's issue is looked up again instead.
    Moved {
        /// 301, 302, 307 or 308.
        status: u16,
        /// The `Location` GitHub gave, if any.
        location: Option<String>,
    },
    /// Primary or secondary rate limit; retry after the given time when known.
    RateLimited(Option<SystemTime>),
    /// 5xx: GitHub is having trouble.
    Server(u16),
    /// An answer that is not what the API documents.
    UnexpectedReply(String),
    /// This machine filed `max_new_issues_per_hour` new issues in the last hour.
    FloodGuard(u32),
    /// Another process of this machine was reporting for longer than the time bound.
    Busy,
}

impl From<crate::reporting_lock::Busy> for GitHubError {
    fn from(_: crate::reporting_lock::Busy) -> Self {
        GitHubError::Busy
    }
}

impl GitHubError {
    /// Whether waiting and trying again can succeed (as opposed to a setting to fix).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            GitHubError::Unreachable(_)
                | GitHubError::TimedOut
                | GitHubError::RateLimited(_)
                | GitHubError::Server(_)
                | GitHubError::UnexpectedReply(_)
                | GitHubError::Busy
        )
    }

    /// Whether GitHub refused this request for good: trying it again, now or later, is
    /// refused again (a queued report so refused is kept, marked failed, not retried).
    pub fn is_permanent(&self) -> bool {
        matches!(self, GitHubError::Rejected { .. })
    }
}

impl fmt::Display for GitHubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GitHubError::Unreachable(detail) => write!(f, "GitHub could not be reached ({detail}); the report stays queued, and `flush` sends it later"),
            GitHubError::TimedOut => f.write_str("GitHub did not answer in time; the report stays queued, and `flush` sends it later"),
            GitHubError::Unauthorized => f.write_str("the GitHub token is invalid or expired (401); create a new one and set GITHUB_TOKEN"),
            GitHubError::NoAccess(status) => write!(
                f,
                "repository not found or token lacks access ({status}); check github_repo and give the token Issues: write on it"
            ),
            GitHubError::IssuesDisabled => f.write_str("issues are disabled on the repository (410); enable them in its settings or choose another github_repo"),
            GitHubError::Rejected { status, message, errors } => {
                write!(f, "GitHub refused the issue ({status}): {message}")?;
                if !errors.is_empty() {
                    write!(f, " ({})", errors.join("; "))?;
                }
                f.write_str("; sending it again would be refused too, so the report is kept for a look")
            }
            GitHubError::Moved { status, location } => {
                write!(f, "GitHub answered {status}: the issue or the repository moved")?;
                if let Some(location) = location {
                    write!(f, " (to {location})")?;
                }
                f.write_str("; check github_repo; the report stays queued")
            }
            GitHubError::RateLimited(Some(until)) => {
                write!(f, "GitHub's rate limit was reached; reports wait in the queue until {}", crate::timestamp::seconds(*until))
            }
            GitHubError::RateLimited(None) => f.write_str("GitHub's rate limit was reached; reports wait in the queue"),
            GitHubError::Server(status) => write!(f, "GitHub answered {status}; the report stays queued, and `flush` sends it later"),
            GitHubError::UnexpectedReply(detail) => write!(f, "GitHub's answer was not understood ({detail}); the report stays queued"),
            GitHubError::Busy => f.write_str("another process on this machine was reporting to GitHub for longer than timeout_secs; the report stays queued, and `flush` sends it later"),
            GitHubError::FloodGuard(limit) => write!(
                f,
                "{limit} new issues were filed from this machine in the last hour (max_new_issues_per_hour); the report waits in the queue"
            ),
        }
    }
}

impl std::error::Error for GitHubError {}
