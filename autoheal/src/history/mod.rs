//! The local history: every failure the program saw, and what became of it — reported,
//! added to an existing issue, throttled, ignored, queued, refused or failed — kept next to the
//! queue in the configuration directory (`history.jsonl`) for `stats` to read.
//!
//! The background worker records each failure once it has settled it (before the program
//! hears what became of it), then, off that path, the diagnosis rule that recognises it (with
//! the `heal` feature) and, when a queued report is sent later, its new outcome: one line
//! each, of the [`EntryKind`]s `Failure`, `Rule` and `Update`; only failures are counted.
//!
//! # The store
//!
//! An append-only file of JSON lines (see [`HistoryEntry`]), bounded by
//! `history_max_entries` and `history_max_bytes`, compacted to the newest entries when it grows
//! past either. Chosen over an embedded database such as SQLite because:
//!
//! - it needs no C build and no new dependency: the core stays lean for every program that
//!   reports its failures, most of which never run `stats`;
//! - it is not a second copy of the queue's state: it only ever grows by one line per failure,
//!   and the operating system already gives an append what a database would: with `O_APPEND`
//!   and one `write` per record (each record is well under 4 KiB), two processes appending at
//!   once both land, whole, one after the other;
//! - a crash costs at most the record being written: a `kill -9` mid-write leaves a torn last
//!   line, which readers skip (and find the record appended after it by its `{"v":1,` start,
//!   which cannot occur inside a JSON string), and never spoils the lines before it;
//! - reading it all is one sequential read of a few megabytes: `stats` over 100,000 entries
//!   takes well under 200 ms (see BENCHMARKS.md).
//!
//! Compaction rewrites the file with the newest entries (a temporary file, synced, renamed
//! over it: a crash leaves the old file or the new one). It runs under an exclusive lock on
//! `history.jsonl.lock`; appenders hold that lock shared while they append, so none writes to
//! the file a compaction is replacing. The lock file also keeps the size and entry count of the
//! last compaction, so that an append checks the count bound from the file's size alone,
//! without reading it.

mod entry;

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub(crate) use entry::EntryRef;
pub use entry::{EntryKind, HistoryEntry, HistoryOutcome};

use crate::{Config, Error, Result};

/// The history's file name in the configuration directory.
pub const HISTORY_FILE: &str = "history.jsonl";

/// The lock file beside it.
const LOCK_FILE: &str = "history.jsonl.lock";

/// The default of `history_max_entries`.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// The default of `history_max_bytes` (32 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 32 * 1024 * 1024;

/// No record is shorter than this (its field names alone take more): the file's size bounds
/// the number of records it can hold.
const MIN_RECORD_BYTES: u64 = 100;

/// How long an append or a compaction waits for the lock before going on without it (an
/// append) or leaving it for later (a compaction).
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// The local history of one application's failures. See the [module docs](self).
#[derive(Clone, Debug)]
pub struct History {
    path: PathBuf,
    max_entries: usize,
    max_bytes: u64,
}

/// What [`History::read`] found.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct HistoryRead {
    /// The entries, oldest first.
    pub entries: Vec<HistoryEntry>,
    /// Lines that were not entries (torn by a crash mid-write, or edited by hand): skipped.
    pub skipped: usize,
}

impl History {
    /// The history in `config`'s directory, bounded by its `history_max_entries` and
    /// `history_max_bytes`.
    pub fn for_config(config: &Config) -> History {
        History::open(&config.config_dir)
            .with_bounds(config.history_max_entries, config.history_max_bytes)
    }

    /// The history in `dir`, with the default bounds.
    pub fn open(dir: &Path) -> History {
        History {
            path: dir.join(HISTORY_FILE),
            max_entries: DEFAULT_MAX_ENTRIES,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// The same history, kept to at most `max_entries` entries and `max_bytes` bytes.
    #[must_use]
    pub fn with_bounds(mut self, max_entries: usize, max_bytes: u64) -> History {
        self.max_entries = max_entries.max(1);
        self.max_bytes = max_bytes.max(MIN_RECORD_BYTES * 4);
        self
    }

    /// The history file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock_path(&self) -> PathBuf {
        self.path.with_file_name(LOCK_FILE)
    }

    /// Append `entry`, in one `write` to the file opened with `O_APPEND`; then compact when the
    /// file has grown past a bound.
    ///
    /// # Errors
    ///
    /// When the directory or the file cannot be created or written.
    pub fn append(&self, entry: &HistoryEntry) -> Result<()> {
        self.append_each(&[entry.to_line()])
    }

    /// Append several entries at once (one `write` each, under one lock).
    ///
    /// # Errors
    ///
    /// As [`History::append`].
    pub fn append_all<'a>(
        &self,
        entries: impl IntoIterator<Item = &'a HistoryEntry>,
    ) -> Result<()> {
        let lines: Vec<Vec<u8>> = entries.into_iter().map(HistoryEntry::to_line).collect();
        self.append_each(&lines)
    }

    fn append_each(&self, lines: &[Vec<u8>]) -> Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        crate::durable::create_private_dir(dir)?;
        let size = {
            // Shared: other appenders go on; a compaction waits until this one is done.
            let lock = Lock::acquire(&self.lock_path(), Mode::Shared);
            let mut options = OpenOptions::new();
            options.append(true).create(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&self.path)
                .map_err(|e| Error::io("open the history", &self.path, e))?;
            for line in lines {
                // `write_all` is one `write` for a regular file, unless the disk is full.
                file.write_all(line)
                    .map_err(|e| Error::io("append to the history", &self.path, e))?;
            }
            let size = file.metadata().map(|m| m.len()).unwrap_or_default();
            let mark = lock.as_ref().and_then(Lock::mark);
            (size, mark)
        };
        if self.may_exceed(size.0, size.1) {
            self.compact()?;
        }
        Ok(())
    }

    /// Whether a file of `size` bytes may hold more than the bounds allow, given the `mark`
    /// (size, entries) of the last count.
    fn may_exceed(&self, size: u64, mark: Option<(u64, u64)>) -> bool {
        if size > self.max_bytes {
            return true;
        }
        let (marked_size, marked_entries) = mark.unwrap_or((0, 0));
        let most = marked_entries + size.saturating_sub(marked_size) / MIN_RECORD_BYTES;
        most > self.max_entries as u64
    }

    /// Read every entry, oldest first, skipping the lines that are not entries.
    ///
    /// # Errors
    ///
    /// When the file exists but cannot be read. A missing file is an empty history.
    pub fn read(&self) -> Result<HistoryRead> {
        Ok(parse(&self.read_bytes()?))
    }

    /// The file's bytes; none when there is no file yet.
    pub(crate) fn read_bytes(&self) -> Result<Vec<u8>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::io("read the history", &self.path, e)),
        }
    }

    /// Rewrite the file with the newest entries, down to nine tenths of each bound (so that
    /// the next compaction is some appends away), when it holds more than a bound allows.
    /// Returns whether it rewrote the file; `false` too when another process held the lock
    /// (the next append tries again).
    ///
    /// # Errors
    ///
    /// When the file cannot be read or written.
    pub fn compact(&self) -> Result<bool> {
        let Some(mut lock) = Lock::acquire(&self.lock_path(), Mode::Exclusive) else {
            return Ok(false);
        };
        let read = self.read()?;
        let size = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        let over = size > self.max_bytes || read.entries.len() > self.max_entries;
        if !over {
            lock.set_mark(size, read.entries.len() as u64);
            return Ok(false);
        }
        let keep_entries = (self.max_entries - self.max_entries / 10).max(1);
        let keep_bytes = self.max_bytes - self.max_bytes / 10;
        let mut kept: Vec<Vec<u8>> = Vec::new();
        let mut bytes = 0u64;
        for entry in read.entries.iter().rev() {
            let line = entry.to_line();
            if kept.len() >= keep_entries || bytes + line.len() as u64 > keep_bytes {
                break;
            }
            bytes += line.len() as u64;
            kept.push(line);
        }
        let contents: Vec<u8> = kept.iter().rev().flatten().copied().collect();
        crate::durable::write_atomically(&self.path, &contents)?;
        lock.set_mark(contents.len() as u64, kept.len() as u64);
        Ok(true)
    }
}

/// The entries of a history file's bytes, and how many lines were not entries.
fn parse(bytes: &[u8]) -> HistoryRead {
    let mut entries = Vec::with_capacity(bytes.len() / 200);
    let skipped = for_each_entry(bytes, |entry| entries.push(entry.into_owned()));
    HistoryRead { entries, skipped }
}

/// Call `each` with every entry of a history file's bytes, oldest first, borrowing their text
/// from `bytes`; returns how many lines were not entries.
pub(crate) fn for_each_entry<'a>(bytes: &'a [u8], mut each: impl FnMut(EntryRef<'a>)) -> usize {
    let mut skipped = 0;
    for line in bytes.split(|b| *b == b'\n') {
        if line.is_empty() {
            continue;
        }
        match EntryRef::from_line(line) {
            Some(entry) => each(entry),
            None => {
                skipped += 1;
                // A torn record with a whole one appended after it on the same line.
                let whole = find_last(line, entry::LINE_START)
                    .filter(|start| *start > 0)
                    .and_then(|start| line.get(start..))
                    .and_then(EntryRef::from_line);
                if let Some(entry) = whole {
                    each(entry);
                }
            }
        }
    }
    skipped
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Shared,
    Exclusive,
}

/// The history's lock, held shared by appenders and exclusive by a compaction. Its file holds
/// the mark of the last count: `<size> <entries>`.
struct Lock {
    file: File,
}

impl Lock {
    /// The lock, waiting at most [`LOCK_WAIT`]; `None` when another process held it all that
    /// time, or the lock file cannot be opened. Where the file system cannot lock at all, the
    /// holder goes on unlocked, as reporting does: the bounds still hold, and only an append
    /// racing a compaction could be lost.
    fn acquire(path: &Path, mode: Mode) -> Option<Lock> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path).ok()?;
        let deadline = Instant::now() + LOCK_WAIT;
        let mut pause = Duration::from_millis(1);
        loop {
            let attempt = match mode {
                Mode::Shared => file.try_lock_shared(),
                Mode::Exclusive => file.try_lock(),
            };
            match attempt {
                Ok(()) | Err(TryLockError::Error(_)) => return Some(Lock { file }),
                Err(TryLockError::WouldBlock) => {}
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// The size and entry count of the history at the last count, if any.
    fn mark(&self) -> Option<(u64, u64)> {
        let mut text = String::new();
        (&self.file).read_to_string(&mut text).ok()?;
        let mut numbers = text.split_whitespace().map(|n| n.parse::<u64>().ok());
        Some((numbers.next()??, numbers.next()??))
    }

    /// Keep the size and entry count just counted (the holder has the lock exclusive).
    fn set_mark(&mut self, size: u64, entries: u64) {
        let text = format!("{size} {entries}\n");
        let _ = self.file.set_len(0);
        let _ = self.file.seek(SeekFrom::Start(0));
        let _ = self.file.write_all(text.as_bytes());
    }
}

/// Record one failure of `config`'s program, or a later outcome of one, and say so on the debug
/// channel when it cannot be recorded. Never fails the caller.
pub(crate) fn record(config: &Config, entry: &HistoryEntry) {
    if let Err(error) = History::for_config(config).append(entry)
        && (config.debug || std::env::var_os("AUTOHEAL_DEBUG").is_some_and(|v| v != "0"))
    {
        eprintln!("[autoheal] the failure could not be added to the history: {error}");
    }
}

/// The history entry of `report`, settled with `outcome`. `None` for an outcome that records
/// nothing (reporting is off).
pub(crate) fn entry_for(
    report: &crate::Report,
    outcome: &crate::Outcome,
    kind: EntryKind,
) -> Option<HistoryEntry> {
    use crate::Outcome;
    // A failure a privacy rule ignores keeps nothing of its report but its fingerprint.
    let mut title = None;
    let (outcome, url) = match outcome {
        Outcome::Ignored { rule } => {
            title = Some(format!("(ignored by {rule})"));
            (HistoryOutcome::Ignored, None)
        }
        Outcome::Reported { url, .. } => (HistoryOutcome::Reported, Some(url.clone())),
        Outcome::Recurred { url, .. } => (HistoryOutcome::Recurred, Some(url.clone())),
        Outcome::Queued { .. } => (HistoryOutcome::Queued, None),
        Outcome::Pending { .. } => (HistoryOutcome::Pending, None),
        Outcome::Refused { .. } => (HistoryOutcome::Refused, None),
        Outcome::Throttled => (HistoryOutcome::Throttled, None),
        Outcome::Failed { .. } => (HistoryOutcome::Failed, None),
        Outcome::Disabled => return None,
    };
    Some(HistoryEntry {
        fingerprint: report.fingerprint.clone(),
        title: title.unwrap_or_else(|| crate::issue::title::title(report)),
        trace_id: report.trace_id.clone(),
        app_version: report.system.app_version.clone(),
        issue_url: url,
        ..HistoryEntry::new(now_ms(), kind, outcome)
    })
}

/// Record `entry`, a failure of `report`, and leave finding its diagnosis rule for later:
/// diagnosing takes milliseconds (the rules' patterns are compiled on first use), which a
/// program waiting for its report to be delivered should not wait for.
pub(crate) fn record_failure(config: &Config, report: &crate::Report, entry: &HistoryEntry) {
    record(config, entry);
    if entry.outcome == HistoryOutcome::Ignored {
        return;
    }
    // A bug has one rule: it is looked for once per bug in a process, not per failure.
    #[cfg(feature = "heal")]
    {
        let mut looked_for = RULES_LOOKED_FOR.lock();
        if !looked_for.contains(&entry.fingerprint) {
            if looked_for.len() >= MAX_RULES_LOOKED_FOR {
                looked_for.clear();
            }
            looked_for.push(entry.fingerprint.clone());
            PENDING_RULES
                .lock()
                .push((History::for_config(config), report.clone(), entry.clone()));
        }
    }
    #[cfg(not(feature = "heal"))]
    let _ = report;
}

/// Failures recorded whose diagnosis rule is still to be found: the history, the report and
/// the entry recorded for it.
#[cfg(feature = "heal")]
static PENDING_RULES: crate::sync::Mutex<Vec<(History, crate::Report, HistoryEntry)>> =
    crate::sync::Mutex::new(Vec::new());

/// The bugs (fingerprints) whose rule this process looked for already.
#[cfg(feature = "heal")]
static RULES_LOOKED_FOR: crate::sync::Mutex<Vec<String>> = crate::sync::Mutex::new(Vec::new());

/// The bugs [`RULES_LOOKED_FOR`] remembers at most: memory stays bounded however many bugs a
/// long-running process meets (beyond it, a bug's rule may be recorded twice).
#[cfg(feature = "heal")]
const MAX_RULES_LOOKED_FOR: usize = 1024;

/// Held while the rules of [`PENDING_RULES`] are found, so that the guard's drop waits for the
/// worker's batch to be written.
#[cfg(feature = "heal")]
static FINDING_RULES: crate::sync::Mutex<()> = crate::sync::Mutex::new(());

/// Find the diagnosis rule of each failure recorded without one, and record it: by the worker
/// once the program stopped waiting for it, and by the guard's drop for what is left.
pub(crate) fn record_pending_rules() {
    #[cfg(feature = "heal")]
    {
        let _finding = FINDING_RULES.lock();
        let pending = std::mem::take(&mut *PENDING_RULES.lock());
        for (history, report, entry) in pending {
            let diagnosis = crate::fix::diagnose(&report);
            if diagnosis.is_recognised() {
                let rule = HistoryEntry {
                    kind: EntryKind::Rule,
                    rule: Some(diagnosis.rule_id),
                    time_ms: now_ms(),
                    ..entry
                };
                let _ = history.append(&rule);
            }
        }
    }
}

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
