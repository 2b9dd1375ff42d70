//! The failing path, capture only (no report built, no network): an error with a 3-deep cause
//! chain returned from a call stack 10, 50 and 200 frames deep — autoheal with and without the
//! backtrace, against sentry-core `capture_error` with stack traces attached, `anyhow::Error`
//! with its backtrace captured, and `std::backtrace::Backtrace::force_capture()` alone (the
//! floor for unwinding the stack).

mod common;

use std::hint::black_box;

use criterion::{BenchmarkId, criterion_group};

#[derive(Debug)]
struct Root;
#[derive(Debug)]
struct Middle(Root);
#[derive(Debug)]
struct Outer(Middle);

impl std::fmt::Display for Root {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection refused (os error 111)")
    }
}
impl std::fmt::Display for Middle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("could not reach the IPFS daemon at 127.0.0.1:5001")
    }
}
impl std::fmt::Display for Outer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("pinning bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e failed")
    }
}
impl std::error::Error for Root {}
impl std::error::Error for Middle {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}
impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

fn chain() -> Outer {
    Outer(Middle(Root))
}

/// `depth` real frames (not folded into a loop or a tail call) above `at_the_bottom`.
#[inline(never)]
fn deep<R>(depth: usize, at_the_bottom: &dyn Fn() -> R) -> R {
    if depth == 0 {
        return at_the_bottom();
    }
    let result = deep(black_box(depth - 1), at_the_bottom);
    black_box(&result);
    result
}

#[inline(never)]
#[autoheal::auto_heal]
fn annotated_failure() -> Result<(), Outer> {
    Err(black_box(chain()))
}

const DEPTHS: [usize; 3] = [10, 50, 200];

fn error_path(c: &mut criterion::Criterion) {
    let mut group = c.benchmark_group("error_path");
    let with_backtrace = autoheal::test::test_config();
    let mut without_backtrace = autoheal::test::test_config();
    without_backtrace.include_stack_trace = false;
    for depth in DEPTHS {
        group.bench_with_input(
            BenchmarkId::new("std_backtrace_force_capture_floor", depth),
            &depth,
            |b, &depth| b.iter(|| deep(depth, &|| std::backtrace::Backtrace::force_capture())),
        );
        let (_, captured) = autoheal::test::count_captures(with_backtrace.clone(), || {
            group.bench_with_input(
                BenchmarkId::new("auto_heal_with_backtrace", depth),
                &depth,
                |b, &depth| b.iter(|| deep(depth, &annotated_failure)),
            );
        });
        assert!(captured > 0, "the failures were captured");
        autoheal::test::count_captures(without_backtrace.clone(), || {
            group.bench_with_input(
                BenchmarkId::new("auto_heal_without_backtrace", depth),
                &depth,
                |b, &depth| b.iter(|| deep(depth, &annotated_failure)),
            );
        });
        group.bench_with_input(
            BenchmarkId::new("anyhow_with_backtrace", depth),
            &depth,
            |b, &depth| b.iter(|| deep(depth, &|| anyhow::Error::new(chain()))),
        );
        sentry_core::Hub::run(common::sentry_hub(true), || {
            group.bench_with_input(
                BenchmarkId::new("sentry_capture_error_with_stacktrace", depth),
                &depth,
                |b, &depth| b.iter(|| deep(depth, &|| sentry_core::capture_error(&chain()))),
            );
        });
    }
    group.finish();
}

criterion_group! { name = benches; config = common::criterion(); targets = error_path }

fn main() {
    // anyhow captures a backtrace only when RUST_LIB_BACKTRACE (or RUST_BACKTRACE) asks for one;
    // it reads the variable once. Set it here, before any thread exists.
    #[allow(unsafe_code)]
    // SAFETY: single-threaded at this point; nothing else reads or writes the environment.
    unsafe {
        std::env::set_var("RUST_LIB_BACKTRACE", "1");
    }
    let probe = anyhow::Error::new(chain());
    assert_eq!(
        probe.backtrace().status(),
        std::backtrace::BacktraceStatus::Captured,
        "anyhow must capture for a fair comparison"
    );
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
