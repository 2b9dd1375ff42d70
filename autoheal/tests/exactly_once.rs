//! Exactly once, where GitHub's answer is lost: GitHub files the issue or posts the comment, but
//! the client gave up waiting (or its process died) before hearing so. The report stays queued,
//! and the flush that sends it finds what arrived instead of sending it again. And threads of
//! one machine filing the same new bug at once file one issue.

use std::time::{Duration, Instant};

use autoheal::config::Token;
use autoheal::github::{GitHubSink, flush};
use autoheal::test::{test_config, with_captured_reports};
use autoheal::{Config, Outcome, Report, Sink};
use fake_github::{FakeGitHub, Fault, FaultRule};

const REPO: &str = "acme/tools";
const TOKEN: &str = "ghp_ExactlyOnceToken0123456789abcdefghijk";

#[autoheal::auto_heal(name = "open the datastore")]
fn failing_operation() -> Result<(), std::io::Error> {
    Err(std::io::Error::other("the datastore lock is held"))
}

fn report() -> Report {
    let (_, mut reports) = with_captured_reports(failing_operation);
    reports.remove(0)
}

fn config(github: &FakeGitHub, dir: &std::path::Path) -> Config {
    let mut config = test_config();
    config.config_dir = dir.to_path_buf();
    config.github_repo = Some(REPO.to_string());
    config.github_token = Some(Token::new(TOKEN));
    config.api_url = github.url().to_string();
    config.timeout_secs = 1;
    config.throttle_secs = 0;
    config
}

/// Wait until the fake has done what the client gave up waiting for.
fn wait_for(what: &str, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(30), "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_issue_github_filed_after_the_client_gave_up_is_not_filed_again() {
    let github = FakeGitHub::start();
    github.set_search_lag(Duration::from_secs(60));
    let dir = tempfile::tempdir().unwrap();
    let config = config(&github, dir.path());
    // The create request is answered after the client's 1 s timeout; GitHub files it anyway.
    github.set_fault(
        FaultRule::new(Fault::Slow(Duration::from_secs(2)))
            .on_path("/repos/acme/tools/issues")
            .times(1),
    );
    let sink = GitHubSink::new(&config).unwrap();
    let report = report();
    assert!(
        matches!(sink.send(&report), Outcome::Queued { .. }),
        "the client timed out"
    );
    wait_for("the fake files the issue", || {
        github.issues(REPO).len() == 1
    });

    let summary = flush(&config, |_, _| {}).unwrap();
    assert!(summary.stopped.is_none(), "{:?}", summary.stopped);
    assert_eq!(
        summary.reported,
        [format!("https://github.com/{REPO}/issues/1")],
        "the flush recognises the issue its report filed"
    );
    assert_eq!(summary.remaining, 0);
    let issues = github.issues(REPO);
    assert_eq!(issues.len(), 1, "not filed twice");
    assert!(issues[0].comments.is_empty(), "{:?}", issues[0].comments);
    assert!(issues[0].body.contains(&report.trace_id));
}

#[test]
fn a_comment_github_posted_after_the_client_gave_up_is_not_posted_again() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&github, dir.path());
    let sink = GitHubSink::new(&config).unwrap();
    assert!(matches!(sink.send(&report()), Outcome::Reported { .. }));

    github.set_fault(
        FaultRule::new(Fault::Slow(Duration::from_secs(2)))
            .on_path("/repos/acme/tools/issues/1/comments")
            .times(1),
    );
    let again = report();
    assert!(
        matches!(sink.send(&again), Outcome::Queued { .. }),
        "the client timed out"
    );
    wait_for("the fake posts the comment", || {
        github.issues(REPO)[0].comments.len() == 1
    });

    let summary = flush(&config, |_, _| {}).unwrap();
    assert!(summary.stopped.is_none(), "{:?}", summary.stopped);
    assert_eq!(
        summary.recurred,
        [format!("https://github.com/{REPO}/issues/1")]
    );
    assert_eq!(summary.remaining, 0);
    let comments = &github.issues(REPO)[0].comments;
    assert_eq!(comments.len(), 1, "not posted twice: {comments:?}");
    assert!(comments[0].contains(&again.trace_id));

    // The next occurrence is commented as usual.
    let third = report();
    assert!(matches!(sink.send(&third), Outcome::Recurred { .. }));
    let comments = &github.issues(REPO)[0].comments;
    assert_eq!(comments.len(), 2);
    assert!(comments[1].contains(&third.trace_id) && comments[1].contains("once more"));
}

#[test]
fn threads_of_one_machine_filing_the_same_new_bug_at_once_file_one_issue() {
    let github = FakeGitHub::start();
    // Search cannot see an issue filed a moment ago: only the machine's lock keeps the second
    // thread from filing it again.
    github.set_search_lag(Duration::from_secs(60));
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&github, dir.path());
    config.throttle_secs = 3600;
    config.timeout_secs = 10;
    let reports: Vec<Report> = (0..8).map(|_| report()).collect();
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = reports
            .iter()
            .map(|report| {
                let config = config.clone();
                scope.spawn(move || GitHubSink::new(&config).unwrap().send(report))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let reported = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Reported { .. }))
        .count();
    assert_eq!(reported, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Reported { .. } | Outcome::Throttled)),
        "{outcomes:?}"
    );
    let issues = github.issues(REPO);
    assert_eq!(issues.len(), 1, "none filed and closed as a duplicate");
    let posts_to_create = github
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/repos/acme/tools/issues")
        .count();
    assert_eq!(posts_to_create, 1);
}
