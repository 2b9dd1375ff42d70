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
//! # What it keeps
//!
//! Events at `INFO` and coarser unless told otherwise: the `log_level` key of the configuration
//! (read by [`init`](crate::init())), or [`ContextLayerExt::with_level`] on the layer, which wins.
//! The level is a per-layer filter ([`KeptLevel`]) that tells tracing what the layer wants, so
//! finer events cost nothing unless another layer wants them.
//!
//! # The failing work's lines first
//!
//! In a service, most of the recent lines belong to other requests. The lines a report carries
//! are read on the failing thread: when it is inside a span, the lines logged in that span's
//! tree (under the same root span: the same request, typically) come first, oldest first; then
//! a line
//!
//! ```text
//! ----- above: the failing work's own lines (its span tree); below: other work meanwhile -----
//! ```
//!
//! and the newest other lines, oldest first, to fill the report's `max_log_lines` (the
//! separator counts as one). The separator appears only when there are lines on both sides. A
//! failure outside any span, or in a span tree that logged nothing still kept, gets the last
//! lines of the process, oldest first, without separator.
//!
//! # Cost
//!
//! A span's fields are formatted once, when it is created or records a value, into its
//! extensions; an event copies them. An event's own fields are formatted in a per-thread
//! scratch string, outside any lock; the time, level and target are kept raw and written only
//! when a report reads the lines. The buffer's lock is held only to append the text, reusing
//! the evicted line's allocation. An event logged while another is being formatted on the same
//! thread (from a `Debug` impl, say) is skipped.

mod buffer;
mod format;
mod level;
mod spans;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};
use std::time::SystemTime;

use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::Filtered;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use self::buffer::{DEFAULT_MAX_BYTES, LogBuffer};
use self::format::{EventVisitor, Stamp};

pub(crate) use self::level::DEFAULT_LEVEL;
pub use self::level::KeptLevel;
// `init` calls it with the configuration's `log_level`.
pub(crate) use self::level::set_level;

/// Lines the process-wide buffer keeps until [`init`](crate::init()) sets `max_log_lines`.
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
    text: String,
    fields: String,
    /// The span prefix of this thread's last event: see [`SpanPrefix`].
    prefix: SpanPrefix,
}

/// The spans around this thread's last event inside a span, as they were written, and the
/// span, layer and [`SPAN_FIELDS_GENERATION`] they were written for. A thread logs many events
/// in one span: writing the prefix once spares each of them the walk of the span's scope
/// (registry look-ups, filter checks, extension locks), most of a kept event's cost.
///
/// Span IDs of the registry carry a slot's generation, so a span that closes and another that
/// takes its slot do not share an ID.
#[derive(Default)]
struct SpanPrefix {
    key: Option<(Id, usize, u64)>,
    text: String,
    tree: u64,
}

/// Bumped whenever what a prefix shows may change for spans already written: a span records
/// a value, or the configured level changes which spans the layer keeps.
static SPAN_FIELDS_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Written prefixes are stale: see [`SPAN_FIELDS_GENERATION`].
pub(crate) fn forget_span_prefixes() {
    SPAN_FIELDS_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The layer [`layer`] returns: [`RecentLines`] behind its level filter, [`KeptLevel`].
///
/// Set it up with the methods of [`ContextLayerExt`].
pub type ContextLayer<S> = Filtered<RecentLines, KeptLevel, S>;

/// A `tracing_subscriber` layer that keeps the recent log lines for autoheal's reports.
///
/// Add it to the subscriber next to your other layers; it keeps `INFO` and above unless told
/// otherwise (the `log_level` key of the configuration, or [`ContextLayerExt::with_level`]) and
/// changes nothing the other layers see. Its level is a per-layer filter: an event finer than
/// it that no other layer wants stays disabled at the macro and costs nothing. Reports carry the
/// last `max_log_lines` lines of the configuration (100 by default), the failing work's own
/// first, and the span stack where the error was captured. The buffer holds at most 2 MiB of
/// text, each line `time level target: message fields`.
///
/// ```
/// use tracing_subscriber::prelude::*;
///
/// let subscriber = tracing_subscriber::registry().with(autoheal::layer());
/// tracing::subscriber::with_default(subscriber, || {
///     let _span = tracing::info_span!("mcp", port = 8004).entered();
///     tracing::info!(peer = "12D3", "listening");
///     tracing::debug!("not kept: finer than INFO");
/// });
/// let lines = autoheal::recent_log_lines();
/// assert!(lines.iter().any(|line| line.ends_with("mcp{port=8004}: listening peer=12D3")));
/// assert!(!lines.iter().any(|line| line.ends_with("not kept: finer than INFO")));
/// ```
pub fn layer<S>() -> ContextLayer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    Filtered::new(
        RecentLines {
            buffer: Arc::clone(&GLOBAL),
        },
        KeptLevel::default(),
    )
}

/// The settings of the layer [`layer`] returns.
///
/// ```
/// use autoheal::ContextLayerExt as _;
/// use tracing::level_filters::LevelFilter;
/// use tracing_subscriber::prelude::*;
///
/// let layer = autoheal::layer().with_level(LevelFilter::DEBUG).with_max_lines(500);
/// let _subscriber = tracing_subscriber::registry().with(layer);
/// ```
pub trait ContextLayerExt: Sized {
    /// Keep events up to this level whatever the configuration's `log_level` says (`INFO`
    /// unless configured). Other layers are not affected. Spans finer than this level do not
    /// appear in lines.
    #[must_use]
    fn with_level(self, level: LevelFilter) -> Self;

    /// Keep this many lines (clamped to 1..=10,000) instead of the configuration's
    /// `max_log_lines`, whether [`init`](crate::init()) runs before or after. Reports still carry
    /// at most `max_log_lines` of them; [`recent_log_lines`] returns them all.
    ///
    /// The buffer is shared by every layer made by [`layer`], so this resizes it at once.
    #[must_use]
    fn with_max_lines(self, lines: usize) -> Self;
}

impl<S> ContextLayerExt for ContextLayer<S> {
    fn with_level(mut self, level: LevelFilter) -> Self {
        self.filter_mut().pin(level);
        self
    }

    fn with_max_lines(self, lines: usize) -> Self {
        self.inner().buffer.pin_max_lines(lines);
        self
    }
}

/// The layer that keeps the lines, inside [`ContextLayer`]: it sees only what [`KeptLevel`]
/// lets through.
pub struct RecentLines {
    buffer: Arc<LogBuffer>,
}

impl std::fmt::Debug for RecentLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the lines: they are for reports, after redaction.
        f.debug_struct("RecentLines").finish_non_exhaustive()
    }
}

impl RecentLines {
    /// A layer filling a buffer of its own rather than the process-wide one.
    #[cfg(test)]
    fn with_private_buffer<S>(buffer: Arc<LogBuffer>) -> ContextLayer<S>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        Filtered::new(RecentLines { buffer }, KeptLevel::default())
    }

    /// Format `event` into `scratch` and append it to the buffer.
    fn keep_event<S>(&self, event: &Event<'_>, ctx: &Context<'_, S>, scratch: &mut Scratch)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let time = SystemTime::now();
        let Scratch {
            text,
            fields,
            prefix,
        } = scratch;
        text.clear();
        fields.clear();
        let tree = match ctx.current_span().id() {
            Some(id) if event.is_contextual() => {
                let key = (
                    id.clone(),
                    Arc::as_ptr(&self.buffer) as usize,
                    SPAN_FIELDS_GENERATION.load(std::sync::atomic::Ordering::Relaxed),
                );
                if prefix.key.as_ref() != Some(&key) {
                    prefix.text.clear();
                    prefix.tree =
                        spans::write_event_scope(&mut prefix.text, ctx.event_scope(event));
                    prefix.key = Some(key);
                }
                text.push_str(&prefix.text);
                prefix.tree
            }
            _ => spans::write_event_scope(text, ctx.event_scope(event)),
        };
        let message_start = text.len();
        event.record(&mut EventVisitor {
            message: text,
            fields,
        });
        let fields = if text.len() == message_start {
            fields.trim_start_matches(' ')
        } else {
            fields.as_str()
        };
        let _ = format::Bounded(text).write_str(fields);
        let stamp = Stamp {
            time,
            metadata: Some(event.metadata()),
            tree,
        };
        self.buffer.push(stamp, text);
    }
}

impl<S> Layer<S> for RecentLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            spans::keep_new_span(&span, attrs);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            spans::record_later_values(&span, values);
            forget_span_prefixes();
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id) {
            spans::keep_closed_span(&span);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
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

/// The last `max` log lines of the process-wide buffer for a report of a failure on this
/// thread, now: those of the current span tree first, then the separator and the others (see
/// the [module docs](self)); outside any span kept by the layer, simply the last `max`, oldest
/// first. Scans the kept lines without allocating and copies only those returned.
pub(crate) fn recent_lines(max: usize) -> Vec<String> {
    match spans::current_tree() {
        Some(tree) => GLOBAL.recent_for_tree(max, tree),
        None => GLOBAL.recent(max),
    }
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

#[doc(hidden)]
pub use spans::forget_closed_span;
pub(crate) use spans::take_closed_function_span;

/// The lines of a report's `logs` to show when only `shown` fit, in order: the newest ones,
/// except that a report whose lines begin with the failing work's own (see
/// [`buffer::OTHER_WORK_SEPARATOR`]) loses the other work's lines first.
pub(crate) fn lines_to_show(lines: &[String], shown: usize) -> Vec<&String> {
    let newest = |lines: &'_ [String], n: usize| lines.len().saturating_sub(n);
    let Some(separator) = lines.iter().position(|l| l == buffer::OTHER_WORK_SEPARATOR) else {
        return lines.iter().skip(newest(lines, shown)).collect();
    };
    let (own, rest) = lines.split_at(separator);
    let others = rest.get(1..).unwrap_or_default();
    if shown <= own.len() + 1 {
        return own.iter().skip(newest(own, shown)).collect();
    }
    let room = shown - own.len() - 1;
    own.iter()
        .chain(rest.first())
        .chain(others.iter().skip(newest(others, room)))
        .collect()
}

#[cfg(test)]
mod shown_tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn the_other_works_lines_go_first_when_a_report_is_cut() {
        let sep = buffer::OTHER_WORK_SEPARATOR;
        let report = lines(&["own 1", "own 2", sep, "other 1", "other 2", "other 3"]);
        let shown = |n| -> Vec<&str> {
            lines_to_show(&report, n)
                .into_iter()
                .map(String::as_str)
                .collect()
        };
        assert_eq!(shown(10).len(), 6);
        assert_eq!(shown(4), ["own 1", "own 2", sep, "other 3"]);
        assert_eq!(shown(3), ["own 1", "own 2"]);
        assert_eq!(shown(1), ["own 2"]);
        let plain = lines(&["one", "two", "three"]);
        assert_eq!(lines_to_show(&plain, 2), [&plain[1], &plain[2]]);
    }
}
