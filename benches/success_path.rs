//! The success path: the same small function returning `Ok`, four ways — plain,
//! `#[auto_heal]`, `#[tracing::instrument(err)]` with a subscriber installed, and a manual
//! `if let Err(e) = &r { sentry_core::capture_error(e) }` with a bound sentry client.

mod common;

use std::hint::black_box;

use criterion::criterion_group;

#[derive(Debug)]
struct ParseError;

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a port")
    }
}

impl std::error::Error for ParseError {}

#[inline(never)]
fn plain(x: u32) -> Result<u32, ParseError> {
    if x == u32::MAX {
        Err(ParseError)
    } else {
        Ok(x.wrapping_mul(3))
    }
}

#[inline(never)]
#[autoheal::auto_heal]
fn annotated(x: u32) -> Result<u32, ParseError> {
    if x == u32::MAX {
        Err(ParseError)
    } else {
        Ok(x.wrapping_mul(3))
    }
}

#[inline(never)]
#[tracing::instrument(err)]
fn instrumented(x: u32) -> Result<u32, ParseError> {
    if x == u32::MAX {
        Err(ParseError)
    } else {
        Ok(x.wrapping_mul(3))
    }
}

#[inline(never)]
fn sentry_manual(x: u32) -> Result<u32, ParseError> {
    let result = if x == u32::MAX {
        Err(ParseError)
    } else {
        Ok(x.wrapping_mul(3))
    };
    if let Err(e) = &result {
        sentry_core::capture_error(e);
    }
    result
}

fn success_path(c: &mut criterion::Criterion) {
    // autoheal installed as a program would: the success path does not look at it.
    let _guard = autoheal::init_with_sink(
        autoheal::test::test_config(),
        autoheal::test::MemorySink::default(),
    );
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::io::sink)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let dispatch = tracing::Dispatch::new(subscriber);
    let hub = common::sentry_hub(false);

    let mut group = c.benchmark_group("success_path");
    group.bench_function("plain", |b| b.iter(|| plain(black_box(7))));
    group.bench_function("auto_heal", |b| b.iter(|| annotated(black_box(7))));
    tracing::dispatcher::with_default(&dispatch, || {
        group.bench_function("tracing_instrument_err", |b| {
            b.iter(|| instrumented(black_box(7)))
        });
    });
    sentry_core::Hub::run(hub, || {
        group.bench_function("sentry_capture_error_manual", |b| {
            b.iter(|| sentry_manual(black_box(7)))
        });
    });
    group.finish();
}

criterion_group! { name = benches; config = common::criterion(); targets = success_path }
criterion::criterion_main!(benches);
