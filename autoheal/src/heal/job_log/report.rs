//! A classified job log as a [`Report`], and filing it through the same sinks as runtime
//! failures.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::SystemTime;

use regex::Regex;

use super::{FailureKind, JobFailure};
use crate::fingerprint::{digest, mask_volatile};
use crate::report::{CommandLine, ErrorDetails, Report, ReportKind, SCHEMA_VERSION, Site};
use crate::{Config, Outcome, Redactor};

/// The label a job failure's issue carries instead of `cli-error`. A report with it goes only
/// to an issue the repository trusts (opened by the reporting identity or by an owner, member
/// or collaborator), never to one an outsider opened with the same fingerprint: the workflow
/// acts on the issue it lands on.
pub const WORKFLOW_LABEL: &str = crate::github::trust::WORKFLOW_ERROR_LABEL;

/// The label of runtime failures, replaced by [`WORKFLOW_LABEL`].
const RUNTIME_LABEL: &str = "cli-error";

/// Further errors named in the cause chain, at most.
const MAX_CHAIN: usize = 20;

/// Where a job log came from, as the workflow that reports it knows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobRun {
    /// The failed run's web address; the report carries it in `env.RUN_URL`.
    pub run_url: Option<String>,
    /// The failed job's name (`test (ubuntu-latest)`); the report's `command.program`. When
    /// `None`, the name the log itself gives, if any.
    pub job_name: Option<String>,
}

/// The report for a failed job: error type from the failure's kind, message from its first
/// error, the further errors as the chain, the first error's `file:line` as the site, the
/// relevant log lines (at most `config.max_log_lines`), the run in `env` (`RUN_URL`, `JOB`,
/// `STEP`) and the configured labels with `workflow-error` in place of `cli-error`.
///
/// The report is redacted (the configured token and every secret-looking text) and
/// fingerprinted: the same failure in another run, on another runner or in another job of a
/// matrix gets the same fingerprint — the run's address and the log's timestamps take no
/// part in it.
pub fn report(config: &Config, failure: &JobFailure, run: &JobRun) -> Report {
    let redactor = Redactor::for_config(config);
    let job_name = run
        .job_name
        .clone()
        .or_else(|| failure.job_name.clone())
        .map(|name| super::lines::bounded(&name));
    let first = failure.findings.first();
    let site = match first.and_then(|f| f.file.clone()) {
        Some(file) => {
            let line = first.and_then(|f| f.line).unwrap_or(0);
            Site {
                function: match line {
                    0 => file.clone(),
                    line => format!("{file}:{line}"),
                },
                name: None,
                module: String::new(),
                file,
                line,
            }
        }
        None => Site {
            function: job_name
                .clone()
                .unwrap_or_else(|| "workflow job".to_string()),
            ..Site::default()
        },
    };
    let mut chain: Vec<String> = failure
        .findings
        .iter()
        .skip(1)
        .take(MAX_CHAIN)
        .map(|f| f.message.clone())
        .collect();
    let more = failure.total_findings().saturating_sub(MAX_CHAIN + 1);
    if more > 0 {
        chain.push(format!("… and {more} more"));
    }
    let mut env = BTreeMap::new();
    let context = [
        ("RUN_URL", run.run_url.clone()),
        ("JOB", job_name.clone()),
        ("STEP", failure.step.clone()),
    ];
    for (name, value) in context {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            env.insert(name.to_string(), super::lines::bounded(&value));
        }
    }
    let mut report = Report {
        schema: SCHEMA_VERSION,
        trace_id: crate::trace_id::new_trace_id(),
        timestamp: crate::timestamp::millis(SystemTime::now()).to_string(),
        fingerprint: String::new(),
        kind: ReportKind::Error,
        error: ErrorDetails {
            type_name: failure.kind.error_type().to_string(),
            message: failure.message(),
            chain,
            root_type: None,
        },
        site,
        frames: Vec::new(),
        command: CommandLine {
            program: job_name.unwrap_or_default(),
            args: Vec::new(),
        },
        backtrace: Vec::new(),
        logs: bounded_lines(failure, config.max_log_lines),
        spans: Vec::new(),
        env,
        system: crate::system::system_info(&config.app),
        labels: workflow_labels(&config.issue_labels),
    };
    redactor.redact_report(&mut report);
    report.fingerprint = fingerprint(failure, &report);
    report
}

/// File `report` as runtime failures are filed: with a repository, a token and
/// `auto_create_issues`, through the GitHub sink (queued on disk first, de-duplicated by
/// fingerprint, throttled); otherwise into the local queue, for `flush` to send later.
///
/// Unlike a runtime failure, a job log is filed whether or not `enabled` is set: asking for
/// it is the consent.
pub fn file(config: &Config, report: &Report) -> Outcome {
    crate::pipeline::configured_sink(config).send(report)
}

/// The configured labels with `cli-error` replaced by `workflow-error` (added when absent).
fn workflow_labels(configured: &[String]) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for label in configured {
        let label = match label.as_str() {
            RUNTIME_LABEL => WORKFLOW_LABEL,
            label => label,
        };
        if !label.is_empty() && !labels.iter().any(|l| l == label) {
            labels.push(label.to_string());
        }
    }
    if !labels.iter().any(|l| l == WORKFLOW_LABEL) {
        labels.push(WORKFLOW_LABEL.to_string());
    }
    labels
}

/// The failure's lines, at most `max`: the first ones of the errors found (the first error
/// matters most), the last ones of an unrecognised log (its end tells).
fn bounded_lines(failure: &JobFailure, max: usize) -> Vec<String> {
    let lines = &failure.lines;
    let range = match failure.findings.is_empty() {
        true => lines.len().saturating_sub(max)..lines.len(),
        false => 0..lines.len().min(max),
    };
    lines.get(range).unwrap_or_default().to_vec()
}

/// Web addresses without their path and query: a download of another version of the same
/// crate from the same host is the same failure.
static URL_PATH: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(https?://[^/\s`'\x22<>]+)[^\s`'\x22<>]*").ok());

/// The fingerprint: the failure's kind, then the first error's code (`E0308`, the lint, the
/// test's name), file and message with its volatile parts masked; an unrecognised failure
/// adds its job and step, so that different jobs failing in unknown ways stay apart.
fn fingerprint(failure: &JobFailure, report: &Report) -> String {
    let first = failure.findings.first();
    let message = match URL_PATH.as_ref() {
        Some(url) => url.replace_all(&report.error.message, "$1/…").into_owned(),
        None => report.error.message.clone(),
    };
    let mut fields = vec![
        "job log".to_string(),
        report.error.type_name.clone(),
        first.and_then(|f| f.code.clone()).unwrap_or_default(),
        first.and_then(|f| f.file.clone()).unwrap_or_default(),
        mask_volatile(&message),
    ];
    if failure.kind == FailureKind::Unrecognised {
        fields.push(report.command.program.clone());
        fields.push(
            failure
                .step
                .as_deref()
                .map(mask_volatile)
                .unwrap_or_default(),
        );
    }
    digest(fields.iter().map(String::as_str))
}
