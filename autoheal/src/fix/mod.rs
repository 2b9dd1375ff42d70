//! Healing: an auto-heal issue read back, diagnosed, and answered.
//!
//! - `parse`: an issue body (untrusted text) back into the [`Report`] it was rendered from —
//!   from the embedded report JSON, or from the markdown sections of a body edited by hand.
//! - `diagnosis` and `rules`: a table of rules, each recognising one common failure from the
//!   report (`io::ErrorKind` and OS error codes, message patterns, the cause chain, the site)
//!   and answering with a diagnosis, remediation steps carrying the report's own values, a
//!   confidence and, for some, a patch. A report no rule recognises is "unrecognised", with
//!   a prompt summarising it for a coding agent.
//! - `answer`: the diagnosis as markdown, for the issue comment, the pull request and the
//!   repository's `docs/TROUBLESHOOTING.md`.

mod answer;
mod diagnosis;
mod parse;

pub use answer::{FIX_COMMENT_MARKER, comment_markdown, troubleshooting_entry};
pub use diagnosis::{Confidence, Diagnosis, Patch, PatchEdit, UNRECOGNISED, diagnose};
pub use parse::{MAX_BODY_BYTES, ParseError, ParseSource, ParsedIssue, parse_issue_body};

#[cfg(doc)]
use crate::Report;
