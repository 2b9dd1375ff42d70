//! Any report: the rendered issue keeps every structural promise (title and body within
//! GitHub's limits, fences and `<details>` closed, the fingerprint marker once, the embedded
//! JSON parsing back).

#![no_main]

#[path = "../../autoheal/tests/issue_structure/mod.rs"]
mod issue_structure;

use std::collections::BTreeMap;

use autoheal::{BacktraceFrame, CommandLine, ErrorDetails, Report, ReportKind, SCHEMA_VERSION, Site, SystemInfo};
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

fn report(u: &mut Unstructured<'_>) -> Result<Report> {
    let frames = u.int_in_range(0usize..=60)?;
    Ok(Report {
        schema: SCHEMA_VERSION,
        trace_id: text(u)?,
        timestamp: text(u)?,
        fingerprint: text(u)?,
        kind: if u.arbitrary()? {
            ReportKind::Panic
        } else {
            ReportKind::Error
        },
        error: ErrorDetails {
            type_name: text(u)?,
            message: text(u)?,
            chain: texts(u, 20)?,
        },
        site: Site {
            function: text(u)?,
            module: text(u)?,
            file: text(u)?,
            line: u.arbitrary()?,
        },
        frames: texts(u, 10)?,
        command: CommandLine {
            program: text(u)?,
            args: texts(u, 20)?,
        },
        backtrace: (0..frames)
            .map(|_| {
                Ok(BacktraceFrame {
                    function: text(u)?,
                    file: u.arbitrary::<bool>()?.then(|| text(u)).transpose()?,
                    line: u.arbitrary()?,
                    in_app: u.arbitrary()?,
                })
            })
            .collect::<Result<_>>()?,
        logs: texts(u, 200)?,
        spans: texts(u, 10)?,
        env: (0..u.int_in_range(0usize..=10)?)
            .map(|_| Ok((text(u)?, text(u)?)))
            .collect::<Result<BTreeMap<_, _>>>()?,
        system: SystemInfo {
            os: text(u)?,
            arch: text(u)?,
            app: text(u)?,
            app_version: text(u)?,
            rust_version: text(u)?,
            pid: u.arbitrary()?,
            cwd: text(u)?,
        },
        labels: texts(u, 5)?,
    })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(report) = report(&mut u) else {
        return;
    };
    let issue = render_issue(&report);
    issue_structure::check_issue(&issue, &report);
});
