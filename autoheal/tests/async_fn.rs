//! `#[auto_heal]` on `async fn`: on tokio's current-thread and multi-thread runtimes, the
//! future's output passes through untouched and an `Err` is reported once, with its site.

mod common;

use std::time::Duration;

use autoheal::config::DEFAULT_LABELS;
use autoheal::test::with_captured_reports;
use autoheal::{ReportKind, auto_heal};
use common::{in_app_frames, line_of, single};

const SOURCE: &str = include_str!("async_fn.rs");

#[auto_heal]
async fn fetch_block(cid: &str, delay_ms: u64) -> Result<Vec<u8>, std::io::Error> {
    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    if cid.starts_with("baf") {
        return Ok(cid.as_bytes().to_vec());
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("{cid} is not a CIDv1"),
    ))
}

#[auto_heal(name = "resolve name", labels("ipns"))]
async fn resolve(name: String) -> anyhow::Result<String> {
    let block = fetch_block(&name, 1).await?;
    Ok(String::from_utf8(block)?)
}

fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

#[test]
fn on_a_current_thread_runtime() {
    let runtime = current_thread_runtime();
    let (ok, reports) = with_captured_reports(|| runtime.block_on(fetch_block("bafkrei", 0)));
    assert_eq!(ok.unwrap(), b"bafkrei");
    assert!(reports.is_empty(), "{reports:#?}");

    let (result, reports) = with_captured_reports(|| runtime.block_on(fetch_block("Qm1", 1)));
    let error = result.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(error.to_string(), "Qm1 is not a CIDv1");
    let report = single(reports);
    assert_eq!(report.kind, ReportKind::Error);
    assert_eq!(report.error.type_name, "io::Error");
    assert_eq!(report.error.message, "Qm1 is not a CIDv1");
    assert!(report.error.chain.is_empty());
    assert_eq!(report.site.function, "async_fn::fetch_block");
    assert_eq!(report.site.module, "async_fn");
    assert_eq!(report.site.file, "autoheal/tests/async_fn.rs");
    assert_eq!(report.site.line, line_of(SOURCE, "async fn fetch_block("));
    assert_eq!(report.frames, ["async_fn::fetch_block"]);
    assert_eq!(report.labels, DEFAULT_LABELS);
}

#[test]
fn on_a_multi_thread_runtime_with_spawned_tasks() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let ((ok, bad), reports) = with_captured_reports(|| {
        runtime.block_on(async {
            let ok = tokio::spawn(resolve("bafkreiok".into()));
            let bad = tokio::spawn(resolve("QmBad".into()));
            (ok.await.unwrap(), bad.await.unwrap())
        })
    });
    assert_eq!(ok.unwrap(), "bafkreiok");
    let error = bad.unwrap_err();
    assert_eq!(error.to_string(), "QmBad is not a CIDv1");
    assert_eq!(
        error.downcast_ref::<std::io::Error>().map(|e| e.kind()),
        Some(std::io::ErrorKind::InvalidInput),
        "the anyhow error still holds the io::Error"
    );
    let report = single(reports);
    assert_eq!(report.error.type_name, "io::Error");
    assert_eq!(report.error.message, "QmBad is not a CIDv1");
    assert_eq!(report.site.function, "async_fn::fetch_block");
    assert_eq!(report.frames, ["async_fn::fetch_block", "resolve name"]);
    assert_eq!(
        report.labels,
        ["auto-heal", "cli-error", "automated-issue", "ipns"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_a_multi_thread_tokio_test() {
    // The capture helper takes a synchronous closure: block on the test's own runtime from a
    // blocking section of it.
    let (result, reports) = tokio::task::block_in_place(|| {
        with_captured_reports(|| {
            tokio::runtime::Handle::current().block_on(async {
                let ok = resolve("bafkreiy".into()).await;
                let bad = tokio::spawn(resolve("QmX".into())).await.unwrap();
                (ok, bad)
            })
        })
    });
    assert_eq!(result.0.unwrap(), "bafkreiy");
    assert_eq!(result.1.unwrap_err().to_string(), "QmX is not a CIDv1");
    let report = single(reports);
    assert_eq!(report.site.line, line_of(SOURCE, "async fn fetch_block("));
    assert_eq!(report.frames, ["async_fn::fetch_block", "resolve name"]);
}

#[auto_heal]
async fn port_of(address: &str) -> Result<&str, String> {
    tokio::task::yield_now().await;
    address
        .split(':')
        .nth(1)
        .ok_or_else(|| format!("no port in {address}"))
}

#[test]
fn async_functions_returning_borrows_of_their_arguments() {
    let runtime = current_thread_runtime();
    let address = String::from("127.0.0.1:8004");
    let (port, reports) = with_captured_reports(|| runtime.block_on(port_of(&address)));
    let port = port.unwrap();
    assert_eq!(port, "8004");
    assert!(std::ptr::eq(port.as_ptr(), address[10..].as_ptr()));
    assert!(reports.is_empty());
    let (result, reports) =
        with_captured_reports(|| runtime.block_on(port_of("localhost")).map(str::len));
    assert_eq!(result, Err("no port in localhost".to_string()));
    let report = single(reports);
    assert_eq!(report.site.function, "async_fn::port_of");
    assert_eq!(report.site.line, line_of(SOURCE, "async fn port_of("));
}

#[auto_heal]
async fn total_size<I>(sizes: I, mut limit: u64, (lo, hi): (u64, u64)) -> Result<u64, String>
where
    I: IntoIterator<Item = u64> + Send,
{
    let mut total = 0u64;
    for size in sizes {
        tokio::task::yield_now().await;
        total += size.clamp(lo, hi);
        limit = limit
            .checked_sub(size)
            .ok_or(format!("over the limit at {total}"))?;
    }
    Ok(total)
}

#[test]
fn generic_async_functions_with_mut_and_pattern_parameters() {
    let runtime = current_thread_runtime();
    let (ok, reports) =
        with_captured_reports(|| runtime.block_on(total_size(vec![1, 5, 20], 100, (2, 10))));
    assert_eq!(ok, Ok(2 + 5 + 10));
    assert!(reports.is_empty());
    let (err, reports) =
        with_captured_reports(|| runtime.block_on(total_size([60, 60], 100, (0, 100))));
    assert_eq!(err, Err("over the limit at 120".to_string()));
    let report = single(reports);
    assert_eq!(report.site.function, "async_fn::total_size");
    assert_eq!(report.error.message, "over the limit at 120");
}

#[auto_heal]
async fn listen_address(port: u16) -> Result<impl std::fmt::Display + Send, String> {
    tokio::task::yield_now().await;
    if port == 0 {
        return Err("port 0 is not allowed".into());
    }
    Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
}

#[test]
fn impl_trait_in_the_return_type() {
    let runtime = current_thread_runtime();
    let (address, reports) = with_captured_reports(|| {
        runtime
            .block_on(listen_address(8004))
            .map(|a| a.to_string())
    });
    assert_eq!(
        (address, reports.len()),
        (Ok("127.0.0.1:8004".to_string()), 0)
    );
    let (result, reports) =
        with_captured_reports(|| runtime.block_on(listen_address(0)).map(|a| a.to_string()));
    assert_eq!(result, Err("port 0 is not allowed".to_string()));
    let report = single(reports);
    assert_eq!(report.error.type_name, "String");
    assert_eq!(report.site.function, "async_fn::listen_address");
}

#[test]
fn the_future_stays_send_so_it_can_be_spawned() {
    fn assert_send<T: Send>(_: &T) {}
    assert_send(&resolve("bafk".into()));
    assert_send(&total_size(vec![1], 1, (0, 1)));
    assert_send(&listen_address(1));
}

/// Pending on its first poll, panics on the second.
struct PanicsWhenPolledAgain {
    polled: bool,
}

impl std::future::Future for PanicsWhenPolledAgain {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        assert!(!self.polled, "polled after its stream closed");
        self.polled = true;
        std::task::Poll::Pending
    }
}

#[auto_heal]
async fn read_stream() -> Result<(), String> {
    PanicsWhenPolledAgain { polled: false }.await;
    Ok(())
}

#[auto_heal]
fn parse_port(text: &str) -> Result<u16, std::num::ParseIntError> {
    text.parse()
}

/// A poll that unwinds (an executor catches the panic and goes on) leaves the thread as it
/// found it: the next failure on that thread is reported as its own, not held for a frame
/// that no longer runs.
#[test]
fn a_poll_that_panics_leaves_the_thread_as_it_found_it() {
    let (outcome, reports) = with_captured_reports(|| {
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        let mut future = std::pin::pin!(read_stream());
        assert!(future.as_mut().poll(&mut context).is_pending());
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = future.as_mut().poll(&mut context);
        }));
        assert!(unwound.is_err());
        parse_port("80a")
    });
    assert!(outcome.is_err());
    let sites: Vec<&str> = reports.iter().map(|r| r.site.function.as_str()).collect();
    assert!(
        sites.contains(&"async_fn::parse_port"),
        "the failure after the panic was not reported: {reports:#?}"
    );
}

#[auto_heal]
async fn pin_index(pins: Vec<String>, at: usize) -> Result<String, String> {
    tokio::task::yield_now().await;
    Ok(pins[at].clone())
}

/// A panic in an async body is located in the function, at the line that panicked: the
/// attribute's `async` block and the function's state machine do not show as closures.
#[test]
fn a_panic_in_an_async_body_is_named_after_the_function() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (caught, reports) = with_captured_reports(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.block_on(pin_index(Vec::new(), 3))
        }))
    });
    assert!(caught.is_err());
    let report = single(reports);
    assert_eq!(report.kind, ReportKind::Panic);
    let in_app = in_app_frames(&report);
    assert_eq!(
        in_app.first(),
        Some(&("async_fn::pin_index", Some(line_of(SOURCE, "Ok(pins[at]"))))
    );
    assert!(
        in_app
            .iter()
            .all(|(f, _)| !f.starts_with("async_fn::pin_index::")),
        "{in_app:#?}"
    );
    let body = autoheal::issue::render_issue(&report).body;
    assert!(!body.contains("pin_index::{{closure}}"), "{body}");
}
