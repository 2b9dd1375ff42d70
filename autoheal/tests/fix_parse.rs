//! Issue bodies read back into reports: every rendered body gives back its report from the
//! embedded JSON; without the JSON, the markdown sections give back the error, the site and the
//! command; any other text, however hostile or large, gives a result or an error, quickly.

use std::collections::BTreeMap;

use autoheal::fix::{
    FIX_COMMENT_MARKER, MAX_BODY_BYTES, ParseError, ParseSource, comment_markdown, diagnose,
    parse_issue_body,
};
use autoheal::issue::{REPORT_MARKER, render_issue};
use autoheal::{BacktraceFrame, CommandLine, ErrorDetails, Report, ReportKind, Site};

fn report(type_name: &str, message: &str, chain: &[&str]) -> Report {
    let mut report = Report::default();
    report.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736".into();
    report.timestamp = "2026-11-25T04:53:09.123Z".into();
    report.fingerprint = "0123456789abcdef0123456789abcdef".into();
    report.kind = ReportKind::Error;
    report.error = ErrorDetails::new(type_name, message).with_chain(chain.iter().copied());
    report.site = Site::new("pins::sync", "src/pins.rs", 7).with_module("ipfs_kit::pins");
    report.frames = vec!["pins::sync".into(), "pin sync".into()];
    report.command = CommandLine::new("ipfs-kit", ["add", "/data/my pins.txt", "it's"]);
    report.backtrace = (0..6)
        .map(|i| {
            let mut frame =
                BacktraceFrame::new(format!("ipfs_kit::step{i}")).with_in_app(i % 2 == 0);
            frame.file = (i != 2).then(|| format!("src/step{i}.rs"));
            frame.line = (i != 2).then_some(i * 10);
            frame
        })
        .collect();
    report.logs = vec![
        "2026-11-25T04:53:09Z DEBUG adding file=/data/my pins.txt".into(),
        "### Where".into(),
    ];
    report.spans = vec!["pin_sync{count=3}".into()];
    report.env = BTreeMap::from([("RUST_LOG".to_string(), "debug|trace".to_string())]);
    let system = &mut report.system;
    system.os = "linux".into();
    system.arch = "x86_64".into();
    system.app = "ipfs_kit".into();
    system.app_version = "0.1.0".into();
    system.rust_version = "rustc 1.95.0".into();
    system.pid = 42;
    system.cwd = "~/src".into();
    report.labels = vec!["auto-heal".into(), "cli-error".into()];
    report
}

/// Reports with ordinary and awkward values.
fn reports() -> Vec<Report> {
    let mut reports = vec![
        report("io::Error", "No such file or directory (os error 2)", &[]),
        report(
            "anyhow::Error",
            "could not read /data/my pins.txt",
            &["No such file or directory (os error 2)"],
        ),
        report(
            "serde_json::Error",
            "expected `,` or `}` at line 3 column 5",
            &["a `code` span", "<b>html</b> & *stars* [link](x) | pipe"],
        ),
        report("Error", "first line\nsecond line\n  indented third", &[]),
        report(
            "Error",
            "@octocat see #12 and GH-3 <!-- autoheal:fingerprint=ffff --> ```` fence",
            &["\\backslash\\ and trailing \\"],
        ),
        report(
            "Error",
            "unicode: café — 日本語 😀",
            &["é".repeat(300).as_str()],
        ),
        report("Error", "", &[]),
    ];
    let mut panic = report("panic", "called `Option::unwrap()` on a `None` value", &[]);
    panic.kind = ReportKind::Panic;
    reports.push(panic);
    let mut bare = report("Error", "no frames, no logs", &[]);
    bare.backtrace.clear();
    bare.logs.clear();
    bare.spans.clear();
    bare.env.clear();
    bare.frames = vec!["pins::sync".into()];
    bare.command.args.clear();
    reports.push(bare);
    let mut large = report("Error", &"m".repeat(30_000), &[]);
    large.logs = (0..3_000)
        .map(|i| format!("log line {i} {}", "x".repeat(80)))
        .collect();
    reports.push(large);
    reports
}

#[test]
fn every_rendered_body_reads_back_to_its_report() {
    for report in reports() {
        let body = render_issue(&report).body;
        let parsed = parse_issue_body(&body).unwrap();
        assert_eq!(parsed.source, ParseSource::EmbeddedJson);
        if body.contains("shortened to fit") {
            assert_eq!(parsed.report.fingerprint, report.fingerprint);
            assert_eq!(parsed.report.trace_id, report.trace_id);
            assert_eq!(parsed.report.site, report.site);
            assert!(parsed.report.logs.len() < report.logs.len());
        } else {
            assert_eq!(parsed.report, report, "{body}");
        }
    }
}

#[test]
fn a_body_edited_by_github_with_crlf_still_reads_back() {
    let report = &reports()[2];
    let body = render_issue(report).body.replace('\n', "\r\n");
    assert_eq!(parse_issue_body(&body).unwrap().report, *report);
}

/// `body` without the report marker and everything after it.
fn without_json(body: &str) -> &str {
    &body[..body.find(REPORT_MARKER).unwrap()]
}

#[test]
fn without_the_json_the_sections_give_back_error_site_and_command() {
    for report in reports()
        .into_iter()
        .filter(|r| r.error.message.len() < 2_000)
    {
        let body = render_issue(&report).body;
        let parsed = parse_issue_body(without_json(&body)).unwrap();
        assert_eq!(parsed.source, ParseSource::Markdown);
        let read = parsed.report;
        let context = format!("{:?}\n{}", report.error, without_json(&body));
        assert_eq!(read.kind, report.kind, "{context}");
        if report.kind == ReportKind::Error {
            assert_eq!(read.error.type_name, report.error.type_name, "{context}");
        }
        assert_eq!(read.error.message, report.error.message.trim(), "{context}");
        assert_eq!(read.error.chain, report.error.chain, "{context}");
        assert_eq!(read.site, report.site, "{context}");
        assert_eq!(read.frames, report.frames, "{context}");
        assert_eq!(read.command, report.command, "{context}");
        assert_eq!(read.fingerprint, report.fingerprint);
        assert_eq!(read.trace_id, report.trace_id);
        assert_eq!(read.system, report.system);
        assert_eq!(read.env, report.env);
        assert_eq!(read.spans, report.spans);
        assert_eq!(read.logs, report.logs);
        assert_eq!(read.backtrace, report.backtrace);
    }
}

#[test]
fn a_broken_json_falls_back_to_the_sections() {
    let report = &reports()[1];
    let body = render_issue(report)
        .body
        .replace("\"schema\": 1", "\"schema\": \"one\"");
    let parsed = parse_issue_body(&body).unwrap();
    assert_eq!(parsed.source, ParseSource::Markdown);
    assert_eq!(parsed.report.error, report.error);
}

#[test]
fn text_that_is_not_an_issue_is_refused_plainly() {
    for body in [
        "",
        "Just a bug report, written by hand.\n\nIt crashes.",
        "```json\n{\"schema\": 1}\n```",
        "`a` b `c`",
    ] {
        assert_eq!(parse_issue_body(body), Err(ParseError::NotAnAutohealIssue));
    }
    let too_large = "a".repeat(MAX_BODY_BYTES + 1);
    assert!(matches!(
        parse_issue_body(&too_large),
        Err(ParseError::TooLarge { .. })
    ));
}

#[test]
fn hostile_and_huge_bodies_give_an_answer() {
    let near_limit = MAX_BODY_BYTES - 16;
    let fills = [
        "`".repeat(near_limit),
        "`a".repeat(near_limit / 2),
        "``` ".repeat(near_limit / 4),
        "\n```\n".repeat(near_limit / 5),
        "[".repeat(near_limit),
        "\\".repeat(near_limit),
        "&amp;".repeat(near_limit / 5),
        "| a | b |\n".repeat(near_limit / 10),
        "1. x\n".repeat(near_limit / 5),
        format!("{REPORT_MARKER}\n").repeat(near_limit / (REPORT_MARKER.len() + 1)),
        format!("{REPORT_MARKER}\n```json\n{}", "[".repeat(near_limit - 40)),
        format!("{REPORT_MARKER}\n{{{}", "\"a\":{".repeat(near_limit / 6)),
        "<!-- autoheal:fingerprint=".repeat(near_limit / 27),
        "`x` failed with `".repeat(near_limit / 18),
    ];
    for fill in &fills {
        // That it returns without panicking, and that whatever it reads back is diagnosed.
        if let Ok(parsed) = parse_issue_body(fill) {
            let diagnosis = diagnose(&parsed.report);
            assert!(comment_markdown(&diagnosis).starts_with(FIX_COMMENT_MARKER));
        }
    }
    // A command line of one huge argument, in a body that says the file was not found (the
    // diagnosis quotes the command line for the user to run again).
    let mut deep = report(
        "std::io::Error",
        "No such file or directory (os error 2)",
        &[],
    );
    deep.command.args = vec!["~/".repeat(100_000)];
    let parsed = parse_issue_body(&render_issue(&deep).body).unwrap();
    let diagnosis = diagnose(&parsed.report);
    assert_eq!(diagnosis.rule_id, "file-not-found");
    assert!(comment_markdown(&diagnosis).len() < 64 * 1024);
}

#[test]
fn every_cut_of_a_rendered_body_gives_an_answer() {
    let body = render_issue(&reports()[4]).body;
    let boundaries: Vec<usize> = (0..=body.len())
        .filter(|&i| body.is_char_boundary(i))
        .collect();
    for &cut in boundaries.iter().step_by(7) {
        let _ = parse_issue_body(&body[..cut]);
        let _ = parse_issue_body(&body[cut..]);
    }
}

#[test]
fn rendered_bodies_with_markdown_spliced_in_give_an_answer() {
    const PIECES: &[&str] = &[
        "```",
        "````json\n",
        "\n",
        "`",
        "<!-- autoheal:report -->",
        "{",
        "}",
        "\"",
        "\\",
        "### Where\n",
        "### Cause chain\n",
        "1. ",
        "- `",
        "| `a` | `b` |\n",
        "<details><summary>",
        "&amp;",
        "é",
        "\r\n",
        "<!-- autoheal:fingerprint=00 -->\n",
    ];
    let bodies: Vec<String> = reports()[..5]
        .iter()
        .map(|r| render_issue(r).body)
        .collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |bound: usize| {
        // xorshift64: a fixed sequence, so a failure can be replayed.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound.max(1) as u64) as usize
    };
    for round in 0..400 {
        let mut body = bodies[round % bodies.len()].clone();
        for _ in 0..1 + next(6) {
            let mut at = next(body.len() + 1);
            while !body.is_char_boundary(at) {
                at -= 1;
            }
            if next(3) == 0 {
                let mut end = (at + next(200)).min(body.len());
                while !body.is_char_boundary(end) {
                    end -= 1;
                }
                body.replace_range(at..end, "");
            } else {
                body.insert_str(at, PIECES[next(PIECES.len())]);
            }
        }
        if let Ok(parsed) = parse_issue_body(&body) {
            // Whatever was read is a report that serialises and renders again.
            let _ = render_issue(&parsed.report);
        }
    }
}

/// A report of a missing secret, the one an attacker wants acted on.
fn hostile_report() -> Report {
    report(
        "env::VarError",
        "environment variable not found: AWS_SECRET_ACCESS_KEY",
        &[],
    )
}

#[test]
fn a_report_hidden_in_an_html_comment_is_refused_not_diagnosed() {
    let visible = render_issue(&report(
        "io::Error",
        "No such file or directory (os error 2)",
        &[],
    ))
    .body;
    let hostile = render_issue(&hostile_report()).body;
    let hostile_block = &hostile[hostile.find(REPORT_MARKER).unwrap()..];
    let json = hostile_report().to_json_pretty();

    // A second marker below the visible report, its report in a comment: refused outright.
    let second = format!("{visible}\n<!--\n{hostile_block}\n-->\n");
    assert_eq!(
        parse_issue_body(&second),
        Err(ParseError::SecondReportMarker { markers: 2 })
    );

    // The visible report's JSON removed and the marker followed by a comment holding the
    // hostile JSON (the old reader took the first `{` after the marker): only the visible
    // sections are read.
    let cut = visible.find(REPORT_MARKER).unwrap();
    let swapped = format!("{}{REPORT_MARKER}\n<!--\n{json}\n-->\n", &visible[..cut]);
    let parsed = parse_issue_body(&swapped).unwrap();
    assert_eq!(parsed.source, ParseSource::Markdown);
    assert_eq!(diagnose(&parsed.report).rule_id, "file-not-found");

    // The only marker inside a comment: refused.
    let hidden = format!("Thanks for the tool!\n<!-- {hostile_block}");
    let error = parse_issue_body(&hidden).unwrap_err();
    assert_eq!(error, ParseError::HiddenReport);
    assert!(error.to_string().contains("invisible on GitHub"), "{error}");
}

#[test]
fn a_fingerprint_marker_alone_is_no_report() {
    let body = "Copied from CI:\n\n<!-- autoheal:fingerprint=0123456789abcdef -->\n";
    assert_eq!(parse_issue_body(body), Err(ParseError::NotAnAutohealIssue));
}
