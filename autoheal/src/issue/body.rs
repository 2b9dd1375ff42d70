//! The sections of an issue body, in the order a maintainer reads them: what failed, why,
//! where, how it was run, what the program logged, and in which environment; then the
//! fingerprint marker and the report JSON. Every untrusted text passes through the safe
//! markdown of [`super::markdown`], each within its bound from [`super::limits`].

use std::fmt::Write as _;

use super::fingerprint_marker;
use super::limits::{
    ANNOTATED_FRAMES_CHARS, CAUSE_CHARS, CHAIN_CHARS, COMMAND_CHARS, ENV_CHARS, FACT_CHARS,
    IN_APP_FRAMES, LOG_LINE_CHARS, MESSAGE_BLOCK_CHARS, MESSAGE_CHARS, NAME_CHARS, SPANS_CHARS,
};
use super::markdown::{block_text, code, code_cell, details, fence, line_text, text};
use crate::shell_word::shell_word;
use crate::{BacktraceFrame, Report, ReportKind};

/// How much of the long, cuttable parts the body shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Shown {
    /// In-app frames listed.
    pub(super) in_app: usize,
    /// Frames of the full backtrace.
    pub(super) backtrace: usize,
    /// Log lines, the most recent ones.
    pub(super) log_lines: usize,
}

impl Shown {
    /// None of the cuttable parts.
    pub(super) const NOTHING: Shown = Shown {
        in_app: 0,
        backtrace: 0,
        log_lines: 0,
    };
}

/// The sections that are never cut, each already within its own bound.
#[derive(Debug)]
pub(super) struct FixedParts {
    summary: String,
    chain: String,
    location: String,
    command: String,
    spans: String,
    environment: String,
    marker: String,
}

impl FixedParts {
    /// The fixed sections of `report`.
    pub(super) fn of(report: &Report) -> FixedParts {
        FixedParts {
            summary: summary(report),
            chain: chain(report),
            location: location(report),
            command: command(report),
            spans: spans(report),
            environment: environment(report),
            marker: format!("{}\n\n", fingerprint_marker(&report.fingerprint)),
        }
    }

    /// Their length in characters.
    pub(super) fn len_chars(&self) -> usize {
        [
            &self.summary,
            &self.chain,
            &self.location,
            &self.command,
            &self.spans,
            &self.environment,
            &self.marker,
        ]
        .iter()
        .map(|part| part.chars().count())
        .sum()
    }

    /// The whole body: these sections with `shown` of the others and the `json` block.
    pub(super) fn assemble(self, report: &Report, shown: Shown, json: &str) -> String {
        [
            self.summary,
            self.chain,
            self.location,
            in_app_frames(report, shown.in_app),
            backtrace(report, shown.backtrace),
            self.command,
            logs(report, shown.log_lines),
            self.spans,
            self.environment,
            self.marker,
            json.to_string(),
        ]
        .concat()
    }
}

/// One paragraph: the operation, what went wrong, and when and in which program. A message of
/// several lines follows it whole, in a code block.
pub(super) fn summary(report: &Report) -> String {
    let message = report.error.message.trim();
    let mut lines = message
        .split(['\n', '\r'])
        .filter(|line| !line.trim().is_empty());
    let first_line = lines.next().unwrap_or("");
    let more_lines = lines.next().is_some();
    let operation = code(report.site.operation(), NAME_CHARS);
    let mut out = match report.kind {
        ReportKind::Panic => format!("{operation} panicked"),
        ReportKind::Error => format!(
            "{operation} failed with {}",
            code(&report.error.type_name, NAME_CHARS)
        ),
    };
    if !first_line.is_empty() {
        let _ = write!(out, ": {}", text(first_line, MESSAGE_CHARS));
    }
    let _ = write!(
        out,
        "\nTrace ID {} · {} · {} {}\n\n",
        code(&report.trace_id, NAME_CHARS),
        text(&report.timestamp, NAME_CHARS),
        code(&report.system.app, NAME_CHARS),
        text(&report.system.app_version, NAME_CHARS),
    );
    if more_lines {
        out.push_str(&fence(&block_text(message, MESSAGE_BLOCK_CHARS), "text"));
        out.push('\n');
    }
    out
}

/// The causes, outermost first, as a numbered list.
pub(super) fn chain(report: &Report) -> String {
    let (causes, omitted) = within(&report.error.chain, CHAIN_CHARS, |(i, cause)| {
        format!("{}. {}\n", i + 1, text(cause, CAUSE_CHARS))
    });
    if causes.is_empty() && omitted == 0 {
        return String::new();
    }
    let mut out = format!("### Cause chain\n\n{}\n", causes.concat());
    if omitted > 0 {
        let _ = writeln!(out, "… {omitted} more causes omitted.\n");
    }
    out
}

/// Where the failure happened and the annotated functions it passed through.
fn location(report: &Report) -> String {
    let site = &report.site;
    let mut out = format!(
        "### Where\n\nIn {} (module {}) at {}.",
        code(&site.function, NAME_CHARS),
        code(&site.module, NAME_CHARS),
        code(&format!("{}:{}", site.file, site.line), NAME_CHARS),
    );
    if report.frames.len() > 1 {
        let (names, omitted) = within(&report.frames, ANNOTATED_FRAMES_CHARS, |(_, name)| {
            code(name, NAME_CHARS)
        });
        let _ = write!(
            out,
            " Through the annotated functions, innermost first: {}",
            names.join(" → ")
        );
        if omitted > 0 {
            let _ = write!(out, " → … {omitted} more");
        }
        out.push('.');
    }
    out.push_str("\n\n");
    out
}

/// The first `shown` in-app frames of the backtrace, as a list.
pub(super) fn in_app_frames(report: &Report, shown: usize) -> String {
    let in_app = report.backtrace.iter().filter(|f| f.in_app).count();
    if in_app == 0 {
        return String::new();
    }
    let mut out = String::from("In-app frames, innermost first:\n\n");
    let source = report
        .system
        .source_url
        .as_deref()
        .filter(|url| is_source_url(url));
    for frame in report.backtrace.iter().filter(|f| f.in_app).take(shown) {
        let _ = write!(out, "- {}", code(&frame.function, NAME_CHARS));
        if let Some(place) = place(frame) {
            match source.zip(line_link(frame)) {
                Some((source, link)) => {
                    let _ = write!(out, " at [{}]({source}/{link})", code(&place, NAME_CHARS));
                }
                None => {
                    let _ = write!(out, " at {}", code(&place, NAME_CHARS));
                }
            }
        }
        out.push('\n');
    }
    let omitted = in_app.saturating_sub(shown);
    if omitted == in_app {
        let _ = writeln!(
            out,
            "All {in_app} in-app frames omitted to fit GitHub's size limit."
        );
    } else if omitted > 0 && shown < IN_APP_FRAMES {
        let _ = writeln!(
            out,
            "\n… {omitted} more in-app frames omitted to fit GitHub's size limit."
        );
    } else if omitted > 0 {
        let _ = writeln!(
            out,
            "\n… {omitted} more in-app frames in the full backtrace."
        );
    }
    out.push('\n');
    out
}

/// The first `shown` frames of the full backtrace, collapsed.
pub(super) fn backtrace(report: &Report, shown: usize) -> String {
    let frames = &report.backtrace;
    if frames.is_empty() {
        return "No backtrace was captured.\n\n".to_string();
    }
    let mut listing = String::new();
    for frame in frames.iter().take(shown) {
        let mark = if frame.in_app { "* " } else { "  " };
        let _ = writeln!(listing, "{mark}{}", line_text(&frame.function, NAME_CHARS));
        if let Some(place) = place(frame) {
            let _ = writeln!(listing, "      at {}", line_text(&place, NAME_CHARS));
        }
    }
    let omitted = frames.len().saturating_sub(shown);
    if omitted > 0 {
        let _ = writeln!(
            listing,
            "… {omitted} frames omitted to fit GitHub's size limit"
        );
    }
    details(
        &format!(
            "Full backtrace: {} frames, in-app ones marked *",
            frames.len()
        ),
        &fence(&listing, "text"),
    )
}

/// Whether `url` is the kind of address [`source_url`](crate::system::source_url) makes:
/// `https://HOST/OWNER/REPO/blob/COMMIT`, nothing else. A report read back from an issue may
/// say anything; only such an address becomes a link.
fn is_source_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let [host, owner, repo, "blob", commit] = parts.as_slice() else {
        return false;
    };
    let plain = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    plain(host.split_once(':').map_or(host, |(name, _)| name))
        && plain(owner)
        && plain(repo)
        && crate::config::is_commit_hash(commit)
}

/// `path#Lline` of an in-app frame whose file is a plain path inside the repository
/// (relative, no `..`, only letters, digits, `.`, `-`, `_` and `/`), with a line.
fn line_link(frame: &BacktraceFrame) -> Option<String> {
    let file = frame.file.as_deref()?;
    let line = frame.line?;
    let plain = !file.is_empty()
        && !file.starts_with('/')
        && file.split('/').all(|part| !part.is_empty() && part != "..")
        && file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'));
    plain.then(|| format!("{file}#L{line}"))
}

/// `file:line` of a frame, when known.
fn place(frame: &BacktraceFrame) -> Option<String> {
    match (&frame.file, frame.line) {
        (Some(file), Some(line)) => Some(format!("{file}:{line}")),
        (Some(file), None) => Some(file.clone()),
        _ => None,
    }
}

/// The program and its arguments, as a shell would take them.
fn command(report: &Report) -> String {
    let mut line = shell_word(&report.command.program);
    for arg in &report.command.args {
        if line.len() > COMMAND_CHARS * 4 {
            break;
        }
        line.push(' ');
        line.push_str(&shell_word(arg));
    }
    format!(
        "### Command line\n\n{}\n",
        fence(&block_text(&line, COMMAND_CHARS), "sh")
    )
}

/// The last `shown` log lines, collapsed.
pub(super) fn logs(report: &Report, shown: usize) -> String {
    let lines = &report.logs;
    if lines.is_empty() {
        return String::new();
    }
    let kept = crate::layer::lines_to_show(lines, shown);
    let omitted = lines.len() - kept.len();
    let mut listing = String::new();
    if omitted > 0 {
        let _ = writeln!(
            listing,
            "… {omitted} earlier lines omitted to fit GitHub's size limit"
        );
    }
    for line in kept {
        let _ = writeln!(listing, "{}", block_text(line, LOG_LINE_CHARS));
    }
    details(
        &format!("Last {} log lines", lines.len()),
        &fence(&listing, "text"),
    )
}

/// The tracing span stack, outermost first.
fn spans(report: &Report) -> String {
    if report.spans.is_empty() {
        return String::new();
    }
    let mut listing = String::new();
    for span in &report.spans {
        if listing.len() > SPANS_CHARS * 4 {
            break;
        }
        listing.push_str(span);
        listing.push('\n');
    }
    format!(
        "### Span stack\n\n{}\n",
        fence(&block_text(&listing, SPANS_CHARS), "text")
    )
}

/// System facts and the allow-listed environment, as a table.
pub(super) fn environment(report: &Report) -> String {
    let system = &report.system;
    let mut out = String::from("### Environment\n\n| Name | Value |\n| --- | --- |\n");
    let facts = [
        ("OS", format!("{} {}", system.os, system.arch)),
        ("App", format!("{} {}", system.app, system.app_version)),
        ("Rust", system.rust_version.clone()),
        ("PID", system.pid.to_string()),
        ("Working directory", system.cwd.clone()),
        ("Commit", system.commit.clone().unwrap_or_default()),
    ];
    // The commit only when the build said.
    for (name, value) in facts
        .into_iter()
        .filter(|(name, value)| *name != "Commit" || !value.is_empty())
    {
        let _ = writeln!(out, "| {name} | {} |", code_cell(&value, FACT_CHARS));
    }
    let variables: Vec<(&String, &String)> = report.env.iter().collect();
    let (rows, omitted) = within(&variables, ENV_CHARS, |(_, (name, value))| {
        format!(
            "| {} | {} |\n",
            code_cell(name, FACT_CHARS),
            code_cell(value, FACT_CHARS)
        )
    });
    out.push_str(&rows.concat());
    out.push('\n');
    if omitted > 0 {
        let _ = writeln!(out, "… {omitted} more environment variables omitted.\n");
    }
    out
}

/// `items` rendered one by one, as many as fit in `max` characters, and how many did not.
fn within<T>(
    items: &[T],
    max: usize,
    render: impl Fn((usize, &T)) -> String,
) -> (Vec<String>, usize) {
    let mut rendered = Vec::new();
    let mut used = 0;
    for item in items.iter().enumerate() {
        let piece = render(item);
        used += piece.chars().count();
        if used > max {
            break;
        }
        rendered.push(piece);
    }
    let omitted = items.len() - rendered.len();
    (rendered, omitted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        crate::report::sample()
    }

    #[test]
    fn the_summary_names_operation_type_message_trace_time_and_app() {
        let mut report = sample();
        report.system.app = "ipfs_kit".into();
        report.system.app_version = "0.1.0".into();
        assert_eq!(
            summary(&report),
            "`app::load` failed with `io::Error`: No such file or directory (os error 2)\n\
             Trace ID `4bf92f3577b34da6a3ce929d0e0e4736` · 2026-11-25T04:53:09.123Z · \
             `ipfs_kit` 0.1.0\n\n"
        );
    }

    #[test]
    fn a_panic_says_it_panicked_and_a_long_message_gets_its_own_block() {
        let mut report = sample();
        report.kind = ReportKind::Panic;
        report.error.message = "assertion failed\n  left: 1\n right: 2".into();
        let out = summary(&report);
        assert!(
            out.starts_with("`app::load` panicked: assertion failed\n"),
            "{out}"
        );
        assert!(out.contains("```text\nassertion failed\n  left: 1\n right: 2\n```\n"));
    }

    #[test]
    fn the_chain_is_numbered_and_bounded() {
        let mut report = sample();
        report.error.chain = vec!["first # cause".into(), "- second".into()];
        assert_eq!(
            chain(&report),
            "### Cause chain\n\n1. first # cause\n2. \\- second\n\n"
        );
        report.error.chain = vec!["x".repeat(CAUSE_CHARS); 100];
        let out = chain(&report);
        assert!(out.chars().count() < CHAIN_CHARS + 200);
        assert!(out.contains("more causes omitted."));
        assert_eq!(chain(&sample()), "");
    }

    #[test]
    fn in_app_frames_link_to_their_lines_at_the_build_commit() {
        let mut report = crate::report::sample();
        report.backtrace = vec![
            BacktraceFrame::new("app::load")
                .with_file("src/config.rs")
                .with_line(42)
                .with_in_app(true),
            BacktraceFrame::new("app::main")
                .with_file("/home/dev/app/src/main.rs")
                .with_line(7)
                .with_in_app(true),
            BacktraceFrame::new("app::run")
                .with_file("../outside/run.rs")
                .with_line(3)
                .with_in_app(true),
        ];
        let commit = "0123456789abcdef0123456789abcdef01234567";
        report.system.source_url = Some(format!("https://github.com/acme/app/blob/{commit}"));
        let out = in_app_frames(&report, 3);
        assert!(
            out.contains(&format!(
                "- `app::load` at [`src/config.rs:42`](https://github.com/acme/app/blob/{commit}/src/config.rs#L42)"
            )),
            "{out}"
        );
        // An absolute path or one leaving the repository gets no link.
        assert!(
            out.contains("- `app::main` at `/home/dev/app/src/main.rs:7`\n"),
            "{out}"
        );
        assert!(
            out.contains("- `app::run` at `../outside/run.rs:3`\n"),
            "{out}"
        );

        // Without a commit, or with an address of any other shape, no links at all.
        for source in [
            None,
            Some("https://evil.example/acme/app/blob/0123456789abcdef) [x](https://x".to_string()),
            Some("javascript:alert(1)//acme/app/blob/0123456".to_string()),
            Some("https://github.com/acme/app/tree/main".to_string()),
        ] {
            report.system.source_url = source;
            let out = in_app_frames(&report, 3);
            assert!(!out.contains("]("), "{out}");
        }
    }

    #[test]
    fn the_environment_names_the_commit_only_when_known() {
        let mut report = crate::report::sample();
        assert!(!environment(&report).contains("| Commit |"));
        report.system.commit = Some("0123456789abcdef0123456789abcdef01234567".into());
        assert!(
            environment(&report)
                .contains("| Commit | `0123456789abcdef0123456789abcdef01234567` |"),
            "{}",
            environment(&report)
        );
    }

    #[test]
    fn frames_list_in_app_ones_and_say_what_was_cut() {
        let mut report = sample();
        report.backtrace = (0..4)
            .map(|i| BacktraceFrame {
                function: format!("app::f{i}"),
                file: Some("src/lib.rs".into()),
                line: Some(i),
                in_app: i != 1,
            })
            .collect();
        let out = in_app_frames(&report, 2);
        assert!(out.contains("- `app::f0` at `src/lib.rs:0`\n- `app::f2` at `src/lib.rs:2`\n"));
        assert!(out.contains("1 more in-app frames omitted"), "{out}");
        let out = backtrace(&report, 3);
        assert!(
            out.contains("* app::f0\n      at src/lib.rs:0\n  app::f1\n"),
            "{out}"
        );
        assert!(out.contains("1 frames omitted"));
        assert!(out.starts_with("<details><summary>Full backtrace: 4 frames"));
    }

    #[test]
    fn logs_keep_the_most_recent_lines() {
        let mut report = sample();
        report.logs = vec!["one".into(), "two".into(), "three".into()];
        let out = logs(&report, 1);
        assert!(out.contains("… 2 earlier lines omitted to fit GitHub's size limit\nthree\n"));
        assert!(out.starts_with("<details><summary>Last 3 log lines</summary>"));
    }

    #[test]
    fn the_command_line_reads_back_in_a_shell() {
        let mut report = sample();
        report.command.args = vec!["add".into(), "it's here".into(), String::new()];
        assert_eq!(
            command(&report),
            "### Command line\n\n```sh\napp add 'it'\\''s here' ''\n```\n\n"
        );
    }

    #[test]
    fn environment_values_stay_inside_their_cells() {
        let mut report = sample();
        report.env.insert("RUST_LOG".into(), "a|b".into());
        let out = environment(&report);
        assert!(out.contains("| `RUST_LOG` | `a\\|b` |\n"), "{out}");
    }
}
