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

mod build;
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
/// The CI rules' parsing, shared with the repairs of the same failures.
pub(crate) use build::{dev_package, is_lock_refusal, missing_library, unresolved_name};

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
/// The CI rules come first: their failures carry the words of a network or file failure
/// (a registry's host that does not resolve, a linker's `No such file or directory`).
static ERROR_RULES: &[&Rule] = &[
    &build::UNRESOLVED_IMPORT,
    &build::MISSING_SYSTEM_LIBRARY,
    &build::LOCK_FILE_OUT_OF_DATE,
    &build::VERSION_CONFLICT,
    &build::TEST_TIMED_OUT,
    &build::REGISTRY_UNREACHABLE,
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

/// How strongly a producer's words say which failure it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signal {
    /// The producer's own phrase for exactly this failure (an `io::ErrorKind`'s text, an OS
    /// error's text with its code, a crate's error message): a rule may be sure.
    Exact,
    /// Words other failures share (`not found`, `expired`, a text without its code): a rule
    /// says medium at most.
    Weak,
}

/// One producer's wording of a rule's failure: the data a rule matches the report against,
/// and the table `docs/TROUBLESHOOTING.md` and the rules' tests check each producer with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Wording {
    /// Who words it so: `std: io::ErrorKind::NotFound`, `glibc: strerror(ENOENT)`, `ureq 3`.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "documents the table; the tests name it on a miss")
    )]
    pub(crate) producer: &'static str,
    /// The words, in lower case, as they stand in the message or a cause.
    pub(crate) text: &'static str,
    /// How much the words alone say.
    pub(crate) signal: Signal,
}

/// A wording whose words say exactly this failure.
pub(crate) const fn exact(producer: &'static str, text: &'static str) -> Wording {
    Wording {
        producer,
        text,
        signal: Signal::Exact,
    }
}

/// A wording whose words other failures share.
pub(crate) const fn weak(producer: &'static str, text: &'static str) -> Wording {
    Wording {
        producer,
        text,
        signal: Signal::Weak,
    }
}

/// The strongest signal among `wordings` that the report's texts contain.
pub(crate) fn signal(evidence: &Evidence<'_>, wordings: &[Wording]) -> Option<Signal> {
    let found = |wanted: Signal| {
        wordings
            .iter()
            .filter(|w| w.signal == wanted)
            .any(|w| evidence.mentions(&[w.text]))
    };
    if found(Signal::Exact) {
        Some(Signal::Exact)
    } else if found(Signal::Weak) {
        Some(Signal::Weak)
    } else {
        None
    }
}

/// How sure a rule is of a failure: high when the OS code or the `io::ErrorKind` says it, or
/// an exact producer phrase does; medium on words alone; `None` when nothing matched.
pub(crate) fn matched(
    evidence: &Evidence<'_>,
    errno: Option<Errno>,
    kind: Option<&str>,
    wordings: &[Wording],
) -> Option<Confidence> {
    let coded = errno.is_some_and(|errno| evidence.errno(errno))
        || kind.is_some_and(|kind| evidence.kind(kind));
    match (coded, signal(evidence, wordings)) {
        (true, _) | (_, Some(Signal::Exact)) => Some(Confidence::High),
        (false, Some(Signal::Weak)) => Some(Confidence::Medium),
        (false, None) => None,
    }
}

/// Every rule's table of producer wordings, by rule id: for the documentation and the
/// tests that check each producer's words are recognised.
#[cfg(test)]
pub(crate) fn wordings() -> Vec<(&'static str, &'static [Wording])> {
    vec![
        ("file-not-found", files::FILE_NOT_FOUND_WORDING),
        ("permission-denied", files::PERMISSION_DENIED_WORDING),
        ("read-only-filesystem", files::READ_ONLY_WORDING),
        ("disk-full", resources::DISK_FULL_WORDING),
        ("too-many-open-files", resources::TOO_MANY_FILES_WORDING),
        ("out-of-memory", resources::OUT_OF_MEMORY_WORDING),
        ("connection-refused", network::CONNECTION_REFUSED_WORDING),
        ("address-in-use", network::ADDRESS_IN_USE_WORDING),
        ("timed-out", network::TIMED_OUT_WORDING),
        ("timed-out", network::READ_TIMEOUT_WORDING),
        ("dns-resolution", network::DNS_WORDING),
        ("tls-certificate", network::TLS_WORDING),
        ("missing-env-var", process::MISSING_ENV_VAR_WORDING),
        ("missing-shared-library", process::SHARED_LIBRARY_WORDING),
        ("missing-executable", process::MISSING_EXECUTABLE_WORDING),
        ("http-unauthorized", network::HTTP_WORDING),
        ("malformed-json", config::JSON_CONTEXT_WORDING),
        ("malformed-toml", config::TOML_WORDING),
        ("unwrap-on-none", panics::UNWRAP_ON_NONE_WORDING),
        ("index-out-of-bounds", panics::INDEX_WORDING),
        ("integer-overflow", panics::OVERFLOW_WORDING),
        ("unresolved-import", build::UNRESOLVED_IMPORT_WORDING),
        ("missing-system-library", build::SYSTEM_LIBRARY_WORDING),
        ("lock-file-out-of-date", build::LOCK_FILE_WORDING),
        ("version-conflict", build::VERSION_CONFLICT_WORDING),
        ("test-timed-out", build::TEST_TIMEOUT_WORDING),
        ("registry-unreachable", build::REGISTRY_WORDING),
    ]
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
mod corpus_failures;
#[cfg(test)]
mod corpus_tests;

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
        assert!(ids.len() >= 27);
    }

    /// The line of `docs/TROUBLESHOOTING.md` that lists one producer's wording.
    fn producer_line(wording: &Wording) -> String {
        let weak = match wording.signal {
            Signal::Exact => "",
            Signal::Weak => " (weak: medium confidence)",
        };
        format!("- {}: {}{weak}", wording.producer, quote(wording.text))
    }

    #[test]
    fn the_troubleshooting_guide_lists_every_producers_wording() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/TROUBLESHOOTING.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let mut missing = Vec::new();
        for (id, table) in wordings() {
            let marker = format!("Rule: `{id}`");
            let start = doc
                .find(&marker)
                .unwrap_or_else(|| panic!("{id} is not documented"));
            let section = &doc[start..];
            let end = section[marker.len()..]
                .find("Rule: `")
                .map_or(section.len(), |i| i + marker.len());
            let section = &section[..end];
            for wording in table {
                let line = producer_line(wording);
                if !section.lines().any(|l| l == line) {
                    missing.push(format!("{id}: {line}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "not in the guide:\n{}",
            missing.join("\n")
        );
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
