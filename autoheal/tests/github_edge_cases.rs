//! GitHub's documented edge cases, against the fake GitHub on loopback: a secondary rate limit
//! that names no wait, a refusal that no retry can fix, a redirect answering a write or the
//! read of a transferred issue, search results GitHub says are incomplete, pull requests in
//! the issue list, and a twin closed as GitHub's `duplicate`.

use std::time::{Duration, SystemTime};

use autoheal::config::Token;
use autoheal::github::{GitHubSink, flush};
use autoheal::test::{test_config, with_captured_reports};
use autoheal::{Config, Outcome, Report, Sink};
use fake_github::{FakeGitHub, Fault, FaultRule, NewIssue};

const REPO: &str = "acme/tools";
const TOKEN: &str = "ghp_EdgeCasesTokenForTheFake0123456789abc";

#[autoheal::auto_heal(name = "pin sync")]
fn failing_operation(port: u16) -> Result<(), std::io::Error> {
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        format!("address 127.0.0.1:{port} is already in use"),
    ))
}

/// A real captured report; the same bug for any port.
fn report(port: u16) -> Report {
    let (_, mut reports) = with_captured_reports(|| failing_operation(port));
    reports.remove(0)
}

/// A report of another bug for each `i`.
fn distinct(i: u32) -> Report {
    let mut report = report(1);
    report.fingerprint = format!("{i:032x}");
    report
}

fn config(github: &FakeGitHub, dir: &std::path::Path) -> Config {
    let mut config = test_config();
    config.config_dir = dir.to_path_buf();
    config.github_repo = Some(REPO.to_string());
    config.github_token = Some(Token::new(TOKEN));
    config.api_url = github.url().to_string();
    config.timeout_secs = 2;
    config
}

fn routes(github: &FakeGitHub) -> Vec<String> {
    github
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// The marker of `report`'s bug, as an issue body holds it.
fn marker(report: &Report) -> String {
    format!("<!-- autoheal:fingerprint={} -->", report.fingerprint)
}

/// The time a queued report's reason says it waits until.
fn waits_until(outcome: &Outcome) -> SystemTime {
    let Outcome::Queued { reason, .. } = outcome else {
        panic!("expected the report queued, got {outcome:?}");
    };
    let until = reason
        .split("until ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no time in {reason:?}"));
    humantime::parse_rfc3339(until).unwrap()
}

#[test]
fn a_bare_secondary_rate_limit_is_a_rate_limit_of_at_least_a_minute_not_a_refusal() {
    for status in [403, 429] {
        let github = FakeGitHub::start();
        let dir = tempfile::tempdir().unwrap();
        let sink = GitHubSink::new(&config(&github, dir.path())).unwrap();
        github.set_fault(Fault::SecondaryRateLimitBare { status });
        let outcome = sink.send(&distinct(1));
        match &outcome {
            Outcome::Queued { reason, .. } => assert!(
                reason.contains("rate limit was reached") && !reason.contains("lacks access"),
                "{status}: {reason}"
            ),
            other => panic!("{status}: expected the report queued, got {other:?}"),
        }
        let until = waits_until(&outcome);
        assert!(
            until >= SystemTime::now() + Duration::from_secs(50),
            "{status}: GitHub asks for at least a minute, the report waits until {until:?}"
        );
        assert!(
            until <= SystemTime::now() + Duration::from_secs(120),
            "{status}: not until the primary window resets, an hour away: {until:?}"
        );

        // The minute holds for the next report too: GitHub is not called again before it.
        github.clear_faults();
        github.clear_requests();
        assert!(matches!(sink.send(&distinct(2)), Outcome::Queued { .. }));
        assert!(
            github.requests().is_empty(),
            "{status}: {:?}",
            routes(&github)
        );
    }
}

#[test]
fn a_search_under_a_bare_secondary_rate_limit_falls_back_to_the_list() {
    let github = FakeGitHub::start();
    let target = report(1);
    github.seed_issue(REPO, "the bug", &marker(&target), &["auto-heal"], "open");
    github.set_fault(
        FaultRule::new(Fault::SecondaryRateLimitBare { status: 403 }).on_path("/search"),
    );
    let dir = tempfile::tempdir().unwrap();
    let outcome = GitHubSink::new(&config(&github, dir.path()))
        .unwrap()
        .send(&target);
    assert!(
        matches!(outcome, Outcome::Recurred { number: 1, .. }),
        "{outcome:?}"
    );
    assert_eq!(
        routes(&github),
        [
            "GET /search/issues",
            "GET /repos/acme/tools/issues",
            "POST /repos/acme/tools/issues/1/comments"
        ]
    );
}

#[test]
fn a_refused_issue_is_a_permanent_error_carrying_githubs_details() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&github, dir.path());
    github.set_fault(FaultRule::new(Fault::Status(422)).on_method("POST"));
    match GitHubSink::new(&config).unwrap().send(&distinct(1)) {
        Outcome::Refused { reason, .. } => {
            assert!(
                reason.contains("GitHub refused the issue (422)"),
                "{reason}"
            );
            assert!(
                reason.contains("body is too long (maximum is 65536 characters)"),
                "GitHub's `errors` say what to change: {reason}"
            );
        }
        other => panic!("expected the report kept, got {other:?}"),
    }
    // Kept, marked, and not sent again: a retry would be refused too.
    let queue = autoheal::Queue::for_config(&config);
    let entries = queue.entries();
    assert_eq!(entries.len(), 1);
    let rejected = entries[0].rejected.as_deref().expect("marked as refused");
    assert!(rejected.contains("422"), "{rejected}");
    github.clear_requests();
    let summary = flush(&config, |_, _| {}).unwrap();
    assert!(summary.stopped.is_none(), "{:?}", summary.stopped);
    assert_eq!(summary.remaining, 1, "the refused report stays queued");
    assert!(
        github.requests().iter().all(|r| r.method != "POST"),
        "not filed again: {:?}",
        routes(&github)
    );
    assert!(github.issues(REPO).is_empty());
}

#[test]
fn incomplete_search_results_are_no_answer_and_the_list_is_asked() {
    let github = FakeGitHub::start();
    let target = report(1);
    github.seed_issue(REPO, "the bug", &marker(&target), &["auto-heal"], "open");
    github.set_fault(FaultRule::new(Fault::IncompleteSearch).on_path("/search"));
    let dir = tempfile::tempdir().unwrap();
    let outcome = GitHubSink::new(&config(&github, dir.path()))
        .unwrap()
        .send(&target);
    assert!(
        matches!(outcome, Outcome::Recurred { number: 1, .. }),
        "{outcome:?}"
    );
    assert_eq!(
        github.issues(REPO).len(),
        1,
        "no second issue filed for a bug the timed-out search missed"
    );
    assert_eq!(
        routes(&github),
        [
            "GET /search/issues",
            "GET /repos/acme/tools/issues",
            "POST /repos/acme/tools/issues/1/comments"
        ]
    );
}

#[test]
fn pull_requests_in_the_issue_list_are_never_taken_for_the_bugs_issue() {
    // A fix's pull request quotes the report, marker and all; it is newer than the issue, so
    // the list (newest first) shows it first.
    let github = FakeGitHub::start();
    let target = report(1);
    github.seed_issue(REPO, "the bug", &marker(&target), &["auto-heal"], "open");
    github.create_issue_directly(
        REPO,
        NewIssue::new("Fix the bug")
            .body(&marker(&target))
            .labels(&["auto-heal"])
            .pull_request(),
    );
    github.set_fault(FaultRule::new(Fault::Status(503)).on_path("/search"));
    let dir = tempfile::tempdir().unwrap();
    let outcome = GitHubSink::new(&config(&github, dir.path()))
        .unwrap()
        .send(&target);
    assert!(
        matches!(outcome, Outcome::Recurred { number: 1, .. }),
        "{outcome:?}"
    );
    assert_eq!(
        github.comments(REPO, 2).len(),
        0,
        "nothing said on the pull request"
    );

    // A new bug whose only match is an older pull request: its new issue stays open, not
    // closed as a "duplicate" of the pull request by the twin check.
    let other = distinct(7);
    let pull = github.create_issue_directly(
        REPO,
        NewIssue::new("Fix another bug")
            .body(&marker(&other))
            .labels(&["auto-heal"])
            .pull_request(),
    );
    github.clear_faults();
    let outcome = GitHubSink::new(&config(&github, dir.path()))
        .unwrap()
        .send(&other);
    match outcome {
        Outcome::Reported { number, .. } => {
            assert!(number > pull);
            assert_eq!(github.issue(REPO, number).unwrap().state, "open");
        }
        other => panic!("expected a new issue, got {other:?}"),
    }
}

#[test]
fn a_twin_is_closed_as_githubs_duplicate_of_the_original() {
    let github = FakeGitHub::start();
    github.set_search_lag(Duration::from_secs(60));
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    GitHubSink::new(&config(&github, a.path()))
        .unwrap()
        .send(&report(1));
    let second = GitHubSink::new(&config(&github, b.path()))
        .unwrap()
        .send(&report(2));
    assert!(
        matches!(second, Outcome::Recurred { number: 1, .. }),
        "{second:?}"
    );
    let issues = github.issues(REPO);
    assert_eq!(issues[1].state, "closed");
    assert_eq!(issues[1].state_reason.as_deref(), Some("duplicate"));
    assert_eq!(
        issues[1].duplicate_of,
        Some(issues[0].id),
        "the duplicate names the original by its id"
    );
}

#[test]
fn a_transferred_issue_is_forgotten_and_the_bug_filed_again_with_the_token_kept_home() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&github, dir.path());
    config.throttle_secs = 0;
    let sink = GitHubSink::new(&config).unwrap();
    assert!(matches!(
        sink.send(&report(1)),
        Outcome::Reported { number: 1, .. }
    ));
    github.transfer_issue(REPO, 1, "acme/archive");
    github.clear_requests();

    let outcome = sink.send(&report(2));
    assert!(
        matches!(outcome, Outcome::Reported { number: 2, .. }),
        "{outcome:?}"
    );
    assert_eq!(
        routes(&github),
        [
            "GET /repos/acme/tools/issues/1",
            "GET /search/issues",
            "POST /repos/acme/tools/issues",
            "GET /repos/acme/tools/issues"
        ],
        "the 301 is not followed: the bug's issue is looked up again"
    );
    assert!(
        github
            .requests()
            .iter()
            .all(|r| r.header("authorization").is_some()),
        "no request went out without the token (as a followed redirect would)"
    );
    assert_eq!(github.issues("acme/archive")[0].comments.len(), 0);
}

#[test]
fn a_comment_answered_301_is_never_taken_for_success() {
    let github = FakeGitHub::start();
    // Any token passes: a redirect followed as a GET without it would be answered.
    github.accept_any_token();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&github, dir.path());
    config.throttle_secs = 0;
    let sink = GitHubSink::new(&config).unwrap();
    assert!(matches!(
        sink.send(&report(1)),
        Outcome::Reported { number: 1, .. }
    ));
    let location = format!("{}/repos/acme/archive/issues/1/comments", github.url());
    github.set_fault(
        FaultRule::new(Fault::Redirect {
            status: 301,
            location,
        })
        .on_path("/repos/acme/tools/issues/1/comments"),
    );
    github.clear_requests();

    match sink.send(&report(2)) {
        Outcome::Queued { reason, .. } => {
            assert!(reason.contains("moved"), "{reason}")
        }
        other => panic!("expected the report kept, got {other:?}"),
    }
    assert_eq!(
        routes(&github),
        [
            "GET /repos/acme/tools/issues/1",
            "POST /repos/acme/tools/issues/1/comments",
            "GET /search/issues",
            "POST /repos/acme/tools/issues/1/comments"
        ],
        "the cached issue is forgotten and looked up again, once; the redirect is not followed"
    );
    assert!(github.issues(REPO)[0].comments.is_empty());

    github.clear_faults();
    let summary = flush(&config, |_, _| {}).unwrap();
    assert_eq!(
        (summary.recurred.len(), summary.remaining),
        (1, 0),
        "{:?}",
        summary.stopped
    );
    assert_eq!(github.issues(REPO)[0].comments.len(), 1, "posted once");
}
