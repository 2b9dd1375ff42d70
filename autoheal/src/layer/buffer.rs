//! The bounded ring of recent log lines.
//!
//! Bounded by line count and by bytes, whichever is hit first; the oldest lines go first. In
//! steady state a push reuses the evicted line's allocation, so logging does not allocate.

use std::collections::VecDeque;

use parking_lot::Mutex;

/// Most lines the buffer can be configured to keep.
pub(crate) const MAX_LINES_LIMIT: usize = 10_000;

/// The default byte bound of a buffer.
pub(crate) const DEFAULT_MAX_BYTES: usize = 2 * 1024 * 1024;

/// Recent log lines, oldest first.
#[derive(Debug)]
pub(crate) struct LogBuffer {
    ring: Mutex<Ring>,
}

#[derive(Debug)]
struct Ring {
    lines: VecDeque<String>,
    bytes: usize,
    max_lines: usize,
    max_bytes: usize,
}

impl LogBuffer {
    /// A buffer keeping at most `max_lines` lines (clamped to 1..=10,000) and `max_bytes` bytes.
    pub(crate) fn new(max_lines: usize, max_bytes: usize) -> Self {
        let max_lines = max_lines.clamp(1, MAX_LINES_LIMIT);
        LogBuffer {
            ring: Mutex::new(Ring {
                lines: VecDeque::with_capacity(max_lines.min(1024)),
                bytes: 0,
                max_lines,
                max_bytes,
            }),
        }
    }

    /// Append a line, evicting the oldest ones to stay within the bounds.
    pub(crate) fn push(&self, line: &str) {
        let mut ring = self.ring.lock();
        let mut reusable = None;
        while !ring.lines.is_empty()
            && (ring.lines.len() >= ring.max_lines || ring.bytes + line.len() > ring.max_bytes)
        {
            if let Some(old) = ring.lines.pop_front() {
                ring.bytes -= old.len();
                reusable = Some(old);
            }
        }
        if line.len() > ring.max_bytes {
            return;
        }
        let mut stored = reusable.unwrap_or_default();
        stored.clear();
        stored.push_str(line);
        ring.bytes += stored.len();
        ring.lines.push_back(stored);
    }

    /// The last `max` lines, oldest first.
    pub(crate) fn recent(&self, max: usize) -> Vec<String> {
        let ring = self.ring.lock();
        let skip = ring.lines.len().saturating_sub(max);
        ring.lines.iter().skip(skip).cloned().collect()
    }

    /// Change the line bound, evicting the oldest lines if it shrinks.
    pub(crate) fn set_max_lines(&self, max_lines: usize) {
        let mut ring = self.ring.lock();
        ring.max_lines = max_lines.clamp(1, MAX_LINES_LIMIT);
        while ring.lines.len() > ring.max_lines {
            if let Some(old) = ring.lines.pop_front() {
                ring.bytes -= old.len();
            }
        }
    }

    /// Bytes of text held (not counting allocation slack).
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.ring.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_lines_oldest_first() {
        let buffer = LogBuffer::new(3, DEFAULT_MAX_BYTES);
        for i in 1..=5 {
            buffer.push(&format!("line {i}"));
        }
        assert_eq!(buffer.recent(10), ["line 3", "line 4", "line 5"]);
        assert_eq!(buffer.recent(2), ["line 4", "line 5"]);
    }

    #[test]
    fn the_byte_bound_evicts_too() {
        let buffer = LogBuffer::new(100, 20);
        for i in 0..5 {
            buffer.push(&format!("0123456789-{i}"));
        }
        assert_eq!(buffer.recent(100), ["0123456789-4"]);
        assert!(buffer.bytes() <= 20);
        buffer.push(&"x".repeat(21));
        assert!(
            buffer.recent(100).is_empty(),
            "a line larger than the whole bound is not kept"
        );
    }

    #[test]
    fn shrinking_evicts_the_oldest() {
        let buffer = LogBuffer::new(10, DEFAULT_MAX_BYTES);
        for i in 0..10 {
            buffer.push(&i.to_string());
        }
        buffer.set_max_lines(2);
        assert_eq!(buffer.recent(10), ["8", "9"]);
        assert_eq!(buffer.bytes(), 2);
    }
}
