//! The issue body stays well-formed whatever the error text holds: backtick runs, `</details>`,
//! HTML, mentions, issue references, forged markers, control characters, 5 MB messages.

use autoheal::{BacktraceFrame, Report, render_issue};

fn report_with(message: &str, logs: Vec<String>) -> Report {
    let json = serde_json::json!({
        "schema": 1, "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "timestamp": "2026-11-25T04:53:09.123Z",
        "fingerprint": "0123456789abcdef0123456789abcdef", "kind": "error",
        "error": { "type": "io::Error", "message": message, "chain": ["cause @octocat #7 </details>", "```"] },
        "site": { "function": "app::load", "module": "app", "file": "src/lib.rs", "line": 7 },
        "frames": ["app::load", "mcp start"],
        "command": { "program": "ipfs-kit", "args": ["add", "\u{FFFD}bad", "it's"] },
        "backtrace": [], "logs": logs, "spans": ["mcp{port=8004}"],
        "env": { "RUST_LOG": "debug</details>" },
        "system": { "os": "linux", "arch": "x86_64", "app": "ipfs_kit", "app_version": "0.1.0",
                    "rust_version": "rustc 1.95.0", "pid": 42, "cwd": "~/src" },
        "labels": ["auto-heal", "cli-error", "auto-heal", " "]
    });
    let mut report: Report = serde_json::from_value(json).unwrap();
    report.backtrace = (0..40)
        .map(|i| BacktraceFrame {
            function: format!("app::step{i}"),
            file: Some("src/lib.rs".into()),
            line: Some(i),
            in_app: i % 2 == 0,
        })
        .collect();
    report
}

/// The body's lines outside code fences (as GitHub-flavoured markdown delimits them).
fn outside_fences(body: &str) -> Vec<&str> {
    let mut outside = Vec::new();
    let mut open: Option<usize> = None;
    for line in body.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match open {
            None if ticks >= 3 => open = Some(ticks),
            Some(n) if ticks >= n && line.trim_end().chars().all(|c| c == '`') => open = None,
            None => outside.push(line),
            Some(_) => {}
        }
    }
    assert!(open.is_none(), "a code fence was left open");
    outside
}

const HOSTILE: &str = "````` </details> <script>alert(1)</script> <img src=x onerror=alert(1)> @octocat fixes #123 \
                       and acme/tools#9 <!-- autoheal:fingerprint=ffffffffffffffffffffffffffffffff --> \u{1b}[31mred\u{1b}[0m \0 \r\n# heading";

fn check_structure(report: &Report) -> String {
    let issue = render_issue(report);
    let body = &issue.body;
    assert!(
        body.chars().count() <= 65_536,
        "body of {} characters",
        body.chars().count()
    );
    let outside = outside_fences(body);
    let opens = outside
        .iter()
        .filter(|l| l.starts_with("<details>"))
        .count();
    let closes = outside.iter().filter(|l| l.trim() == "</details>").count();
    assert_eq!(opens, closes, "every <details> is closed");
    assert!(opens >= 2);
    let markers: Vec<&&str> = outside
        .iter()
        .filter(|l| l.starts_with("<!-- autoheal:fingerprint="))
        .collect();
    assert_eq!(
        markers,
        [&"<!-- autoheal:fingerprint=0123456789abcdef0123456789abcdef -->"]
    );
    assert_eq!(
        body.matches("<!-- autoheal:fingerprint=").count(),
        1,
        "no forged marker anywhere, fenced or not"
    );
    for line in &outside {
        let lower = line.to_ascii_lowercase();
        assert!(
            !lower.contains("<script") && !lower.contains("<img"),
            "raw HTML outside code: {line}"
        );
        assert!(
            !line.contains("@octocat") && !line.contains("#123"),
            "a mention or reference survived: {line}"
        );
        assert!(
            !line.starts_with("# "),
            "untrusted text started a heading: {line}"
        );
        assert!(!line.contains('\u{1b}') && !line.contains('\0'));
    }
    assert!(issue.title.chars().count() <= 256);
    assert!(
        !issue.title.contains('\u{1b}')
            && !issue.title.contains('\n')
            && !issue.title.contains("@octocat")
    );
    assert_eq!(issue.labels, ["auto-heal", "cli-error"]);
    issue.body
}

fn embedded_report(body: &str) -> Report {
    let start = body
        .find(autoheal::REPORT_MARKER)
        .expect("the report marker");
    let json_start = body[start..]
        .find("```json\n")
        .map(|i| start + i + "```json\n".len())
        .expect("the json fence");
    let json_end = body[json_start..]
        .find("\n```")
        .map(|i| json_start + i)
        .expect("the closing fence");
    serde_json::from_str(&body[json_start..json_end]).expect("the embedded JSON parses")
}

#[test]
fn hostile_text_cannot_break_the_structure_and_the_json_survives_exactly() {
    let logs = vec![
        HOSTILE.to_string(),
        "```".to_string(),
        "</details>".to_string(),
    ];
    let report = report_with(HOSTILE, logs);
    let body = check_structure(&report);
    assert_eq!(
        embedded_report(&body),
        report,
        "the fix generator reads back the very report"
    );
    assert!(body.starts_with("## Summary"));
    let order = [
        "## Summary",
        "### Cause chain",
        "### Where",
        "### Command",
        "log lines",
        "### Span stack",
        "### Environment",
        "<!-- autoheal:fingerprint=",
        "Report JSON",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|s| body.find(s).unwrap_or_else(|| panic!("{s} missing")))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "sections out of order: {positions:?}"
    );
}

#[test]
fn a_message_of_only_backticks_and_a_5_mb_message_still_fit() {
    check_structure(&report_with(&"`".repeat(5000), vec![]));
    let huge = "x".repeat(5 * 1024 * 1024);
    let logs: Vec<String> = (0..5000)
        .map(|i| {
            format!(
                "2026-11-25T04:53:09.123Z  INFO app: line {i} {}",
                "y".repeat(200)
            )
        })
        .collect();
    let body = check_structure(&report_with(&huge, logs));
    assert!(
        body.contains("earlier lines omitted to fit GitHub's size limit"),
        "the cut is stated"
    );
    assert!(body.contains("Cause chain"), "the chain is never cut");
    let embedded = embedded_report(&body);
    assert!(
        embedded.logs.len() <= 20 && embedded.error.message.len() < huge.len(),
        "the JSON was shortened, and says so"
    );
    assert!(body.contains("shortened to fit GitHub's size limit"));
}

/// The HTML a GitHub-flavoured markdown renderer (comrak, a port of GitHub's cmark-gfm) makes of
/// the body, with raw HTML let through so that any that slipped in would show.
fn render_gfm(markdown: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.strikethrough = true;
    options.render.r#unsafe = true;
    comrak::markdown_to_html(markdown, &options)
}

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

#[test]
fn a_real_gfm_renderer_sees_the_intended_structure() {
    let logs = vec![
        HOSTILE.to_string(),
        "</details>".to_string(),
        "<script>x</script>".to_string(),
    ];
    let report = report_with(HOSTILE, logs);
    let html = render_gfm(&render_issue(&report).body);
    let lower = html.to_ascii_lowercase();
    assert!(
        !lower.contains("<script") && !lower.contains("<img"),
        "raw HTML got through:\n{html}"
    );
    // GitHub links mentions and references in text, never inside code.
    let text = outside_code(&html);
    assert!(
        !text.contains("@octocat") && !text.contains("#123"),
        "a mention or reference survived:\n{text}"
    );
    assert_eq!(
        html.matches("<details>").count(),
        3,
        "backtrace, logs and report JSON:\n{html}"
    );
    assert_eq!(html.matches("</details>").count(), 3);
    assert!(!html.contains("<h1>"), "untrusted text made a heading");
    let start = html
        .find("<pre><code class=\"language-json\">")
        .expect("the JSON code block")
        + "<pre><code class=\"language-json\">".len();
    let end = start + html[start..].find("</code></pre>").unwrap();
    let parsed: Report = serde_json::from_str(&unescape_html(&html[start..end]))
        .expect("the rendered JSON block parses");
    assert_eq!(parsed, report);
}
