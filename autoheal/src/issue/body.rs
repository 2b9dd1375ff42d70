//! The issue body: summary, cause chain, in-app frames, command line, logs, spans, environment,
//! the fingerprint marker and the report JSON — within GitHub's size limit.

use std::fmt::Write as _;

use super::markdown::{code, fence, fenced_text, inline, truncate_chars};
use crate::Report;

/// GitHub's limit on an issue body, in characters, less a margin.
pub(crate) const MAX_BODY_CHARS: usize = 65_000;

/// The marker that opens the embedded report JSON in an issue body.
pub const REPORT_MARKER: &str = "<!-- autoheal:report -->";

/// How much of the long parts goes into the body; shrunk until the body fits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    pub(crate) log_lines: usize,
    pub(crate) backtrace_frames: usize,
    pub(crate) in_app_frames: usize,
    pub(crate) json_trimmed: bool,
}

impl Budget {
    pub(crate) const FULL: Budget = Budget {
        log_lines: usize::MAX,
        backtrace_frames: usize::MAX,
        in_app_frames: 30,
        json_trimmed: false,
    };

    /// The next smaller budget, or `None` when nothing more can be cut. Logs and the full
    /// backtrace go first, then the in-app frames, then the JSON's long parts.
    pub(crate) fn shrink(self, report: &Report) -> Option<Budget> {
        let logs = report.logs.len().min(self.log_lines);
        let frames = report.backtrace.len().min(self.backtrace_frames);
        if logs > 0 {
            Some(Budget {
                log_lines: logs / 2,
                ..self
            })
        } else if frames > 0 {
            Some(Budget {
                backtrace_frames: frames / 2,
                ..self
            })
        } else if !self.json_trimmed {
            Some(Budget {
                json_trimmed: true,
                ..self
            })
        } else if self.in_app_frames > 0 {
            Some(Budget {
                in_app_frames: self.in_app_frames / 2,
                ..self
            })
        } else {
            None
        }
    }
}

/// The body of `report` within `budget`.
pub(crate) fn body(report: &Report, budget: Budget) -> String {
    let mut out = String::new();
    summary(&mut out, report);
    chain(&mut out, report);
    frames(&mut out, report, budget);
    command(&mut out, report);
    logs(&mut out, report, budget);
    spans(&mut out, report);
    environment(&mut out, report);
    let _ = writeln!(
        out,
        "<!-- autoheal:fingerprint={} -->\n",
        hex_only(&report.fingerprint)
    );
    embedded_json(&mut out, report, budget);
    out
}

fn summary(out: &mut String, report: &Report) {
    let what = match report.kind {
        crate::ReportKind::Panic => "panicked",
        crate::ReportKind::Error => "failed",
    };
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(
        out,
        "**{}** {what} with {}: {}\n",
        inline(report.operation()),
        code(&report.error.type_name),
        inline(&truncate_chars(&report.error.message, 4000)),
    );
    let _ = writeln!(
        out,
        "Trace ID `{}` · {} · {} · first seen in {} at {}\n",
        hex_only(&report.trace_id),
        code(&report.timestamp),
        code(&format!(
            "{} {}",
            report.system.app, report.system.app_version
        )),
        code(&report.site.function),
        code(&format!("{}:{}", report.site.file, report.site.line)),
    );
}

fn chain(out: &mut String, report: &Report) {
    if report.error.chain.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Cause chain\n");
    for (i, cause) in report.error.chain.iter().take(20).enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, inline(&truncate_chars(cause, 2000)));
    }
    out.push('\n');
}

fn frames(out: &mut String, report: &Report, budget: Budget) {
    let _ = writeln!(out, "### Where\n");
    if !report.frames.is_empty() {
        let path: Vec<String> = report.frames.iter().map(|f| code(f)).collect();
        let _ = writeln!(
            out,
            "Annotated frames, innermost first: {}\n",
            path.join(" → ")
        );
    }
    let in_app: Vec<_> = report
        .backtrace
        .iter()
        .filter(|f| f.in_app)
        .take(budget.in_app_frames)
        .collect();
    for frame in &in_app {
        let location = match (&frame.file, frame.line) {
            (Some(file), Some(line)) => format!(" at {}", code(&format!("{file}:{line}"))),
            (Some(file), None) => format!(" at {}", code(file)),
            _ => String::new(),
        };
        let _ = writeln!(out, "- {}{location}", code(&frame.function));
    }
    if !in_app.is_empty() {
        out.push('\n');
    }
    let shown = report.backtrace.len().min(budget.backtrace_frames);
    if report.backtrace.is_empty() {
        return;
    }
    let mut text = String::new();
    for frame in report.backtrace.iter().take(shown) {
        let _ = write!(
            text,
            "{}{}",
            if frame.in_app { "* " } else { "  " },
            frame.function
        );
        if let (Some(file), Some(line)) = (&frame.file, frame.line) {
            let _ = write!(text, "\n      at {file}:{line}");
        }
        text.push('\n');
    }
    if shown < report.backtrace.len() {
        let _ = writeln!(
            text,
            "… {} more frames omitted to fit GitHub's size limit",
            report.backtrace.len() - shown
        );
    }
    details(
        out,
        &format!(
            "Full backtrace ({} frames, * = in app)",
            report.backtrace.len()
        ),
        &fence(&fenced_text(&text), "text"),
    );
}

fn command(out: &mut String, report: &Report) {
    let mut line = report.command.program.clone();
    for arg in &report.command.args {
        line.push(' ');
        line.push_str(&shell_quote(arg));
    }
    let _ = writeln!(out, "### Command\n");
    out.push_str(&fence(&fenced_text(&line), "text"));
    out.push('\n');
}

fn logs(out: &mut String, report: &Report, budget: Budget) {
    if report.logs.is_empty() {
        return;
    }
    let shown = report.logs.len().min(budget.log_lines);
    let mut text = String::new();
    if shown < report.logs.len() {
        let _ = writeln!(
            text,
            "… {} earlier lines omitted to fit GitHub's size limit",
            report.logs.len() - shown
        );
    }
    for line in &report.logs[report.logs.len() - shown..] {
        text.push_str(line);
        text.push('\n');
    }
    details(
        out,
        &format!("Last {} log lines", report.logs.len()),
        &fence(&fenced_text(&text), "text"),
    );
}

fn spans(out: &mut String, report: &Report) {
    if report.spans.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Span stack\n");
    out.push_str(&fence(&fenced_text(&report.spans.join("\n")), "text"));
    out.push('\n');
}

fn environment(out: &mut String, report: &Report) {
    let system = &report.system;
    let _ = writeln!(out, "### Environment\n");
    let _ = writeln!(out, "| | |\n| --- | --- |");
    let rows = [
        ("OS / arch", format!("{} / {}", system.os, system.arch)),
        ("App", format!("{} {}", system.app, system.app_version)),
        ("Rust", system.rust_version.clone()),
        ("PID", system.pid.to_string()),
        ("Working directory", system.cwd.clone()),
    ];
    for (name, value) in rows
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .chain(report.env.iter().map(|(k, v)| (k.clone(), v.clone())))
    {
        let value = truncate_chars(&value, 300).replace('|', "\\|");
        let _ = writeln!(out, "| {} | {} |", inline(&name), code(&value));
    }
    out.push('\n');
}

fn embedded_json(out: &mut String, report: &Report, budget: Budget) {
    let mut embedded = report.clone();
    let mut note = "";
    if budget.json_trimmed {
        let keep = embedded.logs.len().min(20);
        embedded.logs.drain(..embedded.logs.len() - keep);
        embedded.backtrace.retain(|f| f.in_app);
        embedded.backtrace.truncate(30);
        embedded.error.message = truncate_chars(&embedded.error.message, 8000);
        note = " (shortened to fit GitHub's size limit: logs and backtrace trimmed)";
    }
    // `<` only occurs inside JSON strings, where `\u003c` means the same: no marker can be forged.
    let json = embedded.to_json_pretty().replace('<', "\\u003c");
    let content = format!("{REPORT_MARKER}\n\n{}", fence(&json, "json"));
    details(
        out,
        &format!("Report JSON, for the fix generator{note}"),
        &content,
    );
}

fn details(out: &mut String, summary: &str, content: &str) {
    let _ = write!(
        out,
        "<details><summary>{summary}</summary>\n\n{content}\n</details>\n\n"
    );
}

fn hex_only(text: &str) -> String {
    text.chars().filter(char::is_ascii_hexdigit).collect()
}

fn shell_quote(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
    {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}
