//! The reporting pipeline: from a capture to a delivered report.
//!
//! `init` installs one pipeline for the process. The outermost annotated frame, the panic hook
//! and the manual capture functions hand it a [`Capture`]. On the failing thread it only
//! prepares the report (redacted, without resolving symbols) and hands it off: a synced file in
//! the queue, then a message to the background [`worker`](crate::worker). The worker resolves,
//! fingerprints, stores and sends it; [`flush`] waits for it.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::sync::{Mutex, RwLock};

use crate::capture::{self, Capture};
use crate::handoff::{self, Backtrace, Pending};
use crate::queue::Queue;
use crate::redact::Redactor;
use crate::report::{Report, SCHEMA_VERSION};
use crate::{Config, Delivery, Outcome, Sink};

static ACTIVE: RwLock<Option<Arc<Pipeline>>> = RwLock::new(None);
static LAST_DELIVERY: Mutex<Option<Delivery>> = Mutex::new(None);

/// How long dropping the [`Guard`] waits for the reports in flight.
const FLUSH_ON_DROP: Duration = Duration::from_secs(5);

/// Where settled reports go.
pub(crate) enum Destination {
    /// The application's queue, then GitHub: a repository and a token are configured.
    #[cfg(feature = "github")]
    GitHub(Box<crate::github::GitHubSink>),
    /// The application's queue alone.
    Queue {
        /// Why reports stay queued: there is no GitHub to send them to.
        reason: String,
    },
    /// A sink of the program's own.
    Sink(Box<dyn Sink>),
}

pub(crate) struct Pipeline {
    config: Config,
    destination: Destination,
    /// Set by `test::count_captures`: captures are counted and dropped, no report is built.
    #[cfg(feature = "test")]
    pub(crate) capture_counter: Option<Arc<std::sync::atomic::AtomicU64>>,
    redactor: Redactor,
    /// Whether reports are handed off through a file in the queue (surviving a crash) and
    /// the last one kept as `config_dir/last_report.json` (see [`crate::fix::last_report`]);
    /// off for the in-memory test pipelines.
    durable: bool,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What the failing path needs to know before capturing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CaptureSettings {
    pub(crate) backtrace: bool,
}

/// Keeps autoheal installed. Dropping it waits (up to 5 seconds) for the reports handed to
/// the background worker, then stops reporting.
#[must_use = "autoheal stops reporting when the guard is dropped"]
#[derive(Debug)]
pub struct Guard {
    pipeline: Arc<Pipeline>,
}

impl Guard {
    /// The configuration installed: for [`notice::after_failure`](crate::notice::after_failure)
    /// after a failure.
    pub fn config(&self) -> &Config {
        &self.pipeline.config
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        crate::worker::flush(FLUSH_ON_DROP);
        let _ = crate::capture::guarded(crate::history::record_pending_rules);
        let mut active = ACTIVE.write();
        if active
            .as_ref()
            .is_some_and(|p| Arc::ptr_eq(p, &self.pipeline))
        {
            *active = None;
        }
    }
}

/// Install `config`, its destination and the panic hook, and start the background worker.
///
/// With a repository, a token and `auto_create_issues`, reports are filed on GitHub (queued
/// first, de-duplicated); otherwise they stay in the local queue. Reports that earlier runs
/// left in the queue are sent in the background as soon as `init` returns. Built without the
/// `github` feature, autoheal keeps every report in the local queue, and the
/// [`Outcome::Queued`] reason says so: use [`init_with_sink`] to send reports elsewhere.
///
/// Until the returned guard is dropped, failures escaping `#[auto_heal]` functions, panics and
/// [`capture_error`](crate::capture_error) calls are reported. Calling `init` again replaces
/// the configuration.
pub fn init(config: Config) -> Guard {
    if config.privacy.confirm_before_send {
        // Nothing is sent without the user's yes: the notice or `flush` asks on a terminal.
        return install(
            config,
            Destination::Queue {
                reason: CONFIRM_REASON.to_string(),
            },
        );
    }
    let destination = match configured_github(&config) {
        #[cfg(feature = "github")]
        Ok(github) => Destination::GitHub(Box::new(github)),
        Err(reason) => Destination::Queue { reason },
    };
    install(config, destination)
}

/// Why reports wait in the queue when `confirm_before_send` is on.
pub(crate) const CONFIRM_REASON: &str =
    "confirm_before_send is on: it is sent only once you say yes";

/// The GitHub sink `config` asks for, or why there is none.
#[cfg(feature = "github")]
fn configured_github(config: &Config) -> Result<crate::github::GitHubSink, String> {
    if config.auto_create_issues
        && let Some(sink) = crate::github::GitHubSink::new(config)
    {
        return Ok(sink);
    }
    Err(config
        .missing_for_github()
        .unwrap_or_else(|| "auto_create_issues is off".to_string()))
}

/// Without the `github` feature there is no GitHub to send to, whatever `config` says.
#[cfg(not(feature = "github"))]
fn configured_github(_config: &Config) -> Result<std::convert::Infallible, String> {
    Err(WITHOUT_GITHUB.to_string())
}

/// Why reports stay queued in a program built without the `github` feature.
#[cfg(not(feature = "github"))]
pub(crate) const WITHOUT_GITHUB: &str =
    "autoheal was built without its `github` feature: reports stay in the local queue";

/// The sink `config` asks for, for a command that sends one report itself: GitHub with a
/// repository, a token and `auto_create_issues`; otherwise the local queue, which says why
/// reports wait there.
#[cfg(feature = "heal")]
pub(crate) fn configured_sink(config: &Config) -> Box<dyn Sink> {
    match configured_github(config) {
        Ok(github) => Box::new(github),
        Err(reason) => Box::new(crate::spool::SpoolSink::for_config(config).with_reason(reason)),
    }
}

/// Install `config` with a sink of your own, and the panic hook.
///
/// The sink runs on the background worker. Whatever it does with a report, the last one is
/// also kept in `config_dir/last_report.json` (read back by `autoheal::fix::last_report` with the `heal` feature),
/// and a report stays in the queue directory until the sink has had it.
pub fn init_with_sink(config: Config, sink: impl Sink) -> Guard {
    install(config, Destination::Sink(Box::new(sink)))
}

fn install(config: Config, destination: Destination) -> Guard {
    crate::layer::set_capacity(config.max_log_lines);
    crate::layer::set_level(config.log_level);
    crate::panic_hook::install();
    // Read where the program's code is loaded now, not on the first failing thread.
    let _ = crate::modules::this_process();
    let mut pipeline = Pipeline::new(config, destination);
    pipeline.durable = true;
    let pipeline = Arc::new(pipeline);
    *ACTIVE.write() = Some(Arc::clone(&pipeline));
    if pipeline.config.enabled {
        crate::worker::send_waiting(Arc::clone(&pipeline));
    }
    Guard { pipeline }
}

/// What became of the last failure this process reported.
///
/// Right after the failure the report is [`Outcome::Pending`]: written to the queue and handed
/// to the background worker. Once the worker is done with it (after [`flush`] returns `true`,
/// or the [`Guard`] is dropped) it says where the report went. `None` when the last failure
/// was not reported (autoheal was not installed when it happened) or nothing failed yet.
pub fn last_delivery() -> Option<Delivery> {
    LAST_DELIVERY.lock().clone()
}

/// Wait, at most `timeout`, until the background worker has finished with every report handed
/// to it so far. Returns whether it has; those it has not stay in the queue and are sent in
/// the background (or by the next run).
///
/// A short-lived program calls it before telling the user what became of a failure (see
/// [`last_delivery`]); dropping the [`Guard`] does it too.
pub fn flush(timeout: Duration) -> bool {
    crate::worker::flush(timeout)
}

/// A failure happened while nothing reports it: [`last_delivery`] must not speak of an older
/// one.
pub(crate) fn forget_last_delivery() {
    *LAST_DELIVERY.lock() = None;
}

impl Pipeline {
    pub(crate) fn new(config: Config, destination: Destination) -> Self {
        let redactor = Redactor::for_config(&config);
        Pipeline {
            config,
            destination,
            redactor,
            #[cfg(feature = "test")]
            capture_counter: None,
            durable: false,
        }
    }

    /// The configured number of log lines, for installing the pipeline.
    #[cfg(feature = "test")]
    pub(crate) fn config_max_log_lines(&self) -> usize {
        self.config.max_log_lines
    }

    /// On the failing thread: prepare the report and hand it to the worker. [`last_delivery`]
    /// says `Pending` before the worker can have finished, so that the worker's answer is
    /// never overwritten.
    fn hand_off(self: &Arc<Self>, capture: Capture) -> Delivery {
        if !self.config.enabled {
            return remember(Delivery {
                trace_id: crate::trace_id::new_trace_id(),
                fingerprint: String::new(),
                outcome: Outcome::Disabled,
            });
        }
        let app_crate = capture
            .site
            .module
            .split("::")
            .next()
            .filter(|c| !c.is_empty())
            .unwrap_or(&self.config.app.name)
            .to_string();
        let (report, backtrace) = self.prepare(capture);
        let trace_id = report.trace_id.clone();
        let path = match self.durable {
            true => {
                let pending = Pending {
                    app_crate: app_crate.clone(),
                    backtrace: backtrace
                        .as_ref()
                        .map(|b| crate::modules::this_process().relative(&b.ips())),
                };
                match handoff::write(&Queue::for_config(&self.config), &report, pending) {
                    Ok(path) => Some(path),
                    Err(error) => {
                        self.debug(&format!(
                            "report {trace_id} could not be written to the queue: {error}"
                        ));
                        None
                    }
                }
            }
            false => None,
        };
        let pending = remember(Delivery {
            trace_id: trace_id.clone(),
            fingerprint: String::new(),
            outcome: Outcome::Pending { path: path.clone() },
        });
        let job = crate::worker::Job {
            pipeline: Arc::clone(self),
            report,
            app_crate,
            backtrace: backtrace.map_or(Backtrace::None, Backtrace::InMemory),
            handoff: path.clone(),
        };
        let outcome = match crate::worker::submit(job) {
            Ok(()) => return pending,
            Err(overflow) => match path {
                // The worker is behind: the report waits in the queue, where it looks once it
                // has caught up.
                Some(_) => {
                    overflow.left_on_disk();
                    return pending;
                }
                None => Outcome::Failed {
                    reason: "the background worker is behind and the report could not be \
                             written to the queue"
                        .to_string(),
                },
            },
        };
        remember(Delivery {
            trace_id,
            fingerprint: String::new(),
            outcome,
        })
    }

    /// The report of `capture`, redacted, without its resolved backtrace and fingerprint; and
    /// the backtrace to resolve.
    fn prepare(&self, capture: Capture) -> (Report, Option<crate::stack::UnresolvedBacktrace>) {
        let config = &self.config;
        let mut labels: Vec<String> = Vec::new();
        for label in config.issue_labels.iter().chain(&capture.labels) {
            if !label.is_empty() && !labels.contains(label) {
                labels.push(label.clone());
            }
        }
        let mut report = Report {
            schema: SCHEMA_VERSION,
            trace_id: crate::trace_id::new_trace_id(),
            timestamp: crate::timestamp::millis(capture.time).to_string(),
            fingerprint: String::new(),
            kind: capture.kind,
            error: capture.error,
            site: capture.site,
            frames: capture.frames,
            command: crate::system::command_line(),
            backtrace: Vec::new(),
            logs: crate::layer::recent_lines(config.max_log_lines),
            spans: capture.spans,
            env: crate::system::allowed_env(&config.app),
            system: crate::system::system_info(&config.app),
            labels,
        };
        report.system.source_url =
            crate::system::source_url(&config.app, config.github_repo.as_deref(), &config.api_url);
        config.privacy.strip(&mut report);
        self.redactor.redact_report(&mut report);
        (report, capture.backtrace)
    }

    /// On the worker: finish a handed-off report and deliver it. `handoff` is its file, if
    /// it has one.
    pub(crate) fn settle_and_deliver(
        &self,
        report: Report,
        app_crate: &str,
        backtrace: Backtrace,
        handoff: Option<&Path>,
    ) -> Delivery {
        let mut report = handoff::settle(report, app_crate, backtrace, &self.redactor);
        self.config.privacy.strip(&mut report);
        if let Some(rule) = self.config.privacy.ignored_by(&report) {
            return self.ignore(report, rule, handoff);
        }
        if self.durable
            && let Err(error) = crate::last_report::remember(&self.config, &report)
        {
            self.debug(&format!("the last report could not be kept: {error}"));
        }
        let outcome = match &self.destination {
            #[cfg(feature = "github")]
            Destination::GitHub(github) => github.send_stored(&report, handoff),
            Destination::Queue { reason } => match self.store_locked(&report, handoff) {
                Ok(stored) => Outcome::Queued {
                    path: stored.path,
                    reason: reason.clone(),
                },
                Err(error) => Outcome::Failed {
                    reason: error.to_string(),
                },
            },
            Destination::Sink(sink) => {
                let outcome = sink.send(&report);
                // The sink has it (or keeps it itself): the hand-off is done. A sink that
                // failed leaves it, for the next run to try again.
                if let Some(handoff) = handoff
                    && !matches!(outcome, Outcome::Failed { .. })
                {
                    let _ = std::fs::remove_file(handoff);
                }
                outcome
            }
        };
        if let Outcome::Failed { reason } = &outcome {
            self.debug(&format!(
                "report {} could not be stored or sent: {reason}",
                report.trace_id
            ));
        }
        self.recorded(report, outcome)
    }

    /// Record the failure `report` and its `outcome` in the local history (of a durable
    /// pipeline), and say what became of it.
    fn recorded(&self, report: Report, outcome: Outcome) -> Delivery {
        if self.durable
            && let Some(entry) =
                crate::history::entry_for(&report, &outcome, crate::history::EntryKind::Failure)
        {
            crate::history::record_failure(&self.config, &report, &entry);
        }
        Delivery {
            trace_id: report.trace_id,
            fingerprint: report.fingerprint,
            outcome,
        }
    }

    /// An ignore rule matched `report`: nothing of it is kept or sent, the failure is counted.
    fn ignore(&self, report: Report, rule: String, handoff: Option<&Path>) -> Delivery {
        if let Some(handoff) = handoff {
            let _ = std::fs::remove_file(handoff);
        }
        if self.durable
            && let Err(error) = crate::privacy::count_ignored(&self.config, &rule)
        {
            self.debug(&format!("an ignored failure could not be counted: {error}"));
        }
        let outcome = Outcome::Ignored { rule };
        self.recorded(report, outcome)
    }

    /// Store `report` in the queue, added to a waiting report of its bug when the reporting
    /// lock could be taken (no other process is sending that report meanwhile).
    fn store_locked(
        &self,
        report: &Report,
        handoff: Option<&Path>,
    ) -> crate::Result<crate::queue::Stored> {
        let wait = Duration::from_secs(self.config.timeout_secs.max(1));
        let lock = crate::reporting_lock::ReportingLock::acquire(&self.config.config_dir, wait);
        let any: &dyn Fn(&str) -> bool = &|_| true;
        Queue::for_config(&self.config).store(report, handoff, lock.is_ok().then_some(any))
    }

    /// On the worker: send what earlier runs (or, with `own`, this one, when the worker fell
    /// behind) handed off or left in the queue, within the sink's time bound.
    pub(crate) fn send_waiting(&self, own: bool) -> crate::worker::Backlog {
        use crate::worker::Backlog;
        if !self.durable {
            return Backlog::Empty;
        }
        handoff::for_each_abandoned(&self.config, own, |path, report, pending| {
            let backtrace = pending
                .backtrace
                .map_or(Backtrace::None, Backtrace::Written);
            let delivery =
                self.settle_and_deliver(report, &pending.app_crate, backtrace, Some(&path));
            delivered(&delivery);
        });
        match &self.destination {
            #[cfg(feature = "github")]
            Destination::GitHub(github) => match github.send_queued() {
                Ok(sent) if sent > 0 && !Queue::for_config(&self.config).is_empty() => {
                    Backlog::More
                }
                Ok(_) => Backlog::Empty,
                Err(error) => {
                    self.debug(&format!("queued reports wait: {error}"));
                    match error.is_transient() {
                        true => Backlog::Unreachable,
                        false => Backlog::Empty,
                    }
                }
            },
            _ => Backlog::Empty,
        }
    }

    /// On the worker: send the notifications that wait (new issues, regressions), within
    /// their time bound; a failure leaves them waiting and goes to the debug channel only.
    /// Returns whether some still wait, for the worker to come back to them.
    pub(crate) fn send_notifications(&self) -> bool {
        if !self.durable || self.config.notify.channels().is_empty() {
            return false;
        }
        let sent = crate::capture::guarded(|| {
            crate::notify::send_pending(&self.config, crate::notify::RETRY_GAP)
        });
        let Some(sent) = sent else {
            return false;
        };
        for failure in &sent.failed {
            self.debug(&format!("a notification waits: {failure}"));
        }
        sent.waiting > 0
    }

    pub(crate) fn debug(&self, message: &str) {
        if self.config.debug
            || std::env::var_os("AUTOHEAL_DEBUG").is_some_and(|v| !v.is_empty() && v != "0")
        {
            eprintln!("[autoheal] {message}");
        }
    }
}

/// The installed pipeline, if any.
pub(crate) fn active() -> Option<Arc<Pipeline>> {
    ACTIVE.read().clone()
}

/// Replace the installed pipeline, returning the one it replaces.
#[cfg(feature = "test")]
pub(crate) fn swap_active(pipeline: Option<Arc<Pipeline>>) -> Option<Arc<Pipeline>> {
    std::mem::replace(&mut *ACTIVE.write(), pipeline)
}

/// `None` when nothing is installed: the failing path then does no work at all.
pub(crate) fn capture_settings() -> Option<CaptureSettings> {
    let active = ACTIVE.read();
    let config = &active.as_ref()?.config;
    Some(CaptureSettings {
        backtrace: config.enabled && config.include_stack_trace,
    })
}

/// `text` with the installed pipeline's secrets masked, or `None` when nothing is installed or
/// `text` holds no secret.
pub(crate) fn redacted_if_secret(text: &str) -> Option<String> {
    let pipeline = active()?;
    match pipeline.redactor.redact(text) {
        std::borrow::Cow::Borrowed(_) => None,
        std::borrow::Cow::Owned(masked) => Some(masked),
    }
}

/// Report a finished capture through the installed pipeline: hand it off and return at once.
/// Never panics, never recurses, never waits for the network.
pub(crate) fn report(capture: Capture) -> Option<Delivery> {
    let Some(pipeline) = active() else {
        forget_last_delivery();
        return None;
    };
    #[cfg(feature = "test")]
    if let Some(counter) = &pipeline.capture_counter {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        drop(capture);
        return None;
    }
    let delivery = capture::guarded(|| pipeline.hand_off(capture));
    if delivery.is_none() {
        pipeline.debug("reporting a failure panicked inside autoheal; that report was dropped");
    }
    delivery
}

/// Make `delivery` the one [`last_delivery`] returns.
fn remember(delivery: Delivery) -> Delivery {
    *LAST_DELIVERY.lock() = Some(delivery.clone());
    delivery
}

/// The worker finished with a report: [`last_delivery`] says so, unless a newer failure
/// happened since.
pub(crate) fn delivered(delivery: &Delivery) {
    let mut last = LAST_DELIVERY.lock();
    if last
        .as_ref()
        .is_some_and(|l| l.trace_id == delivery.trace_id)
    {
        *last = Some(delivery.clone());
    }
}

#[cfg(all(test, not(feature = "github")))]
mod without_github {
    use super::*;

    #[test]
    fn init_keeps_reports_queued_and_says_it_was_built_without_github() {
        let mut config = Config::for_app(crate::App::new("app", "APP_", "0.1.0"));
        config.github_repo = Some("acme/tools".to_string());
        config.github_token = Some(crate::Token::new("not-a-real-token"));
        let Err(reason) = configured_github(&config);
        assert!(reason.contains("without its `github` feature"), "{reason}");
    }
}
