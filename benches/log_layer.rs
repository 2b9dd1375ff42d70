//! The log context layer, per event: `autoheal::layer()` against a bare Registry (the floor),
//! `tracing_subscriber::fmt` writing to `io::sink()`, and sentry-tracing's breadcrumb layer; on
//! one thread and on two threads logging at once; and with buffers of 100 and 10,000 lines.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, criterion_group};
use tracing_subscriber::prelude::*;

fn log_one(i: u64) {
    tracing::info!(
        cid = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
        attempt = i,
        "pinned a block"
    );
}

/// Time `iterations` events split over `threads` threads logging at once, per event.
fn per_event(dispatch: &tracing::Dispatch, threads: u64, iterations: u64) -> Duration {
    let per_thread = iterations.div_ceil(threads);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                tracing::dispatcher::with_default(dispatch, || {
                    for i in 0..per_thread {
                        log_one(black_box(i));
                    }
                })
            });
        }
    });
    started.elapsed() / threads as u32
}

fn dispatches() -> Vec<(&'static str, tracing::Dispatch)> {
    vec![
        (
            "registry_floor",
            tracing::Dispatch::new(tracing_subscriber::registry()),
        ),
        (
            "fmt_to_sink",
            tracing::Dispatch::new(
                tracing_subscriber::registry()
                    .with(tracing_subscriber::fmt::layer().with_writer(std::io::sink)),
            ),
        ),
        (
            "auto_heal_layer",
            tracing::Dispatch::new(tracing_subscriber::registry().with(autoheal::layer())),
        ),
        (
            "sentry_tracing_breadcrumbs",
            tracing::Dispatch::new(tracing_subscriber::registry().with(sentry_tracing::layer())),
        ),
    ]
}

fn log_layer(c: &mut criterion::Criterion) {
    let mut group = c.benchmark_group("log_layer");
    // The sentry layer records breadcrumbs on the current hub: bind one with a client, as an
    // application would.
    sentry_core::Hub::run(common::sentry_hub(false), || {
        for threads in [1u64, 2] {
            for (name, dispatch) in dispatches() {
                group.bench_with_input(
                    BenchmarkId::new(format!("{threads}_thread"), name),
                    &threads,
                    |b, &threads| {
                        b.iter_custom(|iterations| {
                            per_event(&dispatch, threads, iterations) * threads as u32
                        })
                    },
                );
            }
        }
    });
    for lines in [100usize, 10_000] {
        let mut config = autoheal::test::test_config();
        config.max_log_lines = lines;
        // init sets the buffer's size; the guard is dropped at once, the size stays.
        drop(autoheal::init_with_sink(
            config,
            autoheal::test::MemorySink::default(),
        ));
        let dispatch =
            tracing::Dispatch::new(tracing_subscriber::registry().with(autoheal::layer()));
        tracing::dispatcher::with_default(&dispatch, || {
            for i in 0..lines as u64 {
                log_one(i);
            }
        });
        group.bench_with_input(
            BenchmarkId::new("auto_heal_buffer_lines", lines),
            &lines,
            |b, _| b.iter_custom(|iterations| per_event(&dispatch, 1, iterations)),
        );
    }
    group.finish();
}

criterion_group! { name = benches; config = common::criterion(); targets = log_layer }
criterion::criterion_main!(benches);
