//! Reports that wait in the queue because GitHub could not be reached go out once it can be
//! again, without waiting for the next failure: the background worker tries again after a
//! pause (30 seconds at first), in the background.
//!
//! One test: `init` is process-wide. It waits for the worker's first retry (about 30 s).

use std::time::{Duration, Instant};

use autoheal::config::Token;
use autoheal::{Config, Outcome};
use fake_github::{FakeGitHub, Fault};

const REPO: &str = "acme/gateway";

/// Longer than the worker's first pause before trying again, on any machine.
const RETRY_BOUND: Duration = Duration::from_secs(120);

#[autoheal::auto_heal(name = "open the gateway")]
fn open_gateway() -> Result<(), std::io::Error> {
    Err(std::io::Error::other("the gateway's certificate expired"))
}

fn config(github: &FakeGitHub, dir: &std::path::Path) -> Config {
    let mut config = autoheal::test::test_config();
    config.config_dir = dir.to_path_buf();
    config.github_repo = Some(REPO.to_string());
    config.github_token = Some(Token::new("ghp_QueueRetryToken0123456789abcdefghijk"));
    config.api_url = github.url().to_string();
    config.timeout_secs = 2;
    config
}

#[test]
fn a_report_queued_while_github_was_down_goes_once_it_is_back() {
    let github = FakeGitHub::start();
    github.set_fault(Fault::Down);
    let dir = tempfile::tempdir().unwrap();
    let guard = autoheal::init(config(&github, dir.path()));

    assert!(open_gateway().is_err());
    assert!(autoheal::flush(RETRY_BOUND));
    let queued = autoheal::last_delivery().unwrap();
    assert!(
        matches!(queued.outcome, Outcome::Queued { .. }),
        "{:?}",
        queued.outcome
    );

    // GitHub is back; nothing fails any more.
    github.set_fault(None);
    let started = Instant::now();
    while github.issues(REPO).is_empty() {
        assert!(
            started.elapsed() < RETRY_BOUND,
            "the worker sends the queued report on its own"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let issues = github.issues(REPO);
    assert_eq!(issues.len(), 1);
    assert!(issues[0].body.contains(&queued.trace_id));
    drop(guard);
}
