//! Rendering a report as a GitHub issue. (Stub: being written.)

use crate::Report;

/// An issue ready to be filed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueDraft {
    /// The title.
    pub title: String,
    /// The markdown body.
    pub body: String,
    /// The labels.
    pub labels: Vec<String>,
}

/// Render `report` as an issue.
pub fn render_issue(report: &Report) -> IssueDraft {
    IssueDraft {
        title: format!(
            "[auto-heal] {}: {} in {}",
            report.error.type_name, report.error.message, report.site.function
        ),
        body: format!(
            "```json\n{}\n```\n<!-- autoheal:fingerprint={} -->\n",
            report.to_json_pretty(),
            report.fingerprint
        ),
        labels: report.labels.clone(),
    }
}
