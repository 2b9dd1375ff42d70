//! The report JSON embedded at the end of every issue, for the fix generator.
//!
//! It follows the marker [`REPORT_MARKER`] in a collapsed block, fenced with ```` ```json ````
//! (longer when a string holds a backtick run). It parses back to the very report: the text is
//! [`Report::to_json_pretty`] with a few characters written as JSON `\u` escapes, which mean
//! the same — `<` before `!--`, so that no log line can forge an autoheal marker, and control
//! and bidirectional characters, so that none of them can disguise the JSON. When the report is
//! too large for an issue, a shortened copy (fewer log lines and frames, long texts cut) is
//! embedded instead, and the block says so.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::markdown::{details, fence, truncate_chars};
use super::sanitize::is_hidden;
use crate::{BacktraceFrame, CommandLine, ErrorDetails, Report, Site, SystemInfo};

/// The marker that precedes the embedded report JSON in an issue body.
pub const REPORT_MARKER: &str = "<!-- autoheal:report -->";

/// How much of the report goes into the JSON: the longest text, the longest list, the log
/// lines (the most recent) and the backtrace frames (in-app ones first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct JsonCut {
    text_chars: usize,
    items: usize,
    log_lines: usize,
    frames: usize,
}

impl JsonCut {
    /// The whole report.
    pub(super) const NONE: JsonCut = JsonCut {
        text_chars: usize::MAX,
        items: usize::MAX,
        log_lines: usize::MAX,
        frames: usize::MAX,
    };

    /// The first cut: texts and lists bounded, the log lines and frames mostly still there.
    const FIRST: JsonCut = JsonCut {
        text_chars: 4_000,
        items: 100,
        log_lines: 1_000,
        frames: 200,
    };

    /// Where to start for `report` in `room` characters: the whole report, unless its texts
    /// alone are clearly too long (then serialising it would be wasted work).
    pub(super) fn start(report: &Report, room: usize) -> JsonCut {
        if least_json_chars(report) > room {
            JsonCut::FIRST
        } else {
            JsonCut::NONE
        }
    }

    /// The next shorter cut of `report`, whose JSON block took `len` characters for `room`, or
    /// `None` when nothing is left to cut. The log lines go first, then the backtrace, then
    /// the texts and lists, each in proportion to how far the block is over.
    pub(super) fn next(self, report: &Report, len: usize, room: usize) -> Option<JsonCut> {
        let log_lines = self.log_lines.min(report.logs.len());
        let frames = self.frames.min(report.backtrace.len());
        let scale = |n: usize| {
            let scaled = n as u128 * room as u128 / len.max(1) as u128;
            usize::try_from(scaled)
                .unwrap_or(usize::MAX)
                .min(n.saturating_sub(1))
        };
        if self == JsonCut::NONE {
            Some(JsonCut::FIRST)
        } else if log_lines > 0 {
            Some(JsonCut {
                log_lines: scale(log_lines),
                ..self
            })
        } else if frames > 0 {
            Some(JsonCut {
                frames: scale(frames),
                log_lines,
                ..self
            })
        } else if self.text_chars > 0 || self.items > 0 {
            Some(JsonCut {
                text_chars: scale(self.text_chars),
                items: scale(self.items),
                log_lines,
                frames,
            })
        } else {
            None
        }
    }
}

/// A lower bound on the characters of the report's JSON: its long texts, each written at least
/// once, at most 4 bytes a character.
fn least_json_chars(report: &Report) -> usize {
    let strings = |items: &[String]| items.iter().map(String::len).sum::<usize>();
    let env: usize = report.env.iter().map(|(k, v)| k.len() + v.len()).sum();
    let backtrace: usize = report
        .backtrace
        .iter()
        .map(|f| f.function.len() + f.file.as_ref().map_or(0, String::len))
        .sum();
    let bytes = report.error.message.len()
        + strings(&report.error.chain)
        + strings(&report.command.args)
        + strings(&report.logs)
        + strings(&report.spans)
        + strings(&report.frames)
        + env
        + backtrace;
    bytes / 4
}

/// The marker and the collapsed block holding the JSON of `report` within `cut`.
pub(super) fn json_block(report: &Report, cut: JsonCut) -> String {
    let (json, note) = if cut == JsonCut::NONE {
        (report.to_json_pretty(), String::new())
    } else {
        let short = shortened(report, cut);
        let note = if short == *report {
            String::new()
        } else {
            shortening_note(report, &short, cut)
        };
        (short.to_json_pretty(), note)
    };
    let summary = format!("Report JSON, for the fix generator{note}");
    format!(
        "{REPORT_MARKER}\n{}",
        details(&summary, &fence(&displayable(&json), "json"))
    )
}

/// What the shortened JSON lacks, for the block's summary line.
fn shortening_note(report: &Report, short: &Report, cut: JsonCut) -> String {
    let mut note = format!(
        " (shortened to fit GitHub's size limit: {} of {} log lines, {} of {} backtrace frames",
        short.logs.len(),
        report.logs.len(),
        short.backtrace.len(),
        report.backtrace.len()
    );
    if cut.text_chars < usize::MAX {
        let _ = write!(
            note,
            ", texts cut at {} characters, lists at {} items",
            cut.text_chars, cut.items
        );
    }
    note.push(')');
    note
}

/// `json` with `<!--` and hidden characters written as `\u` escapes. These characters occur
/// only inside JSON strings (the rest of the text is ASCII punctuation, digits, letters and
/// layout), where an escape means the same character.
fn displayable(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut chars = json.chars();
    while let Some(c) = chars.next() {
        let opens_comment = c == '<' && chars.as_str().starts_with("!--");
        if opens_comment || (c != '\n' && is_hidden(c)) {
            // JSON escapes UTF-16 units: a character beyond U+FFFF (a tag) is a surrogate pair.
            let mut units = [0_u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The trace ID and the fingerprint are kept whole up to this many characters however short
/// the cut (autoheal makes them 32 hex digits; the fingerprint marker holds at most 128): the
/// fix generator matches on them. Longer ones, which only a hand-edited issue can hold, are
/// cut like any text, so that they cannot push the body over GitHub's limit.
const IDENTIFIER_CHARS: usize = 128;

/// A copy of `report` within `cut`. Still a complete report: the fix generator reads it the
/// same way.
fn shortened(report: &Report, cut: JsonCut) -> Report {
    let text = |s: &String| truncate_chars(s, cut.text_chars);
    let identifier = |s: &String| truncate_chars(s, cut.text_chars.max(IDENTIFIER_CHARS));
    let list =
        |items: &[String]| -> Vec<String> { items.iter().take(cut.items).map(text).collect() };
    let logs = &report.logs;
    Report {
        schema: report.schema,
        trace_id: identifier(&report.trace_id),
        timestamp: text(&report.timestamp),
        fingerprint: identifier(&report.fingerprint),
        kind: report.kind,
        error: ErrorDetails {
            type_name: text(&report.error.type_name),
            message: text(&report.error.message),
            chain: list(&report.error.chain),
            root_type: report.error.root_type.as_ref().map(text),
        },
        site: Site {
            function: text(&report.site.function),
            name: report.site.name.as_ref().map(text),
            module: text(&report.site.module),
            file: text(&report.site.file),
            line: report.site.line,
        },
        frames: list(&report.frames),
        command: CommandLine {
            program: text(&report.command.program),
            args: list(&report.command.args),
        },
        backtrace: in_app_first(&report.backtrace, cut.frames)
            .map(|frame| BacktraceFrame {
                function: text(&frame.function),
                file: frame.file.as_ref().map(text),
                line: frame.line,
                in_app: frame.in_app,
            })
            .collect(),
        logs: crate::layer::lines_to_show(logs, cut.log_lines)
            .into_iter()
            .map(|line| truncate_chars(line, cut.text_chars / 4))
            .collect(),
        spans: list(&report.spans),
        env: report
            .env
            .iter()
            .take(cut.items)
            .map(|(name, value)| (text(name), text(value)))
            .collect::<BTreeMap<_, _>>(),
        system: SystemInfo {
            os: text(&report.system.os),
            arch: text(&report.system.arch),
            app: text(&report.system.app),
            app_version: text(&report.system.app_version),
            rust_version: text(&report.system.rust_version),
            pid: report.system.pid,
            cwd: text(&report.system.cwd),
            commit: report.system.commit.as_ref().map(text),
            source_url: report.system.source_url.as_ref().map(text),
        },
        labels: list(&report.labels),
    }
}

/// At most `most` frames, in their order: the in-app ones first, then as many others as
/// there is room for.
fn in_app_first(frames: &[BacktraceFrame], most: usize) -> impl Iterator<Item = &BacktraceFrame> {
    let in_app = frames.iter().filter(|f| f.in_app).count();
    let mut in_app_left = most;
    let mut others_left = most.saturating_sub(in_app);
    frames.iter().filter(move |frame| {
        let left = if frame.in_app {
            &mut in_app_left
        } else {
            &mut others_left
        };
        let keep = *left > 0;
        *left = left.saturating_sub(1);
        keep
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON text inside a block made by [`json_block`].
    fn json_of(block: &str) -> &str {
        let start = block.find("json\n").map_or(0, |i| i + "json\n".len());
        let end = block.rfind("\n```").unwrap_or(block.len());
        block.get(start..end).unwrap_or("")
    }

    #[test]
    fn the_full_report_is_embedded_verbatim_when_nothing_needs_escaping() {
        let report = crate::report::sample();
        let block = json_block(&report, JsonCut::NONE);
        assert!(block.starts_with("<!-- autoheal:report -->\n<details><summary>Report JSON"));
        assert_eq!(json_of(&block), report.to_json_pretty());
    }

    #[test]
    fn escaped_characters_parse_back_to_the_same_report() {
        let mut report = crate::report::sample();
        report.error.message = "<!-- autoheal:fingerprint=ff --> \u{202e}\u{85}\u{7f}\0 <b>".into();
        report.logs = vec!["```` fence".into()];
        let block = json_block(&report, JsonCut::NONE);
        assert_eq!(block.matches("<!--").count(), 1, "only the report marker");
        assert!(!block.contains('\u{202e}'));
        assert!(block.contains("\\u003c!-- autoheal:fingerprint=ff --> \\u202e\\u0085\\u007f"));
        assert!(block.contains("<b>"), "only comment openers are escaped");
        assert!(
            block.contains("\n`````json\n"),
            "the fence outgrows the backtick run"
        );
        let parsed: Report = serde_json::from_str(json_of(&block)).unwrap();
        assert_eq!(parsed, report);
    }

    #[test]
    fn a_shortened_report_is_still_a_report_and_says_what_it_lacks() {
        let mut report = crate::report::sample();
        report.error.message = "m".repeat(20_000);
        report.logs = (0..10).map(|i| format!("line {i}")).collect();
        let cut = JsonCut::FIRST.next(&report, 2, 1).unwrap_or(JsonCut::NONE);
        let block = json_block(&report, cut);
        let parsed: Report = serde_json::from_str(json_of(&block)).unwrap();
        assert_eq!(
            parsed.logs,
            ["line 5", "line 6", "line 7", "line 8", "line 9"]
        );
        assert!(parsed.error.message.ends_with("… [16000 more characters]"));
        assert_eq!(parsed.fingerprint, report.fingerprint);
        assert!(block.contains("(shortened to fit GitHub's size limit: 5 of 10 log lines"));
    }

    #[test]
    fn a_cut_that_changes_nothing_is_not_called_shortened() {
        let report = crate::report::sample();
        assert!(!json_block(&report, JsonCut::FIRST).contains("shortened"));
    }

    #[test]
    fn the_whole_report_is_tried_first_unless_its_texts_cannot_fit() {
        let mut report = crate::report::sample();
        assert_eq!(JsonCut::start(&report, 10_000), JsonCut::NONE);
        report.error.message = "x".repeat(50_000);
        assert_eq!(JsonCut::start(&report, 10_000), JsonCut::FIRST);
    }

    #[test]
    fn cuts_shrink_in_proportion_to_the_overflow() {
        let mut report = crate::report::sample();
        report.logs = vec!["x".into(); 1000];
        let cut = JsonCut::FIRST.next(&report, 100_000, 10_000);
        assert_eq!(cut.map(|c| c.log_lines), Some(100));
        let cut = JsonCut::FIRST.next(&report, 10_001, 10_000);
        assert_eq!(
            cut.map(|c| c.log_lines),
            Some(999),
            "always at least one less"
        );
    }

    #[test]
    fn cuts_shrink_until_nothing_is_left() {
        let mut report = crate::report::sample();
        report.logs = vec!["x".into(); 64];
        let mut cut = JsonCut::NONE;
        let mut steps = 0;
        while let Some(next) = cut.next(&report, 2, 1) {
            cut = next;
            steps += 1;
            assert!(steps < 100, "the cuts end");
        }
        let minimal = shortened(&report, cut);
        assert!(minimal.logs.is_empty() && minimal.labels.is_empty());
        assert!(minimal.to_json_pretty().len() < 2_000);
    }

    #[test]
    fn in_app_frames_are_kept_first_in_their_order() {
        let frames: Vec<BacktraceFrame> = [false, true, false, true, false]
            .iter()
            .enumerate()
            .map(|(i, &in_app)| BacktraceFrame {
                function: format!("f{i}"),
                in_app,
                ..BacktraceFrame::default()
            })
            .collect();
        let names = |most| -> Vec<String> {
            in_app_first(&frames, most)
                .map(|f| f.function.clone())
                .collect()
        };
        assert_eq!(names(3), ["f0", "f1", "f3"]);
        assert_eq!(names(1), ["f1"]);
        assert_eq!(names(10).len(), 5);
    }
}
