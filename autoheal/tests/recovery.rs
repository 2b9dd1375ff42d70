//! A capture handed to a caller is taken over only by the error it became: a caller that
//! recovers from an annotated callee's failure and later fails with an error that looks the
//! same is reported at its own site, not the callee's. Sync and async, with the failures
//! alike in type and text, and the propagations that must still be taken over.

mod common;

use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use autoheal::auto_heal;
use autoheal::test::with_captured_reports;
use common::{line_of, single};

const SOURCE: &str = include_str!("recovery.rs");
const NOT_FOUND: &str = "No such file or directory (os error 2)";

/// A directory with an `index` file and no `cache` or `manifest`.
fn state_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index"), b"bafk").unwrap();
    dir
}

#[auto_heal]
fn load_optional_cache(dir: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(dir.join("cache"))
}

#[auto_heal]
fn read_index(dir: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(dir.join("index"))
}

#[auto_heal]
fn read_manifest(dir: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(dir.join("manifest"))
}

// ---- sync: recovered, then a failure alike of the caller's own ----

/// Recovers from the missing cache, reads the index (annotated, succeeds), then fails on the
/// missing manifest with the same `io::Error` as the cache's.
#[auto_heal]
fn rebuild_after_reading_the_index(dir: &Path) -> io::Result<usize> {
    let cache = load_optional_cache(dir).unwrap_or_default();
    let index = read_index(dir)?;
    let manifest = std::fs::read(dir.join("manifest"))?;
    Ok(cache.len() + index.len() + manifest.len())
}

#[test]
fn a_recovered_failure_does_not_colour_a_later_one_after_an_annotated_call() {
    let dir = state_dir();
    let (result, reports) = with_captured_reports(|| rebuild_after_reading_the_index(dir.path()));
    assert_eq!(result.unwrap_err().to_string(), NOT_FOUND);
    let report = single(reports);
    assert_eq!(report.error.message, NOT_FOUND, "alike in text");
    assert_eq!(
        report.site.function,
        "recovery::rebuild_after_reading_the_index"
    );
    assert_eq!(
        report.site.line,
        line_of(SOURCE, "fn rebuild_after_reading_the_index(")
    );
    assert_eq!(report.frames, ["recovery::rebuild_after_reading_the_index"]);
}

/// Tries the cache twice: the retry's success ends the first failure's life.
#[auto_heal]
fn rebuild_after_a_retry(dir: &Path) -> io::Result<usize> {
    let cache = match load_optional_cache(dir) {
        Ok(cache) => cache,
        Err(_) => {
            std::fs::write(dir.join("cache"), b"warm")?;
            load_optional_cache(dir)?
        }
    };
    let manifest = std::fs::read(dir.join("manifest"))?;
    Ok(cache.len() + manifest.len())
}

#[test]
fn a_retry_that_succeeds_ends_the_first_failure() {
    let dir = state_dir();
    let (result, reports) = with_captured_reports(|| rebuild_after_a_retry(dir.path()));
    assert_eq!(result.unwrap_err().to_string(), NOT_FOUND);
    let report = single(reports);
    assert_eq!(report.site.function, "recovery::rebuild_after_a_retry");
    assert_eq!(report.frames, ["recovery::rebuild_after_a_retry"]);
}

/// Recovers, then fails with an error of its own that quotes the same OS error.
#[auto_heal]
fn rebuild_quoting_the_os_error(dir: &Path) -> io::Result<usize> {
    let cache = load_optional_cache(dir).unwrap_or_default();
    let manifest = std::fs::read(dir.join("manifest"))
        .map_err(|e| io::Error::new(e.kind(), format!("reading the manifest: {e}")))?;
    Ok(cache.len() + manifest.len())
}

#[test]
fn an_error_that_quotes_the_recovered_text_is_the_callers_own() {
    let dir = state_dir();
    let (result, reports) = with_captured_reports(|| rebuild_quoting_the_os_error(dir.path()));
    assert!(result.is_err());
    let report = single(reports);
    assert_eq!(
        report.error.message,
        format!("reading the manifest: {NOT_FOUND}")
    );
    assert_eq!(
        report.site.function,
        "recovery::rebuild_quoting_the_os_error"
    );
    assert_eq!(report.frames, ["recovery::rebuild_quoting_the_os_error"]);
}

/// Recovers from one callee, then propagates another callee's failure alike.
#[auto_heal]
fn rebuild_from_the_manifest(dir: &Path) -> anyhow::Result<usize> {
    let cache = load_optional_cache(dir).unwrap_or_default();
    let manifest = read_manifest(dir).context("rebuilding from the manifest")?;
    Ok(cache.len() + manifest.len())
}

#[test]
fn a_later_callee_failure_is_reported_at_that_callee() {
    let dir = state_dir();
    let (result, reports) = with_captured_reports(|| rebuild_from_the_manifest(dir.path()));
    assert!(result.is_err());
    let report = single(reports);
    assert_eq!(report.site.function, "recovery::read_manifest");
    assert_eq!(
        report.frames,
        [
            "recovery::read_manifest",
            "recovery::rebuild_from_the_manifest"
        ]
    );
    assert_eq!(report.error.chain, [NOT_FOUND]);
}

/// What each propagation of the callee's failure turns it into.
#[derive(Debug, thiserror::Error)]
enum RebuildError {
    #[error("the cache is unreadable")]
    Cache(#[from] io::Error),
}

#[auto_heal]
fn propagate_as_is(dir: &Path) -> io::Result<Vec<u8>> {
    let cache = load_optional_cache(dir)?;
    Ok(cache)
}

#[auto_heal]
fn propagate_boxed(dir: &Path) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    Ok(load_optional_cache(dir)?)
}

#[auto_heal]
fn propagate_with_context(dir: &Path) -> anyhow::Result<Vec<u8>> {
    load_optional_cache(dir).context("loading the cache")
}

#[auto_heal]
fn propagate_as_source(dir: &Path) -> Result<Vec<u8>, RebuildError> {
    Ok(load_optional_cache(dir)?)
}

/// Holds the callee's failure across unannotated work before propagating it.
#[auto_heal]
fn propagate_after_unannotated_work(dir: &Path) -> io::Result<Vec<u8>> {
    let cache = load_optional_cache(dir);
    let _ = std::fs::metadata(dir.join("index"))?;
    cache
}

#[test]
fn a_propagated_failure_is_still_taken_over_in_every_form() {
    let dir = state_dir();
    type Failed = fn(&Path) -> bool;
    let cases: [(&str, Failed); 5] = [
        ("recovery::propagate_as_is", |d| propagate_as_is(d).is_err()),
        ("recovery::propagate_boxed", |d| propagate_boxed(d).is_err()),
        ("recovery::propagate_with_context", |d| {
            propagate_with_context(d).is_err()
        }),
        ("recovery::propagate_as_source", |d| {
            propagate_as_source(d).is_err()
        }),
        ("recovery::propagate_after_unannotated_work", |d| {
            propagate_after_unannotated_work(d).is_err()
        }),
    ];
    for (caller, call) in cases {
        let (failed, reports) = with_captured_reports(|| call(dir.path()));
        assert!(failed, "{caller}");
        let report = single(reports);
        assert_eq!(
            report.site.function, "recovery::load_optional_cache",
            "{caller}"
        );
        assert_eq!(
            report.frames,
            ["recovery::load_optional_cache", caller],
            "{caller}"
        );
    }
}

// ---- async ----

#[auto_heal]
async fn fetch_optional_cache(dir: PathBuf) -> io::Result<Vec<u8>> {
    tokio::task::yield_now().await;
    std::fs::read(dir.join("cache"))
}

/// Ready on its first poll: the caller never waits for it.
#[auto_heal]
async fn fetch_index(dir: PathBuf) -> io::Result<Vec<u8>> {
    std::fs::read(dir.join("index"))
}

/// Recovers, awaits an annotated fetch that succeeds, then fails alike on its own.
#[auto_heal]
async fn serve_after_fetching_the_index(dir: PathBuf) -> io::Result<usize> {
    let cache = fetch_optional_cache(dir.clone()).await.unwrap_or_default();
    let index = fetch_index(dir.clone()).await?;
    let manifest = std::fs::read(dir.join("manifest"))?;
    Ok(cache.len() + index.len() + manifest.len())
}

/// Recovers, waits for something unannotated, then fails alike on its own.
#[auto_heal]
async fn serve_after_waiting(dir: PathBuf) -> io::Result<usize> {
    let cache = fetch_optional_cache(dir.clone()).await.unwrap_or_default();
    tokio::task::yield_now().await;
    let manifest = std::fs::read(dir.join("manifest"))?;
    Ok(cache.len() + manifest.len())
}

/// Propagates the callee's failure across threads of the runtime.
#[auto_heal]
async fn serve_from_the_cache(dir: PathBuf) -> anyhow::Result<usize> {
    let cache = fetch_optional_cache(dir)
        .await
        .context("serving from the cache")?;
    Ok(cache.len())
}

fn runtimes() -> [tokio::runtime::Runtime; 2] {
    [
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    ]
}

#[test]
fn async_a_recovered_failure_does_not_colour_a_later_one() {
    let dir = state_dir();
    for runtime in runtimes() {
        for (caller, run) in [
            (
                "recovery::serve_after_fetching_the_index",
                Box::new(|d: PathBuf| runtime.block_on(serve_after_fetching_the_index(d)))
                    as Box<dyn Fn(PathBuf) -> io::Result<usize>>,
            ),
            (
                "recovery::serve_after_waiting",
                Box::new(|d: PathBuf| runtime.block_on(serve_after_waiting(d))),
            ),
        ] {
            let (result, reports) = with_captured_reports(|| run(dir.path().to_path_buf()));
            assert_eq!(result.unwrap_err().to_string(), NOT_FOUND, "{caller}");
            let report = single(reports);
            assert_eq!(report.site.function, caller);
            assert_eq!(report.frames, [caller]);
        }
    }
}

#[test]
fn async_a_propagated_failure_is_still_taken_over() {
    let dir = state_dir();
    for runtime in runtimes() {
        let (result, reports) = with_captured_reports(|| {
            let dir = dir.path().to_path_buf();
            runtime.block_on(async { tokio::spawn(serve_from_the_cache(dir)).await })
        });
        assert!(result.unwrap().is_err());
        let report = single(reports);
        assert_eq!(report.site.function, "recovery::fetch_optional_cache");
        assert_eq!(
            report.frames,
            [
                "recovery::fetch_optional_cache",
                "recovery::serve_from_the_cache"
            ]
        );
        assert_eq!(report.error.chain, [NOT_FOUND]);
    }
}

#[test]
fn many_recover_then_fail_alike_tasks_on_a_multi_thread_runtime() {
    const TASKS: usize = 64;
    let dir = state_dir();
    let [_, runtime] = runtimes();
    let (failures, reports) = with_captured_reports(|| {
        runtime.block_on(async {
            let handles: Vec<_> = (0..TASKS)
                .map(|i| {
                    let dir = dir.path().to_path_buf();
                    tokio::spawn(async move {
                        if i % 2 == 0 {
                            serve_after_waiting(dir).await.is_err()
                        } else {
                            serve_from_the_cache(dir).await.is_err()
                        }
                    })
                })
                .collect();
            let mut failures = 0;
            for handle in handles {
                failures += usize::from(handle.await.unwrap());
            }
            failures
        })
    });
    assert_eq!(failures, TASKS);
    assert_eq!(reports.len(), TASKS, "each failure reported once");
    let at = |site: &str| reports.iter().filter(|r| r.site.function == site).count();
    assert_eq!(at("recovery::serve_after_waiting"), TASKS / 2);
    assert_eq!(at("recovery::fetch_optional_cache"), TASKS / 2);
}
