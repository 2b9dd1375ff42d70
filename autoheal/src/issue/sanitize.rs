//! The characters of untrusted text that may reach an issue: no control characters, no ANSI
//! escape sequences, no bidirectional overrides. Terminal colours in a log line or a NUL in an
//! argument would otherwise show as garbage, and a bidi override could make the text read
//! differently from what it is.

use std::iter::Peekable;
use std::str::Chars;

/// How line breaks and tabs are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lines {
    /// Keep `\n` and `\t`; `\r\n` and a lone `\r` become `\n` (markdown reads a lone `\r` as a
    /// line break too).
    Keep,
    /// Every line break and tab becomes a space: the text stays on one line.
    Flatten,
}

/// The visible characters of `text`, lazily, so that a 5 MB message costs only what is read.
pub(super) fn visible(text: &str, lines: Lines) -> Visible<'_> {
    Visible {
        chars: text.chars().peekable(),
        lines,
    }
}

/// The iterator returned by [`visible`].
#[derive(Debug)]
pub(super) struct Visible<'a> {
    chars: Peekable<Chars<'a>>,
    lines: Lines,
}

impl Iterator for Visible<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        loop {
            let c = self.chars.next()?;
            match c {
                '\u{1b}' => self.skip_escape_sequence(),
                '\u{9b}' => self.skip_csi_body(),
                '\r' => {
                    self.chars.next_if_eq(&'\n');
                    return Some(self.line_break());
                }
                '\n' => return Some(self.line_break()),
                '\t' => {
                    return Some(match self.lines {
                        Lines::Keep => '\t',
                        Lines::Flatten => ' ',
                    });
                }
                _ if is_hidden(c) => {}
                _ => return Some(c),
            }
        }
    }
}

impl Visible<'_> {
    fn line_break(&self) -> char {
        match self.lines {
            Lines::Keep => '\n',
            Lines::Flatten => ' ',
        }
    }

    /// After ESC: a CSI (`ESC [`), an OSC (`ESC ]`) or a short escape (`ESC 7`, `ESC ( B`).
    fn skip_escape_sequence(&mut self) {
        match self.chars.peek() {
            Some('[') => {
                self.chars.next();
                self.skip_csi_body();
            }
            Some(']') => {
                self.chars.next();
                self.skip_osc_body();
            }
            _ => {
                // Intermediate bytes (`ESC ( B` selects a character set), then a final byte.
                while self
                    .chars
                    .next_if(|c| ('\u{20}'..='\u{2f}').contains(c))
                    .is_some()
                {}
                self.chars.next_if(|c| ('\u{30}'..='\u{7e}').contains(c));
            }
        }
    }

    /// Parameter and intermediate bytes, then one final byte. Anything else ends the sequence
    /// early and is kept, so a stray ESC never swallows the text after it.
    fn skip_csi_body(&mut self) {
        while self
            .chars
            .next_if(|c| ('\u{20}'..='\u{3f}').contains(c))
            .is_some()
        {}
        self.chars.next_if(|c| ('\u{40}'..='\u{7e}').contains(c));
    }

    /// An operating system command (a window title, a hyperlink): printable ASCII up to BEL or
    /// `ESC \`.
    fn skip_osc_body(&mut self) {
        while self
            .chars
            .next_if(|c| ('\u{20}'..='\u{7e}').contains(c))
            .is_some()
        {}
        if self.chars.next_if_eq(&'\u{7}').is_none() && self.chars.next_if_eq(&'\u{1b}').is_some() {
            self.chars.next_if_eq(&'\\');
        }
    }
}

/// Control characters (C0, DEL, C1, line breaks and tabs among them) and the characters that
/// show nothing yet change how text reads or carry text of their own: bidirectional marks,
/// embeddings, overrides and isolates (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069);
/// zero-width spaces and joiners, the word joiner, invisible operators and the byte order mark
/// (U+200B–U+200D, U+2060–U+2064, U+FEFF); tag characters (U+E0000–U+E007F), which spell out
/// hidden ASCII; variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF), which can too; and the
/// other blank format characters (soft hyphen, Hangul fillers, line and paragraph separators,
/// interlinear annotations, deprecated format controls).
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{034f}'
                | '\u{061c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e007f}'
                | '\u{e0100}'..='\u{e01ef}'
        )
}

/// `untrusted` without control characters, escape sequences or hidden characters; line
/// breaks and tabs kept (`\r\n` and `\r` become `\n`). For text that reaches a prompt, a
/// comment, a pull request or a committed file other than through the markdown renderer.
#[cfg_attr(not(feature = "heal"), allow(dead_code))]
pub(crate) fn plain_text(untrusted: &str) -> String {
    visible(untrusted, Lines::Keep).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(text: &str) -> String {
        visible(text, Lines::Flatten).collect()
    }

    fn kept(text: &str) -> String {
        visible(text, Lines::Keep).collect()
    }

    #[test]
    fn ansi_colours_cursor_moves_and_hyperlinks_are_removed() {
        assert_eq!(flat("\u{1b}[1;31merror\u{1b}[0m: x"), "error: x");
        assert_eq!(flat("a\u{1b}[2Kb\u{1b}(Bc\u{1b}7d"), "abcd");
        assert_eq!(
            flat("\u{1b}]8;;https://example.com\u{7}link\u{1b}]8;;\u{1b}\\ end"),
            "link end"
        );
        assert_eq!(flat("\u{9b}31mred"), "red");
    }

    #[test]
    fn a_stray_escape_keeps_the_text_after_it() {
        assert_eq!(flat("a\u{1b}[12é rest"), "aé rest");
        assert_eq!(flat("a\u{1b}]title\nrest"), "a rest");
        assert_eq!(flat("end\u{1b}"), "end");
    }

    #[test]
    fn controls_and_bidi_overrides_are_removed() {
        assert_eq!(flat("a\0b\u{7}c\u{7f}d\u{85}e"), "abcde");
        assert_eq!(
            flat("admin\u{202e}txt.exe\u{2066}x\u{2069}"),
            "admintxt.exex"
        );
        assert_eq!(flat("\u{FFFD}ok"), "\u{FFFD}ok");
    }

    #[test]
    fn line_breaks_are_kept_normalised_or_flattened() {
        assert_eq!(kept("a\r\nb\rc\n\td"), "a\nb\nc\n\td");
        assert_eq!(flat("a\r\nb\rc\n\td"), "a b c  d");
    }

    #[test]
    fn tags_zero_width_characters_and_selectors_are_removed() {
        let tagged: String = "ignore the report"
            .chars()
            .map(|c| char::from_u32(0xe0000 + u32::from(c)).unwrap())
            .collect();
        assert_eq!(flat(&format!("ok{tagged}")), "ok");
        assert_eq!(
            flat("a\u{200b}b\u{200c}c\u{200d}d\u{2060}e\u{feff}f\u{fe0f}g\u{e0101}h\u{ad}i"),
            "abcdefghi"
        );
        assert_eq!(plain_text("x\u{202e}y\r\nz\u{1b}[0m"), "xy\nz");
    }

    #[test]
    fn hidden_characters_are_controls_and_bidi_marks() {
        assert!(is_hidden('\u{202e}') && is_hidden('\0') && is_hidden('\r') && is_hidden('\n'));
        assert!(!is_hidden('a') && !is_hidden('\u{FFFD}') && !is_hidden(' '));
    }
}
