//! Memory: bytes the log buffer retains at 100 and 10,000 lines of 100 bytes, the serialised
//! size of a typical report (100 log lines, 30 frames) and of its issue, and the peak resident
//! set of `ipfs-kit` failing (reporting one error) against succeeding. Prints a table; no timing.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};

use fake_github::tools::require_tool;

use tracing_subscriber::prelude::*;

/// Counts the bytes live on the heap.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Lines of exactly `len` bytes once formatted: the message is padded to fit.
fn log_lines(count: usize, len: usize) {
    let prefix = "2026-11-25T04:53:09.123Z  INFO memory: ".len();
    let message = "x".repeat(len.saturating_sub(prefix));
    for _ in 0..count {
        tracing::info!("{message}");
    }
}

fn buffer_bytes(lines: usize) -> isize {
    let mut config = autoheal::test::test_config();
    config.max_log_lines = lines;
    drop(autoheal::init_with_sink(
        config,
        autoheal::test::MemorySink::default(),
    ));
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(autoheal::layer()));
    // Warm up the thread's scratch space and fill the buffer once, then measure a refill: what
    // the buffer holds in steady state.
    tracing::dispatcher::with_default(&dispatch, || log_lines(lines, 100));
    let before = live();
    tracing::dispatcher::with_default(&dispatch, || log_lines(lines, 100));
    let steady = live() - before;
    let text: usize = autoheal::recent_log_lines().iter().map(String::len).sum();
    println!(
        "| log buffer, {lines} lines of 100 bytes | {} bytes of text held | {steady:+} bytes allocated by a full refill (steady state) |",
        text
    );
    steady
}

#[inline(never)]
fn deep(depth: usize) -> Result<(), std::io::Error> {
    if depth == 0 {
        return failing();
    }
    let result = deep(black_box(depth - 1));
    black_box(&result);
    result
}

#[autoheal::auto_heal(name = "pin sync")]
fn failing() -> Result<(), std::io::Error> {
    Err(std::io::Error::other("connection refused"))
}

fn typical_report() {
    let mut config = autoheal::test::test_config();
    config.max_log_lines = 100;
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(autoheal::layer()));
    let (_, reports) = tracing::dispatcher::with_default(&dispatch, || {
        autoheal::test::with_captured_reports_using(config, || {
            log_lines(100, 100);
            deep(20)
        })
    });
    let report = &reports[0];
    let compact = serde_json::to_string(report).map(|j| j.len()).unwrap_or(0);
    let pretty = report.to_json_pretty().len();
    let issue = autoheal::issue::render_issue(report);
    println!(
        "| typical report: {} log lines, {} frames ({} in app) | {compact} bytes JSON ({pretty} pretty) | issue body {} characters |",
        report.logs.len(),
        report.backtrace.len(),
        report.backtrace.iter().filter(|f| f.in_app).count(),
        issue.body.chars().count()
    );
}

/// Peak RSS of `ipfs-kit add` succeeding, failing with reporting on (the report queued: no
/// repository is set) and failing with reporting off, each measured by GNU time
/// (`/usr/bin/time -f %M`), with the ratio of failing to succeeding.
///
/// Not by Python's `getrusage(RUSAGE_CHILDREN)`: a child that Python starts with `vfork`
/// shares its memory until `exec`, and the kernel counts that in the child's peak, so every
/// figure read at least Python's own 14 MiB. GNU time forks a small process: its floor is about
/// 1 MiB (`/usr/bin/time -f %M true`).
fn ipfs_kit_peak_rss() {
    let target = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent()?.parent().map(|p| p.to_path_buf()));
    let Some(binary) = target.map(|t| t.join("ipfs-kit")).filter(|b| b.exists()) else {
        println!(
            "| ipfs-kit peak RSS | not measured: build it first (`cargo build --release -p ipfs-kit`) | |"
        );
        return;
    };
    let Some(time) = require_tool("time", "apt-get install time") else {
        println!(
            "| ipfs-kit peak RSS | not measured: GNU time is needed (`apt-get install time`) | |"
        );
        return;
    };
    let home = tempfile::tempdir().expect("a temporary directory");
    let input = home.path().join("pins.txt");
    std::fs::write(&input, "bafy pins\n").expect("a file to add");
    let input = input.display().to_string();
    let run = |args: &[&str], reporting: &str| -> Option<u64> {
        let output = std::process::Command::new(&time)
            .args(["-f", "%M"])
            .arg(&binary)
            .args(args)
            .env("HOME", home.path())
            .env("IPFS_KIT_CONFIG_DIR", home.path())
            .env("IPFS_KIT_AUTO_HEAL", reporting)
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN")
            .output()
            .ok()?;
        let stderr = String::from_utf8(output.stderr).ok()?;
        stderr.lines().last()?.trim().parse().ok()
    };
    let (Some(ok), Some(failing), Some(unreported)) = (
        run(&["add", &input], "true"),
        run(&["add", "/nonexistent/pins.txt"], "true"),
        run(&["add", "/nonexistent/pins.txt"], "false"),
    ) else {
        println!("| ipfs-kit peak RSS | not measured: `time -f %M` failed | |");
        return;
    };
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "| ipfs-kit add succeeding | peak RSS {:.1} MiB | {} |",
        mib(ok),
        binary.display()
    );
    println!(
        "| ipfs-kit add failing, report queued | peak RSS {:.1} MiB | {:.2}x the succeeding run |",
        mib(failing),
        failing as f64 / ok as f64
    );
    println!(
        "| ipfs-kit add failing, reporting off | peak RSS {:.1} MiB | {:.2}x the succeeding run |",
        mib(unreported),
        unreported as f64 / ok as f64
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!("| what | measure | detail |\n| --- | --- | --- |");
    buffer_bytes(100);
    buffer_bytes(10_000);
    typical_report();
    ipfs_kit_peak_rss();
}
