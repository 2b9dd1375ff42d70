//! Rendering a report as the GitHub issue a maintainer is glad to receive: a precise title, a
//! readable body in a fixed order, safe for any content, within GitHub's limits, with the
//! report JSON embedded for the fix generator.
//!
//! [`render_issue`] gives the title and body of a report's issue; [`REPORT_MARKER`] and
//! [`fingerprint_marker`] are how a body is recognised as one.
//!
//! - `title`: `[auto-heal] <ErrorType>: <first line of message> in <operation>`.
//! - `body`: the sections, in order.
//! - `sanitize` and `markdown`: how untrusted text is made safe.
//! - `embedded`: the report JSON and its marker.
//! - `limits`: GitHub's limits and how a body is fit into them.
//! - `link`: [`new_issue_link`], the prefilled new-issue form for a user without a token.

mod body;
mod embedded;
mod limits;
mod link;
pub(crate) mod markdown;
pub(crate) mod sanitize;
pub(crate) mod title;

use crate::{Config, Report};

pub use embedded::REPORT_MARKER;
pub use link::{MAX_LINK_BYTES, new_issue_link};

/// An issue ready to be filed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueDraft {
    /// The title, at most 256 characters.
    pub title: String,
    /// The markdown body, at most 65,000 characters (GitHub allows 65,536).
    pub body: String,
    /// The labels, de-duplicated, in order.
    pub labels: Vec<String>,
}

/// Render `report` as an issue.
///
/// The body holds, in order: a summary, the cause chain, the in-app frames and the full
/// backtrace (collapsed), the command line, the last log lines (collapsed), the span stack,
/// environment and system facts, the marker `<!-- autoheal:fingerprint=... -->` on a line of
/// its own, and the report JSON (collapsed, after [`REPORT_MARKER`]). No text of the report
/// can open HTML, ping anyone, link an issue or forge a marker. When the body would exceed
/// GitHub's limit the log lines and the full backtrace are cut first, then the in-app frames,
/// then the embedded JSON, each saying so; the summary, the chain and the fingerprint marker
/// never are (though each message in them is bounded).
pub fn render_issue(report: &Report) -> IssueDraft {
    IssueDraft {
        title: title::title(report),
        body: limits::fit_body(report),
        labels: labels(&report.labels),
    }
}

/// The issue `report` becomes when it is sent with `config`: the privacy settings applied
/// (the parts they leave out removed, the matches of `redact_patterns` masked), then
/// rendered by [`render_issue`]. The GitHub sink files exactly this (a report that waited
/// while its bug happened again, or a regression, gets one line before the body saying so);
/// `preview` prints it, and the new-issue link of [`new_issue_link`] is cut from the same
/// report.
pub fn outgoing_issue(report: &Report, config: &Config) -> IssueDraft {
    render_issue(&outgoing_report(report, config))
}

/// `report` as it leaves the machine under `config`'s privacy settings. The same for every
/// process with the same settings: nothing of the process's own environment is read.
pub(crate) fn outgoing_report(report: &Report, config: &Config) -> Report {
    let mut report = report.clone();
    config.privacy.strip(&mut report);
    let redactor = crate::redact::Redactor::for_privacy(&config.privacy);
    redactor.redact_report(&mut report);
    report
}

/// The marker that identifies the issue of a fingerprint: the line every issue body carries
/// and that duplicate searches look for. Only the fingerprint's hex digits are used, so the
/// marker is the same wherever it is made.
pub fn fingerprint_marker(fingerprint: &str) -> String {
    let hex: String = fingerprint
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(128)
        .collect();
    format!("<!-- autoheal:fingerprint={hex} -->")
}

/// `labels` trimmed, without empty ones, each kept once (GitHub's label names ignore case).
fn labels(labels: &[String]) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for label in labels.iter().map(|l| l.trim()) {
        if !label.is_empty() && !kept.iter().any(|k| k.eq_ignore_ascii_case(label)) {
            kept.push(label.to_string());
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_deduplicated_in_order_without_empty_ones() {
        let given = [
            "auto-heal",
            " cli-error ",
            "",
            "Auto-Heal",
            "  ",
            "bug",
            "cli-error",
        ];
        let given: Vec<String> = given.iter().map(|s| s.to_string()).collect();
        assert_eq!(labels(&given), ["auto-heal", "cli-error", "bug"]);
    }

    #[test]
    fn the_fingerprint_marker_holds_only_hex_digits() {
        assert_eq!(
            fingerprint_marker("0123abcdef"),
            "<!-- autoheal:fingerprint=0123abcdef -->"
        );
        assert_eq!(
            fingerprint_marker("ab --> <script>"),
            "<!-- autoheal:fingerprint=abc -->"
        );
    }

    #[test]
    fn the_body_carries_its_fingerprint_marker_on_a_line_of_its_own() {
        let report = crate::report::sample();
        let issue = render_issue(&report);
        let marker = fingerprint_marker(&report.fingerprint);
        assert_eq!(issue.body.lines().filter(|l| *l == marker).count(), 1);
        assert_eq!(issue.body.matches("<!-- autoheal:fingerprint=").count(), 1);
        assert_eq!(issue.labels, ["auto-heal"]);
    }
}
