//! Safe markdown for untrusted text: nothing in an error message, a log line or an argument can
//! open HTML, close a `<details>` block, start markdown structure, ping a person, link an issue
//! or forge autoheal's own markers.

/// Zero-width space: breaks `@name` and `#123` so GitHub links neither.
const BREAK: char = '\u{200B}';

/// `text` without control characters (except newlines and tabs when `keep_lines`), ANSI escape
/// sequences or bidirectional overrides.
pub(crate) fn clean(text: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI sequences: ESC [ parameters final-byte; other escapes: ESC + one char.
            if chars.peek() == Some(&'[') {
                chars.next();
                for next in chars.by_ref() {
                    if ('@'..='~').contains(&next) {
                        break;
                    }
                }
            } else {
                chars.next();
            }
            continue;
        }
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        let allowed_control = keep_lines && (c == '\n' || c == '\t');
        if bidi || (c.is_control() && !allowed_control) {
            if c == '\n' || c == '\r' || c == '\t' {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Untrusted text for use inside a code fence: cleaned, with comment openers broken so no
/// line can pass for an autoheal marker.
pub(crate) fn fenced_text(text: &str) -> String {
    clean(text, true)
        .replace("\r\n", "\n")
        .replace("<!--", "<!\u{200B}--")
}

/// A code fence around `content`, longer than any backtick run inside it.
pub(crate) fn fence(content: &str, language: &str) -> String {
    let longest = longest_run(content, '`');
    let ticks = "`".repeat((longest + 1).max(3));
    let mut out = format!("{ticks}{language}\n{content}");
    if !content.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&ticks);
    out.push('\n');
    out
}

/// Untrusted text for use in running prose: one line, markdown and HTML escaped, mentions and
/// issue references broken.
pub(crate) fn inline(text: &str) -> String {
    let cleaned = clean(text, false);
    let mut out = String::with_capacity(cleaned.len() + 16);
    for c in cleaned.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' | '#' => {
                out.push(c);
                out.push(BREAK);
            }
            // One line that never starts a line: only the characters that act mid-line need escaping.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Untrusted text as an inline code span: shown verbatim, never linked, one line.
pub(crate) fn code(text: &str) -> String {
    let text = clean(text, false).replace("<!--", "<!\u{200B}--");
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.is_empty() || text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// At most `max` characters of `text`, with a marker when cut.
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => format!(
            "{} […{} more characters]",
            &text[..cut],
            text[cut..].chars().count()
        ),
    }
}

fn longest_run(text: &str, wanted: char) -> usize {
    let (mut longest, mut current) = (0, 0);
    for c in text.chars() {
        current = if c == wanted { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(fence("plain", "text"), "```text\nplain\n```\n");
        assert_eq!(fence("a ```` b", ""), "`````\na ```` b\n`````\n");
    }

    #[test]
    fn inline_text_cannot_open_html_or_ping() {
        let out = inline("</details><script>alert(1)</script> @octocat fixes #12 **bold**");
        assert!(
            !out.contains('<') && !out.contains("@octocat") && !out.contains("#12"),
            "{out}"
        );
        assert!(out.contains("&lt;/details&gt;"));
        assert!(out.contains("\\*\\*bold\\*\\*"));
    }

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code("app::load"), "`app::load`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert!(!code("<!-- autoheal:report -->").contains("<!--"));
    }

    #[test]
    fn controls_ansi_and_bidi_are_removed() {
        assert_eq!(
            clean("\u{1b}[31mred\u{1b}[0m\0 a\u{202E}b\r\nc", false),
            "red ab  c"
        );
        assert_eq!(clean("line\n\tnext", true), "line\n\tnext");
    }

    #[test]
    fn markers_cannot_be_forged_inside_fences() {
        assert!(!fenced_text("<!-- autoheal:fingerprint=0000 -->").contains("<!--"));
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate_chars("ééé", 5), "ééé");
        assert_eq!(truncate_chars("ééééé", 2), "éé […3 more characters]");
    }
}
