//! The README's demo, run as a user runs it: no token, no network, a report in the local queue
//! and the issue that would be filed printed.

use std::process::Command;

mod common;
use common::example;

#[test]
fn the_demo_captures_queues_and_prints_the_issue_without_a_token() {
    let config_dir = tempfile::tempdir().unwrap();
    let output = Command::new(example("demo_auto_healing"))
        .env("AUTOHEAL_DEMO_CONFIG_DIR", config_dir.path())
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("TRACEPARENT")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "demo failed:\n{stdout}\n{stderr}");

    let trace_id = stdout
        .lines()
        .find_map(|line| line.strip_prefix("trace ID:"))
        .map(str::trim)
        .expect("the demo prints the trace ID");
    assert_eq!(trace_id.len(), 32);
    assert!(
        stdout.contains("syncing pins failed"),
        "the error: {stdout}"
    );
    assert!(
        stdout.contains("could not read the pin list"),
        "the cause chain: {stdout}"
    );
    assert!(
        stdout.contains("No such file or directory"),
        "the root cause: {stdout}"
    );
    assert!(
        stdout.contains("demo_auto_healing::read_pin_list"),
        "the in-app frame: {stdout}"
    );
    assert!(
        stdout.contains("starting pin sync"),
        "the log lines: {stdout}"
    );
    assert!(stdout.contains("[auto-heal]"), "the issue title: {stdout}");

    // The reports, not the queue's hidden index of them.
    let queue: Vec<_> = std::fs::read_dir(config_dir.path().join("queue"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert_eq!(queue.len(), 1, "exactly one report queued: {queue:?}");
    let queued = std::fs::read_to_string(&queue[0]).unwrap();
    assert!(queued.contains(trace_id));
}
