//! `#[auto_heal]` on `async fn`: on tokio's current-thread and multi-thread runtimes, the
//! future's output passes through untouched and an `Err` is reported once.

use std::time::Duration;

use autoheal::test::with_captured_reports;
use autoheal::{Report, auto_heal};

fn single(reports: Vec<Report>) -> Report {
    assert_eq!(reports.len(), 1, "expected one report, got {reports:#?}");
    reports.into_iter().next().unwrap()
}

const FETCH_LINE: u32 = line!() + 2;
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

#[auto_heal(name = "resolve name")]
async fn resolve(name: String) -> anyhow::Result<String> {
    let block = fetch_block(&name, 1).await?;
    Ok(String::from_utf8(block)?)
}

#[test]
fn on_a_current_thread_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    assert_eq!(
        runtime.block_on(fetch_block("bafkrei", 0)).unwrap(),
        b"bafkrei"
    );
    let (result, reports) = with_captured_reports(|| runtime.block_on(fetch_block("Qm1", 1)));
    assert_eq!(result.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    let report = single(reports);
    assert_eq!(report.site.function, "async_fn::fetch_block");
    assert_eq!(report.site.line, FETCH_LINE);
    assert_eq!(report.error.message, "Qm1 is not a CIDv1");
}

#[test]
fn on_a_multi_thread_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let (results, reports) = with_captured_reports(|| {
        runtime.block_on(async {
            let ok = tokio::spawn(resolve("bafkreiok".into()));
            let bad = tokio::spawn(resolve("QmBad".into()));
            (ok.await.unwrap(), bad.await.unwrap())
        })
    });
    assert_eq!(results.0.unwrap(), "bafkreiok");
    assert_eq!(results.1.unwrap_err().to_string(), "QmBad is not a CIDv1");
    let report = single(reports);
    assert_eq!(report.frames, ["async_fn::fetch_block", "resolve name"]);
    assert_eq!(report.error.type_name, "io::Error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_a_tokio_test_on_the_multi_thread_runtime() {
    // The capture helper is synchronous; run the async work on the test's runtime from a
    // blocking section.
    let (result, reports) = tokio::task::block_in_place(|| {
        with_captured_reports(|| tokio::runtime::Handle::current().block_on(resolve("QmX".into())))
    });
    assert!(result.is_err());
    assert_eq!(
        single(reports).frames,
        ["async_fn::fetch_block", "resolve name"]
    );
}

#[auto_heal]
async fn borrowed(text: &str) -> Result<&str, String> {
    tokio::task::yield_now().await;
    text.split(':')
        .nth(1)
        .ok_or_else(|| format!("no port in {text}"))
}

#[test]
fn async_functions_returning_borrows() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let input = String::from("127.0.0.1:8004");
    assert_eq!(runtime.block_on(borrowed(&input)), Ok("8004"));
    let (result, reports) =
        with_captured_reports(|| runtime.block_on(borrowed("localhost")).map(str::len));
    assert_eq!(result, Err("no port in localhost".to_string()));
    assert_eq!(single(reports).site.function, "async_fn::borrowed");
}

#[test]
fn the_future_stays_send_so_it_can_be_spawned() {
    fn assert_send<T: Send>(_: &T) {}
    let future = resolve("bafk".into());
    assert_send(&future);
}
