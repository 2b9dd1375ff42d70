//! The HTML comments of a body, as GitHub's markdown hides them: from `<!--` to the next `-->`
//! (or the end of the body), except inside a fenced code block, where they are text. What lies
//! inside one is invisible on GitHub, so no report is read from it.
//!
//! One pass over the lines. Where GitHub's renderer and this reader could disagree (an inline
//! `<!--` that is never closed shows as text on GitHub), the reader hides more, never less: a
//! visible report may be refused, a hidden one is never read.

use std::ops::Range;

use super::blocks::fence_opening;

/// The byte ranges of `body`'s HTML comments, in order.
pub(super) fn spans(body: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    let mut fence: Option<usize> = None;
    let mut at = 0;
    for raw in body.split_inclusive('\n') {
        let start = at;
        at += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if open.is_none() {
            match fence {
                Some(ticks) => {
                    if closes(line, ticks) {
                        fence = None;
                    }
                    continue;
                }
                None => {
                    if let Some((ticks, _)) = fence_opening(line) {
                        fence = Some(ticks);
                        continue;
                    }
                }
            }
        }
        let mut from = 0;
        loop {
            let rest = line.get(from..).unwrap_or("");
            match open {
                Some(begin) => match rest.find("-->") {
                    Some(end) => {
                        let end = from + end + 3;
                        spans.push(begin..start + end);
                        open = None;
                        from = end;
                    }
                    None => break,
                },
                None => match rest.find("<!--") {
                    Some(begin) => {
                        open = Some(start + from + begin);
                        from += begin + 4;
                    }
                    None => break,
                },
            }
        }
    }
    if let Some(begin) = open {
        spans.push(begin..body.len());
    }
    spans
}

/// Whether `line` closes a fence of `ticks` backticks.
fn closes(line: &str, ticks: usize) -> bool {
    let rest = line.trim_start_matches(' ');
    if line.len() - rest.len() > 3 {
        return false;
    }
    let run = rest.len() - rest.trim_start_matches('`').len();
    run >= ticks && rest.get(run..).is_some_and(|after| after.trim().is_empty())
}

/// `body` as GitHub shows it: every HTML comment blanked (its line breaks kept, so the lines
/// around it stay apart) except the markers autoheal writes on lines of their own
/// (`<!-- autoheal:... -->`), which the reader needs.
pub(super) fn visible(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut from = 0;
    for span in spans(body) {
        out.push_str(body.get(from..span.start).unwrap_or(""));
        let comment = body.get(span.clone()).unwrap_or("");
        if is_marker(comment) {
            out.push_str(comment);
        } else {
            out.extend(comment.chars().filter(|c| *c == '\n'));
        }
        from = span.end;
    }
    out.push_str(body.get(from..).unwrap_or(""));
    out
}

/// Whether `comment` is one of autoheal's one-line markers.
fn is_marker(comment: &str) -> bool {
    comment
        .strip_prefix("<!-- autoheal:")
        .and_then(|rest| rest.strip_suffix(" -->"))
        .is_some_and(|inner| {
            !inner.is_empty()
                && inner
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "=-_".contains(c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden(body: &str) -> Vec<&str> {
        spans(body).into_iter().map(|s| &body[s]).collect()
    }

    #[test]
    fn comments_on_a_line_across_lines_and_unclosed_are_found() {
        let body = "a <!-- one --> b\n<!--\ntwo\n-->\nc <!-- three";
        assert_eq!(
            hidden(body),
            ["<!-- one -->", "<!--\ntwo\n-->", "<!-- three"]
        );
    }

    #[test]
    fn a_comment_opener_in_a_fence_is_text_but_a_fence_in_a_comment_is_hidden() {
        assert!(hidden("```\n<!-- shown -->\n```\n").is_empty());
        assert_eq!(
            hidden("<!--\n```json\n{}\n```\n-->\n"),
            ["<!--\n```json\n{}\n```\n-->"]
        );
    }

    #[test]
    fn the_visible_text_keeps_autoheals_markers_and_line_breaks() {
        let body = "x\n<!-- autoheal:fingerprint=00ff -->\n<!-- note\nhidden -->\ny";
        assert_eq!(
            visible(body),
            "x\n<!-- autoheal:fingerprint=00ff -->\n\n\ny"
        );
        assert!(!is_marker("<!-- autoheal:report --> <!-- x -->"));
    }
}
