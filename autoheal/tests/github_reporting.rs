//! Reporting to GitHub against the fake GitHub on loopback: the exact requests for a new bug, a
//! recurrence, a throttled recurrence and a regression; search fallbacks; faults that queue the
//! report with a message that says what to do; flushing after recovery; the token only ever in
//! the Authorization header.

use autoheal::config::Token;
use autoheal::github::{GitHubSink, flush};
use autoheal::test::{test_config, with_captured_reports};
use autoheal::{Config, Outcome, Queue, Report, Sink};
use fake_github::{FakeGitHub, Fault};

const REPO: &str = "acme/tools";
const TOKEN: &str = "ghp_FakeTokenForTheFakeGitHub0123456789ab";

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

#[test]
fn a_new_bug_becomes_one_issue_with_the_documented_request() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let sink = GitHubSink::new(&config(&github, dir.path())).unwrap();
    let report = report(8004);
    let outcome = sink.send(&report);
    assert_eq!(
        outcome,
        Outcome::Reported {
            url: format!("https://github.com/{REPO}/issues/1"),
            number: 1
        }
    );
    assert_eq!(
        routes(&github),
        [
            "GET /search/issues",
            "POST /repos/acme/tools/issues",
            "GET /repos/acme/tools/issues"
        ],
        "look up, create, then check that no other process filed the same bug first"
    );
    let requests = github.requests();
    let search = &requests[0];
    assert!(
        search.query.contains("is%3Aopen") || search.query.contains("is:open"),
        "{}",
        search.query
    );
    let create = &requests[1];
    assert_eq!(
        create.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(create.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(create.header("x-github-api-version"), Some("2022-11-28"));
    assert!(
        create
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("test/")),
        "{:?}",
        create.header("user-agent")
    );
    let body: serde_json::Value = serde_json::from_str(&create.body).unwrap();
    assert!(body["title"].as_str().unwrap().starts_with(
        "[auto-heal] io::Error: address 127.0.0.1:8004 is already in use in pin sync"
    ));
    assert!(body["body"].as_str().unwrap().contains(&format!(
        "<!-- autoheal:fingerprint={} -->",
        report.fingerprint
    )));
    assert_eq!(
        body["labels"],
        serde_json::json!(["auto-heal", "cli-error", "automated-issue"])
    );
    assert!(
        Queue::open(dir.path().join("queue")).is_empty(),
        "delivered reports leave the queue"
    );
}

#[test]
fn a_recurrence_is_counted_within_the_window_and_commented_after_it() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&github, dir.path());
    let sink = GitHubSink::new(&config).unwrap();
    assert!(matches!(
        sink.send(&report(8004)),
        Outcome::Reported { number: 1, .. }
    ));
    github.clear_requests();
    assert_eq!(
        sink.send(&report(9001)),
        Outcome::Throttled,
        "same bug, another port"
    );
    assert_eq!(sink.send(&report(9002)), Outcome::Throttled);
    assert!(
        github.requests().is_empty(),
        "a throttled recurrence makes no request"
    );

    config.throttle_secs = 0;
    let sink = GitHubSink::new(&config).unwrap();
    let outcome = sink.send(&report(9003));
    assert_eq!(
        outcome,
        Outcome::Recurred {
            url: format!("https://github.com/{REPO}/issues/1"),
            number: 1
        }
    );
    assert_eq!(
        routes(&github),
        [
            "GET /repos/acme/tools/issues/1",
            "POST /repos/acme/tools/issues/1/comments"
        ]
    );
    let issues = github.issues(REPO);
    assert_eq!(issues.len(), 1);
    assert!(
        issues[0].comments[0].contains("3 more times"),
        "the counted occurrences are folded in: {}",
        issues[0].comments[0]
    );
}

#[test]
fn another_machine_finds_the_issue_by_search_or_by_the_list_when_search_is_limited() {
    let github = FakeGitHub::start();
    let first = tempfile::tempdir().unwrap();
    GitHubSink::new(&config(&github, first.path()))
        .unwrap()
        .send(&report(1));
    github.clear_requests();
    let second = tempfile::tempdir().unwrap();
    let outcome = GitHubSink::new(&config(&github, second.path()))
        .unwrap()
        .send(&report(2));
    assert!(
        matches!(outcome, Outcome::Recurred { number: 1, .. }),
        "{outcome:?}"
    );
    assert_eq!(
        routes(&github),
        [
            "GET /search/issues",
            "POST /repos/acme/tools/issues/1/comments"
        ]
    );

    github.clear_requests();
    github.set_fault_for(
        "/search",
        Fault::SecondaryRateLimit {
            retry_after_secs: 60,
        },
    );
    let third = tempfile::tempdir().unwrap();
    let outcome = GitHubSink::new(&config(&github, third.path()))
        .unwrap()
        .send(&report(3));
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
    assert!(github.requests()[1].query.contains("labels=auto-heal"));
    assert_eq!(github.issues(REPO).len(), 1);
}

#[test]
fn a_closed_issue_that_recurs_gets_a_new_issue_linking_it() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&github, dir.path());
    config.throttle_secs = 0;
    let sink = GitHubSink::new(&config).unwrap();
    sink.send(&report(1));
    github.close_issue(REPO, 1);
    let outcome = sink.send(&report(2));
    assert!(
        matches!(outcome, Outcome::Reported { number: 2, .. }),
        "{outcome:?}"
    );
    assert!(github.issues(REPO)[1].body.starts_with("Regression of #1"));
}

#[test]
fn labels_github_refuses_are_dropped_once() {
    let github = FakeGitHub::start();
    github.restrict_labels(&["bug"]);
    let dir = tempfile::tempdir().unwrap();
    let outcome = GitHubSink::new(&config(&github, dir.path()))
        .unwrap()
        .send(&report(1));
    assert!(matches!(outcome, Outcome::Reported { .. }), "{outcome:?}");
    let creates: Vec<_> = github
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(
        creates.len(),
        2,
        "the first with labels (422), the second without"
    );
    assert!(github.issues(REPO)[0].labels.is_empty());
}

#[test]
fn faults_queue_the_report_with_a_message_that_says_what_to_do() {
    let cases = [
        (Fault::Down, "could not be reached"),
        (Fault::Status(401), "token is invalid or expired"),
        (
            Fault::Status(404),
            "repository not found or token lacks access",
        ),
        (Fault::Status(410), "issues are disabled"),
        (Fault::Status(503), "GitHub answered 503"),
        (
            Fault::PrimaryRateLimit { reset_in_secs: 600 },
            "rate limit was reached; reports wait in the queue until",
        ),
        (Fault::NotJson, "not understood"),
        (Fault::UnexpectedShape, "not understood"),
        (Fault::Truncated, "not understood"),
        (
            Fault::SecondaryRateLimit {
                retry_after_secs: 30,
            },
            "rate limit was reached",
        ),
        (
            Fault::SecondaryRateLimit403 {
                retry_after_secs: 30,
            },
            "rate limit was reached",
        ),
        (Fault::Hang, "did not answer in time"),
    ];
    for (fault, expected) in cases {
        let github = FakeGitHub::start();
        github.set_fault(Some(fault.clone()));
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(&github, dir.path());
        config.timeout_secs = 1;
        let outcome = GitHubSink::new(&config).unwrap().send(&report(1));
        match &outcome {
            Outcome::Queued { path, reason } => {
                assert!(reason.contains(expected), "{fault:?}: {reason}");
                assert!(path.exists(), "{fault:?}: the report is queued");
            }
            other => panic!("{fault:?}: expected the report queued, got {other:?}"),
        }
        assert!(github.issues(REPO).is_empty(), "{fault:?}");
    }
}

#[test]
fn flush_after_recovery_delivers_once_and_empties_the_queue() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&github, dir.path());
    github.set_fault(Some(Fault::Status(502)));
    let sink = GitHubSink::new(&config).unwrap();
    for port in [1, 2, 3] {
        assert!(matches!(sink.send(&report(port)), Outcome::Queued { .. }));
    }
    // Three failures of one bug (the port is masked in the fingerprint) wait as one report.
    let entries = Queue::open(config.queue_dir()).entries();
    assert_eq!(entries.len(), 1, "{entries:#?}");
    assert_eq!(entries[0].occurrences, 3);
    let stopped = flush(&config, |_, _| {}).unwrap();
    assert!(
        stopped.stopped.is_some() && stopped.remaining == 1,
        "still down: flushing stops and keeps it"
    );

    github.set_fault(None);
    let mut progress = Vec::new();
    let summary = flush(&config, |done, total| progress.push((done, total))).unwrap();
    assert!(summary.stopped.is_none(), "{:?}", summary.stopped);
    assert_eq!(
        (
            summary.reported.len(),
            summary.recurred.len(),
            summary.throttled,
            summary.remaining
        ),
        (1, 0, 0, 0)
    );
    assert_eq!(progress, [(1, 1)]);
    let issues = github.issues(REPO);
    assert_eq!(issues.len(), 1, "one issue for the one bug");
    assert!(
        issues[0]
            .body
            .starts_with("While this report waited to be sent, the failure happened 2 more times"),
        "{}",
        issues[0].body
    );
    assert!(
        flush(&config, |_, _| {}).unwrap().reported.is_empty(),
        "a second flush sends nothing"
    );
}

#[test]
fn the_token_only_ever_travels_in_the_authorization_header() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&github, dir.path());
    config.throttle_secs = 0;
    let sink = GitHubSink::new(&config).unwrap();
    sink.send(&report(1));
    sink.send(&report(2));
    github.set_fault(Some(Fault::Down));
    sink.send(&report(3));
    github.assert_secret_only_in_authorization(TOKEN);
    let mut files = vec![];
    let mut dirs = vec![dir.path().to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path)
            } else {
                files.push(path)
            }
        }
    }
    assert!(files.len() >= 2, "{files:?}");
    for file in files {
        assert!(
            !std::fs::read_to_string(&file)
                .unwrap_or_default()
                .contains(TOKEN),
            "{}",
            file.display()
        );
    }
}

#[test]
fn two_machines_filing_the_same_new_bug_at_once_end_with_one_open_issue() {
    let github = FakeGitHub::start();
    github.set_search_lag(std::time::Duration::from_secs(60));
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = GitHubSink::new(&config(&github, a.path()))
        .unwrap()
        .send(&report(1));
    assert!(matches!(first, Outcome::Reported { number: 1, .. }));
    // The second machine's search does not see #1 yet (indexing lag), so it files #2 ...
    let second = GitHubSink::new(&config(&github, b.path()))
        .unwrap()
        .send(&report(2));
    // ... then finds the older #1, closes its own as a duplicate and reports #1.
    assert_eq!(
        second,
        Outcome::Recurred {
            url: format!("https://github.com/{REPO}/issues/1"),
            number: 1
        }
    );
    let issues = github.issues(REPO);
    assert_eq!(issues.iter().filter(|i| i.state == "open").count(), 1);
    assert_eq!(issues[1].state, "closed");
    assert!(issues[1].comments[0].starts_with("Duplicate of #1"));
}

#[test]
fn the_flood_guard_holds_new_issues_beyond_the_hourly_limit_in_the_queue() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&github, dir.path());
    config.max_new_issues_per_hour = 2;
    let sink = GitHubSink::new(&config).unwrap();
    let outcomes: Vec<Outcome> = (0..3)
        .map(|i| {
            let mut distinct = report(1);
            distinct.fingerprint = format!("{i:032x}");
            sink.send(&distinct)
        })
        .collect();
    assert!(
        matches!(outcomes[0], Outcome::Reported { .. })
            && matches!(outcomes[1], Outcome::Reported { .. })
    );
    match &outcomes[2] {
        Outcome::Queued { reason, .. } => {
            assert!(reason.contains("max_new_issues_per_hour"), "{reason}")
        }
        other => panic!("expected the third new bug held in the queue, got {other:?}"),
    }
    assert_eq!(github.issues(REPO).len(), 2);
}

fn distinct(i: u32) -> Report {
    let mut report = report(1);
    report.fingerprint = format!("{i:032x}");
    report
}

#[test]
fn a_rate_limit_holds_every_report_in_the_queue_until_its_reset() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&github, dir.path());
    let sink = GitHubSink::new(&config).unwrap();
    github.set_fault(Some(Fault::PrimaryRateLimit { reset_in_secs: 600 }));
    assert!(matches!(sink.send(&distinct(1)), Outcome::Queued { .. }));
    github.set_fault(None);
    github.clear_requests();
    match sink.send(&distinct(2)) {
        Outcome::Queued { reason, .. } => assert!(reason.contains("until"), "{reason}"),
        other => panic!("expected the report to wait, got {other:?}"),
    }
    let summary = flush(&config, |_, _| {}).unwrap();
    assert!(
        summary
            .stopped
            .as_ref()
            .is_some_and(|e| e.to_string().contains("until")),
        "{:?}",
        summary.stopped
    );
    assert_eq!(summary.remaining, 2);
    assert!(
        github.requests().is_empty(),
        "GitHub is not called again before the reset"
    );
}

#[test]
fn the_next_report_sends_the_queued_ones_first() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&github, dir.path());
    let sink = GitHubSink::new(&config).unwrap();
    github.set_fault(Some(Fault::Down));
    assert!(matches!(sink.send(&distinct(1)), Outcome::Queued { .. }));
    assert!(matches!(sink.send(&distinct(2)), Outcome::Queued { .. }));
    github.set_fault(None);
    assert!(matches!(
        sink.send(&distinct(3)),
        Outcome::Reported { number: 3, .. }
    ));
    let issues = github.issues(REPO);
    let order: Vec<bool> = issues
        .iter()
        .map(|i| i.body.contains(&format!("{:032x}", 1)))
        .collect();
    assert_eq!(issues.len(), 3);
    assert!(order[0], "the oldest queued report was filed first");
    assert!(Queue::open(config.queue_dir()).is_empty());
}

#[test]
fn flush_moves_an_unreadable_queue_file_aside_and_goes_on() {
    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&github, dir.path());
    github.set_fault(Some(Fault::Down));
    GitHubSink::new(&config).unwrap().send(&distinct(1));
    std::fs::write(
        config.queue_dir().join("0000000000001-broken.json"),
        "{ half a report",
    )
    .unwrap();
    github.set_fault(None);
    let summary = flush(&config, |_, _| {}).unwrap();
    assert_eq!(summary.unreadable.len(), 1);
    assert!(summary.unreadable[0].exists(), "kept aside, not deleted");
    assert_eq!((summary.reported.len(), summary.remaining), (1, 0));
}

#[test]
fn the_list_fallback_follows_link_pagination() {
    let github = FakeGitHub::start();
    let target = report(1);
    let marker = format!("<!-- autoheal:fingerprint={} -->", target.fingerprint);
    github.seed_issue(REPO, "the bug", &marker, &["auto-heal"], "open");
    for i in 0..250 {
        github.seed_issue(
            REPO,
            &format!("other {i}"),
            "<!-- autoheal:fingerprint=ffff -->",
            &["auto-heal"],
            "open",
        );
    }
    github.set_fault_for("/search", Fault::Status(503));
    let dir = tempfile::tempdir().unwrap();
    let outcome = GitHubSink::new(&config(&github, dir.path()))
        .unwrap()
        .send(&target);
    assert!(
        matches!(outcome, Outcome::Recurred { number: 1, .. }),
        "{outcome:?}"
    );
    let pages: Vec<String> = github
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/repos/acme/tools/issues")
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(
        pages.len(),
        3,
        "newest first, 100 a page: the oldest issue is on page 3: {pages:?}"
    );
    assert!(pages[2].contains("page=3"));
}
