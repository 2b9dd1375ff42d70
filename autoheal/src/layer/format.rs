//! Formatting events and span fields into log lines:
//! `2026-11-25T04:53:09.123Z  INFO target: span{k=v}:inner: message key=value`.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};

/// Longest line kept, in bytes; longer ones are cut with `…`.
pub(crate) const MAX_LINE_BYTES: usize = 1024;

/// Writes an event's fields: the message first and bare, then `key=value` pairs.
pub(crate) struct EventVisitor<'a> {
    pub(crate) message: &'a mut String,
    pub(crate) fields: &'a mut String,
}

impl Visit for EventVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

/// Writes a span's fields as `k=v k2=v2`.
pub(crate) struct SpanVisitor<'a>(pub(crate) &'a mut String);

impl SpanVisitor<'_> {
    fn separator(&mut self) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
    }
}

impl Visit for SpanVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.separator();
        let _ = write!(self.0, "{}={value}", field.name());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.separator();
        let _ = write!(self.0, "{}={value:?}", field.name());
    }
}

/// Cut `line` to at most `max` bytes on a char boundary, marking the cut.
pub(crate) fn truncate_line(line: &mut String, max: usize) {
    if line.len() <= max {
        return;
    }
    let marker = "…";
    let mut cut = max.saturating_sub(marker.len());
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    line.truncate(cut);
    line.push_str(marker);
}

/// `name{fields}` or `name` when there are none.
pub(crate) fn span_label(name: &str, fields: &str) -> String {
    if fields.is_empty() {
        name.to_string()
    } else {
        format!("{name}{{{fields}}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries_and_marks_the_cut() {
        let mut line = "é".repeat(MAX_LINE_BYTES);
        truncate_line(&mut line, MAX_LINE_BYTES);
        assert!(line.len() <= MAX_LINE_BYTES);
        assert!(line.ends_with('…'));
        let mut short = "short".to_string();
        truncate_line(&mut short, MAX_LINE_BYTES);
        assert_eq!(short, "short");
    }

    #[test]
    fn span_labels() {
        assert_eq!(span_label("sync", ""), "sync");
        assert_eq!(span_label("sync", "port=8004"), "sync{port=8004}");
    }
}
