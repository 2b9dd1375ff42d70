//! The GitHub sink: every report is queued on disk first, then sent; it leaves the queue only
//! once GitHub has it. Each new report first gives the older queued ones a chance, within the
//! same time bound.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::GitHubError;
use super::client::GitHubClient;
use super::deliver::deliver;
use crate::queue::Queue;
use crate::{Config, Outcome, Report, Sink};

/// Older queued reports a new report sends first, at most.
const CATCH_UP_REPORTS: usize = 10;

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

    /// Send older queued reports, oldest first, until one fails, `CATCH_UP_REPORTS` went, or
    /// the time bound is spent.
    fn catch_up(&self, newest: Option<&Path>) -> Result<(), GitHubError> {
        let deadline = Instant::now() + Duration::from_secs(self.config.timeout_secs.max(1));
        let older = self
            .queue
            .files()
            .into_iter()
            .filter(|p| Some(p.as_path()) != newest)
            .take(CATCH_UP_REPORTS);
        for path in older {
            if Instant::now() >= deadline {
                break;
            }
            deliver_file(&self.client, &self.config, &self.queue, &path)?;
        }
        Ok(())
    }
}

impl Sink for GitHubSink {
    fn send(&self, report: &Report) -> Outcome {
        let queued = self.queue.push(report);
        let delivered = self
            .catch_up(queued.as_ref().ok().map(PathBuf::as_path))
            .and_then(|()| deliver(&self.client, &self.config, report));
        match delivered {
            Ok(outcome) => {
                if let Ok(path) = &queued {
                    let _ = std::fs::remove_file(path);
                }
                outcome
            }
            Err(error) => match queued {
                Ok(path) => {
                    self.queue.record_failure(&path, &error.to_string());
                    Outcome::Queued {
                        path,
                        reason: error.to_string(),
                    }
                }
                Err(queue_error) => Outcome::Failed {
                    reason: format!("{error}; and it could not be queued: {queue_error}"),
                },
            },
        }
    }
}

/// Send one queued report and remove it once GitHub has it. An unreadable file is moved aside
/// (`*.json.unreadable`) and yields `None`.
fn deliver_file(
    client: &GitHubClient,
    config: &Config,
    queue: &Queue,
    path: &Path,
) -> Result<Option<Outcome>, GitHubError> {
    let Ok(report) = queue.read(path) else {
        let _ = std::fs::rename(path, path.with_extension("json.unreadable"));
        return Ok(None);
    };
    match deliver(client, config, &report) {
        Ok(outcome) => {
            let _ = std::fs::remove_file(path);
            Ok(Some(outcome))
        }
        Err(error) => {
            queue.record_failure(path, &error.to_string());
            Err(error)
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
    /// Queue files that could not be read (moved aside as `.json.unreadable`).
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
        match deliver_file(&client, config, &queue, path) {
            Ok(Some(Outcome::Reported { url, .. })) => summary.reported.push(url),
            Ok(Some(Outcome::Recurred { url, .. })) => summary.recurred.push(url),
            Ok(Some(_)) => summary.throttled += 1,
            Ok(None) => summary
                .unreadable
                .push(path.with_extension("json.unreadable")),
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
