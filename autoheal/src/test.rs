//! Testing code that uses autoheal: run it with an in-memory sink and look at what it reported.
//!
//! Enabled by the `test` feature.

use std::sync::Arc;

use crate::sync::Mutex;

use crate::pipeline::{self, Destination, Pipeline};
use crate::{App, Config, Outcome, Report, Sink};

/// How long `with_captured_reports` waits for the worker to make the reports.
const FLUSH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// One `with_captured_reports` at a time: the capture sees every thread of the process.
static EXCLUSIVE: Mutex<()> = Mutex::new(());

/// Run `f` with reporting enabled into memory, and return its result with every report made
/// while it ran, from every thread (tasks spawned on a runtime inside `f` included), in the
/// order they were made.
///
/// Calls are serialised across the process; do not nest them.
///
/// ```
/// #[autoheal::auto_heal]
/// fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
///     text.parse()
/// }
///
/// let (result, reports) = autoheal::test::with_captured_reports(|| parse("x"));
/// assert!(result.is_err());
/// assert_eq!(reports.len(), 1);
/// assert_eq!(reports[0].error.type_name, "ParseIntError");
/// ```
pub fn with_captured_reports<R>(f: impl FnOnce() -> R) -> (R, Vec<Report>) {
    with_captured_reports_using(test_config(), f)
}

/// [`with_captured_reports`] with a configuration of your own (it is used as given, so set
/// `enabled`).
pub fn with_captured_reports_using<R>(config: Config, f: impl FnOnce() -> R) -> (R, Vec<Report>) {
    let sink = Arc::new(MemorySink::default());
    let destination = Destination::Sink(Box::new(Arc::clone(&sink)));
    let result = run_installed(Pipeline::new(config, destination), f);
    // The reports are made by the background worker: wait for it.
    crate::worker::flush(FLUSH_TIMEOUT);
    let reports = std::mem::take(&mut *sink.reports.lock());
    (result, reports)
}

/// Run `f` with `pipeline` installed, one such run at a time, restoring the previous pipeline
/// afterwards (also when `f` panics).
fn run_installed<R>(pipeline: Pipeline, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Option<Arc<Pipeline>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(previous) = self.0.take() {
                pipeline::swap_active(previous);
            }
        }
    }
    let _exclusive = EXCLUSIVE.lock();
    crate::layer::set_capacity(pipeline.config_max_log_lines());
    crate::panic_hook::install();
    let _restore = Restore(Some(pipeline::swap_active(Some(Arc::new(pipeline)))));
    f()
}

/// Run `f` with failures captured but no report built (no symbol resolution, no redaction, no
/// sink): the cost of the failing path itself, for benchmarks. Returns how many failures were
/// captured. Serialised with [`with_captured_reports`].
pub fn count_captures<R>(config: Config, f: impl FnOnce() -> R) -> (R, u64) {
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let destination = Destination::Sink(Box::new(MemorySink::default()));
    let mut pipeline = Pipeline::new(config, destination);
    pipeline.capture_counter = Some(Arc::clone(&counter));
    let result = run_installed(pipeline, f);
    (result, counter.load(std::sync::atomic::Ordering::Relaxed))
}

/// The configuration `with_captured_reports` uses: enabled, app `test`, defaults otherwise.
pub fn test_config() -> Config {
    let mut config = Config::for_app(App::new(
        "test",
        "AUTOHEAL_TEST_",
        env!("CARGO_PKG_VERSION"),
    ));
    config.enabled = true;
    config
}

/// A sink that keeps reports in memory.
#[derive(Debug, Default)]
pub struct MemorySink {
    reports: Mutex<Vec<Report>>,
}

impl MemorySink {
    /// The reports received so far.
    pub fn reports(&self) -> Vec<Report> {
        self.reports.lock().clone()
    }
}

impl Sink for MemorySink {
    fn send(&self, report: &Report) -> Outcome {
        self.reports.lock().push(report.clone());
        Outcome::Queued {
            path: "memory".into(),
            reason: "kept in memory for a test".to_string(),
        }
    }
}

impl Sink for Arc<MemorySink> {
    fn send(&self, report: &Report) -> Outcome {
        MemorySink::send(self, report)
    }
}
