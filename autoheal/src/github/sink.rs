//! The GitHub sink: every report is queued on disk first, then sent; it leaves the queue only
//! once GitHub has it.

use std::path::PathBuf;

use super::GitHubError;
use super::client::GitHubClient;
use super::deliver::deliver;
use crate::queue::Queue;
use crate::{Config, Outcome, Report, Sink};

/// Files reports as GitHub issues, de-duplicated, queueing them when GitHub cannot take them.
#[derive(Debug)]
pub struct GitHubSink {
    client: GitHubClient,
    config: Config,
    queue: Queue,
}

impl GitHubSink {
    /// A sink for `config`, or `None` when it names no repository or token.
    pub fn new(config: &Config) -> Option<GitHubSink> {
        let client = GitHubClient::from_config(config)?;
        Some(GitHubSink {
            client,
            config: config.clone(),
            queue: Queue::for_config(config),
        })
    }
}

impl Sink for GitHubSink {
    fn send(&self, report: &Report) -> Outcome {
        let queued = self.queue.push(report);
        match deliver(&self.client, &self.config, report) {
            Ok(outcome) => {
                if let Ok(path) = &queued {
                    let _ = std::fs::remove_file(path);
                }
                outcome
            }
            Err(error) => match queued {
                Ok(path) => Outcome::Queued {
                    path,
                    reason: error.to_string(),
                },
                Err(queue_error) => Outcome::Failed {
                    reason: format!("{error}; and it could not be queued: {queue_error}"),
                },
            },
        }
    }
}

/// What `flush` did.
#[derive(Debug, Default)]
pub struct FlushSummary {
    /// New issues filed.
    pub reported: Vec<String>,
    /// Occurrences added to existing issues.
    pub recurred: Vec<String>,
    /// Occurrences counted within the throttle window.
    pub throttled: usize,
    /// Reports still queued.
    pub remaining: usize,
    /// Why flushing stopped early, if it did.
    pub stopped: Option<GitHubError>,
    /// Queue files that could not be read (moved aside as `.unreadable`).
    pub unreadable: Vec<PathBuf>,
}

/// Send every queued report, oldest first, calling `progress(done, total)` after each. Stops at
/// the first failure (a rate limit, an outage or a setting to fix would fail the rest too).
///
/// # Errors
///
/// When `config` names no repository or token.
pub fn flush(
    config: &Config,
    mut progress: impl FnMut(usize, usize),
) -> crate::Result<FlushSummary> {
    let client = GitHubClient::from_config(config).ok_or_else(|| crate::Error::InvalidConfig {
        key: "github_repo / GITHUB_TOKEN".to_string(),
        message: "flushing needs a repository (`autoheal enable --github-repo OWNER/REPO`) and a token in GITHUB_TOKEN".to_string(),
    })?;
    let queue = Queue::for_config(config);
    let files = queue.files();
    let mut summary = FlushSummary::default();
    for (done, path) in files.iter().enumerate() {
        let report = match queue.read(path) {
            Ok(report) => report,
            Err(_) => {
                let aside = path.with_extension("json.unreadable");
                let _ = std::fs::rename(path, &aside);
                summary.unreadable.push(aside);
                continue;
            }
        };
        match deliver(&client, config, &report) {
            Ok(outcome) => {
                let _ = std::fs::remove_file(path);
                match outcome {
                    Outcome::Reported { url, .. } => summary.reported.push(url),
                    Outcome::Recurred { url, .. } => summary.recurred.push(url),
                    _ => summary.throttled += 1,
                }
            }
            Err(error) => {
                summary.stopped = Some(error);
                break;
            }
        }
        progress(done + 1, files.len());
    }
    summary.remaining = queue.len();
    Ok(summary)
}
