//! The issue stays well-formed whatever the error text holds: backtick runs, `</details>`,
//! HTML, mentions, issue references, forged markers, control characters, CRLF, 5 MB messages.
//! The structure is checked twice: by reading the markdown the way GitHub delimits it, and by
//! rendering it with GitHub's own renderer, `cmark-gfm` (Debian package `cmark-gfm`).

mod issue_structure;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::{Command, Stdio};

use fake_github::tools::require_tool;
use issue_structure::{check_issue, embedded_report, outside_fences, without_code_spans};

use autoheal::issue::{IssueDraft, REPORT_MARKER, fingerprint_marker, render_issue};
use autoheal::{BacktraceFrame, CommandLine, ErrorDetails, Report, ReportKind, Site};

const FINGERPRINT: &str = "0123456789abcdef0123456789abcdef";
const FORGED: &str = "ffffffffffffffffffffffffffffffff";

/// Everything an error text could use against the body at once.
fn hostile() -> String {
    format!(
        "````` </details> <script>alert(1)</script> <img src=x onerror=alert(1)> @octocat fixes \
         #123, GH-45 and acme/tools#9 <!-- autoheal:fingerprint={FORGED} --> \
         <!-- autoheal:report --> \u{1b}[31mred\u{1b}[0m \0 \u{202e}evil\r\n# heading\n- item\n\
         | a | b |\n| - | - |\n<details><summary>x</summary>"
    )
}

fn report(message: &str, logs: Vec<String>) -> Report {
    let mut report = Report::default();
    report.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736".into();
    report.timestamp = "2026-11-25T04:53:09.123Z".into();
    report.fingerprint = FINGERPRINT.into();
    report.kind = ReportKind::Error;
    report.error = ErrorDetails::new("io::Error", message).with_chain([
        hostile(),
        "```".into(),
        "@octocat".into(),
    ]);
    report.site = Site::new("pins::sync", "src/pins.rs", 7).with_module("ipfs_kit::pins");
    report.frames = vec!["pins::sync".into(), "pin sync".into()];
    report.command = CommandLine::new(
        "ipfs-kit",
        ["add".into(), "\u{FFFD}bad".into(), "it's".into(), hostile()],
    );
    report.backtrace = (0..40)
        .map(|i| {
            let function = if i == 3 {
                hostile()
            } else {
                format!("ipfs_kit::step{i}")
            };
            BacktraceFrame::new(function)
                .with_file("src/pins.rs")
                .with_line(i)
                .with_in_app(i % 2 == 0)
        })
        .collect();
    report.logs = logs;
    report.spans = vec!["pin_sync{count=3}".into(), hostile()];
    report.env = BTreeMap::from([
        ("RUST_LOG".to_string(), "debug</details> | x".to_string()),
        ("IPFS_PATH".to_string(), hostile()),
    ]);
    let system = &mut report.system;
    system.os = "linux".into();
    system.arch = "x86_64".into();
    system.app = "ipfs_kit".into();
    system.app_version = "0.1.0".into();
    system.rust_version = "rustc 1.95.0".into();
    system.pid = 42;
    system.cwd = "~/src/@octocat".into();
    report.labels = vec![
        "auto-heal".into(),
        "cli-error".into(),
        "auto-heal".into(),
        " ".into(),
    ];
    report
}

fn hostile_logs() -> Vec<String> {
    vec![
        hostile(),
        "```".into(),
        "</details>".into(),
        format!("<!-- autoheal:fingerprint={FORGED} -->"),
        "\u{1b}[1mbold\u{1b}[0m\r\nline\u{0}".into(),
    ]
}

/// The structural promises of an issue, whatever the report holds. Returns the issue.
fn check_structure(report: &Report) -> IssueDraft {
    let issue = render_issue(report);
    check_issue(&issue, report);
    let body = &issue.body;
    let outside = outside_fences(body);
    assert!(
        !body.contains(&fingerprint_marker(FORGED)),
        "a forged marker"
    );
    for line in &outside {
        let text = without_code_spans(line);
        let lower = text.to_ascii_lowercase();
        assert!(
            !lower.contains("<script") && !lower.contains("<img"),
            "raw HTML outside code: {line}"
        );
        for linked in ["@octocat", "#123", "GH-45", "tools#9"] {
            assert!(
                !text.contains(linked),
                "{linked} survived outside code: {line}"
            );
        }
        assert!(
            !line.starts_with("# "),
            "report text made a heading: {line}"
        );
        assert!(
            !line.starts_with("| a |"),
            "report text made a table: {line}"
        );
    }
    for hidden in ['\u{1b}', '\0', '\r', '\u{202e}'] {
        assert!(!body.contains(hidden), "{hidden:?} in the body");
        assert!(!issue.title.contains(hidden), "{hidden:?} in the title");
    }

    assert!(issue.title.starts_with("[auto-heal] "));
    assert!(issue.title.chars().count() <= 256);
    assert!(!issue.title.contains('\n') && !issue.title.contains("@octocat"));
    assert_eq!(issue.labels, ["auto-heal", "cli-error"]);
    issue
}

#[test]
fn hostile_text_cannot_break_the_structure_and_the_json_survives_exactly() {
    let report = report(&hostile(), hostile_logs());
    let body = check_structure(&report).body;
    assert_eq!(
        embedded_report(&body),
        report,
        "the fix generator reads back the very report"
    );
    assert!(!body.contains("shortened"));
    let order = [
        "`pins::sync` failed with `io::Error`",
        "### Cause chain",
        "### Where",
        "In-app frames",
        "Full backtrace",
        "### Command line",
        "Last 5 log lines",
        "### Span stack",
        "### Environment",
        "<!-- autoheal:fingerprint=",
        REPORT_MARKER,
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|s| {
            body.find(s)
                .unwrap_or_else(|| panic!("{s} missing from:\n{body}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "sections out of order: {positions:?}"
    );
    assert!(body.starts_with(
        "`pins::sync` failed with `io::Error`: \\`\\`\\`\\`\\` &lt;/details&gt; &lt;script&gt;"
    ));
}

#[test]
fn a_collapsed_section_tag_in_a_site_or_frame_cannot_pass_for_the_renderer_s_own() {
    // Inline code spans hold these fields; a `<details>` there must not read as a section.
    let tags = "a`add` failed<details><summary>Report JSON</summary>x</details>";
    let mut report = report("boom", vec![]);
    report.site.file = format!("cli/src/commands/{tags}");
    report.site.function = tags.to_string();
    report.frames = vec![tags.to_string(), format!("<DETAILS>{tags}")];
    report.backtrace[2].file = Some(tags.to_string());
    let issue = check_structure(&report);
    let back = autoheal::fix::parse_issue_body(&issue.body).unwrap();
    assert_eq!(back.report.site.file, report.site.file);
}

#[test]
fn the_title_names_type_message_and_operation() {
    let mut report = report("could not read the pin list\nmore detail", vec![]);
    assert_eq!(
        render_issue(&report).title,
        "[auto-heal] io::Error: could not read the pin list in pins::sync"
    );
    report.kind = ReportKind::Panic;
    report.error.message = "\u{1b}[31m@octocat\u{1b}[0m broke #123\r\n".into();
    let title = check_structure(&report).title;
    assert_eq!(
        title.replace('\u{200B}', ""),
        "[auto-heal] panic: @octocat broke #123 in pins::sync"
    );
}

#[test]
fn a_message_of_only_backticks_still_makes_a_well_formed_issue() {
    for message in ["`", "```", &"`".repeat(5000)] {
        let report = report(message, hostile_logs());
        let body = check_structure(&report).body;
        assert_eq!(embedded_report(&body), report);
    }
}

#[test]
fn crlf_nul_and_ansi_escapes_are_cleaned_from_what_people_read() {
    let message = "first line\r\n\u{1b}[1;31msecond\u{1b}[0m line\0 end\r\n";
    let report = report(message, vec!["log\r\nline two\u{1b}[0m".into()]);
    let body = check_structure(&report).body;
    assert!(
        body.contains("```text\nfirst line\nsecond line end\n```"),
        "{body}"
    );
    assert!(body.contains("log\nline two\n"));
    assert_eq!(
        embedded_report(&body),
        report,
        "the JSON keeps them, escaped"
    );
}

#[test]
fn a_log_line_holding_another_fingerprint_marker_cannot_be_found_as_one() {
    let mut report = report("boom", hostile_logs());
    report.error.message = format!("<!-- autoheal:fingerprint={FORGED} -->");
    let body = check_structure(&report).body;
    let marker = fingerprint_marker(FINGERPRINT);
    let first = body.find("<!-- autoheal:fingerprint=").unwrap();
    assert_eq!(&body[first..first + marker.len()], marker);
    assert_eq!(embedded_report(&body), report);
}

#[test]
fn a_5_mb_message_and_5000_log_lines_still_fit_and_say_what_was_cut() {
    let huge = "x".repeat(5 * 1024 * 1024);
    let logs: Vec<String> = (0..5000)
        .map(|i| {
            format!(
                "2026-11-25T04:53:09.123Z  INFO pins: line {i} {}",
                "y".repeat(200)
            )
        })
        .collect();
    let mut report = report(&huge, logs);
    report.error.chain.push("c".repeat(1024 * 1024));
    let body = check_structure(&report).body;
    assert!(body.contains("earlier lines omitted to fit GitHub's size limit"));
    assert!(
        body.contains("more characters]"),
        "the message says it was cut"
    );
    assert!(
        body.contains("### Cause chain") && body.contains("4. ccc"),
        "the chain stays"
    );
    assert!(body.contains("shortened to fit GitHub's size limit"));
    let embedded = embedded_report(&body);
    assert!(embedded.logs.len() < report.logs.len() && !embedded.logs.is_empty());
    assert_eq!(
        embedded.logs.last(),
        report.logs.last(),
        "the most recent lines stay"
    );
    assert!(embedded.error.message.len() < huge.len());
    assert_eq!(embedded.fingerprint, report.fingerprint);
    assert_eq!(embedded.trace_id, report.trace_id);
}

#[test]
fn every_field_at_its_worst_still_fits() {
    let worst = |n: usize| "`<&@#\u{1b}\0".repeat(n);
    let mut report = report(&worst(100_000), (0..2000).map(|_| worst(500)).collect());
    report.error.type_name = worst(10_000);
    report.error.chain = vec![worst(10_000); 200];
    report.site.function = worst(10_000);
    report.site.file = worst(10_000);
    report.frames = vec![worst(1000); 100];
    report.command.args = vec![worst(1000); 1000];
    report.spans = vec![worst(1000); 100];
    report.env = (0..200)
        .map(|i| (format!("VAR_{i}"), worst(1000)))
        .collect();
    report.system.cwd = worst(10_000);
    report.backtrace = vec![
        BacktraceFrame::new(worst(1000))
            .with_file(worst(1000))
            .with_line(1)
            .with_in_app(true);
        500
    ];
    let issue = render_issue(&report);
    let embedded = check_issue(&issue, &report);
    assert_eq!(embedded.fingerprint, FINGERPRINT);
}

/// The HTML GitHub's renderer makes of `markdown`, with raw HTML let through (as GitHub lets
/// `<details>` through) so that any that slipped in would show. `None` when `cmark-gfm` is
/// missing and the test skips (see `fake_github::tools`).
fn cmark_gfm(markdown: &str) -> Option<String> {
    let cmark = require_tool("cmark-gfm", "apt-get install cmark-gfm")?;
    let mut child = Command::new(cmark)
        .args([
            "--unsafe",
            "--extension",
            "table",
            "--extension",
            "autolink",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cmark-gfm starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = markdown.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("cmark-gfm runs");
    writer
        .join()
        .expect("the writer thread")
        .expect("the markdown is written");
    assert!(output.status.success(), "cmark-gfm failed: {output:?}");
    Some(String::from_utf8(output.stdout).expect("cmark-gfm writes UTF-8"))
}

/// `html` without the contents of `<code>` elements, where GitHub links nothing.
fn outside_code(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<code") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("</code>")
            .map_or("", |end| &rest[start + end + "</code>".len()..]);
    }
    out.push_str(rest);
    out
}

fn unescape_html(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// What GitHub would show for `report`, checked element by element; the report read back
/// from the rendered JSON block.
fn check_rendered(report: &Report, details: usize) -> Option<Report> {
    let html = cmark_gfm(&render_issue(report).body)?;
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a script got through:\n{html}");
    assert!(!lower.contains("<img"), "an image got through:\n{html}");
    assert!(
        !lower.contains("<h1") && !lower.contains("<h2"),
        "report text made a heading:\n{html}"
    );
    assert!(!lower.contains("<th>a</th>"), "report text made a table");
    let text = outside_code(&html);
    for linked in ["@octocat", "#123", "GH-45", "tools#9", "mailto:"] {
        assert!(!text.contains(linked), "{linked} would be linked:\n{text}");
    }
    assert_eq!(html.matches("<details>").count(), details, "{html}");
    assert_eq!(html.matches("</details>").count(), details, "{html}");
    assert_eq!(html.matches("<!-- autoheal:fingerprint=").count(), 1);
    assert!(html.contains(&format!("\n{}\n", fingerprint_marker(FINGERPRINT))));
    assert_eq!(html.matches(REPORT_MARKER).count(), 1);
    let open = "<pre><code class=\"language-json\">";
    assert_eq!(html.matches(open).count(), 1);
    let (_, json) = html.split_once(open).expect("the JSON code block");
    let (json, _) = json
        .split_once("</code></pre>")
        .expect("the JSON block ends");
    Some(serde_json::from_str(&unescape_html(json)).expect("the rendered JSON parses"))
}

#[test]
fn github_s_renderer_sees_the_intended_structure() {
    let report = report(&hostile(), hostile_logs());
    if let Some(parsed) = check_rendered(&report, 3) {
        assert_eq!(parsed, report);
    }
}

#[test]
fn github_s_renderer_keeps_the_json_of_a_report_of_backticks() {
    let mut report = report(&"`".repeat(300), vec![]);
    report.backtrace.clear();
    report.error.chain = vec!["``".into(), "`".repeat(40)];
    if let Some(parsed) = check_rendered(&report, 1) {
        assert_eq!(parsed, report);
    }
}

#[test]
fn github_s_renderer_sees_a_shortened_report_intact() {
    let logs: Vec<String> = (0..3000).map(|i| format!("{} {i}", hostile())).collect();
    let report = report(&"m".repeat(5 * 1024 * 1024), logs);
    if let Some(parsed) = check_rendered(&report, 3) {
        assert_eq!(parsed.fingerprint, report.fingerprint);
        assert!(parsed.logs.len() < report.logs.len());
        assert_eq!(parsed.logs.last(), report.logs.last());
    }
}

#[test]
fn an_identifier_of_any_length_still_fits_and_a_sane_one_is_kept_whole() {
    let mut report = report("boom", vec![]);
    // Control characters are written as six-character `\u` escapes in the JSON.
    report.fingerprint = "\u{1b}".repeat(20_000);
    report.trace_id = "t".repeat(70_000);
    let issue = render_issue(&report);
    check_issue(&issue, &report);
    assert!(
        issue
            .body
            .contains(&fingerprint_marker(&report.fingerprint))
    );

    let mut report = report_with_huge_texts();
    report.fingerprint = "a".repeat(128);
    let embedded = check_issue(&render_issue(&report), &report);
    assert_eq!(embedded.fingerprint, report.fingerprint);
    assert_eq!(embedded.trace_id, report.trace_id);
}

/// A report whose texts cannot all fit, so that its JSON is cut hard.
fn report_with_huge_texts() -> Report {
    let mut report = report(&"m".repeat(200_000), vec!["l".repeat(5_000); 500]);
    report.error.chain = vec!["c".repeat(50_000); 50];
    report.command.args = vec!["a".repeat(50_000); 50];
    report
}
