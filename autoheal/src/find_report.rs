//! Finding one report again, by trace ID or as the last one: for `preview` and
//! `report-link`, which show what a report sends, and for the notice that offers a link.

use std::path::PathBuf;

use crate::{Config, Error, Queue, Report, Result};

/// Which report to find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Which<'a> {
    /// The report with this trace ID (or the one whose trace ID starts with these 8 or more
    /// hex digits), in the queue or kept as the last report.
    TraceId(&'a str),
    /// The last report made on this machine; else the newest in the queue.
    Last,
}

/// A report found again, and its file in the queue when it waits there.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FoundReport {
    /// The report.
    pub report: Report,
    /// Its file in the queue; `None` when it is only kept as the last report (it was sent,
    /// counted or dropped since).
    pub queued: Option<PathBuf>,
}

/// Find the report `which` of `config`'s application. Reports of processes that died before
/// settling them are settled into the queue first.
///
/// # Errors
///
/// When there is no such report ([`Error::Command`], saying where it looked), or a file
/// cannot be read.
pub fn find_report(config: &Config, which: Which<'_>) -> Result<FoundReport> {
    crate::queue::settle_abandoned_reports(config);
    let queue = Queue::for_config(config);
    let last = crate::last_report::last_report(config)?;
    match which {
        Which::Last => {
            let newest_queued = queue.files().pop();
            let found = match (last, newest_queued) {
                (Some(report), _) => {
                    let queued = queued_file(&queue, &report.trace_id);
                    FoundReport { report, queued }
                }
                (None, Some(path)) => FoundReport {
                    report: queue.read(&path)?,
                    queued: Some(path),
                },
                (None, None) => {
                    return Err(Error::Command {
                        message: format!(
                            "no report was made yet: none is kept in {} and none waits in {}",
                            crate::last_report::last_report_path(config).display(),
                            queue.dir().display()
                        ),
                    });
                }
            };
            Ok(found)
        }
        Which::TraceId(wanted) => {
            let wanted = wanted.trim().to_ascii_lowercase();
            if let Some(path) = queued_file(&queue, &wanted) {
                return Ok(FoundReport {
                    report: queue.read(&path)?,
                    queued: Some(path),
                });
            }
            match last.filter(|report| matches(&report.trace_id, &wanted)) {
                Some(report) => Ok(FoundReport {
                    report,
                    queued: None,
                }),
                None => Err(Error::Command {
                    message: format!(
                        "no report with trace ID {wanted} waits in {} or is kept as the last report; the queue lists the trace IDs it holds",
                        queue.dir().display()
                    ),
                }),
            }
        }
    }
}

/// The queue file of the report with trace ID `wanted`, if one waits there.
fn queued_file(queue: &Queue, wanted: &str) -> Option<PathBuf> {
    queue.files().into_iter().rev().find(|path| {
        queue
            .read(path)
            .is_ok_and(|report| matches(&report.trace_id, wanted))
    })
}

/// Whether `trace_id` is `wanted`, or starts with it when it has 8 or more characters.
fn matches(trace_id: &str, wanted: &str) -> bool {
    !wanted.is_empty()
        && (trace_id == wanted || (wanted.len() >= 8 && trace_id.starts_with(wanted)))
}
