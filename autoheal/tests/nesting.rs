//! The report-once rule: a failure is reported once, at the outermost annotated frame it
//! escapes, with the site of the innermost one; a recovered failure is not reported.

use std::io;
use std::time::Duration;

use anyhow::Context as _;
use autoheal::test::with_captured_reports;
use autoheal::{Report, auto_heal};

#[derive(Debug, thiserror::Error)]
enum ServiceError {
    #[error("could not load the settings")]
    Settings(#[from] io::Error),
    #[error("the service is misconfigured: {0}")]
    Misconfigured(String),
}

const INNER_LINE: u32 = line!() + 2;
#[auto_heal]
fn read_settings(path: &str) -> io::Result<String> {
    std::fs::read_to_string(path)
}

#[auto_heal]
fn load_settings() -> Result<String, ServiceError> {
    Ok(read_settings("/nonexistent/autoheal/settings.toml")?)
}

#[auto_heal(name = "start service")]
fn start_service() -> anyhow::Result<()> {
    load_settings().context("starting the service")?;
    Ok(())
}

#[auto_heal]
fn start_with_fallback() -> Result<String, ServiceError> {
    match read_settings("/nonexistent/autoheal/primary.toml") {
        Ok(text) => Ok(text),
        Err(_) => Ok("defaults".to_string()),
    }
}

/// Not annotated: swallows the inner failure and fails differently.
fn unannotated_rewrap() -> Result<(), ServiceError> {
    let _ = read_settings("/nonexistent/autoheal/ignored.toml");
    Err(ServiceError::Misconfigured("port 0 is not allowed".into()))
}

const REWRAP_LINE: u32 = line!() + 2;
#[auto_heal]
fn start_misconfigured() -> Result<(), ServiceError> {
    unannotated_rewrap()
}

fn single(reports: &[Report]) -> &Report {
    assert_eq!(
        reports.len(),
        1,
        "expected exactly one report, got {reports:#?}"
    );
    &reports[0]
}

#[test]
fn a_propagated_error_is_reported_once_at_the_outermost_frame_with_the_innermost_site() {
    let (result, reports) = with_captured_reports(start_service);
    let error = result.expect_err("the settings file does not exist");
    assert_eq!(error.to_string(), "starting the service");
    let report = single(&reports);
    assert_eq!(report.site.function, "nesting::read_settings");
    assert_eq!(report.site.line, INNER_LINE);
    assert_eq!(
        report.frames,
        [
            "nesting::read_settings",
            "nesting::load_settings",
            "start service"
        ]
    );
    // The error is the outermost one, with the whole chain down to the OS error.
    assert_eq!(report.error.message, "starting the service");
    assert_eq!(
        report.error.chain,
        [
            "could not load the settings",
            "No such file or directory (os error 2)"
        ]
    );
    // The backtrace starts at the innermost annotated frame.
    let first_in_app = report
        .backtrace
        .iter()
        .find(|f| f.in_app)
        .expect("an in-app frame");
    assert_eq!(first_in_app.function, "nesting::read_settings");
}

#[test]
fn a_failure_the_caller_recovers_from_is_not_reported() {
    let (result, reports) = with_captured_reports(start_with_fallback);
    assert_eq!(result.unwrap(), "defaults");
    assert!(reports.is_empty(), "{reports:#?}");
}

#[test]
fn a_different_error_after_an_unannotated_recovery_is_reported_at_its_own_site() {
    let (result, reports) = with_captured_reports(start_misconfigured);
    assert!(matches!(result, Err(ServiceError::Misconfigured(_))));
    let report = single(&reports);
    assert_eq!(report.site.function, "nesting::start_misconfigured");
    assert_eq!(report.site.line, REWRAP_LINE);
    assert_eq!(report.frames, ["nesting::start_misconfigured"]);
    assert_eq!(report.error.type_name, "ServiceError");
}

#[test]
fn failures_after_a_recovery_are_still_reported() {
    let ((first, second), reports) =
        with_captured_reports(|| (start_with_fallback(), start_service()));
    assert!(first.is_ok());
    assert!(second.is_err());
    assert_eq!(single(&reports).frames.len(), 3);
}

#[test]
fn each_top_level_failure_is_its_own_report() {
    let (results, reports) =
        with_captured_reports(|| (0..3).map(|_| load_settings()).collect::<Vec<_>>());
    assert!(results.iter().all(Result::is_err));
    assert_eq!(reports.len(), 3);
    assert!(
        reports
            .iter()
            .all(|r| r.frames == ["nesting::read_settings", "nesting::load_settings"])
    );
    let mut trace_ids: Vec<&str> = reports.iter().map(|r| r.trace_id.as_str()).collect();
    trace_ids.dedup();
    assert_eq!(trace_ids.len(), 3, "every report has its own trace ID");
}

// ---- async ----

#[auto_heal]
async fn fetch_block(cid: &str) -> io::Result<Vec<u8>> {
    // Yield several times so that, on a multi-thread runtime, the rest of this future may run
    // on another worker thread.
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        format!("block {cid} not found"),
    ))
}

#[auto_heal]
fn check_cid(cid: &str) -> Result<(), String> {
    if cid.starts_with("baf") {
        Ok(())
    } else {
        Err(format!("{cid} is not a CIDv1"))
    }
}

#[auto_heal(name = "pin")]
async fn pin(cid: String) -> anyhow::Result<usize> {
    tokio::time::sleep(Duration::from_millis(1)).await;
    check_cid(&cid).map_err(anyhow::Error::msg)?;
    let block = fetch_block(&cid)
        .await
        .with_context(|| format!("pinning {cid}"))?;
    Ok(block.len())
}

#[auto_heal]
async fn pin_or_skip(cid: String) -> anyhow::Result<usize> {
    match fetch_block(&cid).await {
        Ok(block) => Ok(block.len()),
        Err(_) => {
            tokio::task::yield_now().await;
            Ok(0)
        }
    }
}

#[auto_heal]
async fn pin_in_background(cid: String) -> anyhow::Result<()> {
    let handle = tokio::spawn(async move { fetch_block(&cid).await.map(|_| ()) });
    // The spawned task failed on its own; this function carries on.
    let _ = handle.await?;
    Ok(())
}

fn multi_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn async_failures_are_reported_once_with_their_frames() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (result, reports) = with_captured_reports(|| runtime.block_on(pin("bafkreiabc".into())));
    assert_eq!(result.unwrap_err().to_string(), "pinning bafkreiabc");
    let report = single(&reports);
    assert_eq!(report.site.function, "nesting::fetch_block");
    assert_eq!(report.frames, ["nesting::fetch_block", "pin"]);
    assert_eq!(report.error.chain, ["block bafkreiabc not found"]);
}

#[test]
fn a_sync_failure_inside_an_async_frame_propagates_to_it() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (result, reports) = with_captured_reports(|| runtime.block_on(pin("QmOld".into())));
    assert!(result.is_err());
    let report = single(&reports);
    assert_eq!(report.frames, ["nesting::check_cid", "pin"]);
    assert_eq!(report.error.message, "QmOld is not a CIDv1");
}

#[test]
fn the_rule_holds_across_the_threads_of_a_multi_thread_runtime() {
    const TASKS: usize = 64;
    let runtime = multi_thread_runtime();
    let (outcomes, reports) = with_captured_reports(|| {
        runtime.block_on(async {
            let handles: Vec<_> = (0..TASKS)
                .map(|i| {
                    tokio::spawn(async move {
                        if i % 2 == 0 {
                            pin(format!("bafkrei{i}")).await
                        } else {
                            pin_or_skip(format!("bafkrei{i}")).await
                        }
                    })
                })
                .collect();
            let mut outcomes = Vec::new();
            for handle in handles {
                outcomes.push(handle.await.unwrap().is_err());
            }
            outcomes
        })
    });
    let failed = outcomes.iter().filter(|failed| **failed).count();
    assert_eq!(
        failed,
        TASKS / 2,
        "the pin tasks fail, the pin_or_skip tasks recover"
    );
    assert_eq!(
        reports.len(),
        TASKS / 2,
        "one report per failed task, none for recovered ones"
    );
    for report in &reports {
        assert_eq!(
            report.frames,
            ["nesting::fetch_block", "pin"],
            "{report:#?}"
        );
    }
    let mut messages: Vec<&str> = reports.iter().map(|r| r.error.message.as_str()).collect();
    messages.sort_unstable();
    messages.dedup();
    assert_eq!(
        messages.len(),
        TASKS / 2,
        "each task's own failure, not another task's"
    );
}

#[test]
fn a_spawned_task_is_its_own_boundary() {
    let runtime = multi_thread_runtime();
    let (result, reports) =
        with_captured_reports(|| runtime.block_on(pin_in_background("bafkreispawned".into())));
    assert!(result.is_ok());
    let report = single(&reports);
    assert_eq!(report.frames, ["nesting::fetch_block"]);
}

#[test]
fn a_thread_started_inside_an_annotated_function_is_its_own_boundary() {
    #[auto_heal]
    fn supervise() -> Result<(), String> {
        let worker = std::thread::spawn(|| check_cid("QmWorker"));
        let _ = worker.join();
        Ok(())
    }
    let (result, reports) = with_captured_reports(supervise);
    assert!(result.is_ok());
    assert_eq!(single(&reports).frames, ["nesting::check_cid"]);
}
