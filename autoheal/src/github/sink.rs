//! The GitHub sink: every report is queued on disk first, then sent; it leaves the queue only
//! once GitHub has it. Each new report first gives the older queued ones a chance, within the
//! same time bound. A report of a bug reported moments ago (within `throttle_secs`) is only
//! counted: nothing is sent, so nothing is queued.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::GitHubError;
use super::client::GitHubClient;
use super::deliver::{count_within_throttle, deliver};
use super::known_issues::KnownIssues;
use crate::queue::Queue;
use crate::reporting_lock::ReportingLock;
use crate::{Config, Outcome, Report, Sink};

/// Older queued reports a new report sends first, at most.
const CATCH_UP_REPORTS: usize = 10;

/// Files reports as GitHub issues, de-duplicated, queueing them when GitHub cannot take them.
#[derive(Debug)]
pub struct GitHubSink {
    client: GitHubClient,
    config: Config,
    queue: Queue,
    /// Whether the abandoned temporary files of the configuration directory were removed.
    cleaned: std::sync::Once,
}

impl GitHubSink {
    /// A sink for `config`, or `None` when it names no repository or token.
    pub fn new(config: &Config) -> Option<GitHubSink> {
        let client = GitHubClient::from_config(config)?;
        Some(GitHubSink {
            client,
            config: config.clone(),
            queue: Queue::for_config(config),
            cleaned: std::sync::Once::new(),
        })
    }

    /// Send older queued reports, oldest first, until one fails, `CATCH_UP_REPORTS` went, or
    /// the time bound is spent. A report held back by the flood guard does not stop the others.
    /// Returns how many went. `journal`, the known issues loaded under the lock, is dropped
    /// once a report is attempted: delivering changes the file it was read from.
    fn catch_up(
        &self,
        newest: Option<&Path>,
        journal: &mut Option<KnownIssues>,
    ) -> Result<usize, GitHubError> {
        let deadline = Instant::now() + time_bound(&self.config);
        let older = self
            .queue
            .sendable_files()
            .into_iter()
            .filter(|p| Some(p.as_path()) != newest)
            .take(CATCH_UP_REPORTS);
        let mut sent = 0;
        for path in older {
            if Instant::now() >= deadline {
                break;
            }
            journal.take();
            match deliver_file_locked(&self.client, &self.config, &self.queue, &path) {
                Ok(Some(_)) => sent += 1,
                Ok(None) | Err(GitHubError::FloodGuard(_)) => {}
                Err(error) if error.is_permanent() => {}
                Err(error) => return Err(error),
            }
        }
        Ok(sent)
    }
}

/// How long one report may keep the calling thread waiting for the lock, and for catching up.
fn time_bound(config: &Config) -> Duration {
    Duration::from_secs(config.timeout_secs.max(1))
}

impl Sink for GitHubSink {
    fn send(&self, report: &Report) -> Outcome {
        self.send_stored(report, None)
    }
}

impl GitHubSink {
    /// Queue `report` (or, when the pipeline handed it off in `handoff`, settle that file into
    /// the queue), then send it, older queued reports first. A report of a bug reported
    /// moments ago (within `throttle_secs`) is only counted. Runs on the background worker,
    /// or on the thread of a command that sends reports itself.
    pub(crate) fn send_stored(&self, report: &Report, handoff: Option<&Path>) -> Outcome {
        if let Some(rule) = self.config.privacy.ignored_by(report) {
            if let Some(handoff) = handoff {
                let _ = std::fs::remove_file(handoff);
            }
            let _ = crate::privacy::count_ignored(&self.config, &rule);
            return Outcome::Ignored { rule };
        }
        let lock = ReportingLock::acquire(&self.config.config_dir, time_bound(&self.config));
        if lock.is_ok() {
            // Once a process: the cache's writers killed mid-write left their temporary files.
            self.cleaned.call_once(|| {
                crate::durable::remove_abandoned_temporaries(&self.config.config_dir)
            });
        }
        // Read once under the lock, for the throttle, the merge and (when nothing older is sent
        // first) the delivery.
        let mut journal = lock
            .is_ok()
            .then(|| KnownIssues::load(&self.config.config_dir));
        if let Some(journal) = journal.as_mut()
            && let Some(outcome) = count_within_throttle(&self.config, journal, report)
        {
            // Nothing would be sent: counted, without writing (and syncing) a queue file.
            if let Some(handoff) = handoff {
                let _ = std::fs::remove_file(handoff);
            }
            return outcome;
        }
        // Added to a waiting report of the same bug only under the lock (no other process sends
        // that report meanwhile), and never to one GitHub may already have (delivered, or on its
        // way when its process died): the occurrences added to it would not be sent.
        let stored = {
            let not_delivered = |trace_id: &str| {
                journal
                    .as_ref()
                    .is_some_and(|known| known.is_unsent(trace_id))
            };
            let merge_into: Option<&dyn Fn(&str) -> bool> = match journal {
                Some(_) => Some(&not_delivered),
                None => None,
            };
            self.queue.store(report, handoff, merge_into)
        };
        let delivered = lock.map_err(GitHubError::from).and_then(|_lock| {
            let (newest, merged) = match &stored {
                Ok(stored) => (Some(stored.path.as_path()), stored.merged),
                Err(_) => (None, false),
            };
            self.catch_up(newest, &mut journal)?;
            match (newest, merged) {
                // Added to an older report of the same bug: that report goes, with the count.
                (Some(path), true) => {
                    deliver_file_locked(&self.client, &self.config, &self.queue, path)
                        .map(|outcome| outcome.unwrap_or(Outcome::Throttled))
                }
                _ => {
                    let outcome =
                        deliver(&self.client, &self.config, report, 1, &[], journal.take())?;
                    if let Some(path) = newest {
                        let _ = std::fs::remove_file(path);
                    }
                    Ok(outcome)
                }
            }
        });
        match delivered {
            Ok(outcome) => outcome,
            Err(error) => match stored {
                Ok(stored) => {
                    if error.is_permanent() {
                        if !stored.merged {
                            self.queue.mark_rejected(&stored.path, &error.to_string());
                        }
                        return Outcome::Refused {
                            path: stored.path,
                            reason: error.to_string(),
                        };
                    }
                    if !stored.merged {
                        // A merged one's failure is recorded on the report it was added to.
                        self.queue.record_failure(&stored.path, &error.to_string());
                    }
                    Outcome::Queued {
                        path: stored.path,
                        reason: error.to_string(),
                    }
                }
                Err(queue_error) => Outcome::Failed {
                    reason: format!("{error}; and it could not be queued: {queue_error}"),
                },
            },
        }
    }

    /// Send what waits in the queue, oldest first, within the time bound: for the worker, when
    /// the program starts and while GitHub was unreachable. Returns how many went.
    ///
    /// # Errors
    ///
    /// Why it stopped early.
    pub(crate) fn send_queued(&self) -> Result<usize, GitHubError> {
        let _lock = ReportingLock::acquire(&self.config.config_dir, time_bound(&self.config))?;
        self.catch_up(None, &mut None)
    }
}

/// Send one queued report and remove it once GitHub has it, the caller holding the lock. An
/// unreadable file is moved aside (`*.json.unreadable`) and yields `None`, as does a file
/// another process sent meanwhile.
fn deliver_file_locked(
    client: &GitHubClient,
    config: &Config,
    queue: &Queue,
    path: &Path,
) -> Result<Option<Outcome>, GitHubError> {
    if !path.exists() {
        return Ok(None);
    }
    let Ok(report) = queue.read(path) else {
        let _ = std::fs::rename(path, path.with_extension("json.unreadable"));
        return Ok(None);
    };
    if let Some(rule) = config.privacy.ignored_by(&report) {
        // Queued before the rule was set: it is dropped, counted, never sent.
        let _ = std::fs::remove_file(path);
        let _ = crate::privacy::count_ignored(config, &rule);
        return Ok(Some(Outcome::Ignored { rule }));
    }
    let occurrences = queue.occurrences(path);
    match deliver(
        client,
        config,
        &report,
        occurrences.count,
        &occurrences.merged_trace_ids,
        None,
    ) {
        Ok(outcome) => {
            let _ = std::fs::remove_file(path);
            record_later_outcome(config, &report, &outcome);
            Ok(Some(outcome))
        }
        Err(error) if error.is_permanent() => {
            // Sending it again would be refused again: it stays, for `queue` to show.
            queue.mark_rejected(path, &error.to_string());
            let refused = Outcome::Refused {
                path: path.to_path_buf(),
                reason: error.to_string(),
            };
            record_later_outcome(config, &report, &refused);
            Err(error)
        }
        Err(error) => {
            queue.record_failure(path, &error.to_string());
            Err(error)
        }
    }
}

/// The history learns what became of a report that waited in the queue: its failures were
/// recorded (as queued) when they happened; this changes the bug's last outcome and link.
fn record_later_outcome(config: &Config, report: &Report, outcome: &Outcome) {
    use crate::history::{EntryKind, entry_for, record};
    if let Some(entry) = entry_for(report, outcome, EntryKind::Update) {
        record(config, &entry);
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
    /// Reports an ignore rule matched: dropped from the queue, counted, not sent.
    pub ignored: usize,
    /// Reports the user did not say yes to (`confirm_before_send`): they stay queued.
    pub not_confirmed: usize,
    /// Reports still queued.
    pub remaining: usize,
    /// Why flushing stopped early, if it did (or, for the flood guard, why some reports were
    /// held back while the others went).
    pub stopped: Option<GitHubError>,
    /// Queue files that could not be read (moved aside as `.json.unreadable`).
    pub unreadable: Vec<PathBuf>,
    /// Reports GitHub refused for good, with its message: they stay in the queue, marked, and
    /// are not sent again (`queue` lists them; `queue clear` removes them).
    pub rejected: Vec<(PathBuf, String)>,
    /// The notifications sent after the reports (new issues, regressions), and those that
    /// failed and wait.
    pub notifications: crate::notify::NotifySummary,
}

/// Send every queued report, oldest first, calling `progress(done, total)` after each. Stops at
/// the first failure (a rate limit, an outage or a setting to fix would fail the rest too),
/// except the flood guard, which holds back only new bugs. Each report is sent under the
/// machine's reporting lock, so a flush and a failing process never send one report twice.
///
/// # Errors
///
/// When `config` names no repository or token.
pub fn flush(config: &Config, progress: impl FnMut(usize, usize)) -> crate::Result<FlushSummary> {
    flush_asking(config, progress, |_| true)
}

/// [`flush`], sending only the reports `ask` says yes to (given each one's queue file): for
/// `confirm_before_send`. The others stay queued, counted in
/// [`FlushSummary::not_confirmed`].
///
/// # Errors
///
/// When `config` names no repository or token.
pub fn flush_asking(
    config: &Config,
    mut progress: impl FnMut(usize, usize),
    mut ask: impl FnMut(&Path) -> bool,
) -> crate::Result<FlushSummary> {
    let client = client_for(config)?;
    let queue = Queue::for_config(config);
    if let Ok(_lock) = ReportingLock::acquire(&config.config_dir, time_bound(config)) {
        // Reports of processes that died before their worker had them wait as hand-offs.
        crate::handoff::settle_abandoned(config);
    }
    crate::durable::remove_abandoned_temporaries(queue.dir());
    crate::durable::remove_abandoned_temporaries(&config.config_dir);
    let files = queue.sendable_files();
    let mut summary = FlushSummary::default();
    for (done, path) in files.iter().enumerate() {
        if !ask(path) {
            summary.not_confirmed += 1;
            progress(done + 1, files.len());
            continue;
        }
        let delivered = ReportingLock::acquire(&config.config_dir, time_bound(config))
            .map_err(GitHubError::from)
            .and_then(|_lock| {
                let exists = path.exists();
                deliver_file_locked(&client, config, &queue, path).map(|o| (exists, o))
            });
        match delivered {
            Ok((_, Some(Outcome::Reported { url, .. }))) => summary.reported.push(url),
            Ok((_, Some(Outcome::Recurred { url, .. }))) => summary.recurred.push(url),
            Ok((_, Some(Outcome::Ignored { .. }))) => summary.ignored += 1,
            Ok((_, Some(_))) => summary.throttled += 1,
            // Sent by another process meanwhile.
            Ok((false, None)) => {}
            Ok((true, None)) => summary
                .unreadable
                .push(path.with_extension("json.unreadable")),
            // Held back for its own reason: the reports after it may still go.
            Err(error @ GitHubError::FloodGuard(_)) => summary.stopped = Some(error),
            // Refused for good, and kept: the others may still go.
            Err(error) if error.is_permanent() => {
                summary.rejected.push((path.clone(), error.to_string()));
            }
            Err(error) => {
                summary.stopped = Some(error);
                break;
            }
        }
        progress(done + 1, files.len());
    }
    summary.remaining = queue.len();
    // What waits to be notified goes now, failed ones too: a flush is asked for.
    summary.notifications = crate::notify::send_pending(config, Duration::ZERO);
    Ok(summary)
}

/// Send the queued report in `path` now, under the machine's reporting lock: for a user who
/// said yes to it (`confirm_before_send`).
///
/// # Errors
///
/// When `config` names no repository or token.
pub fn send_queued_report(config: &Config, path: &Path) -> crate::Result<Outcome> {
    let client = client_for(config)?;
    let queue = Queue::for_config(config);
    let delivered = ReportingLock::acquire(&config.config_dir, time_bound(config))
        .map_err(GitHubError::from)
        .and_then(|_lock| deliver_file_locked(&client, config, &queue, path));
    Ok(match delivered {
        Ok(Some(outcome)) => outcome,
        Ok(None) => Outcome::Failed {
            reason: format!(
                "{} is no longer in the queue (sent by another process, or unreadable)",
                path.display()
            ),
        },
        Err(error) if error.is_permanent() => Outcome::Refused {
            path: path.to_path_buf(),
            reason: error.to_string(),
        },
        Err(error) => Outcome::Queued {
            path: path.to_path_buf(),
            reason: error.to_string(),
        },
    })
}

/// The client of `config`, or what is missing for one.
fn client_for(config: &Config) -> crate::Result<GitHubClient> {
    GitHubClient::from_config(config).ok_or_else(|| crate::Error::InvalidConfig {
        key: "github_repo / GITHUB_TOKEN".to_string(),
        message: format!(
            "flushing needs a repository and a token: {}",
            config
                .missing_for_github()
                .unwrap_or_else(|| "the GitHub client could not be built".to_string())
        ),
    })
}
