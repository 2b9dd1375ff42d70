//! Trace IDs: W3C trace-context compatible. (Stub: being written.)

/// A new trace ID: the one in `TRACEPARENT` when valid, else a random one.
pub(crate) fn new_trace_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{nanos:032x}")
}
