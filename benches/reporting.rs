//! Reporting end to end against the fake GitHub on loopback: a new issue, a recurrence (a
//! comment), a throttled recurrence (no request) and a queued report (GitHub down) — wall time
//! and HTTP requests each — and how the duplicate look-up scales with 10, 1,000 and 10,000 open
//! auto-heal issues when search is unavailable and the list is paged through.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use autoheal::config::Token;
use autoheal::github::GitHubSink;
use autoheal::{Config, Outcome, Report, Sink};
use criterion::{BatchSize, BenchmarkId, criterion_group};
use fake_github::{FakeGitHub, Fault};

const REPO: &str = "acme/tools";

#[autoheal::auto_heal(name = "pin sync")]
fn failing() -> Result<(), std::io::Error> {
    Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "connection refused",
    ))
}

fn sample_report() -> Report {
    let (_, mut reports) = autoheal::test::with_captured_reports(failing);
    reports.remove(0)
}

fn config(github: &FakeGitHub, dir: &std::path::Path) -> Config {
    let mut config = autoheal::test::test_config();
    config.config_dir = dir.to_path_buf();
    config.github_repo = Some(REPO.into());
    config.github_token = Some(Token::new("ghp_BenchmarkToken0123456789abcdefghijklmn"));
    config.api_url = github.url().to_string();
    config.max_new_issues_per_hour = 1000;
    config.timeout_secs = 2;
    config
}

static NEXT: AtomicU64 = AtomicU64::new(1);

/// A new occurrence of the same bug: its own trace ID, as every failure has. A report whose
/// trace ID was delivered already is not sent again (its process died before removing it from
/// the queue), so reusing one would measure that short cut instead of a delivery.
fn occurrence(report: &Report) -> Report {
    let mut report = report.clone();
    report.trace_id = format!("{:032x}", NEXT.fetch_add(1, Ordering::Relaxed));
    report
}

/// An occurrence of a bug never seen before.
fn fresh(report: &Report) -> Report {
    let mut report = occurrence(report);
    report.fingerprint = format!("{:032x}", NEXT.fetch_add(1, Ordering::Relaxed));
    report
}

/// Requests one delivery makes, printed next to the timings.
fn count_requests(github: &FakeGitHub, name: &str, deliver: impl FnOnce() -> Outcome) {
    github.clear_requests();
    let outcome = deliver();
    let routes: Vec<String> = github
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    eprintln!(
        "requests[{name}] = {} {routes:?} -> {outcome:?}",
        routes.len()
    );
}

fn reporting(c: &mut criterion::Criterion) {
    let report = sample_report();
    let mut group = c.benchmark_group("reporting");

    let github = FakeGitHub::start();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut recurring = config(&github, dir.path());
    recurring.throttle_secs = 0;
    // Every iteration files a new issue, thousands in a run: the flood guard (at most this
    // many new issues an hour, from this machine) would answer `Throttled` after the first
    // thousand, in the middle of warm-up. Its cost is the throttled row's.
    let mut filing = config(&github, dir.path());
    filing.max_new_issues_per_hour = u32::MAX;
    let new_issue_sink = GitHubSink::new(&filing).expect("configured");
    count_requests(&github, "new_issue", || {
        new_issue_sink.send(&fresh(&report))
    });
    group.bench_function("new_issue", |b| {
        b.iter_batched(
            || fresh(&report),
            |r| assert!(matches!(new_issue_sink.send(&r), Outcome::Reported { .. })),
            BatchSize::SmallInput,
        )
    });

    let known = fresh(&report);
    GitHubSink::new(&config(&github, dir.path()))
        .expect("configured")
        .send(&known);
    let recurrence_sink = GitHubSink::new(&recurring).expect("configured");
    count_requests(&github, "recurrence_comment", || {
        recurrence_sink.send(&occurrence(&known))
    });
    group.bench_function("recurrence_comment", |b| {
        b.iter_batched(
            || occurrence(&known),
            |r| assert!(matches!(recurrence_sink.send(&r), Outcome::Recurred { .. })),
            BatchSize::SmallInput,
        )
    });

    let throttled_sink = GitHubSink::new(&config(&github, dir.path())).expect("configured");
    count_requests(&github, "throttled_recurrence", || {
        throttled_sink.send(&occurrence(&known))
    });
    group.bench_function("throttled_recurrence", |b| {
        b.iter_batched(
            || occurrence(&known),
            |r| assert_eq!(throttled_sink.send(&r), Outcome::Throttled),
            BatchSize::SmallInput,
        )
    });

    let down = FakeGitHub::start();
    let down_dir = tempfile::tempdir().expect("a temporary directory");
    down.set_fault(Some(Fault::Down));
    let mut down_config = config(&down, down_dir.path());
    down_config.queue_max_reports = 100;
    let queued_sink = GitHubSink::new(&down_config).expect("configured");
    count_requests(&down, "queued_github_down", || {
        queued_sink.send(&fresh(&report))
    });
    group.bench_function("queued_github_down", |b| {
        b.iter_batched(
            || occurrence(&known),
            |r| assert!(matches!(queued_sink.send(&r), Outcome::Queued { .. })),
            BatchSize::SmallInput,
        )
    });

    for open_issues in [10usize, 1_000, 10_000] {
        let github = FakeGitHub::start();
        let target = fresh(&report);
        github.seed_issue(
            REPO,
            "the bug",
            &format!("<!-- autoheal:fingerprint={} -->", target.fingerprint),
            &["auto-heal"],
            "open",
        );
        for i in 1..open_issues {
            github.seed_issue(
                REPO,
                &format!("another bug {i}"),
                "<!-- autoheal:fingerprint=0 -->",
                &["auto-heal"],
                "open",
            );
        }
        github.set_fault_for("/search", Fault::Status(503));
        count_requests(&github, &format!("lookup_{open_issues}"), || {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let mut config = config(&github, dir.path());
            config.throttle_secs = 0;
            GitHubSink::new(&config).expect("configured").send(&target)
        });
        group.bench_with_input(
            BenchmarkId::new("duplicate_lookup_by_list", open_issues),
            &open_issues,
            |b, _| {
                b.iter_batched(
                    || tempfile::tempdir().expect("a temporary directory"),
                    |dir| {
                        let mut config = config(&github, dir.path());
                        config.throttle_secs = 0;
                        assert!(matches!(
                            GitHubSink::new(&config).expect("configured").send(&target),
                            Outcome::Recurred { number: 1, .. }
                        ));
                    },
                    BatchSize::PerIteration,
                )
            },
        );
    }
    group.finish();
}

criterion_group! { name = benches; config = common::criterion(); targets = reporting }
criterion::criterion_main!(benches);
