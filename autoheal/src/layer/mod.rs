//! The log context layer: keeps the recent log lines and the span fields, so that a report
//! carries what the program was doing before it failed.

mod buffer;
mod format;

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};
use std::time::SystemTime;

use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::Registry;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use self::buffer::{DEFAULT_MAX_BYTES, LogBuffer};
use self::format::{EventVisitor, MAX_LINE_BYTES, SpanVisitor, span_label, truncate_line};

/// The process-wide buffer the layer fills and reports read.
static GLOBAL: LazyLock<Arc<LogBuffer>> =
    LazyLock::new(|| Arc::new(LogBuffer::new(100, DEFAULT_MAX_BYTES)));

/// Per-thread scratch space: events are formatted here, outside the buffer's lock, without
/// allocating once warmed up. Borrowed while formatting, which also stops re-entrant events
/// (logged from a `Debug` impl being formatted) from deadlocking.
#[derive(Default)]
struct Scratch {
    line: String,
    message: String,
    fields: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The formatted fields of a span, kept in its extensions.
struct SpanFields(String);

/// A `tracing_subscriber` layer that keeps the last log lines for autoheal's reports.
///
/// ```
/// use tracing_subscriber::prelude::*;
///
/// let subscriber = tracing_subscriber::registry().with(autoheal::layer());
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::info!(port = 8004, "listening");
/// });
/// assert!(autoheal::recent_log_lines().iter().any(|line| line.ends_with("listening port=8004")));
/// ```
///
/// Each line reads `2026-11-25T04:53:09.123Z  INFO target: outer{k=v}:inner: message key=value`,
/// at most 1 KiB. The buffer keeps `max_log_lines` lines (set by [`init`](crate::init); 100 by
/// default) and at most 2 MiB.
pub fn layer() -> ContextLayer {
    ContextLayer {
        buffer: Arc::clone(&GLOBAL),
        level: LevelFilter::DEBUG,
    }
}

/// The layer returned by [`layer`].
#[derive(Debug)]
pub struct ContextLayer {
    buffer: Arc<LogBuffer>,
    level: LevelFilter,
}

impl ContextLayer {
    /// Keep events up to this level (default `DEBUG`). Other layers are not affected.
    pub fn with_level(mut self, level: LevelFilter) -> Self {
        self.level = level;
        self
    }

    #[cfg(test)]
    fn with_private_buffer(buffer: Arc<LogBuffer>) -> Self {
        ContextLayer {
            buffer,
            level: LevelFilter::DEBUG,
        }
    }
}

impl<S> Layer<S> for ContextLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut fields = String::new();
        attrs.record(&mut SpanVisitor(&mut fields));
        span.extensions_mut().insert(SpanFields(fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(SpanFields(fields)) = extensions.get_mut::<SpanFields>() {
            values.record(&mut SpanVisitor(fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let metadata = event.metadata();
        if *metadata.level() > self.level {
            return;
        }
        let _ = SCRATCH.try_with(|cell| {
            let Ok(mut scratch) = cell.try_borrow_mut() else {
                return;
            };
            let Scratch {
                line,
                message,
                fields,
            } = &mut *scratch;
            line.clear();
            message.clear();
            fields.clear();
            let now = humantime::format_rfc3339_millis(SystemTime::now());
            let _ = write!(
                line,
                "{now} {:>5} {}: ",
                metadata.level(),
                metadata.target()
            );
            if let Some(scope) = ctx.event_scope(event) {
                for span in scope.from_root() {
                    let extensions = span.extensions();
                    match extensions.get::<SpanFields>() {
                        Some(SpanFields(span_fields)) if !span_fields.is_empty() => {
                            let _ = write!(line, "{}{{{span_fields}}}:", span.name());
                        }
                        _ => {
                            let _ = write!(line, "{}:", span.name());
                        }
                    }
                }
                line.push(' ');
            }
            event.record(&mut EventVisitor { message, fields });
            line.push_str(message);
            line.push_str(fields);
            truncate_line(line, MAX_LINE_BYTES);
            self.buffer.push(line);
        });
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.level)
    }
}

/// The recent log lines the layer kept, oldest first.
pub fn recent_log_lines() -> Vec<String> {
    GLOBAL.recent(usize::MAX)
}

/// The last `max` log lines, oldest first.
pub(crate) fn recent_lines(max: usize) -> Vec<String> {
    GLOBAL.recent(max)
}

/// Resize the process-wide buffer (to the configured `max_log_lines`).
pub(crate) fn set_capacity(lines: usize) {
    GLOBAL.set_max_lines(lines);
}

/// The current thread's span stack, outermost first, as `name{field=value ...}`. Empty when no
/// `tracing_subscriber::Registry` is installed.
pub(crate) fn current_spans() -> Vec<String> {
    tracing::dispatcher::get_default(|dispatch| {
        let Some(registry) = dispatch.downcast_ref::<Registry>() else {
            return Vec::new();
        };
        let current = dispatch.current_span();
        let Some(span) = current.id().and_then(|id| registry.span(id)) else {
            return Vec::new();
        };
        span.scope()
            .from_root()
            .map(|span| {
                let extensions = span.extensions();
                let fields = extensions.get::<SpanFields>().map_or("", |f| f.0.as_str());
                span_label(span.name(), fields)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::prelude::*;

    fn with_buffer(max_lines: usize, level: LevelFilter, f: impl FnOnce()) -> Vec<String> {
        let buffer = Arc::new(LogBuffer::new(max_lines, DEFAULT_MAX_BYTES));
        let layer = ContextLayer::with_private_buffer(Arc::clone(&buffer)).with_level(level);
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
        buffer.recent(usize::MAX)
    }

    #[test]
    fn lines_carry_time_level_target_spans_message_and_fields() {
        let lines = with_buffer(10, LevelFilter::DEBUG, || {
            let outer = tracing::info_span!("sync", repo = "pins").entered();
            let inner = tracing::debug_span!("fetch").entered();
            tracing::warn!(attempt = 2, cid = "bafk", "retrying");
            drop((inner, outer));
        });
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        let (time, rest) = line.split_once(' ').unwrap();
        assert!(time.ends_with('Z') && time.len() == 24, "{time}");
        assert_eq!(
            rest,
            " WARN autoheal::layer::tests: sync{repo=pins}:fetch: retrying attempt=2 cid=bafk"
        );
    }

    #[test]
    fn its_own_level_filter_applies() {
        let lines = with_buffer(10, LevelFilter::DEBUG, || {
            tracing::trace!("too fine");
            tracing::debug!("kept");
        });
        assert_eq!(lines.len(), 1);
        assert!(lines[0].ends_with("kept"));
        let lines = with_buffer(10, LevelFilter::WARN, || {
            tracing::info!("dropped");
            tracing::error!("kept");
        });
        assert_eq!(lines.len(), 1);
    }

    #[test]
    fn a_span_field_recorded_later_shows() {
        let lines = with_buffer(10, LevelFilter::DEBUG, || {
            let span = tracing::info_span!("request", status = tracing::field::Empty).entered();
            span.record("status", 503);
            tracing::info!("done");
        });
        assert!(
            lines[0].contains("request{status=503}: done"),
            "{}",
            lines[0]
        );
    }

    struct LogsWhenFormatted;
    impl std::fmt::Debug for LogsWhenFormatted {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            tracing::info!("logged from inside Debug");
            f.write_str("value")
        }
    }

    #[test]
    fn an_event_logged_while_formatting_is_skipped_not_a_deadlock() {
        let lines = with_buffer(10, LevelFilter::DEBUG, || {
            tracing::info!(field = ?LogsWhenFormatted, "outer");
        });
        assert_eq!(lines.len(), 1);
        assert!(lines[0].ends_with("outer field=value"), "{}", lines[0]);
    }

    #[test]
    fn threads_logging_at_once_fill_the_buffer_exactly() {
        let buffer = Arc::new(LogBuffer::new(100, DEFAULT_MAX_BYTES));
        let layer = ContextLayer::with_private_buffer(Arc::clone(&buffer));
        let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let dispatch = dispatch.clone();
                std::thread::spawn(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        for i in 0..1000 {
                            tracing::info!(thread = t, i, "event");
                        }
                    })
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let lines = buffer.recent(usize::MAX);
        assert_eq!(lines.len(), 100);
        assert!(lines.iter().all(|l| l.contains("event thread=")));
    }

    #[test]
    fn the_span_stack_is_read_from_the_registry() {
        let subscriber = tracing_subscriber::registry().with(layer());
        let spans = tracing::subscriber::with_default(subscriber, || {
            let _outer = tracing::info_span!("mcp", port = 8004).entered();
            let _inner = tracing::info_span!("accept").entered();
            current_spans()
        });
        assert_eq!(spans, ["mcp{port=8004}", "accept"]);
        assert!(current_spans().is_empty(), "no registry installed here");
    }
}
