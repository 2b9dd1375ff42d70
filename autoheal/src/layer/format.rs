//! Formatting events and span fields into bounded text, and kept lines into what reports read.
//!
//! Fields are written `key=value`: strings bare (`path=/var/lib`), everything else with its
//! `Debug` form (`attempt=2`, `peers=["a", "b"]`); an event's `message` comes first, without its
//! key. Every write goes through [`Bounded`], so a huge value costs at most the line limit, in
//! time and in memory.
//!
//! What an event costs is what only the event can do: its fields are borrowed and must be
//! formatted now. The rest of a line (time, level, target) is kept raw in a [`Stamp`] and
//! written by [`render_line`] when a report reads the lines.

use std::fmt::{self, Write as _};
use std::time::SystemTime;

use tracing::Metadata;
use tracing::field::{Field, Visit};

use crate::prefix::prefix_within;

/// Longest line kept, in bytes; longer ones are cut with [`CUT_MARKER`].
pub(crate) const MAX_LINE_BYTES: usize = 1024;

/// Ends a line or field list that was cut.
pub(crate) const CUT_MARKER: &str = "…";

/// How far past [`MAX_LINE_BYTES`] a bounded write may reach: enough that text cut by
/// [`Bounded`] is always longer than the limit, so [`truncate_line`] marks the cut.
const OVERSHOOT: usize = 4;

/// A `fmt::Write` into a `String` that stops a little past [`MAX_LINE_BYTES`]: what does not fit
/// is dropped and the write fails, which stops the `Debug` impl doing it early.
pub(crate) struct Bounded<'a>(pub(crate) &'a mut String);

impl fmt::Write for Bounded<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let room = (MAX_LINE_BYTES + OVERSHOOT).saturating_sub(self.0.len());
        if text.len() <= room {
            self.0.push_str(text);
            return Ok(());
        }
        self.0.push_str(prefix_within(text, room));
        Err(fmt::Error)
    }
}

/// Bytes of an RFC 3339 time in UTC with milliseconds: `2026-11-25T04:53:09.123Z`.
const TIME_BYTES: usize = 24;

/// Bytes of a level, right-aligned: ` INFO`.
const LEVEL_BYTES: usize = 5;

/// What a kept line holds besides its text, raw: formatting it is left to the reader.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stamp {
    /// When the event happened.
    pub(crate) time: SystemTime,
    /// The event's level and target; `None` for text pushed without an event (in tests).
    pub(crate) metadata: Option<&'static Metadata<'static>>,
    /// The span tree the event happened in ([`NO_TREE`] outside any span).
    pub(crate) tree: u64,
}

/// The tree of an event outside any span kept by the layer.
pub(crate) const NO_TREE: u64 = 0;

impl Stamp {
    /// A stamp for text logged now, outside any span, without an event.
    #[cfg(test)]
    pub(crate) fn bare() -> Self {
        Stamp {
            time: SystemTime::now(),
            metadata: None,
            tree: NO_TREE,
        }
    }
}

/// The line as a report reads it: `time level target: text`, at most [`MAX_LINE_BYTES`].
pub(crate) fn render_line(stamp: &Stamp, text: &str) -> String {
    let mut line = String::with_capacity(rendered_len(stamp, text));
    let time = crate::timestamp::millis(stamp.time);
    let _ = match stamp.metadata {
        Some(metadata) => write!(
            line,
            "{time} {:>LEVEL_BYTES$} {}: {text}",
            metadata.level(),
            metadata.target()
        ),
        None => write!(line, "{time} {text}"),
    };
    truncate_line(&mut line, MAX_LINE_BYTES);
    line
}

/// The length of [`render_line`]'s answer, without writing it.
pub(crate) fn rendered_len(stamp: &Stamp, text: &str) -> usize {
    let head = match stamp.metadata {
        Some(metadata) => TIME_BYTES + 1 + LEVEL_BYTES + 1 + metadata.target().len() + 2,
        None => TIME_BYTES + 1,
    };
    (head + text.len()).min(MAX_LINE_BYTES)
}

/// Cut `line` to at most `max` bytes on a char boundary, ending it with [`CUT_MARKER`].
pub(crate) fn truncate_line(line: &mut String, max: usize) {
    if line.len() <= max {
        return;
    }
    let cut = prefix_within(line, max.saturating_sub(CUT_MARKER.len())).len();
    line.truncate(cut);
    line.push_str(CUT_MARKER);
}

/// Writes an event's fields: the message (bare) into one string, ` key=value` pairs into
/// another, so the message leads whatever order the fields were recorded in.
pub(crate) struct EventVisitor<'a> {
    pub(crate) message: &'a mut String,
    pub(crate) fields: &'a mut String,
}

impl Visit for EventVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            let _ = Bounded(self.message).write_str(value);
        } else {
            let _ = write!(Bounded(self.fields), " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(Bounded(self.message), "{value:?}");
        } else {
            let _ = write!(Bounded(self.fields), " {}={value:?}", field.name());
        }
    }
}

/// Writes a span's fields as `k=v k2=v2`.
pub(crate) struct SpanVisitor<'a>(pub(crate) &'a mut String);

impl SpanVisitor<'_> {
    fn separator(&mut self) {
        if !self.0.is_empty() {
            let _ = Bounded(self.0).write_char(' ');
        }
    }
}

impl Visit for SpanVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.separator();
        let _ = write!(Bounded(self.0), "{}={value}", field.name());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.separator();
        let _ = write!(Bounded(self.0), "{}={value:?}", field.name());
    }
}

/// Write `name{fields}`, or `name` when there are none.
pub(crate) fn write_span_label(out: &mut String, name: &str, fields: &str) {
    let mut out = Bounded(out);
    let _ = if fields.is_empty() {
        out.write_str(name)
    } else {
        write!(out, "{name}{{{fields}}}")
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries_and_marks_the_cut() {
        // 'é' is two bytes and '…' three: the cut at 1021 bytes falls inside a character.
        let mut line = "é".repeat(MAX_LINE_BYTES);
        truncate_line(&mut line, MAX_LINE_BYTES);
        assert_eq!(line.len(), 1020 + CUT_MARKER.len());
        assert!(
            line.strip_suffix(CUT_MARKER)
                .unwrap()
                .chars()
                .all(|c| c == 'é')
        );
        let mut exact = "x".repeat(MAX_LINE_BYTES);
        truncate_line(&mut exact, MAX_LINE_BYTES);
        assert_eq!(
            exact,
            "x".repeat(MAX_LINE_BYTES),
            "a line at the limit is kept whole"
        );
    }

    #[test]
    fn bounded_writes_stop_past_the_limit_and_leave_a_cut_to_mark() {
        struct Endless;
        impl fmt::Debug for Endless {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Stops only when the writer refuses: a bound that never refused would hang.
                loop {
                    f.write_str("€")?;
                }
            }
        }
        let mut out = String::new();
        assert!(write!(Bounded(&mut out), "{:?}", Endless).is_err());
        assert!(out.len() > MAX_LINE_BYTES && out.len() <= MAX_LINE_BYTES + OVERSHOOT);
        truncate_line(&mut out, MAX_LINE_BYTES);
        assert!(out.ends_with(CUT_MARKER) && out.len() <= MAX_LINE_BYTES);
    }

    #[test]
    fn the_rendered_length_is_known_before_rendering() {
        let stamp = Stamp::bare();
        for text in ["", "short", &"x".repeat(2 * MAX_LINE_BYTES)] {
            assert_eq!(
                render_line(&stamp, text).len(),
                rendered_len(&stamp, text),
                "{text}"
            );
        }
        assert!(render_line(&stamp, "short").ends_with("Z short"));
    }

    #[test]
    fn span_labels() {
        let mut out = String::new();
        write_span_label(&mut out, "sync", "");
        out.push(':');
        write_span_label(&mut out, "mcp", "port=8004");
        assert_eq!(out, "sync:mcp{port=8004}");
    }
}
