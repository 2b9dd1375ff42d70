//! A diagnosis: what went wrong, why, and what to do, with the report's own values.

use super::evidence::Evidence;
use super::prompt::prompt;
use super::rules::{first_match, quote};
use crate::issue::sanitize::plain_text;
use crate::prefix::prefix_within;
use crate::{Report, ReportKind};

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

impl std::fmt::Display for Confidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        })
    }
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

/// Diagnose `report` with the first rule that recognises it; a report no rule recognises is
/// [`UNRECOGNISED`], with a [`prompt`](Diagnosis::prompt) for a coding agent.
///
/// Only the error's message and cause chain (and, for values, the command line) are read, each
/// within a bound, so any report is diagnosed in time proportional to its size.
pub fn diagnose(report: &Report) -> Diagnosis {
    without_hidden(diagnosis_of(report))
}

/// The diagnosis with every character that shows nothing removed from what came from the
/// report ([`crate::issue::sanitize::is_hidden`]: bidirectional overrides, zero-width and tag
/// characters, controls but line breaks and tabs): its text goes to comments, pull requests,
/// commit messages, committed files and a coding agent's prompt, where such characters could
/// make it read otherwise than it is.
fn without_hidden(mut diagnosis: Diagnosis) -> Diagnosis {
    let clean = |text: &mut String| *text = plain_text(text);
    clean(&mut diagnosis.title);
    clean(&mut diagnosis.cause);
    diagnosis.steps.iter_mut().for_each(clean);
    diagnosis.location.iter_mut().for_each(clean);
    diagnosis.prompt.iter_mut().for_each(clean);
    if let Some(patch) = &mut diagnosis.patch {
        clean(&mut patch.path);
        clean(&mut patch.description);
        match &mut patch.edit {
            PatchEdit::Append(text) => clean(text),
            PatchEdit::Replace { find, replace } => {
                clean(find);
                clean(replace);
            }
        }
    }
    diagnosis
}

fn diagnosis_of(report: &Report) -> Diagnosis {
    let evidence = Evidence::of(report);
    let location = location(report);
    match first_match(&evidence) {
        Some((rule, finding)) => Diagnosis {
            rule_id: rule.id.to_string(),
            title: finding.title,
            cause: finding.cause,
            steps: finding.steps,
            confidence: finding.confidence,
            location,
            patch: finding.patch,
            prompt: None,
        },
        None => Diagnosis {
            rule_id: UNRECOGNISED.to_string(),
            title: unrecognised_title(report),
            cause: "No rule recognises this failure; the report is summarised below for a closer \
                    look."
                .to_string(),
            steps: vec![
                "Read the cause chain and the log lines of the report for the first thing that went wrong.".to_string(),
                match &location {
                    Some(place) => format!("Start at {}.", quote(place)),
                    None => "Start at the function named in the report.".to_string(),
                },
            ],
            confidence: Confidence::Low,
            location,
            patch: None,
            prompt: Some(prompt(report)),
        },
    }
}

/// `Type: first line of the message`, bounded, with values as code spans.
fn unrecognised_title(report: &Report) -> String {
    let first_line = report
        .error
        .message
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let type_name = match report.kind {
        ReportKind::Panic => "panic",
        ReportKind::Error => report.error.type_name.as_str(),
    };
    format!(
        "Unrecognised failure: {}",
        quote(&format!("{type_name}: {first_line}"))
    )
}

/// Where the failure points in the application's code (`src/config.rs:42 in app::config::load`).
///
/// For a panic, the innermost in-app frame of the backtrace that has a file, where the code
/// panicked; else the report's site. For an error, the site: the annotated function it escaped,
/// under the name the report groups it by; else the innermost in-app frame.
pub(crate) fn location(report: &Report) -> Option<String> {
    let site = &report.site;
    let from_site = || {
        if site.file.is_empty() {
            return (!site.function.is_empty())
                .then(|| prefix_within(&site.function, PLACE_BYTES).to_string());
        }
        Some(bounded_place(
            &format!("{}:{}", site.file, site.line),
            &site.function,
        ))
    };
    let from_frame = || {
        let frame = report
            .backtrace
            .iter()
            .find(|frame| frame.in_app && frame.file.as_deref().is_some_and(|f| !f.is_empty()))?;
        let file = relative_to_site(frame.file.as_deref().unwrap_or(""), &site.file);
        let place = match frame.line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_string(),
        };
        Some(bounded_place(&place, &frame.function))
    };
    match report.kind {
        ReportKind::Panic => from_frame().or_else(from_site),
        ReportKind::Error => from_site().or_else(from_frame),
    }
}

/// An absolute frame path (`/home/me/app/cli/src/x.rs`) made relative like the site's
/// (`cli/src/main.rs`), when the site's first directory is in it.
fn relative_to_site<'a>(file: &'a str, site_file: &str) -> &'a str {
    let Some((top, _)) = site_file.split_once('/') else {
        return file;
    };
    if top.is_empty() || top == "." || !file.starts_with('/') {
        return file;
    }
    match file.rfind(&format!("/{top}/")) {
        Some(at) => file.get(at + 1..).unwrap_or(file),
        None => file,
    }
}

/// The most bytes of a file or a function a location shows.
const PLACE_BYTES: usize = 300;

fn bounded_place(place: &str, function: &str) -> String {
    let place = prefix_within(place, PLACE_BYTES);
    if function.is_empty() {
        place.to_string()
    } else {
        format!("{place} in {}", prefix_within(function, PLACE_BYTES))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BacktraceFrame;

    #[test]
    fn a_panic_points_at_its_in_app_frame_and_an_error_at_its_site() {
        let mut report = crate::report::sample();
        assert_eq!(
            location(&report).as_deref(),
            Some("src/lib.rs:7 in app::load")
        );
        report.backtrace = vec![
            BacktraceFrame {
                function: "core::panicking::panic".into(),
                file: Some("/rustc/core/src/panicking.rs".into()),
                line: Some(1),
                in_app: false,
            },
            BacktraceFrame {
                function: "app::inline".into(),
                file: None,
                line: None,
                in_app: true,
            },
            BacktraceFrame {
                function: "app::config::load".into(),
                file: Some("/home/me/app/src/config.rs".into()),
                line: Some(42),
                in_app: true,
            },
        ];
        assert_eq!(
            location(&report).as_deref(),
            Some("src/lib.rs:7 in app::load")
        );
        report.kind = ReportKind::Panic;
        assert_eq!(
            location(&report).as_deref(),
            Some("src/config.rs:42 in app::config::load")
        );
        report.backtrace.clear();
        report.site = Default::default();
        assert_eq!(location(&report), None);
    }

    #[test]
    fn frame_paths_are_made_relative_like_the_site() {
        assert_eq!(
            relative_to_site("/w/app/cli/src/x.rs", "cli/src/main.rs"),
            "cli/src/x.rs"
        );
        assert_eq!(
            relative_to_site("/w/app/cli/src/x.rs", "main.rs"),
            "/w/app/cli/src/x.rs"
        );
        assert_eq!(relative_to_site("src/x.rs", "src/main.rs"), "src/x.rs");
        assert_eq!(
            relative_to_site("/other/place.rs", "src/main.rs"),
            "/other/place.rs"
        );
    }

    #[test]
    fn an_unrecognised_report_gets_a_prompt_and_low_confidence() {
        let mut report = crate::report::sample();
        report.error.type_name = "ParseError".into();
        report.error.message = "the moon is in the wrong phase".into();
        let diagnosis = diagnose(&report);
        assert!(!diagnosis.is_recognised());
        assert_eq!(diagnosis.confidence, Confidence::Low);
        assert_eq!(
            diagnosis.title,
            "Unrecognised failure: `ParseError: the moon is in the wrong phase`"
        );
        assert!(
            diagnosis
                .prompt
                .as_deref()
                .is_some_and(|p| p.contains("the moon is in the wrong phase"))
        );
    }

    #[test]
    fn a_recognised_report_names_its_rule_and_location() {
        let report = crate::report::sample();
        let diagnosis = diagnose(&report);
        assert_eq!(diagnosis.rule_id, "file-not-found");
        assert_eq!(
            diagnosis.location.as_deref(),
            Some("src/lib.rs:7 in app::load")
        );
        assert_eq!(diagnosis.prompt, None);
    }
}
