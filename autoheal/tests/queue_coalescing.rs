//! The same bug does not fill the queue: 300 failures of 4 bugs while GitHub is down wait as 4
//! reports, each counting its bug's failures, and once GitHub is back each bug's issue says how
//! many times it happened and names the trace IDs of the failures added to it.
//!
//! One test, in steps: `init` is process-wide.

use std::time::Duration;

use autoheal::config::Token;
use autoheal::{Config, Outcome, Queue};
use fake_github::{FakeGitHub, Fault};

const REPO: &str = "acme/pins";
const BUGS: [&str; 4] = ["alpha", "bravo", "charlie", "delta"];
const FAILURES: usize = 300;

#[autoheal::auto_heal(name = "serve request")]
fn serve(bug: &str) -> Result<(), std::io::Error> {
    Err(std::io::Error::other(format!(
        "the {bug} backend refused the request"
    )))
}

fn config(github: &FakeGitHub, dir: &std::path::Path) -> Config {
    let mut config = autoheal::test::test_config();
    config.config_dir = dir.to_path_buf();
    config.github_repo = Some(REPO.to_string());
    config.github_token = Some(Token::new("ghp_CoalescingToken0123456789abcdefghijk"));
    config.api_url = github.url().to_string();
    config.timeout_secs = 2;
    config
}

#[test]
fn failures_of_one_bug_wait_as_one_report_that_counts_them() {
    let github = FakeGitHub::start();
    github.set_fault(Fault::Down);
    let dir = tempfile::tempdir().unwrap();
    let config = config(&github, dir.path());
    let guard = autoheal::init(config.clone());

    for i in 0..FAILURES {
        assert!(serve(BUGS[i % BUGS.len()]).is_err());
    }
    assert!(autoheal::flush(Duration::from_secs(120)));
    let last = autoheal::last_delivery().expect("the last failure was reported");
    assert!(
        matches!(last.outcome, Outcome::Queued { .. }),
        "{:?}",
        last.outcome
    );

    let queue = Queue::for_config(&config);
    let entries = queue.entries();
    assert_eq!(
        entries.len(),
        BUGS.len(),
        "one waiting report per bug: {entries:#?}"
    );
    let counted: u64 = entries.iter().map(|e| e.occurrences).sum();
    assert_eq!(counted, FAILURES as u64, "every failure counted once");
    for entry in &entries {
        assert_eq!(entry.occurrences, (FAILURES / BUGS.len()) as u64);
    }

    // GitHub is back: one issue per bug, saying how often it happened while it waited.
    github.set_fault(None);
    let summary = autoheal::github::flush(&config, |_, _| {}).unwrap();
    assert!(summary.stopped.is_none(), "{:?}", summary.stopped);
    assert!(queue.is_empty());
    let issues = github.issues(REPO);
    assert_eq!(issues.len(), BUGS.len());
    for issue in &issues {
        let more = FAILURES / BUGS.len() - 1;
        assert!(
            issue
                .body
                .contains(&format!("the failure happened {more} more times")),
            "{}",
            issue.body
        );
        let line = issue
            .body
            .lines()
            .find(|l| l.starts_with("While this report waited"))
            .expect("the first line says how often it happened");
        let named = line
            .split('`')
            .filter(|part| part.len() == 32 && part.chars().all(|c| c.is_ascii_hexdigit()))
            .count();
        assert_eq!(
            named, 20,
            "the first 20 added failures are named by trace ID: {line}"
        );
    }
    drop(guard);
}
