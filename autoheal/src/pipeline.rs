//! The reporting pipeline: from a capture to a delivered report.
//!
//! `init` installs one pipeline for the process. The outermost annotated frame, the panic hook
//! and the manual capture functions hand it a [`Capture`]; it builds the [`Report`], redacts
//! it, fingerprints it and gives it to the sink, on the calling thread.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};

use crate::capture::{self, Capture};
use crate::redact::Redactor;
use crate::report::{Report, SCHEMA_VERSION};
use crate::{Config, Delivery, Outcome, Sink, SpoolSink};

static ACTIVE: RwLock<Option<Arc<Pipeline>>> = RwLock::new(None);
static LAST_DELIVERY: Mutex<Option<Delivery>> = Mutex::new(None);

/// How long dropping the [`Guard`] waits for the sink to flush.
const FLUSH_ON_DROP: Duration = Duration::from_secs(2);

pub(crate) struct Pipeline {
    config: Config,
    sink: Box<dyn Sink>,
    /// Set by `test::count_captures`: captures are counted and dropped, no report is built.
    #[cfg(feature = "test")]
    pub(crate) capture_counter: Option<Arc<std::sync::atomic::AtomicU64>>,
    redactor: Redactor,
    /// Whether each report is also kept as `config_dir/last_report.json` (see
    /// [`crate::fix::last_report`]); off for the in-memory test pipelines.
    remember_last: bool,
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

/// Keeps autoheal installed. Dropping it flushes the sink (bounded) and stops reporting.
#[must_use = "autoheal stops reporting when the guard is dropped"]
#[derive(Debug)]
pub struct Guard {
    pipeline: Arc<Pipeline>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.pipeline.sink.flush(FLUSH_ON_DROP);
        let mut active = ACTIVE.write();
        if active
            .as_ref()
            .is_some_and(|p| Arc::ptr_eq(p, &self.pipeline))
        {
            *active = None;
        }
    }
}

/// Install `config`, its sink and the panic hook.
///
/// With a repository, a token and `auto_create_issues`, reports are filed on GitHub (queued
/// first, de-duplicated); otherwise they stay in the local queue.
///
/// Until the returned guard is dropped, failures escaping `#[auto_heal]` functions, panics and
/// [`capture_error`](crate::capture_error) calls are reported. Calling `init` again replaces
/// the configuration.
pub fn init(config: Config) -> Guard {
    let sink = configured_sink(&config);
    install(config, sink)
}

/// The sink `config` asks for: GitHub with a repository, a token and `auto_create_issues`;
/// otherwise the local queue, which says why reports wait there.
pub(crate) fn configured_sink(config: &Config) -> Box<dyn Sink> {
    if config.auto_create_issues
        && let Some(sink) = crate::github::GitHubSink::new(config)
    {
        return Box::new(sink);
    }
    let reason = match (&config.github_repo, &config.github_token) {
        (Some(_), Some(_)) => "auto_create_issues is off",
        (Some(_), None) => "no GitHub token is set (GITHUB_TOKEN)",
        (None, Some(_)) => "no GitHub repository is configured",
        (None, None) => "no GitHub repository or token is configured",
    };
    Box::new(SpoolSink::for_config(config).with_reason(reason))
}

/// Install `config` with a sink of your own, and the panic hook.
///
/// Whatever the sink does with a report, the last one is also kept in
/// `config_dir/last_report.json` for [`fix::last_report`](crate::fix::last_report).
pub fn init_with_sink(config: Config, sink: impl Sink) -> Guard {
    install(config, Box::new(sink))
}

fn install(config: Config, sink: Box<dyn Sink>) -> Guard {
    crate::layer::set_capacity(config.max_log_lines);
    crate::panic_hook::install();
    let mut pipeline = Pipeline::new(config, sink);
    pipeline.remember_last = true;
    let pipeline = Arc::new(pipeline);
    *ACTIVE.write() = Some(Arc::clone(&pipeline));
    Guard { pipeline }
}

/// What became of the last report this process made, if any.
///
/// Use it after a failure to tell the user where the report went.
pub fn last_delivery() -> Option<Delivery> {
    LAST_DELIVERY.lock().clone()
}

impl Pipeline {
    pub(crate) fn new(config: Config, sink: Box<dyn Sink>) -> Self {
        let redactor = Redactor::for_config(&config);
        Pipeline {
            config,
            sink,
            redactor,
            #[cfg(feature = "test")]
            capture_counter: None,
            remember_last: false,
        }
    }

    /// The configured number of log lines, for installing the pipeline.
    #[cfg(feature = "test")]
    pub(crate) fn config_max_log_lines(&self) -> usize {
        self.config.max_log_lines
    }

    fn deliver(&self, capture: Capture) -> Delivery {
        if !self.config.enabled {
            return Delivery {
                trace_id: crate::trace_id::new_trace_id(),
                fingerprint: String::new(),
                outcome: Outcome::Disabled,
            };
        }
        let report = self.build(capture);
        if self.remember_last
            && let Err(error) = crate::fix::remember_last_report(&self.config, &report)
        {
            self.debug(&format!("the last report could not be kept: {error}"));
        }
        let outcome = self.sink.send(&report);
        if let Outcome::Failed { reason } = &outcome {
            self.debug(&format!(
                "report {} could not be stored or sent: {reason}",
                report.trace_id
            ));
        }
        Delivery {
            trace_id: report.trace_id,
            fingerprint: report.fingerprint,
            outcome,
        }
    }

    /// Turn a capture into a redacted, fingerprinted report. Symbols are resolved here.
    pub(crate) fn build(&self, capture: Capture) -> Report {
        let config = &self.config;
        // The application's crate: the annotated function's, else the application's name.
        let app_crate = capture
            .site
            .module
            .split("::")
            .next()
            .filter(|c| !c.is_empty())
            .unwrap_or(&config.app.name)
            .to_string();
        let backtrace = capture
            .backtrace
            .map(|b| b.resolve(&app_crate))
            .unwrap_or_default();
        let mut site = capture.site;
        if site.function.is_empty() {
            // A panic: its site is the innermost application frame, named by its function
            // (the closure an annotated function runs its body in is not a function of its own).
            if let Some(frame) = backtrace.iter().find(|f| f.in_app) {
                site.function = crate::__private::function_path(&frame.function);
                site.module = site
                    .function
                    .rsplit_once("::")
                    .map(|(m, _)| m.to_string())
                    .unwrap_or_default();
            }
        }
        if site.function.is_empty() {
            site.function = format!("{}:{}", site.file, site.line);
        }
        let mut labels: Vec<String> = Vec::new();
        for label in config.issue_labels.iter().chain(&capture.labels) {
            if !label.is_empty() && !labels.contains(label) {
                labels.push(label.clone());
            }
        }
        let mut report = Report {
            schema: SCHEMA_VERSION,
            trace_id: crate::trace_id::new_trace_id(),
            timestamp: humantime::format_rfc3339_millis(capture.time).to_string(),
            fingerprint: String::new(),
            kind: capture.kind,
            error: capture.error,
            site,
            frames: capture.frames,
            command: crate::system::command_line(),
            backtrace,
            logs: crate::layer::recent_lines(config.max_log_lines),
            spans: capture.spans,
            env: crate::system::allowed_env(&config.app),
            system: crate::system::system_info(&config.app),
            labels,
        };
        self.redactor.redact_report(&mut report);
        report.fingerprint = crate::fingerprint::fingerprint(&report);
        report
    }

    fn debug(&self, message: &str) {
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

/// Report a finished capture through the installed pipeline. Never panics, never recurses.
pub(crate) fn report(capture: Capture) -> Option<Delivery> {
    let pipeline = active()?;
    #[cfg(feature = "test")]
    if let Some(counter) = &pipeline.capture_counter {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        drop(capture);
        return None;
    }
    let Some(delivery) = capture::guarded(|| pipeline.deliver(capture)) else {
        pipeline.debug("reporting a failure panicked inside autoheal; that report was dropped");
        return None;
    };
    *LAST_DELIVERY.lock() = Some(delivery.clone());
    Some(delivery)
}
