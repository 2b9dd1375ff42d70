//! The markdown sections of an issue body read back into a report, for a body whose report
//! JSON was removed or edited by hand. The layout is the one `issue::body` writes: a summary
//! paragraph, `### Cause chain`, `### Where` with the in-app frames and the full backtrace,
//! `### Command line`, the log lines, `### Span stack`, `### Environment` and the fingerprint
//! marker on a line of its own.
//!
//! What a section does not show stays empty (the labels, a backtrace cut from the body).

use super::blocks::{Block, blocks};
use super::unescape;
use crate::{BacktraceFrame, Report, ReportKind, SCHEMA_VERSION};

/// Where a block of the body belongs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Summary,
    Chain,
    Where,
    Backtrace,
    Command,
    Logs,
    Spans,
    Environment,
    /// The report JSON block, or a section this reader does not know.
    Other,
}

/// The report the sections of `body` describe, or `None` when the body lacks the summary of
/// an auto-heal issue (a fingerprint marker alone is no report).
pub(super) fn report(body: &str) -> Option<Report> {
    let mut report = empty_report();
    let mut section = Section::Summary;
    let mut summary_found = false;
    let mut recognised = false;
    for block in blocks(body) {
        match block {
            Block::Blank => {}
            Block::Line(line) => {
                if let Some(next) = section_of(line) {
                    section = next;
                    continue;
                }
                if let Some(fingerprint) = fingerprint(line) {
                    // Anyone can copy the marker: on its own it is no report.
                    report.fingerprint = fingerprint;
                    continue;
                }
                match section {
                    // A line may precede the summary (a note put above the body).
                    Section::Summary if !summary_found => {
                        summary_found = summary(line, &mut report);
                        recognised |= summary_found;
                    }
                    Section::Summary => trace_line(line, &mut report),
                    Section::Chain => {
                        if let Some(cause) = numbered_item(line) {
                            report.error.chain.push(unescape::text(cause));
                        }
                    }
                    Section::Where => where_line(line, &mut report),
                    Section::Environment => table_row(line, &mut report),
                    _ => {}
                }
            }
            Block::Fence { lines, .. } => {
                let text = unescape::block(&Block::fence_text(&lines));
                match section {
                    Section::Summary => report.error.message = text,
                    Section::Backtrace => report.backtrace = backtrace(&text),
                    Section::Command => command(&text, &mut report),
                    Section::Logs => report.logs = listing(&text, "earlier lines omitted"),
                    Section::Spans => report.spans = listing(&text, ""),
                    _ => {}
                }
            }
        }
    }
    if report.frames.is_empty() && !report.site.function.is_empty() {
        report.frames.push(report.site.function.clone());
    }
    recognised.then_some(report)
}

/// A report with nothing known yet.
fn empty_report() -> Report {
    Report {
        schema: SCHEMA_VERSION,
        trace_id: String::new(),
        timestamp: String::new(),
        fingerprint: String::new(),
        kind: ReportKind::Error,
        error: Default::default(),
        site: Default::default(),
        frames: Vec::new(),
        command: Default::default(),
        backtrace: Vec::new(),
        logs: Vec::new(),
        spans: Vec::new(),
        env: Default::default(),
        system: Default::default(),
        labels: Vec::new(),
    }
}

/// The section a heading or a `<details>` line starts, if it starts one.
fn section_of(line: &str) -> Option<Section> {
    let line = line.trim();
    if let Some(heading) = line.strip_prefix("### ") {
        return Some(match heading.trim() {
            "Cause chain" => Section::Chain,
            "Where" => Section::Where,
            "Command line" => Section::Command,
            "Span stack" => Section::Spans,
            "Environment" => Section::Environment,
            _ => Section::Other,
        });
    }
    let summary = line.strip_prefix("<details><summary>")?;
    Some(if summary.starts_with("Full backtrace") {
        Section::Backtrace
    } else if summary.starts_with("Last ") && summary.contains("log lines") {
        Section::Logs
    } else {
        Section::Other
    })
}

/// The fingerprint of a marker line `<!-- autoheal:fingerprint=HEX -->`.
fn fingerprint(line: &str) -> Option<String> {
    let hex = line
        .trim()
        .strip_prefix("<!-- autoheal:fingerprint=")?
        .strip_suffix("-->")?
        .trim();
    (!hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit())).then(|| hex.to_string())
}

/// The summary's first line: `` `operation` failed with `Type`: message `` or
/// `` `operation` panicked: message ``. Whether it was one.
fn summary(line: &str, report: &mut Report) -> bool {
    let Some((function, rest)) = unescape::code_span(line) else {
        return false;
    };
    let message = if let Some(rest) = rest.strip_prefix(" panicked") {
        report.kind = ReportKind::Panic;
        report.error.type_name = "panic".to_string();
        rest
    } else if let Some(rest) = rest.strip_prefix(" failed with ") {
        let Some((type_name, rest)) = unescape::code_span(rest) else {
            return false;
        };
        report.error.type_name = type_name;
        rest
    } else {
        return false;
    };
    report.site.function = function;
    if let Some(text) = message.strip_prefix(": ") {
        report.error.message = unescape::text(text);
    }
    true
}

/// The summary's second line: `` Trace ID `id` · timestamp · `app` version ``.
fn trace_line(line: &str, report: &mut Report) {
    let Some(rest) = line.strip_prefix("Trace ID ") else {
        return;
    };
    let mut parts = rest.split(" · ");
    if let Some((trace_id, _)) = parts.next().and_then(unescape::code_span) {
        report.trace_id = trace_id;
    }
    if let Some(timestamp) = parts.next() {
        report.timestamp = unescape::text(timestamp);
    }
    if let Some((app, version)) = parts.next().and_then(unescape::code_span) {
        report.system.app = app;
        report.system.app_version = unescape::text(version.trim());
    }
}

/// The text of a numbered list item (`3. text`).
fn numbered_item(line: &str) -> Option<&str> {
    let (number, text) = line.split_once(". ")?;
    (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit())).then_some(text)
}

/// A line of the `Where` section: the site and the annotated frames, or an in-app frame.
fn where_line(line: &str, report: &mut Report) {
    if let Some(item) = line.strip_prefix("- ") {
        // An in-app frame; the full backtrace, when shown, replaces these.
        if let Some((function, rest)) = unescape::code_span(item) {
            let place = rest.strip_prefix(" at ").and_then(unescape::code_span);
            let (file, line) = place.map_or((None, None), |(place, _)| split_place(&place));
            report.backtrace.push(BacktraceFrame {
                function,
                file,
                line,
                in_app: true,
            });
        }
        return;
    }
    let Some(rest) = line.strip_prefix("In ") else {
        return;
    };
    let Some((function, rest)) = unescape::code_span(rest) else {
        return;
    };
    report.site.function = function;
    let Some((module, rest)) = rest.strip_prefix(" (module ").and_then(unescape::code_span) else {
        return;
    };
    report.site.module = module;
    let Some((place, rest)) = rest.strip_prefix(") at ").and_then(unescape::code_span) else {
        return;
    };
    if let (Some(file), line) = split_place(&place) {
        report.site.file = file;
        report.site.line = line.unwrap_or(0);
    }
    if let Some(mut frames) =
        rest.strip_prefix(". Through the annotated functions, innermost first: ")
    {
        report.frames.clear();
        while let Some((name, after)) = unescape::code_span(frames) {
            report.frames.push(name);
            match after.strip_prefix(" → ") {
                Some(next) => frames = next,
                None => break,
            }
        }
    }
}

/// `file:line` split at its last colon, when what follows is a line number.
fn split_place(place: &str) -> (Option<String>, Option<u32>) {
    match place.rsplit_once(':') {
        Some((file, line)) => match line.parse() {
            Ok(line) => (Some(file.to_string()), Some(line)),
            Err(_) => (Some(place.to_string()), None),
        },
        None => (Some(place.to_string()), None),
    }
}

/// The full backtrace's listing: `* function` (in-app) or `  function`, each followed by an
/// optional `      at file:line`.
fn backtrace(listing: &str) -> Vec<BacktraceFrame> {
    let mut frames: Vec<BacktraceFrame> = Vec::new();
    for line in listing.lines() {
        if let Some(place) = line.strip_prefix("      at ") {
            if let Some(frame) = frames.last_mut() {
                (frame.file, frame.line) = split_place(place);
            }
        } else if let Some(function) = line.strip_prefix("* ") {
            frames.push(frame(function, true));
        } else if let Some(function) = line.strip_prefix("  ") {
            frames.push(frame(function, false));
        }
    }
    frames
}

fn frame(function: &str, in_app: bool) -> BacktraceFrame {
    BacktraceFrame {
        function: function.to_string(),
        file: None,
        line: None,
        in_app,
    }
}

/// The command line: a program and its arguments, in shell quoting.
fn command(text: &str, report: &mut Report) {
    let mut words = crate::shell_word::shell_words(text.lines().next().unwrap_or("")).into_iter();
    report.command.program = words.next().unwrap_or_default();
    report.command.args = words.collect();
}

/// The lines of a listing, without the renderer's note of what it omitted.
fn listing(text: &str, omitted_note: &str) -> Vec<String> {
    text.lines()
        .filter(|line| {
            omitted_note.is_empty() || !(line.starts_with('…') && line.contains(omitted_note))
        })
        .map(str::to_string)
        .collect()
}

/// A row of the environment table: a system fact or an environment variable.
fn table_row(line: &str, report: &mut Report) {
    let Some(row) = line.strip_prefix("| ") else {
        return;
    };
    let Some((name, value)) = row.split_once(" | ") else {
        return;
    };
    let Some(value) = unescape::cell(value.trim_end().strip_suffix('|').unwrap_or(value)) else {
        return;
    };
    let system = &mut report.system;
    match name {
        "OS" => {
            let (os, arch) = value.split_once(' ').unwrap_or((&value, ""));
            (system.os, system.arch) = (os.to_string(), arch.to_string());
        }
        "App" => {
            let (app, version) = value.split_once(' ').unwrap_or((&value, ""));
            (system.app, system.app_version) = (app.to_string(), version.to_string());
        }
        "Rust" => system.rust_version = value,
        "PID" => system.pid = value.parse().unwrap_or(0),
        "Working directory" => system.cwd = value,
        _ => {
            if let Some(name) = unescape::cell(name) {
                report.env.insert(name, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_split_at_the_last_colon_when_a_line_follows() {
        assert_eq!(
            split_place("C:\\src\\main.rs:42"),
            (Some("C:\\src\\main.rs".into()), Some(42))
        );
        assert_eq!(split_place("src/lib.rs"), (Some("src/lib.rs".into()), None));
        assert_eq!(split_place("a:b"), (Some("a:b".into()), None));
    }

    #[test]
    fn only_a_hex_marker_on_its_own_line_is_a_fingerprint() {
        assert_eq!(
            fingerprint("<!-- autoheal:fingerprint=00ff -->"),
            Some("00ff".into())
        );
        assert_eq!(fingerprint("<!-- autoheal:fingerprint= -->"), None);
        assert_eq!(fingerprint("<!-- autoheal:fingerprint=zz -->"), None);
        assert_eq!(fingerprint("x <!-- autoheal:fingerprint=00 -->"), None);
    }

    #[test]
    fn a_hand_written_summary_is_read() {
        let body = "`load` panicked: called `Option::unwrap()` on a `None` value\n\n\
                    <!-- autoheal:fingerprint=abcd -->\n";
        let report = report(body).unwrap();
        assert_eq!(report.kind, ReportKind::Panic);
        assert_eq!(report.site.function, "load");
        assert_eq!(
            report.error.message,
            "called `Option::unwrap()` on a `None` value"
        );
        assert_eq!(report.fingerprint, "abcd");
    }

    #[test]
    fn a_note_above_the_summary_is_skipped() {
        let body = "Reopened: this happened again in 0.2.0.\n\n\
                    `add` failed with `io::Error`: denied\n\
                    Trace ID `abc` · 2026-11-25T04:53:09Z · `app` 1.0\n";
        let report = report(body).unwrap();
        assert_eq!(report.error.type_name, "io::Error");
        assert_eq!(report.error.message, "denied");
        assert_eq!(report.trace_id, "abc");
        assert_eq!(report.system.app_version, "1.0");
    }
}
