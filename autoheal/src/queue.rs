//! The on-disk queue of reports: written whole or not at all, read back in order.
//!
//! Each report is one JSON file, `<unix millis>-<trace id>.json`, written to a temporary file in
//! the same directory, synced, then renamed into place: a crash leaves a complete report or
//! none, never half of one.
//!
//! [`Queue`] lists and removes what waits; [`SpoolSink`] is a [`Sink`](crate::Sink) that keeps
//! reports there; [`settle_abandoned_reports`] finishes what a killed process handed off.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::durable::write_atomically;
pub use crate::find_report::{FoundReport, Which, find_report};
pub use crate::handoff::settle_abandoned_reports;
use crate::json::{Fields, FromJson, deserialize_through_json};
pub use crate::spool::SpoolSink;
use crate::{Error, Report, Result};

/// The queue directory of one application.
#[derive(Clone, Debug)]
pub struct Queue {
    dir: PathBuf,
    max_reports: usize,
    max_bytes: u64,
}

/// The file counting reports dropped because the queue was full.
const DROPPED_FILE: &str = ".dropped";

/// One queued report, as listed by [`Queue::entries`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedEntry {
    /// The report's file.
    pub path: PathBuf,
    /// The report's trace ID (empty when the file could not be read).
    pub trace_id: String,
    /// When the failure happened (RFC 3339).
    pub timestamp: String,
    /// The error's type (`unreadable` when the file could not be read).
    pub error_type: String,
    /// The error's message, or why the file could not be read.
    pub message: String,
    /// How many times sending it failed.
    pub attempts: u32,
    /// Why the last attempt failed, and when.
    pub last_failure: Option<String>,
    /// How many failures of its bug it stands for: 1, plus those that happened while it
    /// waited (they are added to it instead of filling the queue).
    pub occurrences: u64,
    /// Why GitHub refused it for good, when it did: it is not sent again.
    pub rejected: Option<String>,
}

/// The file recording failed delivery attempts, by queue file name.
const ATTEMPTS_FILE: &str = ".attempts.json";

/// What the queue knows of one queued report besides its contents: the failed attempts to
/// send it, its fingerprint, and how many failures of its bug it stands for.
#[derive(Clone, Debug, Default)]
struct Attempts {
    attempts: u32,
    last_failure: Option<String>,
    fingerprint: Option<String>,
    /// Failures of the bug added to this report while it waited (0 for none).
    merged: u64,
    /// When the last of them happened (RFC 3339).
    last_seen: Option<String>,
    /// The trace IDs of the first [`MAX_MERGED_TRACE_IDS`] of them: the issue names them.
    merged_trace_ids: Vec<String>,
    /// GitHub refused it for good (its message): it is not sent again.
    rejected: Option<String>,
}

/// Trace IDs of the failures added to a waiting report that the queue keeps, at most.
const MAX_MERGED_TRACE_IDS: usize = 20;

/// How many failures of its bug a queued report stands for, and the trace IDs of those added
/// to it while it waited (the first [`MAX_MERGED_TRACE_IDS`]).
#[cfg(feature = "github")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Occurrences {
    pub(crate) count: u64,
    pub(crate) merged_trace_ids: Vec<String>,
}

/// The index entry as `.attempts.json` holds it: what is empty is left out.
impl serde_core::Serialize for Attempts {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_core::ser::SerializeMap;
        let Attempts {
            attempts,
            last_failure,
            fingerprint,
            merged,
            last_seen,
            merged_trace_ids,
            rejected,
        } = self;
        let mut out = serializer.serialize_map(None)?;
        out.serialize_entry("attempts", attempts)?;
        out.serialize_entry("last_failure", last_failure)?;
        if let Some(fingerprint) = fingerprint {
            out.serialize_entry("fingerprint", fingerprint)?;
        }
        if *merged != 0 {
            out.serialize_entry("merged", merged)?;
        }
        if let Some(last_seen) = last_seen {
            out.serialize_entry("last_seen", last_seen)?;
        }
        if !merged_trace_ids.is_empty() {
            out.serialize_entry("merged_trace_ids", merged_trace_ids)?;
        }
        if let Some(rejected) = rejected {
            out.serialize_entry("rejected", rejected)?;
        }
        out.end()
    }
}

impl FromJson for Attempts {
    fn from_json(json: &serde_json::Value) -> Result<Self, String> {
        let fields = Fields::of(json, "queue index entry")?;
        Ok(Attempts {
            attempts: fields.required("attempts")?,
            last_failure: fields.optional("last_failure")?,
            fingerprint: fields.optional("fingerprint")?,
            merged: fields.or_default("merged")?,
            last_seen: fields.optional("last_seen")?,
            merged_trace_ids: fields.or_default("merged_trace_ids")?,
            rejected: fields.optional("rejected")?,
        })
    }
}

deserialize_through_json!(Attempts);

/// Where [`Queue::store`] put a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stored {
    /// The queued report that now stands for it.
    pub(crate) path: PathBuf,
    /// Whether it was added to an older report of the same bug instead of a file of its own.
    pub(crate) merged: bool,
}

impl Queue {
    /// The queue in `dir` (which need not exist yet).
    pub fn open(dir: impl Into<PathBuf>) -> Self {
        Queue {
            dir: dir.into(),
            max_reports: usize::MAX,
            max_bytes: u64::MAX,
        }
    }

    /// The queue of `config`, bounded by its `queue_max_reports` and `queue_max_bytes`.
    pub fn for_config(config: &crate::Config) -> Self {
        Queue {
            dir: config.queue_dir(),
            max_reports: config.queue_max_reports.max(1),
            max_bytes: config.queue_max_bytes,
        }
    }

    /// How many reports were dropped, oldest first, because the queue was full.
    pub fn dropped(&self) -> u64 {
        fs::read_to_string(self.dir.join(DROPPED_FILE))
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Remove every queued report; returns how many there were.
    ///
    /// # Errors
    ///
    /// When a file cannot be removed.
    pub fn clear(&self) -> Result<usize> {
        let files = self.files();
        for path in &files {
            fs::remove_file(path).map_err(|e| Error::io("remove the queued report", path, e))?;
        }
        Ok(files.len())
    }

    /// Drop the oldest reports until the queue is within its bounds; the newest always stays.
    fn enforce_bounds(&self) {
        let files = self.files();
        let mut sizes: Vec<u64> = files
            .iter()
            .map(|p| fs::metadata(p).map(|m| m.len()).unwrap_or(0))
            .collect();
        let mut total: u64 = sizes.iter().sum();
        let mut count = files.len();
        let mut dropped = 0;
        for (path, size) in files.iter().zip(sizes.iter_mut()) {
            if count <= 1 || (count <= self.max_reports && total <= self.max_bytes) {
                break;
            }
            if fs::remove_file(path).is_ok() {
                count -= 1;
                total -= *size;
                dropped += 1;
            }
        }
        if dropped > 0 {
            let _ = crate::durable::replace_cache_file(
                &self.dir.join(DROPPED_FILE),
                (self.dropped() + dropped).to_string().as_bytes(),
            );
        }
    }

    /// The queue's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Store `report` durably and return its file.
    ///
    /// # Errors
    ///
    /// When the directory cannot be created or the file cannot be written; nothing partial is
    /// left behind.
    pub fn push(&self, report: &Report) -> Result<PathBuf> {
        let millis = unix_millis();
        let path = self
            .dir
            .join(format!("{millis:013}-{}.json", file_safe(&report.trace_id)));
        let bytes = serde_json::to_vec_pretty(report).unwrap_or_default();
        write_atomically(&path, &bytes)?;
        crate::durable::remove_abandoned_temporaries(&self.dir);
        self.enforce_bounds();
        Ok(path)
    }

    /// Store a settled `report` that was handed off in `handoff` (removed once stored): added to
    /// the count of an older queued report of the same bug when one waits and `merge_into`
    /// allows it (it is given that report's trace ID), else as a file of its own (the
    /// hand-off's name without `.handoff`). Merging reads and writes the queue's index: only a
    /// caller holding the reporting lock passes `merge_into`, so that no other process sends
    /// the older report meanwhile.
    ///
    /// # Errors
    ///
    /// When neither the count nor the file can be written; the hand-off then stays.
    pub(crate) fn store(
        &self,
        report: &Report,
        handoff: Option<&Path>,
        merge_into: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<Stored> {
        let mut index = self.attempts();
        let waiting = merge_into.and_then(|allowed| {
            self.sendable_in(&index).into_iter().find(|path| {
                let name = file_name(path);
                let fingerprint = match index.get(&name).and_then(|a| a.fingerprint.clone()) {
                    Some(fingerprint) => fingerprint,
                    None => self.read(path).map(|r| r.fingerprint).unwrap_or_default(),
                };
                !report.fingerprint.is_empty()
                    && fingerprint == report.fingerprint
                    && allowed(&trace_id_of(path))
            })
        });
        let stored = match waiting {
            Some(path) if trace_id_of(&path) == file_safe(&report.trace_id) => {
                // Settled before, and its process died before removing the hand-off.
                Stored {
                    path,
                    merged: false,
                }
            }
            Some(path)
                if index
                    .get(&file_name(&path))
                    .is_some_and(|entry| entry.merged_trace_ids.contains(&report.trace_id)) =>
            {
                // Added before, and its process died before removing the hand-off.
                Stored { path, merged: true }
            }
            Some(path) => {
                let entry = index.entry(file_name(&path)).or_default();
                entry.fingerprint = Some(report.fingerprint.clone());
                entry.merged += 1;
                entry.last_seen = Some(report.timestamp.clone());
                if entry.merged_trace_ids.len() < MAX_MERGED_TRACE_IDS {
                    entry.merged_trace_ids.push(report.trace_id.clone());
                }
                let bytes = serde_json::to_vec_pretty(&index).unwrap_or_default();
                write_atomically(&self.dir.join(ATTEMPTS_FILE), &bytes)?;
                Stored { path, merged: true }
            }
            None => {
                let path = match handoff {
                    Some(handoff) => crate::handoff::settled_path(handoff),
                    None => self.dir.join(format!(
                        "{:013}-{}.json",
                        unix_millis(),
                        file_safe(&report.trace_id)
                    )),
                };
                let bytes = serde_json::to_vec_pretty(report).unwrap_or_default();
                write_atomically(&path, &bytes)?;
                index.entry(file_name(&path)).or_default().fingerprint =
                    Some(report.fingerprint.clone());
                if let Ok(bytes) = serde_json::to_vec_pretty(&index) {
                    let _ =
                        crate::durable::replace_cache_file(&self.dir.join(ATTEMPTS_FILE), &bytes);
                }
                self.enforce_bounds();
                Stored {
                    path,
                    merged: false,
                }
            }
        };
        if let Some(handoff) = handoff {
            let _ = fs::remove_file(handoff);
        }
        Ok(stored)
    }

    /// How many failures the queued report at `path` stands for: itself and those of its bug
    /// added to it while it waited.
    #[cfg(feature = "github")]
    pub(crate) fn occurrences(&self, path: &Path) -> Occurrences {
        let entry = self.attempts().remove(&file_name(path)).unwrap_or_default();
        Occurrences {
            count: 1 + entry.merged,
            merged_trace_ids: entry.merged_trace_ids,
        }
    }

    /// Mark the queued report at `path` as refused by GitHub for good, with its message: it
    /// stays in the queue (for `queue` to show) but is not sent again.
    #[cfg(feature = "github")]
    pub(crate) fn mark_rejected(&self, path: &Path, reason: &str) {
        let mut index = self.attempts();
        let entry = index.entry(file_name(path)).or_default();
        entry.attempts += 1;
        entry.rejected = Some(reason.to_string());
        if let Ok(bytes) = serde_json::to_vec_pretty(&index) {
            let _ = write_atomically(&self.dir.join(ATTEMPTS_FILE), &bytes);
        }
    }

    /// The queued reports that may be sent, oldest first: all but those GitHub refused.
    #[cfg(feature = "github")]
    pub(crate) fn sendable_files(&self) -> Vec<PathBuf> {
        self.sendable_in(&self.attempts())
    }

    /// The queued reports `index` does not mark as refused, oldest first.
    fn sendable_in(&self, index: &std::collections::BTreeMap<String, Attempts>) -> Vec<PathBuf> {
        self.files()
            .into_iter()
            .filter(|path| {
                index
                    .get(&file_name(path))
                    .is_none_or(|entry| entry.rejected.is_none())
            })
            .collect()
    }

    /// The hand-off files that failing threads wrote and no worker has settled yet, oldest
    /// first.
    pub(crate) fn handoffs(&self) -> Vec<PathBuf> {
        let Ok(read) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = read
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                path.extension()
                    .is_some_and(|ext| ext == crate::handoff::HANDOFF_EXTENSION)
                    && !file_name(path).starts_with('.')
            })
            .collect();
        files.sort();
        files
    }

    /// The queued report files, oldest first.
    pub fn files(&self) -> Vec<PathBuf> {
        let Ok(read) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = read
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                path.extension().is_some_and(|ext| ext == "json")
                    && !path
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        files.sort();
        files
    }

    /// How many reports wait in the queue.
    pub fn len(&self) -> usize {
        self.files().len()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.files().is_empty()
    }

    /// Read one queued report.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or is not a report.
    pub fn read(&self, path: &Path) -> Result<Report> {
        let text =
            fs::read_to_string(path).map_err(|e| Error::io("read the queued report", path, e))?;
        Report::from_json_file(path, &text)
    }

    /// A summary of every queued report, oldest first.
    pub fn entries(&self) -> Vec<QueuedEntry> {
        let attempts = self.attempts();
        self.files()
            .into_iter()
            .map(|path| {
                let tried = path
                    .file_name()
                    .and_then(|n| attempts.get(&*n.to_string_lossy()))
                    .cloned()
                    .unwrap_or_default();
                let (trace_id, timestamp, error_type, message) = match self.read(&path) {
                    Ok(report) => (
                        report.trace_id,
                        report.timestamp,
                        report.error.type_name,
                        report.error.message,
                    ),
                    Err(error) => (
                        String::new(),
                        String::new(),
                        "unreadable".to_string(),
                        error.to_string(),
                    ),
                };
                QueuedEntry {
                    path,
                    trace_id,
                    timestamp,
                    error_type,
                    message,
                    attempts: tried.attempts,
                    last_failure: tried.last_failure,
                    occurrences: 1 + tried.merged,
                    rejected: tried.rejected,
                }
            })
            .collect()
    }

    /// Record that sending the queued report at `path` failed, and why.
    pub fn record_failure(&self, path: &Path, reason: &str) {
        let mut attempts = self.attempts();
        let existing: Vec<String> = self
            .files()
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        attempts.retain(|name, _| existing.contains(name));
        if let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) {
            let entry = attempts.entry(name).or_default();
            entry.attempts += 1;
            let when = crate::timestamp::seconds(SystemTime::now());
            entry.last_failure = Some(format!("{when}: {reason}"));
        }
        if let Ok(bytes) = serde_json::to_vec_pretty(&attempts) {
            let _ = crate::durable::replace_cache_file(&self.dir.join(ATTEMPTS_FILE), &bytes);
        }
    }

    fn attempts(&self) -> std::collections::BTreeMap<String, Attempts> {
        fs::read_to_string(self.dir.join(ATTEMPTS_FILE))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }
}

/// The trace ID in a queue file's name (`<millis>-<trace id>.json`).
fn trace_id_of(path: &Path) -> String {
    let name = file_name(path);
    let stem = name.split('.').next().unwrap_or_default();
    stem.split_once('-')
        .map(|(_, id)| id.to_string())
        .unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Milliseconds since the Unix epoch: queue file names start with it, so names sort by age.
pub(crate) fn unix_millis() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}

/// The trace ID's letters and digits, for a file name.
pub(crate) fn file_safe(trace_id: &str) -> String {
    trace_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(trace_id: &str, message: &str) -> Report {
        let mut report = crate::report::sample();
        report.trace_id = trace_id.to_string();
        report.error.message = message.to_string();
        report
    }

    #[test]
    fn pushed_reports_read_back_in_order_and_leave_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let queue = Queue::open(dir.path().join("queue"));
        assert!(queue.is_empty());
        let first = queue
            .push(&report("a".repeat(32).as_str(), "first"))
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        queue
            .push(&report("b".repeat(32).as_str(), "second"))
            .unwrap();
        let entries = queue.entries();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].message, "first");
        assert_eq!(entries[1].message, "second");
        assert_eq!(
            queue.read(&first).unwrap(),
            report("a".repeat(32).as_str(), "first")
        );
        let names: Vec<String> = fs::read_dir(queue.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names
                .iter()
                .all(|n| n.ends_with(".json") && !n.starts_with('.')),
            "{names:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn queue_files_and_directory_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let queue = Queue::open(dir.path().join("q"));
        let path = queue.push(&report(&"c".repeat(32), "x")).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(queue.dir()).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }

    #[test]
    fn a_full_queue_drops_the_oldest_and_counts_them() {
        let dir = tempfile::tempdir().unwrap();
        let queue = Queue {
            dir: dir.path().to_path_buf(),
            max_reports: 2,
            max_bytes: u64::MAX,
        };
        for (i, message) in ["one", "two", "three", "four"].iter().enumerate() {
            std::thread::sleep(std::time::Duration::from_millis(2));
            queue.push(&report(&format!("{i:032x}"), message)).unwrap();
        }
        let kept: Vec<String> = queue.entries().into_iter().map(|e| e.message).collect();
        assert_eq!(kept, ["three", "four"]);
        assert_eq!(queue.dropped(), 2);
        let small = Queue {
            dir: dir.path().join("small"),
            max_reports: 100,
            max_bytes: 10,
        };
        small.push(&report(&"a".repeat(32), "big")).unwrap();
        assert_eq!(
            small.len(),
            1,
            "the newest report stays even when it alone is over the bound"
        );
        assert_eq!(queue.clear().unwrap(), 2);
        assert!(queue.is_empty());
    }

    #[test]
    fn an_unreadable_entry_is_listed_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let queue = Queue::open(dir.path());
        fs::write(dir.path().join("0000000000001-broken.json"), "{ not json").unwrap();
        queue.push(&report(&"d".repeat(32), "fine")).unwrap();
        let entries = queue.entries();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].error_type, "unreadable");
        assert_eq!(entries[1].message, "fine");
    }
}
