//! The bounded store of recent log lines.
//!
//! Threads write to one of a few shards (assigned round-robin on a thread's first event), so
//! threads logging at once do not fight over one lock. Every line carries a sequence number taken
//! under its shard's lock; readers merge the shards back into one ordered list.
//!
//! Two bounds, whichever is hit first:
//! - lines: each shard keeps at most `max_lines`, so the newest `max_lines` lines of the whole
//!   process are always among those kept, whichever threads logged them;
//! - bytes: the text of all shards together stays within `max_bytes`; past it the oldest lines
//!   of the process go first, from whichever shard holds them.
//!
//! A push is O(1): a ring append plus, at most, the evictions it causes (each line is evicted
//! once, so evictions cost O(1) per line over time). In steady state a push reuses the evicted
//! line's allocation.
//!
//! A line is kept in pieces, as the event left them: its [`Stamp`] (the raw time, the event's
//! static metadata, its span tree) and the text after the target. The time, level and target
//! are written only when lines are read for a report ([`render_line`]); the byte bound counts
//! the line as it will be read.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::sync::Mutex;

use super::format::{Stamp, render_line, rendered_len};

/// Most lines the buffer can be configured to keep.
pub(crate) const MAX_LINES_LIMIT: usize = 10_000;

/// The default byte bound of the whole buffer.
pub(crate) const DEFAULT_MAX_BYTES: usize = 2 * 1024 * 1024;

/// Between a failing work's own lines and the other lines of a report: see the [layer's
/// documentation](super).
pub(crate) const OTHER_WORK_SEPARATOR: &str =
    "----- above: the failing work's own lines (its span tree); below: other work meanwhile -----";

/// How many shards threads spread over.
const SHARDS: usize = 4;

static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static SHARD: usize = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
}

/// Recent log lines, oldest first, bounded by count and by bytes.
pub(crate) struct LogBuffer {
    shards: [Mutex<Ring>; SHARDS],
    sequence: AtomicU64,
    max_lines: AtomicUsize,
    max_bytes: usize,
    /// Bytes of text across all shards; changed only under the lock of the shard concerned.
    bytes: AtomicUsize,
    /// Serialises resizing; `true` once the size was pinned by [`LogBuffer::pin_max_lines`].
    pinned: Mutex<bool>,
}

/// One kept line: its place in the process's order, what the event left, and its text.
#[derive(Clone)]
struct Entry {
    sequence: u64,
    stamp: Stamp,
    text: String,
}

impl Entry {
    fn bytes(&self) -> usize {
        rendered_len(&self.stamp, &self.text)
    }
}

/// One shard: lines in increasing sequence.
#[derive(Default)]
struct Ring {
    lines: VecDeque<Entry>,
}

impl LogBuffer {
    /// A buffer keeping at most `max_lines` lines (clamped to 1..=10,000) and at most
    /// `max_bytes` bytes of text.
    pub(crate) fn new(max_lines: usize, max_bytes: usize) -> Self {
        LogBuffer {
            shards: std::array::from_fn(|_| Mutex::new(Ring::default())),
            sequence: AtomicU64::new(0),
            max_lines: AtomicUsize::new(max_lines.clamp(1, MAX_LINES_LIMIT)),
            max_bytes,
            bytes: AtomicUsize::new(0),
            pinned: Mutex::new(false),
        }
    }

    /// Append a line, evicting the oldest ones to stay within bounds. A line longer than the
    /// whole byte bound is dropped.
    pub(crate) fn push(&self, stamp: Stamp, text: &str) {
        let bytes = rendered_len(&stamp, text);
        if bytes > self.max_bytes {
            return;
        }
        let max_lines = self.max_lines.load(Ordering::Relaxed);
        let shard = SHARD.try_with(|shard| *shard).unwrap_or(0);
        let Some(shard) = self.shards.get(shard) else {
            return;
        };
        let total = {
            let mut ring = shard.lock();
            let mut reusable = None;
            while ring.lines.len() >= max_lines {
                let Some(old) = ring.lines.pop_front() else {
                    break;
                };
                self.bytes.fetch_sub(old.bytes(), Ordering::Relaxed);
                reusable = Some(old.text);
            }
            let mut stored = reusable.unwrap_or_default();
            stored.clear();
            stored.push_str(text);
            let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
            ring.lines.push_back(Entry {
                sequence,
                stamp,
                text: stored,
            });
            self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes
        };
        if total > self.max_bytes {
            self.evict_oldest_within_bytes();
        }
    }

    /// Evict the oldest lines of the process until the text fits the byte bound.
    fn evict_oldest_within_bytes(&self) {
        while self.bytes.load(Ordering::Relaxed) > self.max_bytes {
            let mut oldest: Option<(&Mutex<Ring>, u64)> = None;
            for shard in &self.shards {
                let front = shard.lock().lines.front().map(|entry| entry.sequence);
                if let Some(sequence) = front
                    && oldest.is_none_or(|(_, seen)| sequence < seen)
                {
                    oldest = Some((shard, sequence));
                }
            }
            let Some((shard, sequence)) = oldest else {
                return;
            };
            let mut ring = shard.lock();
            // Another thread may have evicted it meanwhile: then look again.
            if ring
                .lines
                .front()
                .is_some_and(|front| front.sequence == sequence)
                && let Some(old) = ring.lines.pop_front()
            {
                self.bytes.fetch_sub(old.bytes(), Ordering::Relaxed);
            }
        }
    }

    /// The last `max` lines (at most the configured number), oldest first, across threads.
    pub(crate) fn recent(&self, max: usize) -> Vec<String> {
        let wanted = max.min(self.max_lines.load(Ordering::Relaxed));
        let entries = self.newest(wanted, |_| true);
        entries.iter().map(render).collect()
    }

    /// The last `max` lines like [`LogBuffer::recent`], those of span tree `tree` first: its
    /// lines, oldest first; then, if both groups have lines and there is room,
    /// [`OTHER_WORK_SEPARATOR`] and the newest other lines, oldest first. `max` counts the
    /// separator. When the tree has no line kept, the answer is [`LogBuffer::recent`]'s.
    pub(crate) fn recent_for_tree(&self, max: usize, tree: u64) -> Vec<String> {
        let wanted = max.min(self.max_lines.load(Ordering::Relaxed));
        let own = self.newest(wanted, |entry| entry.stamp.tree == tree);
        if own.is_empty() {
            return self.recent(max);
        }
        let room = wanted.saturating_sub(own.len() + 1);
        let others = self.newest(room, |entry| entry.stamp.tree != tree);
        let mut lines = Vec::with_capacity(own.len() + 1 + others.len());
        lines.extend(own.iter().map(render));
        if !others.is_empty() {
            lines.push(OTHER_WORK_SEPARATOR.to_string());
            lines.extend(others.iter().map(render));
        }
        lines
    }

    /// The newest `wanted` entries that `keep` selects, oldest first. Copies only those; the
    /// shards' locks are held one at a time, for a scan without allocation.
    fn newest(&self, wanted: usize, keep: impl Fn(&Entry) -> bool) -> Vec<Entry> {
        if wanted == 0 {
            return Vec::new();
        }
        let mut merged: Vec<Entry> = Vec::new();
        for shard in &self.shards {
            let ring = shard.lock();
            let start = merged.len();
            merged.extend(
                ring.lines
                    .iter()
                    .rev()
                    .filter(|entry| keep(entry))
                    .take(wanted)
                    .cloned(),
            );
            // Newest first as scanned: put this shard's share back in order.
            if let Some(share) = merged.get_mut(start..) {
                share.reverse();
            }
        }
        merged.sort_unstable_by_key(|entry| entry.sequence);
        let skip = merged.len().saturating_sub(wanted);
        merged.into_iter().skip(skip).collect()
    }

    /// Change the line bound (clamped to 1..=10,000), evicting the oldest lines if it shrinks;
    /// ignored once the size is pinned.
    pub(crate) fn set_max_lines(&self, max_lines: usize) {
        let pinned = self.pinned.lock();
        if !*pinned {
            self.resize(max_lines);
        }
    }

    /// Change the line bound like [`LogBuffer::set_max_lines`], and keep it: later
    /// `set_max_lines` calls are ignored.
    pub(crate) fn pin_max_lines(&self, max_lines: usize) {
        let mut pinned = self.pinned.lock();
        *pinned = true;
        self.resize(max_lines);
    }

    fn resize(&self, max_lines: usize) {
        let max_lines = max_lines.clamp(1, MAX_LINES_LIMIT);
        self.max_lines.store(max_lines, Ordering::Relaxed);
        for shard in &self.shards {
            let mut ring = shard.lock();
            while ring.lines.len() > max_lines {
                if let Some(old) = ring.lines.pop_front() {
                    self.bytes.fetch_sub(old.bytes(), Ordering::Relaxed);
                }
            }
        }
    }

    /// Bytes of text held (not counting allocation slack).
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }
}

fn render(entry: &Entry) -> String {
    render_line(&entry.stamp, &entry.text)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// Bytes a bare line takes besides its text: the time and a space.
    const TIME: usize = 25;

    fn push(buffer: &LogBuffer, text: &str) {
        buffer.push(Stamp::bare(), text);
    }

    /// The lines without their time (the separator has none).
    fn texts(lines: Vec<String>) -> Vec<String> {
        lines
            .into_iter()
            .map(|line| match line.as_str() {
                OTHER_WORK_SEPARATOR => line,
                _ => line.get(TIME..).unwrap_or_default().to_string(),
            })
            .collect()
    }

    #[test]
    fn keeps_the_newest_lines_oldest_first() {
        let buffer = LogBuffer::new(3, DEFAULT_MAX_BYTES);
        for i in 1..=5 {
            push(&buffer, &format!("line {i}"));
        }
        assert_eq!(texts(buffer.recent(10)), ["line 3", "line 4", "line 5"]);
        assert_eq!(texts(buffer.recent(2)), ["line 4", "line 5"]);
        assert_eq!(buffer.bytes(), 3 * (TIME + "line 3".len()));
    }

    #[test]
    fn the_byte_bound_evicts_too() {
        let buffer = LogBuffer::new(100, 30 + 2 * TIME);
        for i in 0..5 {
            push(&buffer, &format!("0123456789-{i}"));
        }
        assert_eq!(texts(buffer.recent(100)), ["0123456789-3", "0123456789-4"]);
        assert_eq!(buffer.bytes(), 24 + 2 * TIME);
        push(&buffer, &"x".repeat(31 + TIME));
        assert_eq!(
            texts(buffer.recent(100)),
            ["0123456789-3", "0123456789-4"],
            "a line larger than the whole bound is dropped, and evicts nothing"
        );
        push(&buffer, &"y".repeat(30 + TIME));
        assert_eq!(texts(buffer.recent(100)), ["y".repeat(30 + TIME)]);
    }

    #[test]
    fn the_byte_bound_holds_across_threads_and_evicts_the_oldest_of_the_process() {
        let buffer = Arc::new(LogBuffer::new(100, 4 * (TIME + 9) + 4));
        // Each line is 9 bytes after its time: four fit. Threads are spread over the shards round-robin.
        for (i, thread) in ["a", "b", "c", "d", "e", "f"].into_iter().enumerate() {
            let shared = Arc::clone(&buffer);
            std::thread::spawn(move || push(&shared, &format!("{thread}-45678-{i}")))
                .join()
                .unwrap();
            assert!(buffer.bytes() <= 4 * (TIME + 9) + 4);
        }
        assert_eq!(
            texts(buffer.recent(100)),
            ["c-45678-2", "d-45678-3", "e-45678-4", "f-45678-5"]
        );
        assert_eq!(buffer.bytes(), 4 * (TIME + 9));
    }

    #[test]
    fn shrinking_evicts_the_oldest() {
        let buffer = LogBuffer::new(10, DEFAULT_MAX_BYTES);
        for i in 0..10 {
            push(&buffer, &i.to_string());
        }
        buffer.set_max_lines(2);
        assert_eq!(texts(buffer.recent(10)), ["8", "9"]);
        assert_eq!(buffer.bytes(), 2 * (TIME + 1));
    }

    #[test]
    fn a_pinned_size_survives_later_resizes() {
        let buffer = LogBuffer::new(10, DEFAULT_MAX_BYTES);
        buffer.pin_max_lines(3);
        buffer.set_max_lines(50);
        for i in 0..10 {
            push(&buffer, &i.to_string());
        }
        assert_eq!(texts(buffer.recent(100)), ["7", "8", "9"]);
    }

    #[test]
    fn lines_from_several_threads_come_back_in_the_order_they_were_logged() {
        let buffer = Arc::new(LogBuffer::new(10, DEFAULT_MAX_BYTES));
        for (round, thread) in [(1, "a"), (1, "b"), (2, "a"), (2, "c"), (3, "b")] {
            let buffer = Arc::clone(&buffer);
            std::thread::spawn(move || push(&buffer, &format!("{thread}{round}")))
                .join()
                .unwrap();
        }
        assert_eq!(texts(buffer.recent(10)), ["a1", "b1", "a2", "c2", "b3"]);
        assert_eq!(texts(buffer.recent(2)), ["c2", "b3"]);
    }

    #[test]
    fn the_lines_of_a_tree_come_first_then_a_separator_then_the_newest_others() {
        let buffer = LogBuffer::new(100, DEFAULT_MAX_BYTES);
        let at = |tree| Stamp {
            tree,
            ..Stamp::bare()
        };
        for (tree, text) in [(1, "a1"), (2, "b1"), (0, "none"), (1, "a2"), (2, "b2")] {
            buffer.push(at(tree), text);
        }
        assert_eq!(
            texts(buffer.recent_for_tree(10, 1)),
            ["a1", "a2", OTHER_WORK_SEPARATOR, "b1", "none", "b2"].map(String::from)
        );
        assert_eq!(
            texts(buffer.recent_for_tree(4, 1)),
            ["a1", "a2", OTHER_WORK_SEPARATOR, "b2"].map(String::from),
            "the separator counts in max; the newest others fill the rest"
        );
        assert_eq!(
            texts(buffer.recent_for_tree(2, 1)),
            ["a1", "a2"],
            "no separator without other lines"
        );
        assert_eq!(
            texts(buffer.recent_for_tree(1, 1)),
            ["a2"],
            "the newest of the tree's own"
        );
        assert_eq!(
            texts(buffer.recent_for_tree(3, 9)),
            texts(buffer.recent(3)),
            "a tree without lines: the last lines, as without spans"
        );
    }
}
