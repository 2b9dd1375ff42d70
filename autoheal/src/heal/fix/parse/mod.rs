//! Reading an issue body back into the report it was rendered from.
//!
//! Issue bodies are untrusted: any text gives a result or a [`ParseError`], never a panic,
//! and the work is bounded by the body's length (at most [`MAX_BODY_BYTES`]).
//!
//! - `embedded`: the report JSON after [`crate::REPORT_MARKER`], the whole report.
//! - `blocks` and `sections`: the markdown sections of a body whose JSON was removed or
//!   edited by hand, read back field by field.
//! - `comments`: the HTML comments GitHub hides; nothing inside one is read.
//! - `unescape`: the safe markdown of [`crate::issue::markdown`] turned back into text.

mod blocks;
mod comments;
mod embedded;
mod sections;
pub(super) mod unescape;

use std::fmt;

use crate::Report;

/// The largest body accepted, in bytes (GitHub's own limit is 65,536 characters).
pub const MAX_BODY_BYTES: usize = 262_144;

/// Where the parsed report came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseSource {
    /// The report JSON embedded after [`crate::REPORT_MARKER`]: the whole report.
    EmbeddedJson,
    /// The markdown sections (a body whose JSON was removed or edited): the fields shown there.
    Markdown,
}

/// A report read back from an issue body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedIssue {
    /// The report.
    pub report: Report,
    /// Whether it came from the embedded JSON or the markdown sections.
    pub source: ParseSource,
}

/// Why an issue body could not be read back.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// The body is longer than [`MAX_BODY_BYTES`].
    TooLarge {
        /// Its length in bytes.
        len: usize,
    },
    /// The body has neither the embedded report nor the sections of an auto-heal issue.
    NotAnAutohealIssue,
    /// The body has the report marker, but the JSON after it is not a report, and the
    /// markdown sections are missing too.
    InvalidReportJson {
        /// What the JSON parser found, with its line and column inside the JSON.
        message: String,
    },
    /// The body holds more than one report marker: an auto-heal issue holds one, and which
    /// report GitHub shows cannot be told.
    SecondReportMarker {
        /// How many markers it holds.
        markers: usize,
    },
    /// The report marker is inside an HTML comment: the report is invisible on GitHub, and
    /// nobody who read the issue saw it.
    HiddenReport,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::TooLarge { len } => write!(
                f,
                "the issue body is {len} bytes, more than the {MAX_BODY_BYTES} an auto-heal issue can hold"
            ),
            ParseError::NotAnAutohealIssue => f.write_str(
                "the issue body holds neither an autoheal report nor the sections of an auto-heal issue",
            ),
            ParseError::SecondReportMarker { markers } => write!(
                f,
                "the issue body holds {markers} report markers (`{}`); an auto-heal issue holds one, and no report is read from a body where a second could hide",
                crate::REPORT_MARKER
            ),
            ParseError::HiddenReport => f.write_str(
                "the report marker is inside an HTML comment, invisible on GitHub; only a report GitHub renders is read",
            ),
            ParseError::InvalidReportJson { message } => write!(
                f,
                "the report JSON in the issue body is not a valid autoheal report ({message}), \
                 and the body lacks the sections of an auto-heal issue"
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// Read `body` back into the report it was rendered from.
///
/// Only what GitHub renders is read: the body's one report marker, outside any HTML comment,
/// and the fenced JSON block right after it; a second marker or a marker inside a comment is
/// refused, and the sections are read with the body's HTML comments left out.
///
/// The embedded report JSON is preferred: it is the whole report (or a shortened copy, which
/// is still a complete report). When it is missing or broken, the markdown sections give the
/// error's type, message and chain, the site, the annotated frames, the command line, the
/// backtrace shown, the log lines, the span stack, the environment table and the fingerprint.
///
/// # Errors
///
/// [`ParseError::TooLarge`] for a body over [`MAX_BODY_BYTES`];
/// [`ParseError::SecondReportMarker`] and [`ParseError::HiddenReport`] for a body that could
/// show one report and hold another; otherwise an error only when the body is recognisably not
/// an auto-heal issue (a fingerprint marker alone is not a report).
pub fn parse_issue_body(body: &str) -> Result<ParsedIssue, ParseError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ParseError::TooLarge { len: body.len() });
    }
    let json_error = match embedded::report(body) {
        Ok(report) => {
            return Ok(ParsedIssue {
                report,
                source: ParseSource::EmbeddedJson,
            });
        }
        Err(embedded::Missing::SecondMarker(markers)) => {
            return Err(ParseError::SecondReportMarker { markers });
        }
        Err(embedded::Missing::Hidden) => return Err(ParseError::HiddenReport),
        Err(error) => error,
    };
    match sections::report(&comments::visible(body)) {
        Some(report) => Ok(ParsedIssue {
            report,
            source: ParseSource::Markdown,
        }),
        None => Err(match json_error {
            embedded::Missing::NoMarker => ParseError::NotAnAutohealIssue,
            embedded::Missing::Invalid(message) => ParseError::InvalidReportJson { message },
            embedded::Missing::SecondMarker(markers) => ParseError::SecondReportMarker { markers },
            embedded::Missing::Hidden => ParseError::HiddenReport,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render_issue;

    #[test]
    fn a_rendered_issue_reads_back_from_its_json() {
        let report = crate::report::sample();
        let parsed = parse_issue_body(&render_issue(&report).body).unwrap();
        assert_eq!(parsed.source, ParseSource::EmbeddedJson);
        assert_eq!(parsed.report, report);
    }

    #[test]
    fn hidden_characters_beyond_the_basic_plane_read_back_from_their_escapes() {
        let mut report = crate::report::sample();
        report.error.message = "tag\u{e0041}\u{e007f} zero\u{200b}width".into();
        let body = render_issue(&report).body;
        assert!(
            body.contains("\\udb40\\udc41"),
            "a surrogate pair, as JSON escapes it"
        );
        assert_eq!(parse_issue_body(&body).unwrap().report, report);
    }

    #[test]
    fn without_its_json_the_sections_are_read() {
        let report = crate::report::sample();
        let body = render_issue(&report).body;
        let cut = body.find(crate::REPORT_MARKER).unwrap();
        let parsed = parse_issue_body(&body[..cut]).unwrap();
        assert_eq!(parsed.source, ParseSource::Markdown);
        assert_eq!(parsed.report.error, report.error);
        assert_eq!(parsed.report.fingerprint, report.fingerprint);
    }

    #[test]
    fn other_text_is_not_an_autoheal_issue() {
        for body in ["", "hello", "### Where\n\nsomewhere", "```json\n{}\n```"] {
            assert_eq!(
                parse_issue_body(body),
                Err(ParseError::NotAnAutohealIssue),
                "{body:?}"
            );
        }
        let huge = "x".repeat(MAX_BODY_BYTES + 1);
        assert_eq!(
            parse_issue_body(&huge),
            Err(ParseError::TooLarge {
                len: MAX_BODY_BYTES + 1
            })
        );
    }

    #[test]
    fn a_fingerprint_marker_alone_is_not_a_report() {
        let body = "Please look at this.\n\n<!-- autoheal:fingerprint=0123456789abcdef -->\n";
        assert_eq!(parse_issue_body(body), Err(ParseError::NotAnAutohealIssue));
    }

    #[test]
    fn sections_inside_an_html_comment_are_not_read() {
        let report = crate::report::sample();
        let body = render_issue(&report).body;
        let cut = body.find(crate::REPORT_MARKER).unwrap();
        let hidden = format!("Thanks!\n<!--\n{}\n-->\n", &body[..cut]);
        assert_eq!(
            parse_issue_body(&hidden),
            Err(ParseError::NotAnAutohealIssue)
        );
    }

    #[test]
    fn a_hidden_or_second_report_is_refused_with_a_clear_message() {
        let report = crate::report::sample();
        let body = render_issue(&report).body;
        let twice = format!(
            "{body}\n{}",
            &body[body.find(crate::REPORT_MARKER).unwrap()..]
        );
        let error = parse_issue_body(&twice).unwrap_err();
        assert_eq!(error, ParseError::SecondReportMarker { markers: 2 });
        assert!(error.to_string().contains("2 report markers"), "{error}");
        // HTML comments do not nest: the comment opened above the marker ends with it.
        let json_block = &body[body.find(crate::REPORT_MARKER).unwrap()..];
        let hidden = format!("Nothing to see.\n<!-- an old report:\n{json_block}");
        let error = parse_issue_body(&hidden).unwrap_err();
        assert_eq!(error, ParseError::HiddenReport);
        assert!(error.to_string().contains("invisible on GitHub"), "{error}");
    }

    #[test]
    fn a_broken_json_without_sections_says_what_is_wrong() {
        let body = format!("{}\n```json\n{{\"schema\": 1,\n```\n", crate::REPORT_MARKER);
        let error = parse_issue_body(&body).unwrap_err();
        assert!(
            matches!(&error, ParseError::InvalidReportJson { message } if message.contains("at line 1 column 13")),
            "{error:?}"
        );
        assert!(error.to_string().contains("not a valid autoheal report"));
    }
}
