//! The failing call's latency: how long an annotated function that returns `Err` takes to
//! return with autoheal installed and GitHub healthy, slow (every reply 100 ms late) and down
//! (connections refused) — next to what the failing thread did before the background worker:
//! deliver the report itself (`GitHubSink::send`, synchronously: for a bug it has not seen, a
//! search, a create and a twin check).
//!
//! Besides criterion's estimates, each case prints the median and the maximum of 100 failures
//! in a row (`latency[...]` lines on stderr): the hand-off's promise is about every call, not
//! only the typical one.

mod common;

use std::time::{Duration, Instant};

use autoheal::config::Token;
use autoheal::github::GitHubSink;
use autoheal::{Config, Report, Sink};
use criterion::criterion_group;
use fake_github::{FakeGitHub, Fault};

const REPO: &str = "acme/tools";

#[autoheal::auto_heal(name = "pin sync")]
fn failing() -> Result<(), std::io::Error> {
    Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "connection refused",
    ))
}

fn reporting_config(github: &FakeGitHub, dir: &std::path::Path) -> Config {
    let mut config = autoheal::test::test_config();
    config.config_dir = dir.to_path_buf();
    config.github_repo = Some(REPO.into());
    config.github_token = Some(Token::new("ghp_BenchmarkToken0123456789abcdefghijklmn"));
    config.api_url = github.url().to_string();
    config.max_new_issues_per_hour = 100_000;
    config.timeout_secs = 2;
    config
}

/// The scenarios: GitHub healthy, slow and down.
fn scenarios() -> [(&'static str, Option<Fault>); 3] {
    [
        ("healthy", None),
        ("slow", Some(Fault::Slow(Duration::from_millis(100)))),
        ("down", Some(Fault::Down)),
    ]
}

/// Median and maximum of `samples`.
fn median_and_max(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let median = samples.get(samples.len() / 2).copied().unwrap_or_default();
    let max = samples.last().copied().unwrap_or_default();
    (median, max)
}

/// `report` as another bug (another fingerprint and trace ID), as a failing thread that
/// delivered by itself met it: a search, a create and a twin check, nothing throttled.
fn fresh(report: &Report) -> Report {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut report = report.clone();
    report.fingerprint = format!("{n:032x}");
    report.trace_id = format!("{:032x}", u128::from(n) << 64 | 0xfeed);
    report
}

fn one_report() -> Report {
    let (_, mut reports) = autoheal::test::with_captured_reports(failing);
    reports.remove(0)
}

fn failing_call(c: &mut criterion::Criterion) {
    let mut group = c.benchmark_group("failing_call");
    group.sample_size(10);
    let failures = if common::quick() { 100 } else { 200 };
    for (name, fault) in scenarios() {
        let github = FakeGitHub::start();
        github.set_fault(fault.clone());
        let dir = tempfile::tempdir().expect("a temporary directory");
        let config = reporting_config(&github, dir.path());

        // The failing thread with autoheal's hand-off.
        let guard = autoheal::init(config.clone());
        let latencies: Vec<Duration> = (0..failures)
            .map(|_| {
                let started = Instant::now();
                let _ = std::hint::black_box(failing());
                started.elapsed()
            })
            .collect();
        let (median, max) = median_and_max(latencies);
        eprintln!(
            "latency[auto_heal/{name}] median = {median:?}, max = {max:?} over {failures} failures"
        );
        group.bench_function(format!("auto_heal/{name}"), |b| {
            b.iter(|| std::hint::black_box(failing()))
        });
        autoheal::flush(Duration::from_secs(30));
        drop(guard);

        // The peer: the failing thread delivering the report itself.
        let peer_dir = tempfile::tempdir().expect("a temporary directory");
        let peer =
            GitHubSink::new(&reporting_config(&github, peer_dir.path())).expect("configured");
        let report = one_report();
        let peer_failures = if fault.is_some() { 10 } else { failures };
        let latencies: Vec<Duration> = (0..peer_failures)
            .map(|_| {
                let report = fresh(&report);
                let started = Instant::now();
                let _ = std::hint::black_box(peer.send(&report));
                started.elapsed()
            })
            .collect();
        let (median, max) = median_and_max(latencies);
        eprintln!(
            "latency[synchronous_delivery/{name}] median = {median:?}, max = {max:?} over {peer_failures} failures"
        );
        group.bench_function(format!("synchronous_delivery/{name}"), |b| {
            b.iter_batched(
                || fresh(&report),
                |report| std::hint::black_box(peer.send(&report)),
                criterion::BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group! { name = benches; config = common::criterion(); targets = failing_call }
criterion::criterion_main!(benches);
