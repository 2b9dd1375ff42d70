//! The durable hand-off from a failing thread to the background worker.
//!
//! The failing thread writes what it captured to the queue directory as
//! `<unix millis>-<trace id>.json.handoff`: the report, redacted, without its resolved
//! backtrace and fingerprint, plus the backtrace written down relative to the program's files
//! (see [`crate::modules`]). That is one small file and no symbol lookup. The worker
//! then *settles* it: resolves the backtrace, fingerprints the report and stores it as the
//! queue's `<unix millis>-<trace id>.json` (or adds it to a waiting report of the same bug),
//! before sending it.
//!
//! A process that dies first leaves the hand-off behind; the worker of the next process of the
//! application (or `flush`) settles it from the file, resolving the backtrace from the same
//! binary when it is still the one on disk.

use std::path::{Path, PathBuf};

use crate::json::{Fields, FromJson, deserialize_through_json};

use crate::modules::RelativeBacktrace;
use crate::queue::Queue;
use crate::redact::Redactor;
use crate::report::Report;
use crate::stack::UnresolvedBacktrace;
use crate::{Config, Result};

/// The extension that marks a hand-off file (after `.json`).
pub(crate) const HANDOFF_EXTENSION: &str = "handoff";

/// A hand-off file's contents, as written: the report's fields, and `pending`, what the
/// worker needs to finish it.
struct HandOffFile<'a> {
    report: &'a Report,
    pending: &'a Pending,
}

impl serde_core::Serialize for HandOffFile<'_> {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_core::ser::SerializeMap;
        let mut out = serializer.serialize_map(Some(crate::report_json::REPORT_FIELDS + 1))?;
        crate::report_json::write_report_fields(self.report, &mut out)?;
        out.serialize_entry("pending", self.pending)?;
        out.end()
    }
}

/// A hand-off file's contents, as read back.
struct HandedOff {
    report: Report,
    pending: Pending,
}

impl FromJson for HandedOff {
    fn from_json(json: &serde_json::Value) -> Result<Self, String> {
        // The report's fields and `pending` share one object.
        Ok(HandedOff {
            report: Report::from_json(json)?,
            pending: Fields::of(json, "hand-off file")?.required("pending")?,
        })
    }
}

deserialize_through_json!(HandedOff);

/// What a report still lacks when it is handed off.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pending {
    /// The application's crate, for telling its frames from the others.
    pub(crate) app_crate: String,
    /// The backtrace relative to the program's files; `None` when stack traces are off.
    pub(crate) backtrace: Option<RelativeBacktrace>,
}

impl serde_core::Serialize for Pending {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_core::ser::SerializeMap;
        let Pending {
            app_crate,
            backtrace,
        } = self;
        let mut out = serializer.serialize_map(None)?;
        out.serialize_entry("app_crate", app_crate)?;
        if let Some(backtrace) = backtrace {
            out.serialize_entry("backtrace", backtrace)?;
        }
        out.end()
    }
}

impl FromJson for Pending {
    fn from_json(json: &serde_json::Value) -> Result<Self, String> {
        let fields = Fields::of(json, "pending")?;
        Ok(Pending {
            app_crate: fields.required("app_crate")?,
            backtrace: fields.optional("backtrace")?,
        })
    }
}

/// How the worker gets a report's backtrace.
#[derive(Debug)]
pub(crate) enum Backtrace {
    /// From the failing process's memory: the process that captured it is the one settling it.
    InMemory(UnresolvedBacktrace),
    /// From the addresses written down in the hand-off file.
    Written(RelativeBacktrace),
    /// Stack traces are off.
    None,
}

/// Write `report` (redacted, unresolved) to `queue`'s directory for the worker; returns the
/// file. Written whole (a temporary file renamed into place) but not synced: once this
/// returns the report survives the process (a panic, `kill -9`, `exit`), and the worker syncs
/// it when it settles it. Only a power loss in between can cost it, and waiting for the disk
/// here would cost the failing thread milliseconds on every failure.
pub(crate) fn write(queue: &Queue, report: &Report, pending: Pending) -> Result<PathBuf> {
    let path = queue.dir().join(format!(
        "{:013}-{}.json.{HANDOFF_EXTENSION}",
        crate::queue::unix_millis(),
        crate::queue::file_safe(&report.trace_id)
    ));
    let file = HandOffFile {
        report,
        pending: &pending,
    };
    let bytes = serde_json::to_vec(&file).unwrap_or_default();
    crate::durable::replace_cache_file(&path, &bytes)?;
    Ok(path)
}

/// Read a hand-off file back.
pub(crate) fn read(path: &Path) -> Result<(Report, Pending)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| crate::Error::io("read the handed-off report", path, e))?;
    let file: HandedOff =
        serde_json::from_str(&text).map_err(|e| crate::Error::MalformedConfig {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
    Ok((file.report, file.pending))
}

/// The queue file a hand-off becomes once settled: the same name without `.handoff`.
pub(crate) fn settled_path(handoff: &Path) -> PathBuf {
    handoff.with_extension("")
}

/// Finish a handed-off report: resolve its backtrace, name a panic's site, redact what was
/// added and fingerprint it.
pub(crate) fn settle(
    mut report: Report,
    app_crate: &str,
    backtrace: Backtrace,
    redactor: &Redactor,
) -> Report {
    report.backtrace = match backtrace {
        Backtrace::InMemory(backtrace) => backtrace.resolve(app_crate),
        Backtrace::Written(written) => crate::modules::this_process()
            .absolute(&written)
            .map(|ips| crate::symbols::resolve_ips(&ips, app_crate))
            .unwrap_or_default(),
        Backtrace::None => Vec::new(),
    };
    let site = &mut report.site;
    if site.function.is_empty() {
        // A panic or a manual capture: its site is the innermost application frame, named by
        // its function (the closure an annotated function runs its body in is not a function
        // of its own).
        if let Some(frame) = report.backtrace.iter().find(|f| f.in_app) {
            site.function = crate::site::function_path(&frame.function);
            site.module = site
                .function
                .rsplit_once("::")
                .map(|(m, _)| m.to_string())
                .unwrap_or_default();
        }
    }
    if site.function.is_empty() {
        site.function = format!("{}:{}", site.file, site.line);
    }
    redactor.redact_site_and_backtrace(&mut report);
    report.fingerprint = crate::fingerprint::fingerprint(&report);
    // After the fingerprint, which stays that of the issues filed before bodies were folded.
    crate::body_frames::fold_body_frames(&mut report.backtrace);
    report
}

/// Call `settle` with each hand-off that no running process will settle: those of processes
/// that are gone (and, with `own`, this process's), oldest first, read back one at a time (a
/// long queue is never all in memory). An unreadable one is moved aside (`.json.unreadable`).
pub(crate) fn for_each_abandoned(
    config: &Config,
    own: bool,
    mut settle: impl FnMut(PathBuf, Report, Pending),
) {
    for path in Queue::for_config(config).handoffs() {
        let Ok((report, pending)) = read(&path) else {
            if path.exists() {
                let _ =
                    std::fs::rename(&path, settled_path(&path).with_extension("json.unreadable"));
            }
            continue;
        };
        let pid = report.system.pid;
        let mine = pid == std::process::id();
        if (mine && own) || (!mine && crate::durable::process_is_gone(pid, &path)) {
            settle(path, report, pending);
        }
    }
}

/// Settle and store the abandoned hand-offs (see [`for_each_abandoned`]). Returns how many
/// became queued reports.
pub(crate) fn settle_abandoned(config: &Config) -> usize {
    let queue = Queue::for_config(config);
    let redactor = Redactor::for_config(config);
    let mut settled = 0;
    for_each_abandoned(config, false, |path, report, pending| {
        let backtrace = pending
            .backtrace
            .map_or(Backtrace::None, Backtrace::Written);
        let report = settle(report, &pending.app_crate, backtrace, &redactor);
        if queue.store(&report, Some(&path), None).is_ok() {
            settled += 1;
        }
    });
    settled
}

/// Settle the reports that processes of `config`'s application handed off but did not live to
/// finish, so that they wait in the queue like any other (`queue` lists them, `flush` sends
/// them). Returns how many there were.
pub fn settle_abandoned_reports(config: &Config) -> usize {
    settle_abandoned(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handoff_reads_back_and_settles_into_a_fingerprinted_report() {
        let dir = tempfile::tempdir().unwrap();
        let queue = Queue::open(dir.path());
        let mut report = crate::report::sample();
        report.fingerprint.clear();
        let backtrace = UnresolvedBacktrace::capture();
        let pending = Pending {
            app_crate: "autoheal".into(),
            backtrace: Some(crate::modules::this_process().relative(&backtrace.ips())),
        };
        let path = write(&queue, &report, pending).unwrap();
        assert!(path.to_string_lossy().ends_with(".json.handoff"));
        assert!(
            queue.files().is_empty(),
            "a hand-off is not a queued report yet"
        );
        let (read_back, pending) = read(&path).unwrap();
        assert_eq!(read_back, report);

        let mut config = Config::for_app(crate::App::new("app", "APP_", "0.1.0"));
        config.config_dir = dir.path().to_path_buf();
        let redactor = Redactor::for_config(&config);
        let from_file = settle(
            read_back.clone(),
            "autoheal",
            Backtrace::Written(pending.backtrace.unwrap()),
            &redactor,
        );
        let from_memory = settle(
            read_back,
            "autoheal",
            Backtrace::InMemory(backtrace),
            &redactor,
        );
        assert_eq!(from_file.fingerprint.len(), 32);
        if cfg!(target_os = "linux") {
            assert!(!from_file.backtrace.is_empty());
            assert_eq!(
                from_file.backtrace, from_memory.backtrace,
                "the written-down backtrace resolves to the same frames"
            );
            assert_eq!(from_file.fingerprint, from_memory.fingerprint);
        }
        assert_eq!(
            settled_path(&path).extension().and_then(|e| e.to_str()),
            Some("json")
        );
    }
}
