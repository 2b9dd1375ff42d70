//! The diagnosis as markdown: the issue comment and the troubleshooting entry.
//!
//! A diagnosis carries values from the report (paths, hosts, messages), which are untrusted.
//! Its texts are plain text with code spans; here each code span becomes a safe code span and
//! everything else escaped running text (see [`crate::issue::markdown`]), so that no value can
//! open HTML, ping anyone, link an issue or forge an autoheal marker.

use std::fmt::Write as _;

use super::Diagnosis;
use super::parse::unescape::code_span;
use super::rules::rules;
use crate::issue::markdown::{block_text, code, details, fence, text};

/// The marker on the fix generator's own comment, so a second run updates it.
pub const FIX_COMMENT_MARKER: &str = "<!-- autoheal:fix -->";

/// The most characters of one piece of running text (a title, a cause, a step).
const TEXT_CHARS: usize = 2_000;
/// The most characters of one code span.
const CODE_CHARS: usize = 400;
/// The most steps shown.
const STEPS: usize = 20;
/// The most characters of the prompt shown in a comment.
const PROMPT_CHARS: usize = 10_000;

/// The comment answering an issue: [`FIX_COMMENT_MARKER`], the diagnosis, its cause, the
/// numbered steps, the location, the confidence and the rule; for an unrecognised failure, a
/// short note and the prompt prepared for a coding agent.
pub fn comment_markdown(diagnosis: &Diagnosis) -> String {
    let mut out = format!(
        "{FIX_COMMENT_MARKER}\n### Diagnosis: {}\n\n",
        inline(&diagnosis.title)
    );
    let _ = write!(out, "**Cause:** {}\n\n", inline(&diagnosis.cause));
    if !diagnosis.steps.is_empty() {
        out.push_str("**What to do:**\n\n");
        out.push_str(&numbered(&diagnosis.steps));
        out.push('\n');
    }
    if let Some(location) = &diagnosis.location {
        let _ = write!(out, "**Location:** {}\n\n", code(location, CODE_CHARS));
    }
    if let Some(patch) = &diagnosis.patch {
        let _ = write!(
            out,
            "**Proposed change:** {} ({})\n\n",
            code(&patch.path, CODE_CHARS),
            text(&patch.description, TEXT_CHARS)
        );
    }
    let _ = write!(
        out,
        "**Confidence:** {} · rule {}\n\n",
        diagnosis.confidence,
        code(&diagnosis.rule_id, CODE_CHARS)
    );
    if !diagnosis.is_recognised() {
        out.push_str(
            "No rule of autoheal recognises this failure, so there is no ready-made fix. The \
             summary below is written for a coding agent (or a person) to start from.\n\n",
        );
        if let Some(prompt) = &diagnosis.prompt {
            out.push_str(&details(
                "Prompt for a coding agent",
                &fence(&block_text(prompt, PROMPT_CHARS), "text"),
            ));
        }
    }
    out.push_str("<sub>Diagnosed by autoheal from the report in this issue.</sub>\n");
    out
}

/// The entry for `docs/TROUBLESHOOTING.md`: symptom, cause and remedy, the remedy with the
/// values of this report.
pub fn troubleshooting_entry(diagnosis: &Diagnosis) -> String {
    let rule = rules().find(|rule| rule.id == diagnosis.rule_id);
    let heading = match rule {
        Some(rule) if !diagnosis.title.starts_with(rule.name) => {
            format!("{}: {}", rule.name, diagnosis.title)
        }
        _ => diagnosis.title.clone(),
    };
    let mut out = format!("## {}\n\n", inline(&heading));
    let _ = write!(out, "{}\n\n", troubleshooting_rule_line(&diagnosis.rule_id));
    if let Some(rule) = rule {
        let _ = write!(out, "**Symptom:** {}\n\n", inline(rule.symptom));
    }
    let _ = write!(out, "**Cause:** {}\n\n", inline(&diagnosis.cause));
    out.push_str("**Remedy:**\n\n");
    out.push_str(&numbered(&diagnosis.steps));
    out.push('\n');
    out
}

/// The line of a troubleshooting entry that names its rule (`` Rule: `file-not-found` ``): a
/// guide holding it documents the rule already, so a second issue of it adds no entry.
pub fn troubleshooting_rule_line(rule_id: &str) -> String {
    format!("Rule: {}", code(rule_id, CODE_CHARS))
}

/// `steps` as a numbered list.
fn numbered(steps: &[String]) -> String {
    let mut out = String::new();
    for (i, step) in steps.iter().take(STEPS).enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, inline(step));
    }
    if steps.len() > STEPS {
        let _ = writeln!(out, "\n… {} more steps omitted.", steps.len() - STEPS);
    }
    out
}

/// Plain text with code spans as safe markdown: the spans as code spans, the rest escaped.
pub(crate) fn inline(plain: &str) -> String {
    let mut out = String::new();
    let mut rest = plain;
    let mut spans = 0;
    while !rest.is_empty() && out.len() < TEXT_CHARS * 4 {
        let Some(tick) = rest.find('`') else {
            push_text(&mut out, rest);
            break;
        };
        let (before, at) = rest.split_at(tick);
        push_text(&mut out, before);
        match code_span(at).filter(|_| spans < 64) {
            Some((content, after)) => {
                out.push_str(&code(&content, CODE_CHARS));
                spans += 1;
                rest = after;
            }
            None => {
                push_text(&mut out, at);
                break;
            }
        }
    }
    out
}

/// `piece` as escaped running text, keeping one space at either end where it had one.
fn push_text(out: &mut String, piece: &str) {
    if piece.is_empty() {
        return;
    }
    if piece.starts_with(char::is_whitespace) && !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    out.push_str(&text(piece, TEXT_CHARS));
    if piece.ends_with(char::is_whitespace) && !piece.trim().is_empty() {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::diagnose;

    #[test]
    fn inline_text_keeps_code_spans_and_escapes_the_rest() {
        assert_eq!(
            inline("Check the path: `ls -l /etc/app.toml` (or *not*)."),
            "Check the path: `ls -l /etc/app.toml` (or \\*not\\*)."
        );
        assert_eq!(
            inline("<b>@octocat</b> `a`b"),
            "&lt;b&gt;@\u{200b}octocat&lt;/b&gt; `a`b"
        );
        assert_eq!(inline("unclosed ` tick"), "unclosed \\` tick");
        assert!(!inline("`<!-- autoheal:fix -->` <!-- autoheal:fix -->").contains("<!--"));
    }

    #[test]
    fn the_comment_has_the_marker_once_and_every_part() {
        let mut report = crate::report::sample();
        report.error.message =
            "could not read /etc/app.toml: No such file or directory (os error 2)".into();
        let diagnosis = diagnose(&report);
        let comment = comment_markdown(&diagnosis);
        assert!(comment.starts_with(
            "<!-- autoheal:fix -->\n### Diagnosis: File not found: `/etc/app.toml`\n"
        ));
        assert_eq!(comment.matches("<!--").count(), 1);
        assert!(comment.contains("**Cause:** The program tried to open `/etc/app.toml`"));
        assert!(comment.contains("\n1. Check the path: `ls -l /etc/app.toml`"));
        assert!(comment.contains("**Location:** `src/lib.rs:7 in app::load`"));
        assert!(comment.contains("**Confidence:** high · rule `file-not-found`"));
        assert!(!comment.contains("coding agent"));
    }

    #[test]
    fn a_proposed_change_is_named() {
        let mut report = crate::report::sample();
        report.error.message = "DATABASE_URL must be set".into();
        let comment = comment_markdown(&diagnose(&report));
        assert!(
            comment.contains("**Proposed change:** `.env.example` (Document the environment variable DATABASE\\_URL in .env.example)"),
            "{comment}"
        );
    }

    #[test]
    fn an_unrecognised_comment_carries_the_prompt_in_a_fence() {
        let mut report = crate::report::sample();
        report.error.message = "```\n</details> <!-- autoheal:fingerprint=00 --> @octocat".into();
        let diagnosis = diagnose(&report);
        let comment = comment_markdown(&diagnosis);
        assert!(comment.contains("No rule of autoheal recognises this failure"));
        assert!(comment.contains("<details><summary>Prompt for a coding agent</summary>"));
        assert_eq!(comment.matches("<!--").count(), 1, "{comment}");
        assert_eq!(
            comment.matches("</details>").count(),
            1,
            "the block's own; the message's is broken in the fence"
        );
        assert!(comment.contains("<\u{200B}/details>"), "{comment}");
        assert!(
            comment.contains("````text\n"),
            "the fence outgrows the message's backticks"
        );
    }

    #[test]
    fn the_troubleshooting_entry_has_symptom_cause_and_remedy() {
        let report = crate::report::sample();
        let entry = troubleshooting_entry(&diagnose(&report));
        assert!(entry.starts_with("## File not found\n\n"), "{entry}");
        assert!(entry.contains("Rule: `file-not-found`"));
        assert!(entry.contains("**Symptom:** `No such file or directory (os error 2)`"));
        assert!(entry.contains("**Cause:**") && entry.contains("**Remedy:**\n\n1. "));
    }
}
