//! The log context layer, per event: `autoheal::layer()` against a bare Registry (the floor),
//! `tracing_subscriber::fmt` writing to `io::sink()`, and sentry-tracing's breadcrumb layer; on
//! one thread and on two threads logging at once; inside a span with two fields; with buffers
//! of 100 and 10,000 lines; and, for events the layer does not keep (`debug!`, `trace!`), a
//! Registry alone, with a fmt layer at INFO, and with the fmt layer and autoheal's.
//!
//! Tracing combines the interest of every live subscriber: each subscriber of the filtered-out
//! rows is built just before its row, alone, and dropped after it.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, criterion_group};
use tracing::level_filters::LevelFilter;
use tracing_subscriber::prelude::*;

fn log_one(i: u64) {
    tracing::info!(
        cid = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
        attempt = i,
        "pinned a block"
    );
}

/// Time `iterations` events split over `threads` threads logging at once, per event; each
/// thread logs inside a span with two fields when `in_span`.
fn per_event(
    dispatch: &tracing::Dispatch,
    threads: u64,
    iterations: u64,
    in_span: bool,
) -> Duration {
    let per_thread = iterations.div_ceil(threads);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                tracing::dispatcher::with_default(dispatch, || {
                    let span = in_span.then(|| {
                        tracing::info_span!("request", id = 7u64, peer = "12D3KooWLRPJAA").entered()
                    });
                    for i in 0..per_thread {
                        log_one(black_box(i));
                    }
                    drop(span);
                })
            });
        }
    });
    started.elapsed() / threads as u32
}

fn fmt_at_info<S>() -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracing_subscriber::fmt::layer()
        .with_writer(std::io::sink)
        .with_filter(LevelFilter::INFO)
}

/// Builds a subscriber.
type Build = fn() -> tracing::Dispatch;

/// The subscribers of the filtered-out rows, built on demand.
fn filtered_out_subscribers() -> [(&'static str, Build); 3] {
    [
        ("registry_alone", || {
            tracing::Dispatch::new(tracing_subscriber::registry())
        }),
        ("fmt_at_info", || {
            tracing::Dispatch::new(tracing_subscriber::registry().with(fmt_at_info()))
        }),
        ("fmt_at_info_and_auto_heal", || {
            tracing::Dispatch::new(
                tracing_subscriber::registry()
                    .with(fmt_at_info())
                    .with(autoheal::layer()),
            )
        }),
    ]
}

/// Time `iterations` events at `level` (below INFO), per event.
fn per_filtered_out_event(dispatch: &tracing::Dispatch, level: &str, iterations: u64) -> Duration {
    tracing::dispatcher::with_default(dispatch, || {
        let started = Instant::now();
        for i in 0..iterations {
            let i = black_box(i);
            if level == "debug" {
                tracing::debug!(attempt = i, "polled a peer");
            } else {
                tracing::trace!(attempt = i, "polled a peer");
            }
        }
        started.elapsed()
    })
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
    for (name, build) in filtered_out_subscribers() {
        let dispatch = build();
        for level in ["debug", "trace"] {
            group.bench_with_input(
                BenchmarkId::new(format!("filtered_out_{level}"), name),
                &level,
                |b, &level| {
                    b.iter_custom(|iterations| per_filtered_out_event(&dispatch, level, iterations))
                },
            );
        }
    }
    // The sentry layer records breadcrumbs on the current hub: bind one with a client, as an
    // application would.
    sentry_core::Hub::run(common::sentry_hub(false), || {
        for (threads, in_span) in [(1u64, false), (2, false), (1, true)] {
            let row = match in_span {
                false => format!("{threads}_thread"),
                true => format!("{threads}_thread_in_span"),
            };
            for (name, dispatch) in dispatches() {
                group.bench_with_input(BenchmarkId::new(&row, name), &threads, |b, &threads| {
                    b.iter_custom(|iterations| {
                        per_event(&dispatch, threads, iterations, in_span) * threads as u32
                    })
                });
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
            |b, _| b.iter_custom(|iterations| per_event(&dispatch, 1, iterations, false)),
        );
    }
    group.finish();
}

criterion_group! { name = benches; config = common::criterion(); targets = log_layer }
criterion::criterion_main!(benches);
