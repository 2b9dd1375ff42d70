//! The safe markdown of [`crate::issue::markdown`] turned back into the text it came from:
//! escaped running text, code spans, table cells and fenced text.
//!
//! The zero-width spaces the renderer puts into mentions, issue references, comment openers
//! and backtick runs are removed. What the renderer dropped (control characters, the part of a
//! text past its bound) cannot come back.

use crate::issue::markdown::BREAK;

/// Running text made by `markdown::text`: backslash escapes and the three HTML entities undone.
pub(super) fn text(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(c) = rest.chars().next() {
        let mut taken = c.len_utf8();
        match c {
            BREAK => {}
            '\\' => match rest.get(1..).and_then(|r| r.chars().next()) {
                Some(next) if next.is_ascii_punctuation() => {
                    out.push(next);
                    taken += 1;
                }
                _ => out.push('\\'),
            },
            '&' => {
                let entity = [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>')]
                    .into_iter()
                    .find(|(name, _)| rest.starts_with(name));
                match entity {
                    Some((name, plain)) => {
                        out.push(plain);
                        taken = name.len();
                    }
                    None => out.push('&'),
                }
            }
            _ => out.push(c),
        }
        rest = rest.get(taken..).unwrap_or("");
    }
    out
}

/// The code span at the start of `markdown` (after any spaces): its content and the text
/// after it. `None` when `markdown` does not start with a closed code span.
pub(crate) fn code_span(markdown: &str) -> Option<(String, &str)> {
    let markdown = markdown.trim_start_matches(' ');
    let ticks = markdown.len() - markdown.trim_start_matches('`').len();
    if ticks == 0 {
        return None;
    }
    let inside = markdown.get(ticks..)?;
    // The span closes at the first run of exactly as many backticks.
    let mut offset = 0;
    let mut search = inside;
    loop {
        let start = search.find('`')?;
        let run_text = search.get(start..)?;
        let run = run_text.len() - run_text.trim_start_matches('`').len();
        if run == ticks {
            let content = inside.get(..offset + start)?;
            let after = inside.get(offset + start + run..)?;
            return Some((span_content(content), after));
        }
        offset += start + run;
        search = search.get(start + run..)?;
    }
}

/// A code span's content: one padding space each side removed (when both are there and the
/// content is not all spaces), zero-width spaces removed.
fn span_content(content: &str) -> String {
    let padded = content.len() >= 2
        && content.starts_with(' ')
        && content.ends_with(' ')
        && !content.trim().is_empty();
    let content = if padded {
        content.get(1..content.len() - 1).unwrap_or(content)
    } else {
        content
    };
    content.replace(BREAK, "")
}

/// A table cell made by `markdown::code_cell`: the code span with `\|` back to `|`.
pub(super) fn cell(markdown: &str) -> Option<String> {
    let markdown = markdown.trim();
    // Find the span's end in the escaped text first: an escaped `|` is never a backtick.
    let (content, _) = code_span(markdown)?;
    Some(content.replace("\\|", "|"))
}

/// Fenced text made by `markdown::block_text` or `line_text`.
pub(super) fn block(fenced: &str) -> String {
    fenced.replace(BREAK, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::markdown;

    #[test]
    fn running_text_reads_back() {
        for original in [
            "could not read /etc/app.toml: No such file or directory (os error 2)",
            "<b> & &lt; **x** [a](b) a|b ~s~ $x$ \\ `tick` # h - 12. item",
            "@octocat fixed #123 and GH-45",
            "called `Option::unwrap()` on a `None` value",
        ] {
            assert_eq!(text(&markdown::text(original, 10_000)), original);
        }
        assert_eq!(text("trailing \\"), "trailing \\");
        assert_eq!(text("a & b"), "a & b");
    }

    #[test]
    fn code_spans_read_back_with_the_rest() {
        for original in [
            "app::load",
            "a`b",
            "`x",
            " x ",
            "a|b",
            "<!-- autoheal:x -->",
        ] {
            let span = markdown::code(original, 1_000);
            let marked = format!("{span} failed");
            assert_eq!(
                code_span(&marked),
                Some((original.to_string(), " failed")),
                "{span}"
            );
        }
        assert_eq!(code_span("no span"), None);
        assert_eq!(code_span("`unclosed"), None);
        assert_eq!(code_span("``a`b"), None);
    }

    #[test]
    fn cells_and_blocks_read_back() {
        assert_eq!(
            cell(&markdown::code_cell("debug|x", 100)),
            Some("debug|x".into())
        );
        let fenced = markdown::block_text("<!-- autoheal:fingerprint=00 -->\nline", 100);
        assert_eq!(block(&fenced), "<!-- autoheal:fingerprint=00 -->\nline");
    }
}
