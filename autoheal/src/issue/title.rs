//! The issue title: `[auto-heal] <ErrorType>: <first line of message> in <operation>`, one
//! line of plain text that names the bug well enough to be recognised in a list of issues.

use super::limits::{MAX_TITLE_CHARS, TITLE_OPERATION_CHARS};
use super::markdown::{BREAK, links_after};
use super::sanitize::{Lines, visible};
use crate::{Report, ReportKind};

/// The title for `report`: one line, at most 256 characters, no control characters, no
/// mentions or issue references that GitHub would link. The operation is the site's function
/// (or its `name = "..."`), the same one the fingerprint groups by.
pub(crate) fn title(report: &Report) -> String {
    let error_type = match report.kind {
        ReportKind::Panic => "panic".to_string(),
        ReportKind::Error => match &report.error.root_type {
            // The type the program named, and the root cause's beside it.
            Some(root) => one_line(&format!("{} ← {root}", report.error.type_name)),
            None => one_line(&report.error.type_name),
        },
    };
    let error_type = if error_type.is_empty() {
        "error".to_string()
    } else {
        error_type
    };
    let message = one_line(first_line(&report.error.message));
    let operation = cut(&one_line(report.site.operation()), TITLE_OPERATION_CHARS);
    let head = if message.is_empty() {
        format!("[auto-heal] {error_type}")
    } else {
        format!("[auto-heal] {error_type}: {message}")
    };
    let suffix = if operation.is_empty() {
        String::new()
    } else {
        format!(" in {}", unlinked(&operation))
    };
    let room = MAX_TITLE_CHARS.saturating_sub(suffix.chars().count());
    format!("{}{suffix}", cut(&unlinked(&head), room))
}

/// The first line of `text` that is not blank.
fn first_line(text: &str) -> &str {
    text.split(['\n', '\r'])
        .find(|line| !line.trim().is_empty())
        .unwrap_or("")
}

/// `text` on one line: hidden characters removed, whitespace runs collapsed, trimmed. Only
/// the start of a long text is read: a title holds 256 characters.
fn one_line(text: &str) -> String {
    let mut out = String::new();
    for c in visible(text, Lines::Flatten).take(MAX_TITLE_CHARS * 4) {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// `text` with a zero-width space after every `@` and before the number of an issue
/// reference: GitHub links mentions and references in titles and notifications too.
fn unlinked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut before = [' ', ' '];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if links_after(before, c, chars.peek().copied()) {
            out.push(BREAK);
        }
        before = [before[1], c];
    }
    out
}

/// At most `max` characters of `text`; when cut, the last of them is `…`.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(message: &str) -> Report {
        let mut report = crate::report::sample();
        report.error.message = message.to_string();
        report
    }

    #[test]
    fn titles_name_the_type_first_line_and_operation() {
        let mut report = report("\n  could not bind\nsecond line");
        report.site.function = "mcp start".into();
        report.frames = vec!["mcp start".into(), "cli main".into()];
        assert_eq!(
            title(&report),
            "[auto-heal] io::Error: could not bind in mcp start"
        );
    }

    #[test]
    fn panics_say_panic_whatever_the_type_field_holds() {
        let mut report = report("index out of bounds: the len is 3 but the index is 7");
        report.kind = ReportKind::Panic;
        report.error.type_name = "&str".into();
        assert_eq!(
            title(&report),
            "[auto-heal] panic: index out of bounds: the len is 3 but the index is 7 in app::load"
        );
    }

    #[test]
    fn empty_parts_leave_no_dangling_punctuation() {
        let mut report = report(" \n ");
        report.error.type_name = String::new();
        report.site.function = String::new();
        assert_eq!(title(&report), "[auto-heal] error");
    }

    #[test]
    fn long_messages_are_cut_with_an_ellipsis_and_keep_the_operation() {
        let report = report(&"é".repeat(1000));
        let title = title(&report);
        assert_eq!(title.chars().count(), MAX_TITLE_CHARS);
        assert!(title.ends_with("é… in app::load"), "{title}");
    }

    #[test]
    fn a_huge_operation_name_is_cut_too() {
        let mut report = report("boom");
        report.site.function = "op".repeat(500);
        let title = title(&report);
        assert!(title.chars().count() <= MAX_TITLE_CHARS);
        assert!(title.starts_with("[auto-heal] io::Error: boom in opop") && title.ends_with('…'));
    }

    #[test]
    fn hostile_messages_are_cleaned_and_unlinked() {
        let report =
            report("\u{1b}[31m@octocat\u{1b}[0m\0 broke #123 and GH-7\u{202e} \r\nnext line");
        assert_eq!(
            title(&report),
            "[auto-heal] io::Error: @\u{200B}octocat broke #\u{200B}123 and GH-\u{200B}7 in app::load"
        );
    }
}
