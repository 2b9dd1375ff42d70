//! The privacy settings through the binary, against the fake GitHub: each leaves its part out
//! of what GitHub receives, ignored failures send nothing, a bad pattern is refused by name,
//! `preview` shows byte for byte what is sent, and `confirm_before_send` never blocks off a
//! terminal.

mod common;

use common::Sandbox;
use fake_github::{FakeGitHub, RecordedRequest};

const TOKEN: &str = "ghp_PrivacyTestTokenValue0123456789abcdef";

/// A sandbox reporting to `github`, keeping DEBUG log lines, with a recognisable `LANG`.
fn sandbox(github: &FakeGitHub) -> Sandbox {
    Sandbox::reporting_to(github.url(), TOKEN, "acme/tools")
        .env("LANG", "xx_PRIVACYTEST.UTF-8")
        .env("IPFS_KIT_AUTO_HEAL_LOG_LEVEL", "debug")
}

/// The body of the request that filed the issue.
fn filed_issue(github: &FakeGitHub) -> RecordedRequest {
    github
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == "/repos/acme/tools/issues")
        .expect("an issue was filed")
}

/// Fail `add` with `--auto-heal` among the arguments; return what GitHub received.
fn fail_and_file(sandbox: &Sandbox, github: &FakeGitHub) -> String {
    sandbox
        .run(&["--auto-heal", "add", "/nonexistent/pins.txt"])
        .failure(1);
    filed_issue(github).body
}

/// Each setting, and a text only the part it leaves out holds.
const PARTS: [(&str, &str); 4] = [
    ("include_env", "xx_PRIVACYTEST"),
    ("include_args", "--auto-heal"),
    ("include_logs", "DEBUG ipfs_kit::commands::add: adding"),
    ("include_file_paths", "cli/src/main.rs"),
];

#[test]
fn by_default_every_part_reaches_github() {
    let github = FakeGitHub::start();
    let body = fail_and_file(&sandbox(&github), &github);
    for (_, part) in PARTS {
        assert!(body.contains(part), "{part} missing from {body}");
    }
}

#[test]
fn each_include_setting_leaves_its_part_out_of_the_request_and_only_it() {
    for (setting, part) in PARTS {
        let github = FakeGitHub::start();
        let sandbox = sandbox(&github);
        sandbox
            .run(&["autoheal", "config", "--set", setting, "false"])
            .success();
        let status = sandbox.run(&["autoheal", "status", "--json"]).json();
        assert_eq!(
            status["settings"][setting],
            serde_json::json!({"value": false, "source": "file"})
        );
        let body = fail_and_file(&sandbox, &github);
        assert!(!body.contains(part), "{setting}: {part} still in {body}");
        for (other, kept) in PARTS {
            if other != setting {
                assert!(body.contains(kept), "{setting} also removed {kept}");
            }
        }
    }
}

#[test]
fn an_include_setting_from_the_environment_is_shown_with_its_source() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github).env("IPFS_KIT_AUTO_HEAL_INCLUDE_LOGS", "no");
    let status = sandbox.run(&["autoheal", "status"]);
    assert!(
        status.success().stdout.contains(
            "include_logs             false                        (env IPFS_KIT_AUTO_HEAL_INCLUDE_LOGS)"
        ),
        "{}",
        status.stdout
    );
    let body = fail_and_file(&sandbox, &github);
    assert!(!body.contains("adding file="), "{body}");
}

#[test]
fn redact_patterns_mask_their_matches_in_the_title_and_the_body() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    sandbox
        .run(&[
            "autoheal",
            "config",
            "--set",
            "redact_patterns",
            r"pins\.txt",
        ])
        .success();
    let request = {
        fail_and_file(&sandbox, &github);
        filed_issue(&github)
    };
    let sent: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    let title = sent["title"].as_str().unwrap();
    assert!(!request.body.contains("pins.txt"), "{}", request.body);
    assert!(title.contains("/nonexistent/[REDACTED]"), "{title}");
}

#[test]
fn a_bad_pattern_is_refused_with_the_name_of_its_key() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let refused = sandbox.run(&[
        "autoheal",
        "config",
        "--set",
        "redact_patterns",
        "(unclosed",
    ]);
    refused.failure(2);
    assert!(
        refused.stderr.contains("redact_patterns")
            && refused.stderr.contains("not a valid regular expression"),
        "{}",
        refused.stderr
    );
    assert!(
        !std::fs::read_to_string(sandbox.config_file())
            .unwrap()
            .contains("unclosed")
    );

    // In the file, it stops the configuration from loading, naming the key.
    std::fs::write(
        sandbox.config_file(),
        r#"{"enabled": true, "github_repo": "acme/tools", "ignore_messages": ["[a-"]}"#,
    )
    .unwrap();
    let status = sandbox.run(&["autoheal", "status"]);
    status.failure(2);
    assert!(
        status.stderr.contains("ignore_messages"),
        "{}",
        status.stderr
    );

    // From the environment, the variable is named.
    std::fs::write(sandbox.config_file(), r#"{"enabled": true}"#).unwrap();
    let run = sandbox.run_with(
        &["autoheal", "status"],
        &[("IPFS_KIT_AUTO_HEAL_REDACT_PATTERNS", "a(b")],
    );
    run.failure(2);
    assert!(
        run.stderr.contains("IPFS_KIT_AUTO_HEAL_REDACT_PATTERNS")
            && run.stderr.contains("not a valid regular expression"),
        "{}",
        run.stderr
    );
}

#[test]
fn ignored_failures_make_no_request_and_are_counted() {
    for (setting, value) in [
        ("ignore_messages", "could not read .*pins"),
        ("ignore_error_types", "std::io::Error"),
    ] {
        let github = FakeGitHub::start();
        let sandbox = sandbox(&github);
        sandbox
            .run(&["autoheal", "config", "--set", setting, value])
            .success();
        let run = sandbox.run(&["add", "/nonexistent/pins.txt"]);
        run.failure(1);
        assert!(
            run.stderr.contains(&format!(
                "This error was not reported: it matches {setting}"
            )),
            "{}",
            run.stderr
        );
        assert!(
            github.requests().is_empty(),
            "{setting}: {:?}",
            github.requests()
        );
        let status = sandbox.run(&["autoheal", "status", "--json"]).json();
        assert_eq!(status["ignored_failures"], 1, "{setting}");
        assert_eq!(status["queue_length"], 0, "{setting}");
        let text = sandbox.run(&["autoheal", "status"]).stdout.clone();
        assert!(text.contains("Ignored failures:   1"), "{text}");
    }
}

#[test]
fn an_ignored_fingerprint_drops_the_queued_report_and_the_next_ones() {
    let github = FakeGitHub::start();
    // No token yet: the report waits in the queue.
    let sandbox = Sandbox::new()
        .env("GITHUB_API_URL", github.url())
        .env("IPFS_KIT_AUTO_HEAL_GITHUB_REPO", "acme/tools")
        .env("IPFS_KIT_AUTO_HEAL", "true");
    sandbox.run(&["add", "/nonexistent/pins.txt"]).failure(1);
    let preview = sandbox
        .run(&["autoheal", "preview", "--last", "--json"])
        .json();
    let body = preview["body"].as_str().unwrap();
    let fingerprint = body
        .split("<!-- autoheal:fingerprint=")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .to_string();
    sandbox
        .run(&[
            "autoheal",
            "config",
            "--set",
            "ignore_fingerprints",
            &fingerprint,
        ])
        .success();
    let sandbox = sandbox.env("GITHUB_TOKEN", TOKEN);
    let flushed = sandbox.run(&["autoheal", "flush"]);
    flushed.success();
    assert!(
        flushed
            .stdout
            .contains("1 report(s) matched an ignore rule"),
        "{}",
        flushed.stdout
    );
    sandbox.run(&["add", "/nonexistent/pins.txt"]).failure(1);
    assert!(github.requests().is_empty(), "{:?}", github.requests());
    assert_eq!(
        sandbox.run(&["autoheal", "status", "--json"]).json()["ignored_failures"],
        2
    );
}

#[test]
fn preview_prints_byte_for_byte_what_the_github_sink_sends() {
    let github = FakeGitHub::start();
    let sandbox = Sandbox::new()
        .env("GITHUB_API_URL", github.url())
        .env("IPFS_KIT_AUTO_HEAL_GITHUB_REPO", "acme/tools")
        .env("IPFS_KIT_AUTO_HEAL", "true")
        .env("IPFS_KIT_AUTO_HEAL_INCLUDE_ENV", "false")
        .env("IPFS_KIT_AUTO_HEAL_REDACT_PATTERNS", "nonexistent");
    let run = sandbox.run(&["add", "/nonexistent/pins.txt"]);
    run.failure(1);
    let trace_id = run
        .stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Trace ID: "))
        .unwrap();
    let preview = sandbox.run(&["autoheal", "preview", "--json", trace_id]);
    let previewed = preview.success().json();
    let text = sandbox.run(&["autoheal", "preview", trace_id]);
    let text = &text.success().stdout;

    let sandbox = sandbox.env("GITHUB_TOKEN", TOKEN);
    sandbox.run(&["autoheal", "flush"]).success();
    let sent: serde_json::Value = serde_json::from_str(&filed_issue(&github).body).unwrap();
    assert_eq!(previewed["body"], sent["body"]);
    assert_eq!(previewed["title"], sent["title"]);
    assert_eq!(previewed["labels"], sent["labels"]);
    assert_eq!(
        serde_json::to_string(&previewed).unwrap(),
        serde_json::to_string(&sent).unwrap()
    );
    let body = sent["body"].as_str().unwrap();
    assert!(text.ends_with(body), "the text preview ends with the body");
    assert!(text.starts_with(&format!("Title:  {}\n", sent["title"].as_str().unwrap())));
    assert!(!body.contains("nonexistent") && body.contains(trace_id));
}

#[test]
fn confirm_before_send_off_a_terminal_never_blocks_and_keeps_the_report_queued() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github).env("IPFS_KIT_AUTO_HEAL_CONFIRM_BEFORE_SEND", "true");
    let run = sandbox.run(&["add", "/nonexistent/pins.txt"]);
    run.failure(1);
    assert!(
        run.stderr
            .contains("confirm_before_send is on: it is sent only once you say yes")
            && run
                .stderr
                .contains("`ipfs-kit autoheal flush` asks before sending it"),
        "{}",
        run.stderr
    );
    let flushed = sandbox.run(&["autoheal", "flush"]);
    flushed.success();
    assert!(
        flushed
            .stdout
            .contains("this is not a terminal: nothing was sent; 1 report(s) stay queued"),
        "{}",
        flushed.stdout
    );
    assert!(github.requests().is_empty(), "{:?}", github.requests());
    assert_eq!(sandbox.queue_length(), 1);

    // Without the setting, the same flush sends it.
    let sandbox = sandbox.env("IPFS_KIT_AUTO_HEAL_CONFIRM_BEFORE_SEND", "false");
    sandbox.run(&["autoheal", "flush"]).success();
    assert_eq!(github.issues("acme/tools").len(), 1);
}

/// Run `args` of ipfs-kit on a terminal (a pseudo-terminal made by `script`), typing `typed`.
fn on_a_terminal(sandbox: &Sandbox, script: &std::path::Path, args: &str, typed: &str) -> String {
    use std::io::Write as _;
    use std::process::Stdio;
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_ipfs-kit"));
    let mut child = sandbox
        .command_of(script, &["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(typed.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    drop(stdin);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn confirm_before_send_on_a_terminal_shows_title_and_size_and_sends_only_on_yes() {
    let Some(script) = fake_github::tools::require_tool("script", "apt-get install bsdutils")
    else {
        return;
    };
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github).env("IPFS_KIT_AUTO_HEAL_CONFIRM_BEFORE_SEND", "true");

    let kept = on_a_terminal(&sandbox, &script, "add /nonexistent/pins.txt", "\n");
    assert!(
        kept.contains("Send this error report to acme/tools?"),
        "{kept}"
    );
    assert!(
        kept.contains("Title: [auto-heal] io::Error: could not read /nonexistent/pins.txt"),
        "{kept}"
    );
    assert!(
        kept.contains(" bytes)") && kept.contains("Send it? [y/N]"),
        "{kept}"
    );
    assert!(
        github.requests().is_empty(),
        "the default answer sends nothing"
    );
    assert_eq!(sandbox.queue_length(), 1);

    let sent = on_a_terminal(&sandbox, &script, "autoheal flush", "y\n");
    assert!(sent.contains("Send it? [y/N]"), "{sent}");
    assert!(
        sent.contains("reported: https://github.com/acme/tools/issues/1"),
        "{sent}"
    );
    assert_eq!(github.issues("acme/tools").len(), 1);
    assert_eq!(sandbox.queue_length(), 0);
}
