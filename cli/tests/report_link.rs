//! Without a token (or with one GitHub refuses), the notice offers a link to GitHub's
//! new-issue form prefilled with the report; `autoheal report-link` prints it again.

mod common;

use common::{Run, Sandbox};
use fake_github::FakeGitHub;

/// Token-shaped, in the environment under a name that says it is a secret.
const ENV_SECRET: &str = "ghp_EnvSecretLinkTest0123456789abcdefghij";
/// Not token-shaped: only the environment's secret-named variable says it is one.
const PLAIN_SECRET: &str = "correct-horse-battery-staple-42";
/// Token-shaped, given on the command line only.
const ARG_SECRET: &str = "ghp_ArgSecretLinkTest0123456789abcdefghij";

/// GitHub's limit on a URL.
const GITHUB_URL_LIMIT: usize = 8 * 1024;

fn decode(text: &str) -> String {
    fake_github::percent_decode(text)
}

/// A link taken apart: the part before `?` and the decoded query parameters, in order.
struct Link {
    base: String,
    params: Vec<(String, String)>,
}

impl Link {
    fn parse(link: &str) -> Link {
        let (base, query) = link.split_once('?').expect("a query");
        let params = query
            .split('&')
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap();
                (name.to_string(), decode(value))
            })
            .collect();
        Link {
            base: base.to_string(),
            params,
        }
    }

    fn param(&self, name: &str) -> &str {
        &self
            .params
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.params))
            .1
    }
}

fn link_in(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with("http") && l.contains("/issues/new?"))
        .unwrap_or_else(|| panic!("no link in:\n{text}"))
        .to_string()
}

fn trace_id_in(run: &Run) -> String {
    run.stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Trace ID: "))
        .unwrap()
        .to_string()
}

/// A sandbox with a repository and no token.
fn without_token() -> Sandbox {
    let sandbox = Sandbox::new()
        .env("IPFS_KIT_DB_PASSWORD", PLAIN_SECRET)
        .env("IPFS_KIT_API_TOKEN", ENV_SECRET);
    sandbox
        .run(&["autoheal", "enable", "--github-repo", "acme/tools"])
        .success();
    sandbox
}

#[test]
fn without_a_token_the_notice_offers_a_link_to_the_prefilled_form_and_no_secret() {
    let sandbox = without_token();
    // The secrets reach the message, the command line and the environment table.
    let path = format!("/nonexistent/{PLAIN_SECRET}/{ARG_SECRET}/{ENV_SECRET}/pins.txt");
    let run = sandbox.run(&["add", &path]);
    run.failure(1);
    assert!(
        run.stderr
            .contains("File it yourself: this link opens GitHub's new-issue form"),
        "{}",
        run.stderr
    );
    let trace_id = trace_id_in(&run);
    let link = link_in(&run.stderr);
    assert!(link.len() < GITHUB_URL_LIMIT, "{}", link.len());
    let parsed = Link::parse(&link);
    assert_eq!(parsed.base, "https://github.com/acme/tools/issues/new");
    let names: Vec<&str> = parsed.params.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["title", "labels", "body"]);
    assert!(
        parsed
            .param("title")
            .starts_with("[auto-heal] io::Error: could not read"),
        "{}",
        parsed.param("title")
    );
    assert_eq!(
        parsed.param("labels"),
        "auto-heal,cli-error,automated-issue"
    );
    let body = parsed.param("body");
    for part in [
        trace_id.as_str(),
        "failed with `io::Error`",
        "### Cause chain",
        "No such file or directory",
        "In-app frames",
        "ipfs_kit::commands::add::run",
        "### Environment",
        "stays in the local queue",
        "the log lines",
    ] {
        assert!(body.contains(part), "{part} missing from\n{body}");
    }
    let decoded_link = decode(&link);
    for secret in [ENV_SECRET, PLAIN_SECRET, ARG_SECRET] {
        assert!(
            !decoded_link.contains(secret),
            "{secret} in\n{decoded_link}"
        );
        assert!(!run.stderr.contains(secret), "{secret} in\n{}", run.stderr);
    }
    assert!(body.contains("[REDACTED]"), "{body}");

    // The same link again, by trace ID and as the last report.
    let again = sandbox.run(&["autoheal", "report-link", &trace_id]);
    again.success();
    assert_eq!(again.stdout.trim(), link);
    let last = sandbox.run(&["autoheal", "report-link", "--last"]);
    assert_eq!(last.success().stdout.trim(), link);

    let status = sandbox.run(&["autoheal", "status"]);
    assert!(
        status.success().stdout.contains("Report links:       yes"),
        "{}",
        status.stdout
    );
    let json = sandbox.run(&["autoheal", "status", "--json"]).json();
    assert_eq!(json["offered_as_links"], true);
}

#[test]
fn a_five_megabyte_message_still_makes_a_link_under_eight_kilobytes() {
    let sandbox = without_token();
    let run = sandbox.run(&["add", "/nonexistent/pins.txt"]);
    run.failure(1);
    let trace_id = trace_id_in(&run);
    // The queued report, given a 5 MB message of multi-byte characters (each one 6 bytes
    // once percent-encoded) and a secret in it.
    let queue = sandbox.config_dir().join("queue");
    let file = std::fs::read_dir(&queue)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(&format!("{trace_id}.json")))
        .expect("the queued report");
    let mut report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let message = format!("{ARG_SECRET} {}", "é".repeat(2_500_000));
    assert!(message.len() > 5_000_000);
    report["error"]["message"] = message.into();
    std::fs::write(&file, serde_json::to_vec(&report).unwrap()).unwrap();

    let printed = sandbox.run(&["autoheal", "report-link", &trace_id]);
    let link = printed.success().stdout.trim().to_string();
    assert!(link.len() < GITHUB_URL_LIMIT, "{} bytes", link.len());
    let parsed = Link::parse(&link);
    assert_eq!(parsed.base, "https://github.com/acme/tools/issues/new");
    let body = parsed.param("body");
    assert!(body.contains("the message was cut to"), "{body}");
    assert!(
        body.contains(&trace_id) && body.contains("### Cause chain"),
        "{body}"
    );
    assert!(!decode(&link).contains(ARG_SECRET));
}

#[test]
fn a_token_github_refuses_gets_the_link_too() {
    let github = FakeGitHub::start();
    github.expect_token("ghp_TheOnlyTokenTheFakeAccepts0123456789ab");
    let sandbox = Sandbox::reporting_to(
        github.url(),
        "ghp_RevokedTokenValue0123456789abcdefghijk",
        "acme/tools",
    );
    let run = sandbox.run(&["add", "/nonexistent/pins.txt"]);
    run.failure(1);
    assert!(run.stderr.contains("(401)"), "{}", run.stderr);
    let parsed = Link::parse(&link_in(&run.stderr));
    assert_eq!(
        parsed.base,
        format!("{}/acme/tools/issues/new", github.url())
    );
    assert!(parsed.param("body").contains(&trace_id_in(&run)));
    assert!(github.issues("acme/tools").is_empty());
}

#[test]
fn a_working_token_offers_no_link() {
    let github = FakeGitHub::start();
    let sandbox = Sandbox::reporting_to(
        github.url(),
        "ghp_WorkingTokenValue0123456789abcdefghijk",
        "acme/tools",
    );
    let run = sandbox.run(&["add", "/nonexistent/pins.txt"]);
    run.failure(1);
    assert!(!run.stderr.contains("/issues/new?"), "{}", run.stderr);
    assert_eq!(
        sandbox.run(&["autoheal", "status", "--json"]).json()["offered_as_links"],
        false
    );
}

#[test]
fn open_off_a_terminal_prints_the_link_and_says_why_it_did_not_open_it() {
    let sandbox = without_token();
    sandbox.run(&["add", "/nonexistent/pins.txt"]).failure(1);
    // No browser may start: a PATH without xdg-open would hide a call to it.
    let run = sandbox.run(&["autoheal", "report-link", "--last", "--open"]);
    run.success();
    assert!(
        run.stdout
            .trim()
            .starts_with("https://github.com/acme/tools/issues/new?")
    );
    assert!(
        run.stderr
            .contains("not opening the browser: standard output is not a terminal"),
        "{}",
        run.stderr
    );
    let unknown = sandbox.run(&["autoheal", "report-link", "0123456789abcdef"]);
    unknown.failure(1);
    assert!(
        unknown
            .stderr
            .contains("no report with trace ID 0123456789abcdef"),
        "{}",
        unknown.stderr
    );
}
