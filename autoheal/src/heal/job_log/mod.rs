//! Failed CI jobs as reports: a GitHub Actions job's log is classified (compiler errors, failed
//! or timed-out tests, formatting, denied lints, network failures, dependency failures) and turned into a [`Report`](crate::Report) that is
//! filed like any runtime failure — queued first, de-duplicated by fingerprint, throttled —
//! under the `workflow-error` label.
//!
//! ```
//! use autoheal::job_log::{self, FailureKind};
//!
//! let log = "error[E0308]: mismatched types\n --> src/lib.rs:2:21\n\n\
//!            error: could not compile `pins` (lib) due to 1 previous error";
//! let failure = job_log::classify(log);
//! assert_eq!(failure.kind, FailureKind::Build);
//! assert_eq!(failure.message(), "error[E0308]: mismatched types");
//! ```

mod cargo;
mod dependencies;
mod lines;
mod network;
mod report;
mod test_failures;

#[cfg(test)]
mod samples;

use std::fmt;

pub use report::{JobRun, WORKFLOW_LABEL, file, report};

/// Lines kept of an unrecognised failure: the end of the log, where the failure shows.
const UNRECOGNISED_TAIL_LINES: usize = 40;

/// Findings kept of one log (the first ones); the rest are counted. A log of thousands of
/// failed tests or errors is bounded in memory and time like a short one.
pub(crate) const MAX_FINDINGS: usize = 200;

/// What made a job fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// The compiler rejected the code (`error[E0308]`, a failed link).
    Build,
    /// Tests failed.
    Test,
    /// `cargo fmt --check` found unformatted files.
    Format,
    /// Clippy (or `-D warnings`) denied a lint.
    Lint,
    /// A download, DNS lookup or connection failed.
    Network,
    /// Cargo could not settle the dependencies: a lock file `--locked` may not update, or
    /// requirements no version satisfies.
    Dependencies,
    /// None of the above: the end of the log tells.
    Unrecognised,
}

impl FailureKind {
    /// The report's error type for this kind: `cargo build`, `test failure`, ...
    pub fn error_type(self) -> &'static str {
        match self {
            FailureKind::Build => "cargo build",
            FailureKind::Test => "test failure",
            FailureKind::Format => "cargo fmt",
            FailureKind::Lint => "clippy",
            FailureKind::Network => "network failure",
            FailureKind::Dependencies => "cargo dependencies",
            FailureKind::Unrecognised => "job failure",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.error_type())
    }
}

/// One error found in a log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Finding {
    /// What identifies it across runs: the rustc error code (`E0308`), the lint
    /// (`clippy::ptr_arg`) or the failed test's name.
    pub code: Option<String>,
    /// One line that says what failed, as the tool printed it.
    pub message: String,
    /// The source file, relative to the checkout, when the log names one.
    pub file: Option<String>,
    /// The line in that file.
    pub line: Option<u32>,
    /// The log lines that show it.
    pub lines: Vec<String>,
}

/// A classified job log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobFailure {
    /// What made the job fail.
    pub kind: FailureKind,
    /// The errors found, the first (the one to fix first) first. Empty when unrecognised.
    pub findings: Vec<Finding>,
    /// The lines worth reading: the errors' lines, or the end of the log when unrecognised.
    pub lines: Vec<String>,
    /// The job's name, when the log says it (`gh run view --log-failed` prefixes every line
    /// with it).
    pub job_name: Option<String>,
    /// The last step the log shows starting (`Run cargo test --workspace`).
    pub step: Option<String>,
    /// For an unrecognised failure: the first line that looks like an error.
    error_line: Option<String>,
    /// How many errors the log showed, [`findings`](Self::findings) being the first of them.
    total_findings: usize,
}

impl JobFailure {
    /// How many errors the log showed: at least as many as [`findings`](Self::findings), which
    /// keeps the first 200 of them.
    pub fn total_findings(&self) -> usize {
        self.total_findings
    }

    /// The headline: the first error's message, or `unrecognised job failure` with the first
    /// line that looks like an error.
    pub fn message(&self) -> String {
        if let Some(first) = self.findings.first() {
            return first.message.clone();
        }
        match &self.error_line {
            Some(line) => format!("unrecognised job failure: {line}"),
            None => "unrecognised job failure".to_string(),
        }
    }
}

/// Classify a job's log: the raw text GitHub serves (timestamps, colours and workflow
/// commands are removed first) or the output of `gh run view --log-failed`.
pub fn classify(log: &str) -> JobFailure {
    let clean = lines::clean(log);
    let lines = lines::mask_secret_blocks(clean.lines);
    let step = lines
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("Run ").map(|s| format!("Run {}", s.trim())));
    let diagnostics = cargo::diagnostics(&lines);
    let (kind, findings) = if !diagnostics.errors.is_empty() {
        (FailureKind::Build, diagnostics.errors)
    } else if !diagnostics.lints.is_empty() {
        (FailureKind::Lint, diagnostics.lints)
    } else {
        let tests = test_failures::failed_tests(&lines);
        if !tests.is_empty() {
            (FailureKind::Test, tests)
        } else if diagnostics.could_not_compile {
            (FailureKind::Build, cargo_errors(&lines))
        } else {
            let diffs = cargo::format_diffs(&lines);
            if !diffs.is_empty() {
                (FailureKind::Format, diffs)
            } else {
                let network = network::network_errors(&lines);
                let dependencies = dependencies::dependency_errors(&lines);
                if !network.is_empty() {
                    (FailureKind::Network, network)
                } else if !dependencies.is_empty() {
                    (FailureKind::Dependencies, dependencies)
                } else {
                    (FailureKind::Unrecognised, network)
                }
            }
        }
    };
    let mut findings = findings;
    let total_findings = findings.len();
    findings.truncate(MAX_FINDINGS);
    let (error_line, kept) = if findings.is_empty() {
        let from = lines.len().saturating_sub(UNRECOGNISED_TAIL_LINES);
        (
            first_error_line(&lines),
            lines.get(from..).unwrap_or_default().to_vec(),
        )
    } else {
        (None, merged_lines(&findings))
    };
    JobFailure {
        kind,
        findings,
        lines: kept,
        job_name: clean.job_name,
        step,
        error_line,
        total_findings,
    }
}

/// Cargo's `error:` lines when it could not compile but printed no compiler diagnostic (a
/// failed link, a build script): each is a finding of its own.
fn cargo_errors(lines: &[String]) -> Vec<Finding> {
    let errors: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("error"))
        .map(|(i, _)| i)
        .collect();
    errors
        .iter()
        .take(MAX_FINDINGS)
        .map(|&index| {
            let message = lines.get(index).cloned().unwrap_or_default();
            let block = lines
                .get(index..)
                .unwrap_or_default()
                .iter()
                .take_while(|l| !l.trim().is_empty())
                .take(UNRECOGNISED_TAIL_LINES)
                .cloned()
                .collect();
            Finding {
                code: None,
                message,
                file: None,
                line: None,
                lines: block,
            }
        })
        .collect()
}

/// The first line that looks like an error, other than the runner's closing
/// `Process completed with exit code N.`
fn first_error_line(lines: &[String]) -> Option<String> {
    lines
        .iter()
        .map(|l| l.trim())
        .find(|l| {
            let lower = l.to_ascii_lowercase();
            (lower.starts_with("error") || lower.starts_with("fatal") || lower.contains(" error:"))
                && !lower.starts_with("process completed with exit code")
        })
        .map(str::to_string)
}

/// The findings' lines in order, each block once, blocks separated by a blank line.
fn merged_lines(findings: &[Finding]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: Vec<&[String]> = Vec::new();
    for finding in findings {
        if finding.lines.is_empty() || seen.contains(&finding.lines.as_slice()) {
            continue;
        }
        seen.push(&finding.lines);
        if !out.is_empty() {
            out.push(String::new());
        }
        out.extend(finding.lines.iter().cloned());
    }
    out
}
