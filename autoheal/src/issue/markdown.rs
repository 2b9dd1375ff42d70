//! Safe markdown for untrusted text. Nothing in an error message, a log line or an argument can
//! open HTML, close a `<details>` block, start markdown structure, ping a person, link an
//! issue, or forge one of autoheal's own `<!-- autoheal:... -->` markers.
//!
//! Untrusted text goes into an issue in one of three forms: escaped running text ([`text`]),
//! a code span ([`code`], [`code_cell`]) or a code fence ([`fence`] around [`block_text`] or
//! [`line_text`]). Each takes a bound on the characters it may produce, so that no input,
//! however long, can push the body past GitHub's limit.

use std::fmt::Write as _;

use super::sanitize::{Lines, visible};

/// Zero-width space: breaks `@name`, `#123` and `GH-123` so that GitHub links none of them,
/// while the text reads the same.
pub(crate) const BREAK: char = '\u{200B}';

/// The longest backtick run [`short_tick_runs`] leaves in untrusted text.
const MAX_TICK_RUN: usize = 16;

/// Untrusted text for running prose: one line, whitespace runs collapsed, HTML and the
/// markdown specials escaped, mentions and issue references broken. Safe at the start of a
/// block too (a list item's text cannot start a heading, a nested list or a quote).
///
/// At most `max` characters, then a note of how many more there were.
pub(crate) fn text(untrusted: &str, max: usize) -> String {
    let mut out = String::new();
    let mut len = 0;
    let mut escape = Escaper::default();
    let mut chars = visible(untrusted, Lines::Flatten).peekable();
    let mut pending_space = false;
    let mut piece = String::new();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            pending_space = len > 0;
            continue;
        }
        piece.clear();
        if pending_space {
            piece.push(' ');
            pending_space = false;
        }
        escape.push(&mut piece, c, chars.peek().copied());
        let piece_len = piece.chars().count();
        if len + piece_len > max {
            out.push_str(&omitted_chars(1 + chars.count()));
            return out;
        }
        out.push_str(&piece);
        len += piece_len;
    }
    out
}

/// Escapes one character of running text at a time, remembering what came before.
#[derive(Debug, Default)]
struct Escaper {
    /// Characters of the text written so far.
    seen: usize,
    /// Whether every character so far was an ASCII digit (`12.` would start a list).
    all_digits: bool,
    /// The two characters before this one (to find `GH-`).
    before: [char; 2],
}

impl Escaper {
    fn push(&mut self, out: &mut String, c: char, next: Option<char>) {
        let at_start = self.seen == 0;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '@' | '#' | '-' | '+' | '=' => {
                if at_start && c != '@' {
                    out.push('\\');
                }
                out.push(c);
                if links_after(self.before, c, next) {
                    out.push(BREAK);
                }
            }
            '.' | ')' if self.all_digits && !at_start && next.is_none_or(char::is_whitespace) => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        self.all_digits = (at_start || self.all_digits) && c.is_ascii_digit();
        self.seen += 1;
        self.before = [self.before[1], c];
    }
}

/// Whether GitHub would link what follows `c` (preceded by `before`, followed by `next`): a
/// mention (`@name`) or an issue reference (`#123`, `owner/repo#123`, `GH-123`).
pub(super) fn links_after(before: [char; 2], c: char, next: Option<char>) -> bool {
    let next_is_digit = next.is_some_and(|n| n.is_ascii_digit());
    let after_gh = before[0].eq_ignore_ascii_case(&'g') && before[1].eq_ignore_ascii_case(&'h');
    c == '@' || (next_is_digit && (c == '#' || (c == '-' && after_gh)))
}

/// Untrusted text as an inline code span: shown verbatim on one line, never linked.
///
/// At most `max` characters of the text, then a note of how many more there were.
pub(crate) fn code(untrusted: &str, max: usize) -> String {
    code_span(untrusted, max, false)
}

/// [`code`] for a table cell, where a `|` would end the cell even inside a code span.
pub(crate) fn code_cell(untrusted: &str, max: usize) -> String {
    code_span(untrusted, max, true)
}

fn code_span(untrusted: &str, max: usize, in_table: bool) -> String {
    let (content, rest) = bounded(visible(untrusted, Lines::Flatten), max);
    let mut content = short_tick_runs(&unforgeable(&content));
    if in_table {
        content = content.replace('|', "\\|");
    }
    let mut out = wrap_code_span(content);
    if rest > 0 {
        out.push_str(&omitted_chars(rest));
    }
    out
}

/// `content` (one line) between backtick runs one longer than its longest, padded where a
/// backtick or a space at either end would otherwise be taken for part of the delimiter.
pub(crate) fn wrap_code_span(mut content: String) -> String {
    if content.is_empty() {
        content.push(' ');
    }
    let ticks = "`".repeat(longest_run(&content, '`') + 1);
    // One space each side is stripped when both are there, unless the span is all spaces.
    let needs_pad = content.starts_with(['`', ' ']) || content.ends_with(['`', ' ']);
    let pad = if needs_pad && !content.trim().is_empty() {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{content}{pad}{ticks}")
}

/// Untrusted text for a code fence: line breaks kept, hidden characters removed, markers
/// broken. At most `max` characters, then a line saying how many more there were.
pub(crate) fn block_text(untrusted: &str, max: usize) -> String {
    fenced_text(untrusted, max, Lines::Keep)
}

/// [`block_text`] on one line: for a function name or a path, one to a line.
pub(crate) fn line_text(untrusted: &str, max: usize) -> String {
    fenced_text(untrusted, max, Lines::Flatten)
}

fn fenced_text(untrusted: &str, max: usize, lines: Lines) -> String {
    let (content, rest) = bounded(visible(untrusted, lines), max);
    let mut content = short_tick_runs(&unforgeable(&content));
    if rest > 0 {
        if lines == Lines::Keep && !content.ends_with('\n') {
            content.push('\n');
        }
        let _ = write!(content, "…{}", omitted_chars(rest));
    }
    content
}

/// A code fence around `content`, longer than any backtick run inside it, so that no line of
/// the content can close it.
pub(crate) fn fence(content: &str, info: &str) -> String {
    let ticks = "`".repeat((longest_run(content, '`') + 1).max(3));
    let newline = if content.is_empty() || content.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    format!("{ticks}{info}\n{content}{newline}{ticks}\n")
}

/// A collapsed `<details>` block. `summary` is autoheal's own text; `content` is markdown that
/// is safe on its own.
pub(crate) fn details(summary: &str, content: &str) -> String {
    let newline = if content.ends_with('\n') { "" } else { "\n" };
    format!("<details><summary>{summary}</summary>\n\n{content}{newline}</details>\n\n")
}

/// At most `max` characters of `text`, with a note of how many more there were when cut.
pub(super) fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((cut, _)) => {
            let (kept, rest) = text.split_at(cut);
            format!("{kept}…{}", omitted_chars(rest.chars().count()))
        }
    }
}

/// The note that follows cut text.
fn omitted_chars(count: usize) -> String {
    format!(" [{count} more characters]")
}

/// The first `max` characters of `chars`, and how many were left.
fn bounded(mut chars: impl Iterator<Item = char>, max: usize) -> (String, usize) {
    let kept: String = chars.by_ref().take(max).collect();
    (kept, chars.count())
}

/// `text` with every `<!--` broken, so that no untrusted text can pass for an autoheal marker
/// (duplicates are found by searching bodies for the fingerprint marker), and every
/// `<details>` and `<summary>` tag broken, so that no untrusted text can pass for one of the
/// renderer's collapsed sections to a reader or a tool that reads the body line by line.
fn unforgeable(text: &str) -> String {
    const TAGS: [&str; 4] = ["details", "/details", "summary", "/summary"];
    let text = text.replace("<!--", "<!\u{200B}--");
    if !text.contains('<') {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text.as_str();
    while let Some(at) = rest.find('<') {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        out.push('<');
        let after = &from[1..];
        let is_tag = TAGS.iter().any(|tag| {
            after
                .get(..tag.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(tag))
        });
        if is_tag {
            out.push(BREAK);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `text` with longer backtick runs broken by zero-width spaces, so that the fence or code
/// span around it stays short: a message of 4,000 backticks would otherwise need two fences
/// of 4,001.
fn short_tick_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            if run == MAX_TICK_RUN {
                out.push(BREAK);
                run = 0;
            }
            run += 1;
        } else {
            run = 0;
        }
        out.push(c);
    }
    out
}

/// The length of the longest run of `wanted` in `text`.
pub(crate) fn longest_run(text: &str, wanted: char) -> usize {
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
    fn running_text_cannot_open_html_or_structure() {
        let out = text(
            "</details><script>x</script> **bold** [a](b) a|b ~~s~~ $x$",
            1000,
        );
        assert_eq!(
            out,
            "&lt;/details&gt;&lt;script&gt;x&lt;/script&gt; \\*\\*bold\\*\\* \\[a\\](b) \
             a\\|b \\~\\~s\\~\\~ \\$x\\$"
        );
    }

    #[test]
    fn running_text_cannot_start_a_block() {
        assert_eq!(text("# heading", 100), "\\# heading");
        assert_eq!(text("- item", 100), "\\- item");
        assert_eq!(text("+ item", 100), "\\+ item");
        assert_eq!(text("> quote", 100), "&gt; quote");
        assert_eq!(text("12. item", 100), "12\\. item");
        assert_eq!(text("3) item", 100), "3\\) item");
        assert_eq!(text("    indented\n\n  lines  ", 100), "indented lines");
        assert_eq!(text("version 1.2", 100), "version 1.2");
        assert_eq!(text("0.1.0", 100), "0.1.0");
    }

    #[test]
    fn mentions_and_issue_references_are_broken() {
        let given = "@octocat fixed #123, GH-45 and acme/tools#9; see C# and gh-x";
        let out = text(given, 1000);
        for linked in ["@octocat", "#123", "GH-45", "tools#9"] {
            assert!(!out.contains(linked), "{linked} in {out}");
        }
        assert!(out.contains("C# and gh-x"), "{out}");
        assert_eq!(out.replace(BREAK, ""), given);
    }

    #[test]
    fn running_text_is_bounded_by_its_output() {
        let out = text(&"<".repeat(1000), 40);
        assert_eq!(out, format!("{} [990 more characters]", "&lt;".repeat(10)));
        assert_eq!(text("short", 5), "short");
    }

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code("app::load", 100), "`app::load`");
        assert_eq!(code("a`b", 100), "``a`b``");
        assert_eq!(code("`x", 100), "`` `x ``");
        assert_eq!(code(" x ", 100), "`  x  `");
        assert_eq!(code("", 100), "` `");
        assert_eq!(code("a|b", 100), "`a|b`");
        assert_eq!(code_cell("a|b", 100), "`a\\|b`");
        assert_eq!(code("abcdef", 3), "`abc` [3 more characters]");
        assert!(!code("<!-- autoheal:report -->", 100).contains("<!--"));
        for tag in ["<details>", "</DETAILS>", "<summary>", "</Summary>"] {
            let span = code(&format!("a{tag}b"), 100);
            assert_eq!(span.replace(BREAK, ""), format!("`a{tag}b`"));
            assert!(
                !span
                    .to_ascii_lowercase()
                    .contains(&tag.to_ascii_lowercase())
            );
        }
    }

    #[test]
    fn long_backtick_runs_in_untrusted_text_keep_delimiters_short() {
        let span = code(&"`".repeat(100), 1000);
        assert!(span.starts_with(&format!("{} `", "`".repeat(17))), "{span}");
        assert_eq!(span.replace(BREAK, "").matches('`').count(), 100 + 2 * 17);
        let block = block_text(&"`".repeat(40), 1000);
        assert_eq!(longest_run(&block, '`'), MAX_TICK_RUN);
        assert_eq!(
            fence(&block, "text").lines().next(),
            Some("`````````````````text")
        );
    }

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(fence("plain", "text"), "```text\nplain\n```\n");
        assert_eq!(fence("a ```` b\n", ""), "`````\na ```` b\n`````\n");
        assert_eq!(fence("", "text"), "```text\n```\n");
    }

    #[test]
    fn block_text_keeps_lines_and_breaks_markers() {
        assert_eq!(block_text("a\r\nb\u{1b}[31m\0", 100), "a\nb");
        assert!(!block_text("<!-- autoheal:fingerprint=00 -->", 100).contains("<!--"));
        assert_eq!(block_text("abcdef", 4), "abcd\n… [2 more characters]");
        assert_eq!(line_text("ab\ncdef", 4), "ab c… [3 more characters]");
    }

    #[test]
    fn details_blocks_close_on_their_own_line() {
        assert_eq!(
            details("Logs", "```\nx\n```\n"),
            "<details><summary>Logs</summary>\n\n```\nx\n```\n</details>\n\n"
        );
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate_chars("ééé", 5), "ééé");
        assert_eq!(truncate_chars("ééééé", 2), "éé… [3 more characters]");
    }
}
