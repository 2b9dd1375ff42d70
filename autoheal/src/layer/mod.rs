//! The log context layer: keeps the recent log lines and the span fields, so that a report
//! carries what the program was doing before it failed.
//!
//! A kept line reads
//!
//! ```text
//! 2026-11-25T04:53:09.123Z  INFO my_app::net: mcp{port=8004}:accept: connecting peer=12D3 attempt=2
//! ```
//!
//! the time (RFC 3339, UTC, milliseconds), the level right-aligned in five columns, the target,
//! the spans around the event outermost first, each with its fields, then the message and the
//! event's other fields as `key=value` (strings bare, other values in their `Debug` form). A line
//! is at most 1 KiB; a longer one is cut on a character boundary and ends with `…`.
//!
//! Formatting happens outside any lock, in a per-thread scratch string; the buffer's lock is
//! held only to append the finished line. An event logged while another is being formatted on
//! the same thread (from a `Debug` impl, say) is skipped.

mod buffer;
mod format;
mod spans;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};
use std::time::SystemTime;

use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use self::buffer::{DEFAULT_MAX_BYTES, LogBuffer};
use self::format::{Bounded, EventVisitor, MAX_LINE_BYTES, truncate_line};

/// Lines the process-wide buffer keeps until [`init`](crate::init) sets `max_log_lines`.
const DEFAULT_MAX_LINES: usize = 100;

/// The process-wide buffer that [`layer`] fills and reports read.
static GLOBAL: LazyLock<Arc<LogBuffer>> =
    LazyLock::new(|| Arc::new(LogBuffer::new(DEFAULT_MAX_LINES, DEFAULT_MAX_BYTES)));

/// Per-thread scratch space: events are formatted here, outside the buffer's lock, without
/// allocating once warmed up. Borrowed while formatting, which also stops a re-entrant event
/// (logged from a `Debug` impl being formatted) from deadlocking: it finds the scratch taken
/// and is skipped.
#[derive(Default)]
struct Scratch {
    line: String,
    fields: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// A `tracing_subscriber` layer that keeps the recent log lines for autoheal's reports.
///
/// Add it to the subscriber next to your other layers; it filters for itself (at `DEBUG` and
/// above by default) and changes nothing the other layers see. Reports carry the last
/// `max_log_lines` lines of the configuration (100 by default) and the span stack where the
/// error was captured. The buffer holds at most 2 MiB of text; see the [module
/// docs](self) for the line format.
///
/// ```
/// use tracing_subscriber::prelude::*;
///
/// let subscriber = tracing_subscriber::registry().with(autoheal::layer());
/// tracing::subscriber::with_default(subscriber, || {
///     let _span = tracing::info_span!("mcp", port = 8004).entered();
///     tracing::info!(peer = "12D3", "listening");
/// });
/// let lines = autoheal::recent_log_lines();
/// assert!(lines.iter().any(|line| line.ends_with("mcp{port=8004}: listening peer=12D3")));
/// ```
pub fn layer() -> ContextLayer {
    ContextLayer {
        buffer: Arc::clone(&GLOBAL),
        level: LevelFilter::DEBUG,
    }
}

/// The layer returned by [`layer`].
pub struct ContextLayer {
    buffer: Arc<LogBuffer>,
    level: LevelFilter,
}

impl std::fmt::Debug for ContextLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the lines: they are for reports, after redaction.
        f.debug_struct("ContextLayer")
            .field("level", &self.level)
            .finish_non_exhaustive()
    }
}

impl ContextLayer {
    /// Keep events up to this level (default `DEBUG`). Other layers are not affected: this
    /// layer gives no level hint to the subscriber and drops finer events itself. Spans finer
    /// than this level appear in lines and span stacks by name only, without their fields.
    pub fn with_level(mut self, level: LevelFilter) -> Self {
        self.level = level;
        self
    }

    /// Keep this many lines (clamped to 1..=10,000) instead of the configuration's
    /// `max_log_lines`, whether [`init`](crate::init) runs before or after. Reports still carry
    /// at most `max_log_lines` of them; [`recent_log_lines`] returns them all.
    ///
    /// The buffer is shared by every layer made by [`layer`], so this resizes it at once.
    pub fn with_max_lines(self, lines: usize) -> Self {
        self.buffer.pin_max_lines(lines);
        self
    }

    /// A layer filling a buffer of its own rather than the process-wide one.
    #[cfg(test)]
    fn with_private_buffer(buffer: Arc<LogBuffer>) -> Self {
        ContextLayer {
            buffer,
            level: LevelFilter::DEBUG,
        }
    }

    fn keeps(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= self.level
    }

    /// Format `event` into `scratch` and append it to the buffer.
    fn keep_event<S>(&self, event: &Event<'_>, ctx: &Context<'_, S>, scratch: &mut Scratch)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let Scratch { line, fields } = scratch;
        line.clear();
        fields.clear();
        let metadata = event.metadata();
        let now = humantime::format_rfc3339_millis(SystemTime::now());
        let _ = write!(
            Bounded(line),
            "{now} {:>5} {}: ",
            metadata.level(),
            metadata.target()
        );
        spans::write_event_scope(line, ctx.event_scope(event));
        let message_start = line.len();
        event.record(&mut EventVisitor {
            message: line,
            fields,
        });
        let fields = if line.len() == message_start {
            fields.trim_start_matches(' ')
        } else {
            fields.as_str()
        };
        let _ = Bounded(line).write_str(fields);
        truncate_line(line, MAX_LINE_BYTES);
        self.buffer.push(line);
    }
}

impl<S> Layer<S> for ContextLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if !self.keeps(attrs.metadata()) {
            return;
        }
        let Some(span) = ctx.span(id) else { return };
        let fields = spans::fields_of_new_span(attrs);
        // `replace`, not `insert`: a second context layer on the same subscriber would make
        // `insert` panic.
        span.extensions_mut().replace(fields);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        if self.keeps(span.metadata()) {
            spans::record_later_values(&span, values);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if !self.keeps(event.metadata()) {
            return;
        }
        let _ = SCRATCH.try_with(|cell| {
            if let Ok(mut scratch) = cell.try_borrow_mut() {
                self.keep_event(event, &ctx, &mut scratch);
            }
        });
    }
}

/// The log lines [`layer`] kept, oldest first: the last `max_log_lines` of the configuration
/// (or [`ContextLayer::with_max_lines`]), from every thread. For printing them yourself, for
/// example after an error the program handles.
pub fn recent_log_lines() -> Vec<String> {
    GLOBAL.recent(usize::MAX)
}

/// The last `max` log lines of the process-wide buffer, oldest first.
pub(crate) fn recent_lines(max: usize) -> Vec<String> {
    GLOBAL.recent(max)
}

/// Resize the process-wide buffer to the configured `max_log_lines`, unless
/// [`ContextLayer::with_max_lines`] set its size.
pub(crate) fn set_capacity(lines: usize) {
    GLOBAL.set_max_lines(lines);
}

/// The current thread's span stack, outermost first, as `name{field=value ...}`. Empty when no
/// `tracing_subscriber::Registry` is installed (it is found through any layers around it).
pub(crate) fn current_spans() -> Vec<String> {
    spans::current_spans()
}
