//! The bounded rings of recent log lines.
//!
//! Threads write to one of a few shards (assigned round-robin on a thread's first event), so
//! threads logging at once do not fight over one lock and one set of cache lines. Every line
//! carries a global sequence number; readers merge the shards back into one ordered list.
//! Each shard is bounded by line count and by bytes, whichever is hit first; the oldest lines go
//! first. In steady state a push reuses the evicted line's allocation, so logging does not
//! allocate.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use parking_lot::Mutex;

/// Most lines the buffer can be configured to keep.
pub(crate) const MAX_LINES_LIMIT: usize = 10_000;

/// The default byte bound of one shard.
pub(crate) const DEFAULT_MAX_BYTES: usize = 2 * 1024 * 1024;

/// How many shards threads spread over.
const SHARDS: usize = 4;

static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static SHARD: usize = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
}

/// Recent log lines, oldest first.
#[derive(Debug)]
pub(crate) struct LogBuffer {
    shards: [Mutex<Ring>; SHARDS],
    sequence: AtomicU64,
    max_lines: AtomicUsize,
}

#[derive(Debug)]
struct Ring {
    lines: VecDeque<(u64, String)>,
    bytes: usize,
    max_lines: usize,
    max_bytes: usize,
}

impl Ring {
    fn evict_to(&mut self, lines: usize, room_for: usize) -> Option<String> {
        let mut reusable = None;
        while !self.lines.is_empty()
            && (self.lines.len() > lines || self.bytes + room_for > self.max_bytes)
        {
            if let Some((_, old)) = self.lines.pop_front() {
                self.bytes -= old.len();
                reusable = Some(old);
            }
        }
        reusable
    }
}

impl LogBuffer {
    /// A buffer keeping at most `max_lines` lines (clamped to 1..=10,000), each shard at most
    /// `max_bytes` bytes.
    pub(crate) fn new(max_lines: usize, max_bytes: usize) -> Self {
        let max_lines = max_lines.clamp(1, MAX_LINES_LIMIT);
        LogBuffer {
            shards: std::array::from_fn(|_| {
                Mutex::new(Ring {
                    lines: VecDeque::new(),
                    bytes: 0,
                    max_lines,
                    max_bytes,
                })
            }),
            sequence: AtomicU64::new(0),
            max_lines: AtomicUsize::new(max_lines),
        }
    }

    /// Append a line, evicting the oldest ones of this thread's shard to stay within bounds.
    pub(crate) fn push(&self, line: &str) {
        let shard = SHARD.try_with(|s| *s).unwrap_or(0);
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
        let mut ring = self.shards[shard].lock();
        if line.len() > ring.max_bytes {
            return;
        }
        let max_lines = ring.max_lines;
        let mut stored = ring.evict_to(max_lines - 1, line.len()).unwrap_or_default();
        stored.clear();
        stored.push_str(line);
        ring.bytes += stored.len();
        ring.lines.push_back((sequence, stored));
    }

    /// The last `max` lines (at most the configured number), oldest first, across threads.
    pub(crate) fn recent(&self, max: usize) -> Vec<String> {
        let wanted = max.min(self.max_lines.load(Ordering::Relaxed));
        let mut merged: Vec<(u64, String)> = Vec::new();
        for shard in &self.shards {
            let ring = shard.lock();
            let skip = ring.lines.len().saturating_sub(wanted);
            merged.extend(ring.lines.iter().skip(skip).cloned());
        }
        merged.sort_unstable_by_key(|(sequence, _)| *sequence);
        let skip = merged.len().saturating_sub(wanted);
        merged
            .into_iter()
            .skip(skip)
            .map(|(_, line)| line)
            .collect()
    }

    /// Change the line bound, evicting the oldest lines if it shrinks.
    pub(crate) fn set_max_lines(&self, max_lines: usize) {
        let max_lines = max_lines.clamp(1, MAX_LINES_LIMIT);
        self.max_lines.store(max_lines, Ordering::Relaxed);
        for shard in &self.shards {
            let mut ring = shard.lock();
            ring.max_lines = max_lines;
            ring.evict_to(max_lines, 0);
        }
    }

    /// Bytes of text held (not counting allocation slack).
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.shards.iter().map(|s| s.lock().bytes).sum()
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
        assert_eq!(
            buffer.recent(100),
            ["0123456789-4"],
            "a line larger than the whole bound is dropped, and evicts nothing"
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

    #[test]
    fn lines_from_several_threads_come_back_in_the_order_they_were_logged() {
        let buffer = std::sync::Arc::new(LogBuffer::new(10, DEFAULT_MAX_BYTES));
        for (round, thread) in [(1, "a"), (1, "b"), (2, "a"), (2, "c"), (3, "b")] {
            let buffer = std::sync::Arc::clone(&buffer);
            std::thread::spawn(move || buffer.push(&format!("{thread}{round}")))
                .join()
                .unwrap();
        }
        assert_eq!(buffer.recent(10), ["a1", "b1", "a2", "c2", "b3"]);
        assert_eq!(buffer.recent(2), ["c2", "b3"]);
    }
}
