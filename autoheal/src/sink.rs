//! Where reports go: the [`Sink`] trait.

use std::fmt;
use std::time::Duration;

use crate::{Outcome, Report};

/// A destination for finished reports (already redacted and fingerprinted).
///
/// Implementations must not panic and must bound the time they take: they run on the thread
/// that failed.
pub trait Sink: Send + Sync + 'static {
    /// Deliver one report and say what became of it.
    fn send(&self, report: &Report) -> Outcome;

    /// Deliver anything held back, waiting at most `timeout`. Returns whether all of it went.
    fn flush(&self, timeout: Duration) -> bool {
        let _ = timeout;
        true
    }
}

impl fmt::Debug for dyn Sink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dyn Sink")
    }
}
