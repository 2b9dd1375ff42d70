//! The report JSON embedded after [`REPORT_MARKER`]: in a collapsed block, fenced with
//! ```` ```json ```` (longer when a string holds a backtick run). The `\u003c` escapes the
//! renderer writes are plain JSON escapes, so `serde_json` reads them back as they were.
//!
//! Only the report GitHub renders is read: a body holds one marker, outside any HTML comment,
//! and the fenced block right after it. A report hidden in a comment, or a second marker that
//! would leave the reader to choose, is refused.

use super::blocks::{Block, blocks};
use super::comments;
use crate::{REPORT_MARKER, Report};

/// Why no report could be read from the JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Missing {
    /// The body has no report marker.
    NoMarker,
    /// The marker is there but what follows is not a report: the parser's message.
    Invalid(String),
    /// The body has more than one marker: which report GitHub shows cannot be told.
    SecondMarker(usize),
    /// The marker is inside an HTML comment: its report is invisible on GitHub.
    Hidden,
}

/// The report embedded in `body`: the fenced JSON block right after its one marker (blank
/// lines and the `<details>` and `<summary>` lines of the collapsed block aside), outside any
/// HTML comment — the report GitHub renders, and no other.
pub(super) fn report(body: &str) -> Result<Report, Missing> {
    let markers: Vec<usize> = body
        .match_indices(REPORT_MARKER)
        .map(|(at, _)| at)
        .collect();
    let at = match markers[..] {
        [] => return Err(Missing::NoMarker),
        [at] => at,
        _ => return Err(Missing::SecondMarker(markers.len())),
    };
    if comments::spans(body)
        .iter()
        .any(|span| span.start < at && at < span.end)
    {
        return Err(Missing::Hidden);
    }
    let after = body.get(at + REPORT_MARKER.len()..).unwrap_or("");
    report_after_marker(after).map_err(Missing::Invalid)
}

/// The report in the fenced `json` block that follows the marker.
fn report_after_marker(text: &str) -> Result<Report, String> {
    for block in blocks(text) {
        match block {
            Block::Blank => {}
            Block::Line(line) if is_collapsed_block_line(line) => {}
            Block::Fence { info, lines } if info.eq_ignore_ascii_case("json") => {
                return serde_json::from_str(&Block::fence_text(&lines)).map_err(|e| e.to_string());
            }
            _ => break,
        }
    }
    Err("no fenced JSON block follows the report marker".to_string())
}

/// Whether `line` only opens a collapsed block (`<details>`, `<summary>...</summary>`).
fn is_collapsed_block_line(line: &str) -> bool {
    let line = line.trim();
    let rest = line.strip_prefix("<details>").unwrap_or(line).trim_start();
    if rest.is_empty() {
        return line.starts_with("<details>");
    }
    rest.strip_prefix("<summary>")
        .is_some_and(|summary| summary.ends_with("</summary>") && !summary.contains("<!--"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_json() -> (Report, String) {
        let report = crate::report::sample();
        let json = report.to_json_pretty();
        (report, json)
    }

    #[test]
    fn the_json_is_read_from_a_fence_of_any_length() {
        let (report, json) = sample_json();
        for ticks in ["```", "`````"] {
            let body = format!(
                "text\n{REPORT_MARKER}\n<details><summary>Report JSON</summary>\n\n\
                 {ticks}json\n{json}\n{ticks}\n</details>\n"
            );
            assert_eq!(super::report(&body), Ok(report.clone()));
        }
    }

    #[test]
    fn escapes_and_crlf_line_breaks_read_back() {
        let (mut report, _) = sample_json();
        report.error.message = "<!-- x --> \u{202e}".into();
        let json = report
            .to_json_pretty()
            .replace("<!--", "\\u003c!--")
            .replace('\u{202e}', "\\u202e")
            .replace('\n', "\r\n");
        let body = format!("{REPORT_MARKER}\r\n```json\r\n{json}\r\n```\r\n");
        assert_eq!(super::report(&body), Ok(report));
    }

    #[test]
    fn an_unfenced_object_after_the_marker_is_not_read() {
        let (_, json) = sample_json();
        let body = format!("{REPORT_MARKER}\n{json}\n</details> trailing");
        assert!(matches!(super::report(&body), Err(Missing::Invalid(_))));
    }

    #[test]
    fn a_second_marker_is_refused() {
        let (_, json) = sample_json();
        let body = format!("{REPORT_MARKER}\n```json\n{json}\n```\nquoted: {REPORT_MARKER}");
        assert_eq!(super::report(&body), Err(Missing::SecondMarker(2)));
    }

    #[test]
    fn a_report_inside_an_html_comment_is_refused() {
        let (_, json) = sample_json();
        // HTML comments do not nest: the one opened above ends with the marker's `-->`.
        let hidden = format!("<!-- hidden\n{REPORT_MARKER}\n```json\n{json}\n```\n");
        assert_eq!(super::report(&hidden), Err(Missing::Hidden));
        // The marker visible, the JSON after it in a comment: not a report GitHub renders.
        let after = format!("{REPORT_MARKER}\n<!--\n```json\n{json}\n```\n-->\n");
        assert!(matches!(super::report(&after), Err(Missing::Invalid(_))));
    }

    #[test]
    fn what_is_missing_or_broken_is_told_apart() {
        assert_eq!(super::report("no marker here"), Err(Missing::NoMarker));
        let broken = super::report(&format!(
            "{REPORT_MARKER}\n```json\n{{\"schema\": \"x\"}}\n```"
        ));
        assert!(
            matches!(&broken, Err(Missing::Invalid(m))
                if m.contains("field `schema`: expected an unsigned integer")),
            "{broken:?}"
        );
        assert!(matches!(
            super::report(REPORT_MARKER),
            Err(Missing::Invalid(_))
        ));
    }
}
