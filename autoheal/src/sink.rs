//! Where reports go: the [`Sink`] trait.

use std::fmt;
use std::time::Duration;

use crate::{Outcome, Report};

/// A destination for finished reports (already redacted and fingerprinted).
///
/// Reports reach it on autoheal's background worker thread, one at a time, in the order the
/// failures happened; never on the thread that failed. Implementations must not panic and
/// should bound the time they take: the reports after this one wait for it, and
/// [`flush`](crate::flush) and the [`Guard`](crate::Guard) wait with a bound.
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
