//! The issue title: `[auto-heal] <ErrorType>: <first line of message> in <operation>`.

use super::markdown::clean;
use crate::Report;

/// GitHub's limit on an issue title, in characters.
pub(crate) const MAX_TITLE_CHARS: usize = 256;

/// The title for `report`: one line, at most 256 characters, no control characters, no
/// mentions.
pub(crate) fn title(report: &Report) -> String {
    let first_line = report
        .error
        .message
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let suffix = format!(" in {}", clean(report.operation(), false));
    let head = format!(
        "[auto-heal] {}: {}",
        clean(&report.error.type_name, false),
        clean(first_line, false)
    );
    let head = neutralise_mentions(&head);
    let room = MAX_TITLE_CHARS.saturating_sub(suffix.chars().count());
    let head = if head.chars().count() > room {
        let kept: String = head.chars().take(room.saturating_sub(1)).collect();
        format!("{kept}…")
    } else {
        head
    };
    let title = format!("{head}{suffix}");
    title.chars().take(MAX_TITLE_CHARS).collect()
}

/// Titles are plain text, but GitHub still turns `@name` into a mention in notifications.
fn neutralise_mentions(text: &str) -> String {
    text.replace('@', "@\u{200B}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_the_type_first_line_and_operation() {
        let mut report = crate::report::sample();
        report.error.message = "\n  could not bind\nsecond line".to_string();
        report.frames = vec!["app::bind".into(), "mcp start".into()];
        assert_eq!(
            title(&report),
            "[auto-heal] io::Error: could not bind in mcp start"
        );
    }

    #[test]
    fn long_hostile_messages_are_bounded_and_cleaned() {
        let mut report = crate::report::sample();
        report.error.message = format!("\u{1b}[31m@octocat {}", "x".repeat(1000));
        let title = title(&report);
        assert!(title.chars().count() <= MAX_TITLE_CHARS);
        assert!(title.ends_with(" in app::load"));
        assert!(!title.contains('\u{1b}') && !title.contains("@octocat"));
    }
}
