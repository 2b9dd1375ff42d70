//! A tokio service whose handlers fail while GitHub does not answer: the handlers return at
//! once and an unrelated task keeps running, because the failing threads only hand their
//! reports off (a file in the queue) to autoheal's background worker. Every report waits in
//! the queue while GitHub hangs; once GitHub answers again, one issue per bug is filed.
//!
//! GitHub hangs far longer than the test waits (the client's timeout is ten minutes): a
//! handler that waited for GitHub would never return in time, whatever the machine's speed.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use autoheal::Config;
use autoheal::config::Token;
use fake_github::{FakeGitHub, Fault};

const REPO: &str = "acme/service";
const BUGS: [&str; 4] = ["alpha", "bravo", "charlie", "delta"];

/// Longer than any machine needs to run a handler, far shorter than GitHub's hang.
const LIVENESS_BOUND: Duration = Duration::from_secs(60);

#[autoheal::auto_heal(name = "handle request")]
async fn handle(bug: &'static str) -> Result<(), std::io::Error> {
    tokio::task::yield_now().await;
    Err(std::io::Error::other(format!(
        "the {bug} store is unavailable"
    )))
}

fn config(github: &FakeGitHub, dir: &std::path::Path) -> Config {
    let mut config = autoheal::test::test_config();
    config.config_dir = dir.to_path_buf();
    config.github_repo = Some(REPO.to_string());
    config.github_token = Some(Token::new("ghp_ServiceOutageToken0123456789abcdefgh"));
    config.api_url = github.url().to_string();
    config.timeout_secs = 600;
    config.include_stack_trace = false;
    config
}

/// The trace IDs of the reports in the queue directory: handed off or queued.
fn trace_ids_in_queue(config: &Config) -> BTreeSet<String> {
    std::fs::read_dir(config.queue_dir())
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    !name.starts_with('.')
                        && (name.ends_with(".json") || name.ends_with(".json.handoff"))
                })
                .filter_map(|p| std::fs::read_to_string(p).ok())
                .filter_map(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .filter_map(|v| v["trace_id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn handlers_return_while_github_hangs_and_one_issue_per_bug_is_filed_once_it_answers() {
    let github = FakeGitHub::start();
    github.set_fault(Fault::Hang);
    let dir = tempfile::tempdir().unwrap();
    let config = config(&github, dir.path());
    let guard = autoheal::init(config.clone());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ticks = Arc::new(AtomicU64::new(0));
    let (failed, ticks_after) = runtime.block_on(async {
        let ticker = tokio::spawn({
            let ticks = Arc::clone(&ticks);
            async move {
                let mut interval = tokio::time::interval(Duration::from_millis(10));
                loop {
                    interval.tick().await;
                    ticks.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        let handlers: Vec<_> = BUGS
            .iter()
            .chain(BUGS.iter())
            .map(|bug| tokio::spawn(handle(bug)))
            .collect();
        let failed = tokio::time::timeout(LIVENESS_BOUND, async {
            let mut failed = 0;
            for handler in handlers {
                failed += usize::from(handler.await.unwrap().is_err());
            }
            failed
        })
        .await
        .expect("every handler returned while GitHub hung");
        // The unrelated task goes on running on the same two worker threads.
        let at_return = ticks.load(Ordering::Relaxed);
        tokio::time::timeout(LIVENESS_BOUND, async {
            while ticks.load(Ordering::Relaxed) < at_return + 5 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("the ticker kept ticking while reports waited for GitHub");
        ticker.abort();
        (failed, ticks.load(Ordering::Relaxed))
    });
    assert_eq!(failed, 8);
    assert!(ticks_after >= 5);
    assert!(
        github.issues(REPO).is_empty(),
        "GitHub has answered nothing yet"
    );
    // Every report is on disk, whether the worker has got to it or not.
    assert_eq!(trace_ids_in_queue(&config).len(), 8);

    // GitHub answers again: the worker's hung request fails, and the reports go.
    github.clear_faults();
    assert!(
        autoheal::flush(LIVENESS_BOUND),
        "the worker finished with every report"
    );
    let summary = autoheal::github::flush(&config, |_, _| {}).unwrap();
    assert!(summary.stopped.is_none(), "{:?}", summary.stopped);
    let issues = github.issues(REPO);
    let titles: Vec<&str> = issues.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(issues.len(), BUGS.len(), "one issue per bug: {titles:#?}");
    for bug in BUGS {
        assert_eq!(
            titles.iter().filter(|t| t.contains(bug)).count(),
            1,
            "{bug}: {titles:#?}"
        );
    }
    assert!(trace_ids_in_queue(&config).is_empty(), "the queue is empty");
    drop(guard);
}
