//! `#[tracing::instrument]` and `#[auto_heal]` on one function, in either order: the report's
//! span stack ends with the function's own span, fields and all, sync and async, with and
//! without `err`, inside an outer span or at the root.

use autoheal::test::with_captured_reports;
use tracing_subscriber::prelude::*;

#[derive(Debug, thiserror::Error)]
#[error("the pin set is locked")]
struct PinsLocked;

#[tracing::instrument(fields(port = 8004))]
#[autoheal::auto_heal]
fn instrument_above(cid: &str) -> Result<(), PinsLocked> {
    Err(PinsLocked)
}

#[autoheal::auto_heal]
#[tracing::instrument(fields(port = 8004))]
fn instrument_below(cid: &str) -> Result<(), PinsLocked> {
    Err(PinsLocked)
}

#[tracing::instrument(err, skip_all, fields(port = 8004))]
#[autoheal::auto_heal]
fn instrument_err_above(_cid: &str) -> Result<(), PinsLocked> {
    Err(PinsLocked)
}

#[tracing::instrument(skip_all)]
fn instrumented_helper() {
    tracing::info!("helper ran");
}

/// A callee's span opens and closes inside the function's own before it fails.
#[tracing::instrument(skip_all, fields(step = "resolve"))]
#[autoheal::auto_heal]
fn instrument_above_after_a_traced_callee() -> Result<(), PinsLocked> {
    instrumented_helper();
    Err(PinsLocked)
}

/// The same, with the function's own span below the level kept: the callee's span is not
/// taken for the function's.
#[tracing::instrument(level = "trace", skip_all)]
#[autoheal::auto_heal]
fn disabled_span_above_a_traced_callee() -> Result<(), PinsLocked> {
    instrumented_helper();
    Err(PinsLocked)
}

#[tracing::instrument(fields(port = 8004))]
#[autoheal::auto_heal]
async fn async_instrument_above(cid: &str) -> Result<(), PinsLocked> {
    tokio::task::yield_now().await;
    Err(PinsLocked)
}

#[autoheal::auto_heal]
#[tracing::instrument(fields(port = 8004))]
async fn async_instrument_below(cid: &str) -> Result<(), PinsLocked> {
    tokio::task::yield_now().await;
    Err(PinsLocked)
}

/// The span stacks of the reports `f` makes, run under a registry with autoheal's layer
/// (which keeps spans at INFO and above) and inside a `request{id=7}` span.
fn spans_of_reports(f: impl FnOnce()) -> Vec<Vec<String>> {
    let subscriber = tracing_subscriber::registry().with(autoheal::layer());
    let ((), reports) = tracing::subscriber::with_default(subscriber, || {
        let _request = tracing::info_span!("request", id = 7).entered();
        with_captured_reports(f)
    });
    reports.into_iter().map(|report| report.spans).collect()
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime")
        .block_on(future)
}

const EXPECTED: [&str; 2] = ["request{id=7}", "instrument_above{cid=bafy port=8004}"];

#[test]
fn instrument_above_auto_heal_keeps_the_function_span() {
    let spans = spans_of_reports(|| {
        let _ = instrument_above("bafy");
    });
    assert_eq!(spans, [EXPECTED]);
}

#[test]
fn instrument_below_auto_heal_keeps_the_function_span() {
    let spans = spans_of_reports(|| {
        let _ = instrument_below("bafy");
    });
    assert_eq!(
        spans,
        [["request{id=7}", "instrument_below{cid=bafy port=8004}"]]
    );
}

#[test]
fn instrument_err_above_auto_heal_keeps_the_function_span() {
    let spans = spans_of_reports(|| {
        let _ = instrument_err_above("bafy");
    });
    assert_eq!(
        spans,
        [["request{id=7}", "instrument_err_above{port=8004}"]]
    );
}

#[test]
fn a_callee_span_closed_first_is_not_taken_for_the_function_span() {
    let spans = spans_of_reports(|| {
        let _ = instrument_above_after_a_traced_callee();
    });
    assert_eq!(
        spans,
        [[
            "request{id=7}",
            "instrument_above_after_a_traced_callee{step=resolve}"
        ]]
    );
}

#[test]
fn a_disabled_function_span_is_not_replaced_by_a_callee_span() {
    let spans = spans_of_reports(|| {
        let _ = disabled_span_above_a_traced_callee();
    });
    assert_eq!(spans, [["request{id=7}"]]);
}

#[test]
fn async_instrument_above_auto_heal_keeps_the_function_span() {
    let spans = spans_of_reports(|| {
        let _ = block_on(async_instrument_above("bafy"));
    });
    assert_eq!(
        spans,
        [[
            "request{id=7}",
            "async_instrument_above{cid=bafy port=8004}"
        ]]
    );
}

#[test]
fn async_instrument_below_auto_heal_keeps_the_function_span() {
    let spans = spans_of_reports(|| {
        let _ = block_on(async_instrument_below("bafy"));
    });
    assert_eq!(
        spans,
        [[
            "request{id=7}",
            "async_instrument_below{cid=bafy port=8004}"
        ]]
    );
}
