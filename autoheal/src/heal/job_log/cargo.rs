//! Cargo's own failures: compiler errors (`error[E0308]: ...` with ` --> file:line:col`),
//! lints denied by clippy or `-D warnings`, and `cargo fmt --check` diffs.

use std::sync::LazyLock;

use regex::Regex;

use super::Finding;
use super::lines::workspace_relative;

/// Lines kept of one diagnostic: the message, its location, the code and the help.
const MAX_DIAGNOSTIC_LINES: usize = 40;

/// Lines kept of one file's formatting diff.
const MAX_DIFF_LINES: usize = 30;

/// One `error` diagnostic of rustc or clippy.
#[derive(Debug)]
pub(super) struct Diagnostic {
    /// The finding it makes: code `E0308` for rustc, the lint's name for a denied lint.
    pub(super) finding: Finding,
    /// Whether a lint level (`-D clippy::x`, `#[deny(...)]`) made it an error.
    pub(super) is_lint: bool,
}

/// What the diagnostics of a log add up to.
#[derive(Debug, Default)]
pub(super) struct Diagnostics {
    /// Compiler errors: the build itself failed.
    pub(super) errors: Vec<Finding>,
    /// Lints denied by clippy or `-D warnings`.
    pub(super) lints: Vec<Finding>,
    /// Whether cargo said a crate could not be compiled.
    pub(super) could_not_compile: bool,
}

static ERROR_START: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^error(?:\[(E\d{4})\])?: (.+)$").ok());
static LOCATION: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*--> (.+?):(\d+):(\d+)\s*$").ok());
/// `` `-D clippy::ptr-arg` implied by `-D warnings` `` or `#[deny(clippy::len_zero)]`.
static LINT_LEVEL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"`-D ([A-Za-z0-9_:-]+)`|#\[deny\(([A-Za-z0-9_:-]+)\)\]").ok());
/// `Diff in /path/src/lib.rs at line 3:` (older rustfmt) or `Diff in /path/src/lib.rs:3:`.
static FMT_DIFF: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^Diff in (.+?)(?: at line |:)(\d+):?\s*$").ok());

/// Cargo's summaries of errors reported above them, not errors of their own.
const SUMMARIES: &[&str] = &[
    "could not compile",
    "aborting due to",
    "build failed",
    "test failed",
    "test run failed",
];

/// The `error` diagnostics of rustc and clippy in `lines`, in order.
pub(super) fn diagnostics(lines: &[String]) -> Diagnostics {
    let mut found = Diagnostics::default();
    let Some(start) = ERROR_START.as_ref() else {
        return found;
    };
    let mut index = 0;
    while let Some(line) = lines.get(index) {
        index += 1;
        let Some(caps) = start.captures(line) else {
            continue;
        };
        let message = caps.get(2).map_or("", |m| m.as_str());
        if SUMMARIES.iter().any(|s| message.starts_with(s)) {
            found.could_not_compile |= message.starts_with("could not compile");
            continue;
        }
        let code = caps.get(1).map(|m| m.as_str().to_string());
        let block_end = lines
            .get(index..)
            .unwrap_or_default()
            .iter()
            .position(|l| l.trim().is_empty() || l.starts_with("error") || l.starts_with("warning"))
            .map_or(lines.len(), |offset| index + offset);
        let block = lines.get(index - 1..block_end).unwrap_or_default();
        index = block_end;
        if let Some(diagnostic) = diagnostic(block, code, message) {
            match diagnostic.is_lint {
                true => found.lints.push(diagnostic.finding),
                false => found.errors.push(diagnostic.finding),
            }
        }
    }
    found
}

/// One diagnostic from its block of lines; `None` for an error that is not the compiler's
/// (no code and no source location: cargo's own messages, such as a failed download).
fn diagnostic(block: &[String], code: Option<String>, message: &str) -> Option<Diagnostic> {
    let location = block
        .iter()
        .find_map(|l| LOCATION.as_ref().and_then(|re| re.captures(l)));
    if code.is_none() && location.is_none() {
        return None;
    }
    let (file, line) = match &location {
        Some(caps) => (
            caps.get(1).map(|m| workspace_relative(m.as_str())),
            caps.get(2).and_then(|m| m.as_str().parse().ok()),
        ),
        None => (None, None),
    };
    let lint = block.iter().find_map(|l| lint_name(l));
    let is_lint = code.is_none() && lint.is_some();
    let (code, shown) = match (&code, &lint) {
        (Some(code), _) => (Some(code.clone()), format!("error[{code}]: {message}")),
        (None, Some(lint)) if is_lint => (Some(lint.clone()), format!("{message} ({lint})")),
        _ => (None, format!("error: {message}")),
    };
    Some(Diagnostic {
        finding: Finding {
            code,
            message: shown,
            file,
            line,
            lines: block.iter().take(MAX_DIAGNOSTIC_LINES).cloned().collect(),
        },
        is_lint,
    })
}

/// The lint a line says was denied (`clippy::ptr_arg`, `unused_variables`), if any.
fn lint_name(line: &str) -> Option<String> {
    let caps = LINT_LEVEL.as_ref()?.captures(line)?;
    let name = caps.get(1).or_else(|| caps.get(2))?.as_str();
    if name == "warnings" {
        return None;
    }
    Some(name.replace('-', "_"))
}

/// One finding per file `cargo fmt --check` would reformat, with its diff lines.
pub(super) fn format_diffs(lines: &[String]) -> Vec<Finding> {
    let Some(diff) = FMT_DIFF.as_ref() else {
        return Vec::new();
    };
    let mut findings: Vec<Finding> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(caps) = diff.captures(line) else {
            continue;
        };
        let file = caps
            .get(1)
            .map(|m| workspace_relative(m.as_str()))
            .unwrap_or_default();
        let body = lines
            .get(index + 1..)
            .unwrap_or_default()
            .iter()
            .take_while(|l| !diff.is_match(l) && (l.starts_with(['+', '-', ' ']) || l.is_empty()))
            .take(MAX_DIFF_LINES);
        let mut diff_lines = vec![line.clone()];
        diff_lines.extend(body.cloned());
        match findings
            .iter_mut()
            .find(|f| f.file.as_deref() == Some(&file))
        {
            Some(finding) => finding.lines.extend(diff_lines),
            None => findings.push(Finding {
                code: None,
                message: format!("rustfmt would reformat {file}"),
                line: caps.get(2).and_then(|m| m.as_str().parse().ok()),
                file: Some(file),
                lines: diff_lines,
            }),
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn a_rustc_error_has_its_code_and_location() {
        let found = diagnostics(&lines(
            "error[E0425]: cannot find value `peers` in this scope\n --> src/lib.rs:7:5\n  |\n\nerror: could not compile `x` (lib) due to 1 previous error",
        ));
        assert!(found.could_not_compile);
        assert!(found.lints.is_empty());
        let [error] = &found.errors[..] else {
            panic!("{found:?}")
        };
        assert_eq!(error.code.as_deref(), Some("E0425"));
        assert_eq!(
            error.message,
            "error[E0425]: cannot find value `peers` in this scope"
        );
        assert_eq!(
            (error.file.as_deref(), error.line),
            (Some("src/lib.rs"), Some(7))
        );
        assert_eq!(error.lines.len(), 3);
    }

    #[test]
    fn a_denied_lint_is_named() {
        let found = diagnostics(&lines(
            "error: unused variable: `x`\n --> src/main.rs:2:9\n  |\n  = note: `-D unused-variables` implied by `-D warnings`\n\n\
             error: this loop never actually loops\n --> src/main.rs:4:5\nnote: the lint level is defined here\n  |\n1 | #![deny(clippy::never_loop)]\n  = note: `#[deny(clippy::never_loop)]` on by default",
        ));
        assert!(found.errors.is_empty(), "{found:?}");
        let names: Vec<_> = found
            .lints
            .iter()
            .filter_map(|f| f.code.as_deref())
            .collect();
        assert_eq!(names, ["unused_variables", "clippy::never_loop"]);
        assert_eq!(
            found.lints[0].message,
            "unused variable: `x` (unused_variables)"
        );
    }

    #[test]
    fn cargo_errors_without_a_location_are_not_diagnostics() {
        let found = diagnostics(&lines(
            "error: failed to get `serde` as a dependency of package `net v0.1.0`\n\nCaused by:\n  download failed",
        ));
        assert!(found.errors.is_empty() && found.lints.is_empty());
        assert!(!found.could_not_compile);
    }

    #[test]
    fn fmt_diffs_are_grouped_by_file_in_both_spellings() {
        let findings = format_diffs(&lines(
            "Diff in /home/runner/work/kit/kit/src/lib.rs at line 1:\n-a\n+b\n\nDiff in /home/runner/work/kit/kit/src/lib.rs:9:\n-c\n+d\nDiff in src/main.rs:3:\n-e\n",
        ));
        let files: Vec<_> = findings.iter().filter_map(|f| f.file.as_deref()).collect();
        assert_eq!(files, ["src/lib.rs", "src/main.rs"]);
        assert_eq!(findings[0].line, Some(1));
        assert_eq!(findings[0].message, "rustfmt would reformat src/lib.rs");
        assert!(findings[0].lines.iter().any(|l| l == "+d"));
    }
}
