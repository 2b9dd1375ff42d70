//! The report JSON embedded after [`REPORT_MARKER`]: in a collapsed block, fenced with
//! ```` ```json ```` (longer when a string holds a backtick run). The `\u003c` escapes the
//! renderer writes are plain JSON escapes, so `serde_json` reads them back as they were.

use super::blocks::{Block, blocks};
use crate::{REPORT_MARKER, Report};

/// How many report markers are tried, the last one first (a body edited by hand may quote
/// one above the real one).
const MARKERS_TRIED: usize = 4;

/// Why no report could be read from the JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Missing {
    /// The body has no report marker.
    NoMarker,
    /// The marker is there but what follows is not a report: the parser's message.
    Invalid(String),
}

/// The report embedded in `body`.
pub(super) fn report(body: &str) -> Result<Report, Missing> {
    let mut first_error = None;
    for (at, marker) in body.rmatch_indices(REPORT_MARKER).take(MARKERS_TRIED) {
        let after = body.get(at + marker.len()..).unwrap_or("");
        match report_after_marker(after) {
            Ok(report) => return Ok(report),
            Err(message) => {
                first_error.get_or_insert(message);
            }
        }
    }
    Err(first_error.map_or(Missing::NoMarker, Missing::Invalid))
}

/// The report in the first `json` fence of `text`, or else the first JSON object in it.
fn report_after_marker(text: &str) -> Result<Report, String> {
    let fenced = blocks(text).into_iter().find_map(|block| match block {
        Block::Fence { info, lines } if info.eq_ignore_ascii_case("json") => {
            Some(Block::fence_text(&lines))
        }
        _ => None,
    });
    if let Some(json) = fenced {
        return serde_json::from_str(&json).map_err(|e| e.to_string());
    }
    let Some(start) = text.find('{') else {
        return Err("no JSON object follows the report marker".to_string());
    };
    let json = text.get(start..).unwrap_or("");
    // The first value only: whatever follows the object (the end of a block) is not JSON.
    match serde_json::Deserializer::from_str(json)
        .into_iter::<Report>()
        .next()
    {
        Some(Ok(report)) => Ok(report),
        Some(Err(error)) => Err(error.to_string()),
        None => Err("no JSON object follows the report marker".to_string()),
    }
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
    fn an_unfenced_object_after_the_marker_is_read_too() {
        let (report, json) = sample_json();
        let body = format!("{REPORT_MARKER}\n{json}\n</details> trailing");
        assert_eq!(super::report(&body), Ok(report));
    }

    #[test]
    fn a_quoted_marker_above_the_real_one_does_no_harm() {
        let (report, json) = sample_json();
        let body = format!("{REPORT_MARKER}\n```json\n{json}\n```\nquoted: {REPORT_MARKER}");
        assert_eq!(super::report(&body), Ok(report));
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
