//! The structural promises of a rendered issue, whatever the report held: checked by the
//! issue-markdown tests and by the `markdown` and `issue_body` fuzz targets.
//!
//! The body is read the way GitHub-flavoured markdown delimits it: fenced code blocks (three
//! or more backticks or tildes, indented at most three spaces), `<details>` blocks, the
//! fingerprint marker and the embedded report JSON.
//!
//! A module of the issue-markdown tests (`mod issue_structure;`), included by path from the
//! fuzz targets.

#![allow(dead_code)]

use autoheal::Report;
use autoheal::issue::{IssueDraft, REPORT_MARKER, fingerprint_marker};

/// GitHub's limit is 65,536 characters; autoheal promises a margin below it.
pub const MAX_BODY_CHARS: usize = 65_000;
/// GitHub's limit on titles.
pub const MAX_TITLE_CHARS: usize = 256;

/// The longest fingerprint or trace ID the embedded JSON must keep whole (the fingerprint
/// marker holds at most 128 hex digits).
pub const MAX_IDENTIFIER_CHARS: usize = 128;

/// A fence line: its character, the length of its run, and the rest of the line.
fn fence(line: &str) -> Option<(char, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let mark = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let run = rest.chars().take_while(|c| *c == mark).count();
    (run >= 3).then(|| (mark, run, &rest[run..]))
}

/// The lines of `body` outside fenced code blocks. Panics when a fence is left open: the rest
/// of the body would show as code.
pub fn outside_fences(body: &str) -> Vec<&str> {
    let mut outside = Vec::new();
    let mut open: Option<(char, usize)> = None;
    for line in body.lines() {
        match (open, fence(line)) {
            // An info string after backticks may not hold a backtick (GFM 4.5).
            (None, Some((mark, run, info))) if mark == '~' || !info.contains('`') => {
                open = Some((mark, run));
            }
            (None, _) => outside.push(line),
            (Some((mark, run)), Some((closing, length, rest)))
                if closing == mark && length >= run && rest.trim().is_empty() =>
            {
                open = None;
            }
            (Some(_), _) => {}
        }
    }
    assert!(open.is_none(), "a code fence was left open:\n{body}");
    outside
}

/// `line` without its code spans (a backtick run up to the next run of the same length).
pub fn without_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let run_at = |i: usize| chars[i..].iter().take_while(|c| **c == '`').count();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = run_at(i);
        let mut j = i + run;
        let mut closed = None;
        while j < chars.len() {
            let other = run_at(j);
            if other == run {
                closed = Some(j + other);
                break;
            }
            j += other.max(1);
        }
        match closed {
            Some(end) => i = end,
            None => {
                out.extend(&chars[i..i + run]);
                i += run;
            }
        }
    }
    out
}

/// The report JSON of a body, found as the fix generator finds it: the report marker, then the
/// first fence opened with `json`, then the line that closes that fence.
pub fn embedded_json(body: &str) -> String {
    let (_, after) = body.split_once(REPORT_MARKER).expect("the report marker");
    let mut lines = after.lines();
    let fence = lines
        .by_ref()
        .find_map(|line| {
            let ticks = line.chars().take_while(|c| *c == '`').count();
            (ticks >= 3 && &line[ticks..] == "json").then(|| "`".repeat(ticks))
        })
        .expect("a json fence after the marker");
    let json: Vec<&str> = lines.take_while(|line| *line != fence).collect();
    json.join("\n")
}

/// The report embedded in `body`; panics when it does not parse.
pub fn embedded_report(body: &str) -> Report {
    serde_json::from_str(&embedded_json(body)).expect("the embedded JSON parses")
}

/// Check what every issue promises, whatever its report held; returns the embedded report.
///
/// - the title has at most 256 characters on one line, and starts with `[auto-heal] `;
/// - the body has at most 65,000 characters;
/// - every code fence is closed; every `<details>` outside code is opened by the renderer
///   (`<details><summary>` at the start of a line) and closed;
/// - the fingerprint marker of `fingerprint` is on a line of its own outside code, and no
///   other text looks like a fingerprint marker;
/// - the report marker appears once, after the fingerprint marker, and the JSON after it
///   parses back into a report with the same fingerprint and trace ID (when they are at most
///   [`MAX_IDENTIFIER_CHARS`] long).
pub fn check_issue(issue: &IssueDraft, report: &Report) -> Report {
    let (title, body) = (&issue.title, &issue.body);
    let title_chars = title.chars().count();
    assert!(
        title_chars <= MAX_TITLE_CHARS,
        "title of {title_chars} characters"
    );
    assert!(title.starts_with("[auto-heal] "), "{title:?}");
    assert!(!title.contains(['\n', '\r']), "{title:?}");
    let body_chars = body.chars().count();
    assert!(
        body_chars <= MAX_BODY_CHARS,
        "body of {body_chars} characters"
    );

    let outside = outside_fences(body);
    let mut depth = 0usize;
    for line in &outside {
        if line.starts_with("<details>") {
            depth += 1;
        } else if line.trim() == "</details>" {
            assert!(depth > 0, "a </details> closes nothing:\n{body}");
            depth -= 1;
        }
        assert!(
            !line.contains("<details") || line.starts_with("<details><summary>"),
            "a <details> opened by report text: {line}"
        );
    }
    assert_eq!(depth, 0, "every <details> is closed:\n{body}");

    let marker = fingerprint_marker(&report.fingerprint);
    assert_eq!(
        body.matches("<!-- autoheal:fingerprint=").count(),
        1,
        "one fingerprint marker:\n{body}"
    );
    assert_eq!(
        outside.iter().filter(|l| **l == marker).count(),
        1,
        "{marker} on its own line"
    );
    assert_eq!(body.matches(REPORT_MARKER).count(), 1, "one report marker");
    assert!(body.find(&marker) < body.find(REPORT_MARKER));

    let embedded = embedded_report(body);
    // Identifiers of a sane length (autoheal makes 32 hex digits) are never cut.
    for (name, kept, given) in [
        ("fingerprint", &embedded.fingerprint, &report.fingerprint),
        ("trace ID", &embedded.trace_id, &report.trace_id),
    ] {
        if given.chars().count() <= MAX_IDENTIFIER_CHARS {
            assert!(kept == given, "the {name} changed: {kept:?} from {given:?}");
        }
    }
    embedded
}
