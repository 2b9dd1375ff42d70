//! A program that exits right after a failure, before autoheal's worker could send its report
//! (`std::process::exit`, which runs no destructor, so the guard cannot flush), loses nothing:
//! the report waits in the queue as a hand-off, and the next start of the program sends it,
//! with its backtrace resolved from the same binary.
//!
//! The program is this test binary run again ([`exiting_child`]), with GitHub down so that
//! its worker cannot have sent anything before the exit.

use std::time::{Duration, Instant};

use autoheal::Config;
use autoheal::config::Token;
use fake_github::{FakeGitHub, Fault};

const REPO: &str = "acme/indexer";
const CHILD: &str = "HANDOFF_RECOVERY_CHILD";
const TOKEN: &str = "ghp_HandoffRecoveryToken0123456789abcdef";

#[autoheal::auto_heal(name = "rebuild the index")]
fn rebuild_index() -> Result<(), std::io::Error> {
    Err(std::io::Error::other("the index journal is corrupt"))
}

fn config(api_url: &str, dir: &std::path::Path) -> Config {
    let mut config = autoheal::test::test_config();
    config.config_dir = dir.to_path_buf();
    config.github_repo = Some(REPO.to_string());
    config.github_token = Some(Token::new(TOKEN));
    config.api_url = api_url.to_string();
    config.timeout_secs = 2;
    config
}

/// The program the test runs (alone it does nothing): autoheal started, a failure, and an
/// exit at once.
#[test]
#[ignore = "a child process of the recovery test"]
fn exiting_child() {
    let Ok(settings) = std::env::var(CHILD) else {
        return;
    };
    let (api_url, dir) = settings.split_once('\n').unwrap();
    let _guard = autoheal::init(config(api_url, std::path::Path::new(dir)));
    assert!(rebuild_index().is_err());
    let delivery = autoheal::last_delivery().unwrap();
    println!("trace id: {}", delivery.trace_id);
    std::process::exit(0);
}

#[test]
fn a_report_handed_off_before_exit_is_sent_by_the_next_start() {
    let github = FakeGitHub::start();
    github.set_fault(Fault::Down);
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "--nocapture", "exiting_child"])
        .env(CHILD, format!("{}\n{}", github.url(), dir.path().display()))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let trace_id = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("trace id: "))
        .unwrap_or_else(|| panic!("the child failed:\n{stdout}"))
        .to_string();
    assert!(github.issues(REPO).is_empty());

    // The next start of the program, with GitHub back: its worker sends what waits.
    github.set_fault(None);
    let config = config(github.url(), dir.path());
    let guard = autoheal::init(config);
    let started = Instant::now();
    while github.issues(REPO).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the next start sends the report"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let issues = github.issues(REPO);
    assert_eq!(issues.len(), 1);
    let body = &issues[0].body;
    assert!(body.contains(&trace_id), "{body}");
    assert!(body.contains("the index journal is corrupt"), "{body}");
    if cfg!(target_os = "linux") {
        assert!(
            !body.contains("No backtrace was captured")
                && body.contains("* handoff_recovery::rebuild_index"),
            "the backtrace is resolved from the same binary, its in-app frames marked:\n{body}"
        );
    }
    drop(guard);
}
