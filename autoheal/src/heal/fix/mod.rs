//! Healing: an auto-heal issue read back, diagnosed, and answered.
//!
//! - `parse`: an issue body (untrusted text) back into the [`Report`] it was rendered from —
//!   from the embedded report JSON, or from the markdown sections of a body edited by hand.
//! - `evidence`, `diagnosis` and `rules`: a table of rules, each recognising one common
//!   failure from the report (`io::ErrorKind` and OS error codes, message patterns, the cause
//!   chain, the site) and answering with a diagnosis, remediation steps carrying the report's
//!   own values, a confidence and, for some, a patch. A report no rule recognises is
//!   "unrecognised", with a prompt (`prompt`) summarising it for a coding agent.
//! - `answer`: the diagnosis as markdown, for the issue comment, the pull request and the
//!   repository's `docs/TROUBLESHOOTING.md`.
//! - [`last_report`]: the last report made on this machine, for diagnosing it offline.
//!
//! # Usage
//!
//! ```
//! use autoheal::fix::{comment_markdown, diagnose, parse_issue_body};
//!
//! // An issue body edited by hand: only its summary and its fingerprint marker are left.
//! let body = "`load` panicked: called `Option::unwrap()` on a `None` value\n\n\
//!             <!-- autoheal:fingerprint=0123456789abcdef -->\n";
//! let parsed = parse_issue_body(body)?;
//! let diagnosis = diagnose(&parsed.report);
//! assert_eq!(diagnosis.rule_id, "unwrap-on-none");
//! let comment = comment_markdown(&diagnosis);
//! assert!(comment.starts_with(autoheal::fix::FIX_COMMENT_MARKER));
//! # Ok::<(), autoheal::fix::ParseError>(())
//! ```

mod answer;
mod diagnosis;
mod evidence;
mod parse;
mod prompt;
mod rules;

pub use crate::last_report::{LAST_REPORT_FILE, last_report, last_report_path};
pub use answer::{
    FIX_COMMENT_MARKER, comment_markdown, troubleshooting_entry, troubleshooting_rule_line,
};
pub use diagnosis::{Confidence, Diagnosis, Patch, PatchEdit, UNRECOGNISED, diagnose};
pub use parse::{MAX_BODY_BYTES, ParseError, ParseSource, ParsedIssue, parse_issue_body};
pub use prompt::MAX_PROMPT_BYTES;
pub(crate) use prompt::prompt_with;
pub use rules::{RuleInfo, rules};
pub(crate) use rules::{dev_package, is_lock_refusal, missing_library, unresolved_name};

#[cfg(doc)]
use crate::Report;
