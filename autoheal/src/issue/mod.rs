//! Rendering a report as the GitHub issue a maintainer is glad to receive: a precise title, a
//! readable body in a fixed order, safe for any content, within GitHub's limits, with the
//! report JSON embedded for the fix generator.

mod body;
mod markdown;
mod title;

use crate::Report;

pub use body::REPORT_MARKER;

/// An issue ready to be filed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueDraft {
    /// The title, at most 256 characters.
    pub title: String,
    /// The markdown body, at most 65,536 characters.
    pub body: String,
    /// The labels, de-duplicated, in order.
    pub labels: Vec<String>,
}

/// Render `report` as an issue.
///
/// The body holds, in order: a summary, the cause chain, the in-app frames and the full
/// backtrace (collapsed), the command line, the last log lines (collapsed), the span stack,
/// environment and system facts, the marker `<!-- autoheal:fingerprint=... -->` and the report
/// JSON (collapsed). When it would exceed GitHub's limit the logs and the backtrace are cut
/// first, saying so; the summary, the chain and the fingerprint never are.
pub fn render_issue(report: &Report) -> IssueDraft {
    let mut budget = body::Budget::FULL;
    if serde_json::to_string(report).map_or(0, |json| json.len()) > body::MAX_BODY_CHARS / 2 {
        // The JSON alone would crowd out the rest: embed its shortened form from the start.
        budget.json_trimmed = true;
    }
    let mut text = body::body(report, budget);
    while text.chars().count() > body::MAX_BODY_CHARS {
        match budget.shrink(report) {
            Some(smaller) => {
                budget = smaller;
                text = body::body(report, budget);
            }
            None => break,
        }
    }
    let mut labels: Vec<String> = Vec::new();
    for label in &report.labels {
        let label = label.trim();
        if !label.is_empty() && !labels.iter().any(|l| l == label) {
            labels.push(label.to_string());
        }
    }
    IssueDraft {
        title: title::title(report),
        body: text,
        labels,
    }
}

/// The fingerprint marker of an issue body, if it has one.
pub fn fingerprint_marker(fingerprint: &str) -> String {
    format!("<!-- autoheal:fingerprint={fingerprint} -->")
}
