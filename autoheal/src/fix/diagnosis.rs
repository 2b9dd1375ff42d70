//! A diagnosis: what went wrong, why, and what to do, with the report's own values.

use crate::Report;

/// The rule id of a report no rule recognises.
pub const UNRECOGNISED: &str = "unrecognised";

/// How sure a rule is of its diagnosis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// A guess from the message's wording.
    Low,
    /// A strong pattern in the message or the chain.
    Medium,
    /// An OS error code or `io::ErrorKind` that says exactly this.
    High,
}

/// A change to a file of the target repository that fixes (or documents) the failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    /// The file, relative to the repository's root (`docs/TROUBLESHOOTING.md`).
    pub path: String,
    /// One line saying what the change does, for the commit message.
    pub description: String,
    /// The change.
    pub edit: PatchEdit,
}

/// How a [`Patch`] changes its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatchEdit {
    /// Append this text (creating the file when it does not exist).
    Append(String),
    /// Replace the first occurrence of `find` with `replace`.
    Replace {
        /// The text to find.
        find: String,
        /// What to put in its place.
        replace: String,
    },
}

/// What a rule says about one report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    /// The rule's id (`file-not-found`), or [`UNRECOGNISED`].
    pub rule_id: String,
    /// One line: the failure with its key value (`File not found: /etc/app.toml`).
    pub title: String,
    /// Why it happened.
    pub cause: String,
    /// What to do, in order, with the values taken from the report.
    pub steps: Vec<String>,
    /// How sure the rule is.
    pub confidence: Confidence,
    /// The in-app place the failure points at (`src/config.rs:42 in app::config::load`).
    pub location: Option<String>,
    /// A change that fixes the failure, when the rule has one.
    pub patch: Option<Patch>,
    /// For an unrecognised report: the report summarised as a prompt for a coding agent.
    pub prompt: Option<String>,
}

impl Diagnosis {
    /// Whether a rule recognised the report.
    pub fn is_recognised(&self) -> bool {
        self.rule_id != UNRECOGNISED
    }
}

/// Diagnose `report` with the first rule that recognises it.
pub fn diagnose(report: &Report) -> Diagnosis {
    Diagnosis {
        rule_id: UNRECOGNISED.to_string(),
        title: format!("{}: {}", report.error.type_name, report.error.message),
        cause: String::new(),
        steps: Vec::new(),
        confidence: Confidence::Low,
        location: None,
        patch: None,
        prompt: None,
    }
}
