//! The rules, in the order they are tried: the most specific first, so that a missing shared
//! library (whose message ends in "No such file or directory") is not called a missing file,
//! and a panic on `Result::unwrap()` is called that before the error inside it is looked at.
//!
//! Each rule has an id, a documented symptom, cause and remedy (the entries of
//! `docs/TROUBLESHOOTING.md`), and a check that reads the [`Evidence`] and, when it recognises
//! the failure, answers with a [`Finding`] whose steps carry the report's own values.
//!
//! Steps and titles are plain text in which commands and values from the report are code
//! spans made by [`quote`]; the answer renders them safely as markdown.

mod config;
mod files;
mod network;
mod panics;
mod process;
mod resources;

use super::evidence::{Errno, Evidence};
use super::{Confidence, Patch};
use crate::issue::markdown::wrap_code_span;
pub(crate) use crate::shell_word::shell_word;

/// A rule as `docs/TROUBLESHOOTING.md` documents it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// The rule's id, as in [`Diagnosis::rule_id`](super::Diagnosis::rule_id).
    pub id: &'static str,
    /// A short name (`File not found`).
    pub name: &'static str,
    /// What the user sees.
    pub symptom: &'static str,
    /// Why it happens.
    pub cause: &'static str,
    /// What to do, in general (a diagnosis gives the steps with the report's values).
    pub remedy: &'static str,
}

/// One rule: what it is and how it recognises a report.
#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) info: RuleInfo,
    pub(crate) check: fn(&Evidence<'_>) -> Option<Finding>,
}

/// What a rule found in one report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) title: String,
    pub(crate) cause: String,
    pub(crate) steps: Vec<String>,
    pub(crate) confidence: Confidence,
    pub(crate) patch: Option<Patch>,
}

impl Finding {
    /// A finding without steps yet.
    pub(crate) fn new(title: String, cause: String, confidence: Confidence) -> Self {
        Finding {
            title,
            cause,
            steps: Vec::new(),
            confidence,
            patch: None,
        }
    }

    /// This finding with one more step.
    pub(crate) fn step(mut self, step: impl Into<String>) -> Self {
        self.steps.push(step.into());
        self
    }

    /// This finding with `step` added when it is `Some`.
    pub(crate) fn step_if(self, step: Option<String>) -> Self {
        match step {
            Some(step) => self.step(step),
            None => self,
        }
    }
}

/// The rules about panics, tried first.
static PANIC_RULES: &[&Rule] = &[
    &panics::UNWRAP_ON_NONE,
    &panics::UNWRAP_ON_ERR,
    &panics::INDEX_OUT_OF_BOUNDS,
    &panics::INTEGER_OVERFLOW,
];

/// The rules about errors, in the order they are tried; also for the error inside a panic.
static ERROR_RULES: &[&Rule] = &[
    &process::MISSING_SHARED_LIBRARY,
    &process::MISSING_EXECUTABLE,
    &process::MISSING_ENV_VAR,
    &config::MALFORMED_TOML,
    &config::MALFORMED_JSON,
    &network::HTTP_UNAUTHORIZED,
    &network::TLS_CERTIFICATE,
    &network::DNS_RESOLUTION,
    &network::ADDRESS_IN_USE,
    &network::CONNECTION_REFUSED,
    &network::TIMED_OUT,
    &resources::DISK_FULL,
    &resources::TOO_MANY_OPEN_FILES,
    &resources::OUT_OF_MEMORY,
    &files::READ_ONLY_FILESYSTEM,
    &files::PERMISSION_DENIED,
    &files::FILE_NOT_FOUND,
];

/// Every rule, in the order they are tried.
pub fn rules() -> impl Iterator<Item = &'static RuleInfo> {
    all_rules().map(|rule| &rule.info)
}

fn all_rules() -> impl Iterator<Item = &'static &'static Rule> {
    PANIC_RULES.iter().chain(ERROR_RULES)
}

/// The first rule that recognises `evidence`, and what it found.
pub(crate) fn first_match(evidence: &Evidence<'_>) -> Option<(&'static RuleInfo, Finding)> {
    first_of(all_rules(), evidence)
}

/// [`first_match`] among the rules that are not about panics: for the error inside a panic.
pub(crate) fn first_error_match(evidence: &Evidence<'_>) -> Option<(&'static RuleInfo, Finding)> {
    first_of(ERROR_RULES.iter(), evidence)
}

fn first_of<'r>(
    mut rules: impl Iterator<Item = &'r &'static Rule>,
    evidence: &Evidence<'_>,
) -> Option<(&'static RuleInfo, Finding)> {
    rules.find_map(|rule| (rule.check)(evidence).map(|finding| (&rule.info, finding)))
}

/// How sure a rule is when an OS code or an `io::ErrorKind` says the same as the words.
pub(crate) fn confidence(evidence: &Evidence<'_>, errno: Errno, kind: &str) -> Confidence {
    if evidence.errno(errno) || evidence.kind(kind) {
        Confidence::High
    } else {
        Confidence::Medium
    }
}

/// The most characters of a value [`quote`] shows.
const QUOTE_CHARS: usize = 300;

/// `value` as a code span: on one line, at most 300 characters, its backtick runs shorter
/// than the span's own.
pub(crate) fn quote(value: &str) -> String {
    let mut flat: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(QUOTE_CHARS)
        .collect();
    if value.chars().nth(QUOTE_CHARS).is_some() {
        flat.push('…');
    }
    wrap_code_span(flat)
}

/// The report's command line as a shell would take it, with `replace` applied to each
/// argument (to show the same command with another value).
pub(crate) fn command_line(
    evidence: &Evidence<'_>,
    mut replace: impl FnMut(usize, &str) -> String,
) -> String {
    let command = &evidence.report.command;
    let mut line = shell_word(&command.program);
    for (i, arg) in command.args.iter().enumerate().take(64) {
        line.push(' ');
        line.push_str(&shell_word(&replace(i, arg)));
    }
    line
}

/// The report's command line, unchanged, as a code span (`None` when there is none).
pub(crate) fn quoted_command(evidence: &Evidence<'_>) -> Option<String> {
    (!evidence.report.command.program.is_empty())
        .then(|| quote(&command_line(evidence, |_, arg| arg.to_string())))
}

/// Reports for the rules' tests, with the messages real failures produce.
#[cfg(test)]
pub(crate) mod tests_support {
    use crate::Report;

    /// The sample report with this message and chain, on this machine's OS.
    pub(crate) fn report_with(message: &str, chain: &[&str]) -> Report {
        let mut report = crate::report::sample();
        report.error.message = message.to_string();
        report.error.chain = chain.iter().map(|c| c.to_string()).collect();
        report.system.os = std::env::consts::OS.to_string();
        report
    }

    /// The `Display` text of the error `operation` fails with (it must fail).
    pub(crate) fn real_io_error<T>(operation: impl FnOnce() -> std::io::Result<T>) -> String {
        match operation() {
            Ok(_) => panic!("the operation was expected to fail"),
            Err(error) => error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_kebab_case() {
        let ids: Vec<&str> = rules().map(|r| r.id).collect();
        for (i, id) in ids.iter().enumerate() {
            assert!(!ids[..i].contains(id), "{id} twice");
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{id}"
            );
            assert_ne!(*id, super::super::UNRECOGNISED);
        }
        assert!(ids.len() >= 21);
    }

    #[test]
    fn quotes_hold_any_value_on_one_line() {
        assert_eq!(quote("/etc/app.toml"), "`/etc/app.toml`");
        assert_eq!(quote("a`b"), "``a`b``");
        assert_eq!(quote("`x"), "`` `x ``");
        assert_eq!(quote("a\nb"), "`a b`");
        assert_eq!(quote(""), "` `");
        assert!(quote(&"x".repeat(1000)).chars().count() < 310);
    }
}
