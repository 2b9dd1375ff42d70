//! A long-running server: an annotated async handler fails 10,000 times on a multi-thread tokio
//! runtime, reporting through the real GitHub sink to the fake GitHub, with the log layer
//! installed and every request logging a line.
//!
//! What must hold for a server that runs for months:
//!
//! - memory is bounded: between the 1,000th and the 10,000th failure the process's resident
//!   memory grows by less than [`RSS_GROWTH_BOUND`], the log buffer holds at most
//!   `max_log_lines` lines, the known-issue cache holds one bug and at most
//!   [`REMEMBERED_TRACE_IDS`] trace IDs, and the queue is empty;
//! - requests are bounded by the throttle: one new issue (3 requests: search, create, twin
//!   check), then one recurrence comment (2 requests) per `throttle_secs` at most;
//! - nothing deadlocks: the loop finishes, and a watchdog thread fails the test with a message
//!   if it has not after [`WATCHDOG`].
//!
//! The figures are printed.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use autoheal::config::Token;
use autoheal::{App, Config, Outcome};
use fake_github::FakeGitHub;
use tracing_subscriber::layer::SubscriberExt as _;

const FAILURES: u64 = 10_000;
const FIRST_CHECKPOINT: u64 = 1_000;
/// Concurrent requests in flight, as a server has.
const CONCURRENCY: u64 = 8;
/// What resident memory may grow by between the checkpoints: a leak of 1 KiB per failure
/// would cost 9 MiB.
const RSS_GROWTH_BOUND: u64 = 4 * 1024 * 1024;
/// The trace IDs `known_issues.json` remembers at most (the library's bound).
const REMEMBERED_TRACE_IDS: usize = 256;
const MAX_LOG_LINES: usize = 100;
/// A hang guard, not a benchmark.
const WATCHDOG: Duration = Duration::from_secs(900);

#[autoheal::auto_heal(name = "serve pin request")]
async fn handle_request(id: u64) -> Result<String, std::io::Error> {
    tracing::info!(request = id, "serving a pin request");
    tokio::task::yield_now().await;
    Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        format!("request {id}: the IPFS daemon refused the connection"),
    ))
}

/// Resident memory of this process, in bytes (Linux; 0 elsewhere).
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|t| t.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// Bugs known and trace IDs remembered in `known_issues.json`.
fn cache_entries(dir: &Path) -> (usize, usize) {
    let text = std::fs::read_to_string(dir.join("known_issues.json")).unwrap_or_default();
    let cache: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    (
        cache["issues"].as_object().map_or(0, |m| m.len()),
        cache["delivered"].as_array().map_or(0, Vec::len),
    )
}

struct Figures {
    failures: u64,
    rss: u64,
    log_lines: usize,
    log_bytes: usize,
    bugs_cached: usize,
    trace_ids_cached: usize,
    queued: usize,
    requests: usize,
}

fn figures(failures: u64, dir: &Path, github: &FakeGitHub) -> Figures {
    let lines = autoheal::recent_log_lines();
    let (bugs_cached, trace_ids_cached) = cache_entries(dir);
    Figures {
        failures,
        rss: resident_bytes(),
        log_lines: lines.len(),
        log_bytes: lines.iter().map(String::len).sum(),
        bugs_cached,
        trace_ids_cached,
        queued: autoheal::Queue::open(dir.join("queue")).len(),
        requests: github.request_count(),
    }
}

fn print(f: &Figures) {
    println!(
        "soak: after {:>6} failures: RSS {:>6} KiB, log buffer {} lines / {} bytes, cache {} bug(s) / {} trace IDs, queue {}, GitHub requests {}",
        f.failures,
        f.rss / 1024,
        f.log_lines,
        f.log_bytes,
        f.bugs_cached,
        f.trace_ids_cached,
        f.queued,
        f.requests
    );
}

#[test]
fn a_handler_failing_ten_thousand_times_keeps_memory_and_requests_bounded() {
    let done = Arc::new(AtomicBool::new(false));
    let watched = Arc::clone(&done);
    std::thread::spawn(move || {
        std::thread::sleep(WATCHDOG);
        if !watched.load(Ordering::SeqCst) {
            eprintln!("soak: the loop did not finish within {WATCHDOG:?}: a deadlock or a hang");
            std::process::exit(101);
        }
    });

    let github = FakeGitHub::start();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config");
    let mut config = Config::for_app(App::new("soak", "AUTOHEAL_SOAK_", "1.0.0"));
    config.enabled = true;
    config.config_dir = dir.clone();
    config.github_repo = Some("acme/tools".to_string());
    config.github_token = Some(Token::new("ghp_SoakTestToken0123456789abcdefghijklmn"));
    config.api_url = github.url().to_string();
    config.max_log_lines = MAX_LOG_LINES;
    let throttle_secs = config.throttle_secs;
    let subscriber = tracing_subscriber::registry().with(autoheal::layer());
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let _guard = autoheal::init(config);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut checkpoint = None;
    runtime.block_on(async {
        loop {
            let first = next.load(Ordering::SeqCst);
            if first >= FAILURES {
                break;
            }
            let batch: Vec<_> = (0..CONCURRENCY)
                .map(|_| {
                    let next = Arc::clone(&next);
                    tokio::spawn(async move {
                        let id = next.fetch_add(1, Ordering::SeqCst);
                        let result = handle_request(id).await;
                        assert!(result.is_err(), "the handler's own result is unchanged");
                        // The last delivery of the process (any task's): on its way to the
                        // worker or done, never queued or failed.
                        match autoheal::last_delivery().map(|d| d.outcome) {
                            Some(
                                Outcome::Pending { .. }
                                | Outcome::Throttled
                                | Outcome::Reported { .. }
                                | Outcome::Recurred { .. },
                            ) => {}
                            other => panic!("failure {id}: {other:?}"),
                        }
                    })
                })
                .collect();
            for task in batch {
                task.await.unwrap();
            }
            if checkpoint.is_none() && next.load(Ordering::SeqCst) >= FIRST_CHECKPOINT {
                assert!(autoheal::flush(WATCHDOG), "the worker caught up");
                checkpoint = Some(figures(FIRST_CHECKPOINT, &dir, &github));
            }
        }
    });
    let duration = started.elapsed();
    done.store(true, Ordering::SeqCst);
    let first = checkpoint.unwrap();
    assert!(autoheal::flush(WATCHDOG), "the worker caught up");
    let last = figures(FAILURES, &dir, &github);
    print(&first);
    print(&last);
    let growth = last.rss.saturating_sub(first.rss);
    let bound = 3 + 2 * (duration.as_secs() / throttle_secs.max(1)) as usize;
    println!(
        "soak: {FAILURES} failures in {:.1}s; RSS growth {} KiB (bound {} KiB); {} requests (bound {bound})",
        duration.as_secs_f64(),
        growth / 1024,
        RSS_GROWTH_BOUND / 1024,
        last.requests,
    );

    assert!(
        growth < RSS_GROWTH_BOUND,
        "resident memory grew by {growth} bytes between the checkpoints"
    );
    for f in [&first, &last] {
        assert!(f.log_lines <= MAX_LOG_LINES, "{} log lines", f.log_lines);
        assert!(f.log_lines > 0, "the layer keeps recent lines");
        assert_eq!(f.bugs_cached, 1, "one bug");
        assert!(f.trace_ids_cached <= REMEMBERED_TRACE_IDS);
        assert_eq!(f.queued, 0, "nothing waits in the queue");
    }
    assert!(last.log_bytes <= first.log_bytes * 2);
    assert!(last.requests <= bound, "{} requests", last.requests);
    assert_eq!(github.issues("acme/tools").len(), 1);
}
