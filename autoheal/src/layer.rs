//! The log context layer: keeps the recent log lines for reports. (Stub: being written.)

use tracing::Subscriber;
use tracing_subscriber::Layer;
use tracing_subscriber::registry::LookupSpan;

/// A layer that keeps the last log lines, for reports.
pub fn layer() -> ContextLayer {
    ContextLayer { _private: () }
}

/// The tracing-subscriber layer returned by [`layer`].
#[derive(Debug)]
pub struct ContextLayer {
    _private: (),
}

impl<S> Layer<S> for ContextLayer where S: Subscriber + for<'a> LookupSpan<'a> {}

/// The last `max` log lines, oldest first.
pub(crate) fn recent_lines(max: usize) -> Vec<String> {
    let _ = max;
    Vec::new()
}

/// The span stack at this point, outermost first.
pub(crate) fn current_spans() -> Vec<String> {
    Vec::new()
}

/// Resize the global buffer.
pub(crate) fn set_capacity(lines: usize) {
    let _ = lines;
}
