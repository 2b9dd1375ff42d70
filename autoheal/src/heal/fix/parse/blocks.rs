//! An issue body cut into the blocks that matter for reading it back: lines, blank lines and
//! code fences, the way GitHub's markdown delimits them. A line that looks like a heading
//! inside a fence (a log line `### Where`) stays inside its fence.
//!
//! One pass over the lines; nothing backtracks.

/// One block of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Block<'a> {
    /// A line outside any fence that is not blank, without its line break.
    Line(&'a str),
    /// A blank line.
    Blank,
    /// A fenced code block: its info string (`json`, `text`, `sh`) and its lines.
    Fence {
        /// The info string after the opening backticks, trimmed.
        info: &'a str,
        /// The lines between the fences (to the end of the body when it is never closed).
        lines: Vec<&'a str>,
    },
}

impl Block<'_> {
    /// The text of a fence, its lines joined by `\n`.
    pub(super) fn fence_text(lines: &[&str]) -> String {
        lines.join("\n")
    }
}

/// The blocks of `body`, in order.
pub(super) fn blocks(body: &str) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    let mut lines = body
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line));
    while let Some(line) = lines.next() {
        if let Some((ticks, info)) = fence_opening(line) {
            let mut content = Vec::new();
            for inner in lines.by_ref() {
                if closes_fence(inner, ticks) {
                    break;
                }
                content.push(inner);
            }
            out.push(Block::Fence {
                info,
                lines: content,
            });
        } else if line.trim().is_empty() {
            out.push(Block::Blank);
        } else {
            out.push(Block::Line(line));
        }
    }
    out
}

/// Up to three spaces of indentation, as markdown allows before a fence or a heading.
fn unindented(line: &str) -> Option<&str> {
    let trimmed = line.trim_start_matches(' ');
    (line.len() - trimmed.len() <= 3).then_some(trimmed)
}

/// The backtick count and the info string of a line that opens a fence.
pub(super) fn fence_opening(line: &str) -> Option<(usize, &str)> {
    let rest = unindented(line)?;
    let ticks = rest.len() - rest.trim_start_matches('`').len();
    if ticks < 3 {
        return None;
    }
    let info = rest.get(ticks..)?.trim();
    // An info string with a backtick would make this an inline code span, not a fence.
    (!info.contains('`')).then_some((ticks, info))
}

/// Whether `line` closes a fence opened with `ticks` backticks: at least as many backticks
/// and nothing else but spaces.
fn closes_fence(line: &str, ticks: usize) -> bool {
    let Some(rest) = unindented(line) else {
        return false;
    };
    let run = rest.len() - rest.trim_start_matches('`').len();
    run >= ticks && rest.get(run..).is_some_and(|after| after.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_hold_heading_like_lines_and_close_on_a_long_enough_run() {
        let body = "# Title\r\n\n````text\n### Where\n```\nstill inside\n````  \nafter";
        assert_eq!(
            blocks(body),
            [
                Block::Line("# Title"),
                Block::Blank,
                Block::Fence {
                    info: "text",
                    lines: vec!["### Where", "```", "still inside"]
                },
                Block::Line("after"),
            ]
        );
    }

    #[test]
    fn an_unclosed_fence_runs_to_the_end() {
        assert_eq!(
            blocks("```json\n{\n"),
            [Block::Fence {
                info: "json",
                lines: vec!["{", ""]
            }]
        );
    }

    #[test]
    fn inline_code_and_deep_indentation_do_not_open_fences() {
        assert_eq!(fence_opening("```a`b"), None);
        assert_eq!(fence_opening("    ```json"), None);
        assert_eq!(fence_opening("   ```json"), Some((3, "json")));
        assert_eq!(fence_opening("``not"), None);
        assert!(!closes_fence("``` x", 3));
        assert!(!closes_fence("``", 3));
    }
}
