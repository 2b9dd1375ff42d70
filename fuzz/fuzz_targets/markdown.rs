//! Any report: the rendered issue keeps every structural promise (title and body within
//! GitHub's limits, fences and `<details>` closed, the fingerprint marker once, the embedded
//! JSON parsing back).

#![no_main]

#[path = "../../autoheal/tests/issue_structure/mod.rs"]
mod issue_structure;

use std::collections::BTreeMap;

use autoheal::{BacktraceFrame, CommandLine, ErrorDetails, Report, ReportKind, Site};
use autoheal::issue::render_issue;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// Longest text made by repeating a fuzzed string: enough to push a body past GitHub's limit.
const MAX_TEXT_BYTES: usize = 256 * 1024;

/// A fuzzed string, now and then repeated many times so that the size limits are reached
/// from small inputs.
fn text(u: &mut Unstructured<'_>) -> Result<String> {
    let text: String = u.arbitrary()?;
    let times = match u.int_in_range(0u8..=15)? {
        0 => usize::from(u.int_in_range(2u16..=5000)?),
        _ => 1,
    };
    let times = times.min(MAX_TEXT_BYTES / text.len().max(1)).max(1);
    Ok(text.repeat(times))
}

/// Up to `max` fuzzed strings.
fn texts(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<String>> {
    let len = u.int_in_range(0..=max)?;
    (0..len).map(|_| text(u)).collect()
}

/// A fuzzed report. Its parts draw their bytes in the order of the report's fields, so an
/// input of the committed corpus still makes the report it was found with.
fn report(u: &mut Unstructured<'_>) -> Result<Report> {
    let frames = u.int_in_range(0usize..=60)?;
    let mut report = Report::default();
    report.trace_id = text(u)?;
    report.timestamp = text(u)?;
    report.fingerprint = text(u)?;
    report.kind = if u.arbitrary()? {
        ReportKind::Panic
    } else {
        ReportKind::Error
    };
    report.error = ErrorDetails::new(text(u)?, text(u)?).with_chain(texts(u, 20)?);
    let (function, module, file) = (text(u)?, text(u)?, text(u)?);
    report.site = Site::new(function, file, u.arbitrary()?).with_module(module);
    report.frames = texts(u, 10)?;
    report.command = CommandLine::new(text(u)?, texts(u, 20)?);
    report.backtrace = (0..frames)
        .map(|_| {
            let mut frame = BacktraceFrame::new(text(u)?);
            frame.file = u.arbitrary::<bool>()?.then(|| text(u)).transpose()?;
            frame.line = u.arbitrary()?;
            frame.in_app = u.arbitrary()?;
            Ok(frame)
        })
        .collect::<Result<_>>()?;
    report.logs = texts(u, 200)?;
    report.spans = texts(u, 10)?;
    report.env = (0..u.int_in_range(0usize..=10)?)
        .map(|_| Ok((text(u)?, text(u)?)))
        .collect::<Result<BTreeMap<_, _>>>()?;
    let system = &mut report.system;
    system.os = text(u)?;
    system.arch = text(u)?;
    system.app = text(u)?;
    system.app_version = text(u)?;
    system.rust_version = text(u)?;
    system.pid = u.arbitrary()?;
    system.cwd = text(u)?;
    report.labels = texts(u, 5)?;
    Ok(report)
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(report) = report(&mut u) else {
        return;
    };
    let issue = render_issue(&report);
    issue_structure::check_issue(&issue, &report);
});
