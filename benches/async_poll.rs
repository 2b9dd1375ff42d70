//! The per-poll cost of an annotated `async fn`: the same async fn plain and under
//! `#[auto_heal]`, awaiting a future that is pending many times before it completes, driven by
//! a minimal executor loop. `#[auto_heal]` sets the frame state aside and back on every poll,
//! so a future that is polled often (a stream reader, a socket loop) pays it each time.
//!
//! Each case is timed with `iter_custom` as one future that is pending `iters - 1` times and
//! then ready: criterion's figure is the time of one poll.

mod common;

use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::criterion_group;

#[derive(Debug)]
struct ReadError;

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stream closed")
    }
}

impl std::error::Error for ReadError {}

/// Pending `remaining` times, waking itself each time as a real source would when more data
/// is due, then ready.
struct PendingTimes {
    remaining: u64,
}

impl Future for PendingTimes {
    type Output = u64;

    // Not inlined: a real source's poll (a socket, a channel) is never folded into the
    // executor's loop, and folding it into the plain variant only would time something else.
    #[inline(never)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        if self.remaining == 0 {
            return Poll::Ready(black_box(7));
        }
        self.remaining -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[inline(never)]
async fn plain(pending: u64) -> Result<u64, ReadError> {
    let read = PendingTimes { remaining: pending }.await;
    if read == u64::MAX {
        Err(ReadError)
    } else {
        Ok(read)
    }
}

#[inline(never)]
#[autoheal::auto_heal]
async fn annotated(pending: u64) -> Result<u64, ReadError> {
    let read = PendingTimes { remaining: pending }.await;
    if read == u64::MAX {
        Err(ReadError)
    } else {
        Ok(read)
    }
}

/// Poll `future` until it is ready, as an executor whose waker does nothing would: its output
/// and the elapsed time of every poll, the last included.
fn drive<F: Future>(future: F) -> (F::Output, Duration) {
    let mut cx = Context::from_waker(Waker::noop());
    let mut future = pin!(future);
    let start = Instant::now();
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return (black_box(output), start.elapsed());
        }
    }
}

fn async_poll(c: &mut criterion::Criterion) {
    // autoheal installed as a program would: the success path does not look at it.
    let _guard = autoheal::init_with_sink(
        autoheal::test::test_config(),
        autoheal::test::MemorySink::default(),
    );
    // Both complete with `Ok` after polls that were pending: otherwise the figures would be
    // of something else.
    assert!(matches!(drive(plain(3)).0, Ok(7)));
    assert!(matches!(drive(annotated(3)).0, Ok(7)));

    let mut group = c.benchmark_group("async_poll");
    group.bench_function("plain", |b| {
        b.iter_custom(|iters| drive(plain(black_box(iters.saturating_sub(1)))).1)
    });
    group.bench_function("auto_heal", |b| {
        b.iter_custom(|iters| drive(annotated(black_box(iters.saturating_sub(1)))).1)
    });
    group.finish();
}

criterion_group! { name = benches; config = common::criterion(); targets = async_poll }
criterion::criterion_main!(benches);
