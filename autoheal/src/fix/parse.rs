//! Reading an issue body back into the report it was rendered from.
//!
//! Issue bodies are untrusted: any text gives a result or a [`ParseError`], never a panic,
//! and the work is bounded by the body's length.

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
        }
    }
}

impl std::error::Error for ParseError {}

/// Read `body` back into the report it was rendered from.
pub fn parse_issue_body(body: &str) -> Result<ParsedIssue, ParseError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ParseError::TooLarge { len: body.len() });
    }
    Err(ParseError::NotAnAutohealIssue)
}
