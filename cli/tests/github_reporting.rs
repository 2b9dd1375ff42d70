//! ipfs-kit reporting a failure to (the fake) GitHub: the notice the user reads, the issue
//! filed once, the queue when GitHub is down, and `autoheal flush` afterwards.

mod common;

use common::Sandbox;
use fake_github::{FakeGitHub, Fault, IssueSnapshot};

const TOKEN: &str = "ghp_CliTestTokenValue0123456789abcdefghij";

fn sandbox(github: &FakeGitHub) -> Sandbox {
    Sandbox::reporting_to(github.url(), TOKEN, "acme/tools")
}

/// The one issue on `github`, after checking that the notice in `stderr` links to it and that
/// it carries the trace ID the notice gave.
fn the_noticed_issue(stderr: &str, github: &FakeGitHub) -> IssueSnapshot {
    assert!(
        stderr.contains("Issue:    https://github.com/acme/tools/issues/1"),
        "{stderr}"
    );
    let trace_id = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Trace ID: "))
        .unwrap_or_else(|| panic!("no trace ID in the notice: {stderr}"));
    let mut issues = github.issues("acme/tools");
    assert_eq!(issues.len(), 1, "{issues:#?}");
    let issue = issues.remove(0);
    assert!(issue.body.contains(trace_id), "{}", issue.body);
    issue
}

#[test]
fn a_failure_is_filed_once_and_the_user_gets_the_issue_and_trace_id() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let run = sandbox.run(&["add", "/nonexistent/pins.txt"]);
    run.failure(1);
    assert!(
        run.stderr
            .contains("error: could not read /nonexistent/pins.txt"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("An error occurred and has been automatically reported."),
        "{}",
        run.stderr
    );
    let issue = the_noticed_issue(&run.stderr, &github);
    assert!(
        issue.title.contains("in ipfs-kit") || issue.title.contains("in add"),
        "{}",
        issue.title
    );

    let again = sandbox.run(&["add", "/nonexistent/pins.txt"]);
    again.failure(1);
    assert!(
        again.stderr.contains("reported moments ago"),
        "{}",
        again.stderr
    );
    assert_eq!(github.issues("acme/tools").len(), 1);
    for request in github.requests() {
        assert!(!request.body.contains(TOKEN));
    }
}

#[test]
fn with_github_down_the_report_is_queued_and_flush_sends_it_later() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    github.set_fault(Some(Fault::Down));
    let run = sandbox.run(&["add", "/nonexistent/pins.txt"]);
    run.failure(1);
    assert!(
        run.stderr
            .contains("saved in the local queue: GitHub could not be reached"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`ipfs-kit autoheal flush` sends it"),
        "{}",
        run.stderr
    );
    assert_eq!(
        sandbox
            .run(&["autoheal", "status", "--json"])
            .success()
            .json()["queue_length"],
        1
    );

    let listing = sandbox.run(&["autoheal", "queue"]).success().stdout.clone();
    assert!(
        listing.contains("attempts: 1, last failure:")
            && listing.contains("GitHub could not be reached"),
        "{listing}"
    );

    let still_down = sandbox.run(&["autoheal", "flush"]);
    still_down.failure(1);
    assert!(
        still_down.stderr.contains("flushing stopped early"),
        "{}",
        still_down.stderr
    );
    let listing = sandbox.run(&["autoheal", "queue"]).success().stdout.clone();
    assert!(listing.contains("attempts: 2, last failure:"), "{listing}");

    github.set_fault(None);
    let flushed = sandbox.run(&["autoheal", "flush"]);
    flushed.success();
    assert!(
        flushed
            .stdout
            .contains("reported: https://github.com/acme/tools/issues/1"),
        "{}",
        flushed.stdout
    );
    assert!(flushed.stdout.contains("1 new issue(s), 0 recurrence(s), 0 counted within the throttle window; 0 report(s) still queued"), "{}", flushed.stdout);
    assert_eq!(github.issues("acme/tools").len(), 1);
    assert_eq!(
        sandbox
            .run(&["autoheal", "status", "--json"])
            .success()
            .json()["queue_length"],
        0
    );
}

#[test]
fn flush_without_a_token_says_what_is_missing() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["autoheal", "flush"]);
    run.failure(2);
    assert!(run.stderr.contains("GITHUB_TOKEN"), "{}", run.stderr);
}

#[test]
fn eight_processes_with_the_same_new_bug_end_with_one_open_issue() {
    let github = FakeGitHub::start();
    github.set_search_lag(std::time::Duration::from_secs(60));
    // Eight machines: each its own home, cache and queue; one repository.
    let machines: Vec<Sandbox> = (0..8).map(|_| sandbox(&github)).collect();
    let children: Vec<_> = machines
        .iter()
        .map(|m| {
            let mut command = m.command(&["add", "/nonexistent/shared-bug"]);
            command
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            command.spawn().unwrap()
        })
        .collect();
    let mut reported = 0;
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("has been automatically reported") || stderr.contains("reported before")
        {
            reported += 1;
        }
    }
    assert_eq!(reported, 8, "every process filed or joined the issue");
    let issues = github.issues("acme/tools");
    let open: Vec<_> = issues.iter().filter(|i| i.state == "open").collect();
    assert_eq!(
        open.len(),
        1,
        "{} issues, {} open",
        issues.len(),
        open.len()
    );
    for closed in issues.iter().filter(|i| i.state == "closed") {
        assert!(
            closed
                .comments
                .iter()
                .any(|c| c.starts_with(&format!("Duplicate of #{}", open[0].number))),
            "{closed:?}"
        );
    }
}

/// The user reads Rust's own panic message, then the same notice as for an error: the issue
/// and the trace ID, which the filed issue carries.
#[test]
fn a_panic_shows_the_notice_after_rusts_message() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let run = sandbox.run(&["autoheal", "test", "--panic"]);
    run.failure(101);
    let panicked_at = run
        .stderr
        .find("panicked at")
        .unwrap_or_else(|| panic!("no panic message: {}", run.stderr));
    let message_at = run
        .stderr
        .find("test failure from `ipfs-kit autoheal test`")
        .unwrap_or_else(|| panic!("no panic payload: {}", run.stderr));
    let notice_at = run
        .stderr
        .find("An error occurred and has been automatically reported.")
        .unwrap_or_else(|| panic!("no notice: {}", run.stderr));
    assert!(
        panicked_at < notice_at && message_at < notice_at,
        "{}",
        run.stderr
    );
    let issue = the_noticed_issue(&run.stderr, &github);
    assert!(issue.title.contains("panic"), "{}", issue.title);
}

/// `autoheal test` without `--panic` fails with an error, reported as any command's error is.
#[test]
fn the_test_command_files_its_error_and_says_where() {
    let github = FakeGitHub::start();
    let sandbox = sandbox(&github);
    let run = sandbox.run(&["autoheal", "test"]);
    run.failure(1);
    assert!(
        run.stderr
            .contains("error: test failure from `ipfs-kit autoheal test`"),
        "{}",
        run.stderr
    );
    let issue = the_noticed_issue(&run.stderr, &github);
    assert!(
        issue.body.contains("automatic error reporting works"),
        "{}",
        issue.body
    );
}
