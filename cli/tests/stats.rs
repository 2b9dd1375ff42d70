//! The local history and `ipfs-kit autoheal stats`: every failure recorded with what became of
//! it, read back per failure, per rule and per day; processes appending at once, a writer
//! killed mid-write, `--since` and `--json`.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use autoheal::history::{EntryKind, History, HistoryEntry, HistoryOutcome};
use common::Sandbox;
use fake_github::{FakeGitHub, Fault};

const TOKEN: &str = "ghp_CliTestTokenValue0123456789abcdefghij";
const DAY_MS: u64 = 86_400_000;

/// Set in a child process of this test binary: append that many entries to the history in
/// `IPFS_KIT_CONFIG_DIR`, then exit.
const WRITER_ENV: &str = "AUTOHEAL_TEST_HISTORY_WRITER";

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn stats_json(sandbox: &Sandbox, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["autoheal", "stats", "--json"];
    args.extend_from_slice(extra);
    sandbox.run(&args).success().json()
}

/// The failure whose title contains `needle`, in `stats --json`.
fn failure_titled<'a>(stats: &'a serde_json::Value, needle: &str) -> &'a serde_json::Value {
    stats["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["title"].as_str().unwrap().contains(needle))
        .unwrap_or_else(|| panic!("no failure titled {needle}: {stats:#}"))
}

#[test]
fn stats_counts_each_failure_with_its_version_outcome_issue_and_rule() {
    let github = FakeGitHub::start();
    let sandbox = Sandbox::reporting_to(github.url(), TOKEN, "acme/tools");
    sandbox.run(&["add", "/nonexistent/pins.txt"]).failure(1);
    // The same bug again, moments later: counted, not sent.
    sandbox.run(&["add", "/nonexistent/pins.txt"]).failure(1);
    sandbox.run(&["autoheal", "test"]).failure(1);

    let stats = stats_json(&sandbox, &[]);
    assert_eq!(stats["total"], 3, "{stats:#}");
    assert_eq!(stats["failures"].as_array().unwrap().len(), 2, "{stats:#}");
    let add = failure_titled(&stats, "/nonexistent/pins.txt");
    assert_eq!(add["count"], 2);
    assert_eq!(
        add["app_versions"],
        serde_json::json!([env!("CARGO_PKG_VERSION")])
    );
    assert_eq!(add["last_outcome"], "throttled");
    assert_eq!(add["issue_url"], "https://github.com/acme/tools/issues/1");
    assert_eq!(add["rule"], "file-not-found");
    assert!(add["first_seen"].as_str().unwrap() <= add["last_seen"].as_str().unwrap());
    let test = failure_titled(&stats, "test failure from `ipfs-kit autoheal test`");
    assert_eq!(test["count"], 1);
    assert_eq!(test["last_outcome"], "reported");
    assert_eq!(test["issue_url"], "https://github.com/acme/tools/issues/2");
    assert_eq!(
        stats["outcomes"],
        serde_json::json!({"reported": 2, "throttled": 1})
    );
    assert_eq!(
        stats["rules"],
        serde_json::json!([{"rule": "file-not-found", "count": 2}, {"rule": null, "count": 1}])
    );
    let daily = stats["daily"].as_array().unwrap();
    assert_eq!(daily.len(), 30);
    assert_eq!(daily[29]["count"], 3, "today is the last day: {daily:?}");

    let text = sandbox.run(&["autoheal", "stats"]).success().stdout.clone();
    assert!(text.starts_with("3 failure(s) of 2 kind(s)."), "{text}");
    assert!(
        text.contains("▁▁▁█  "),
        "the sparkline ends with today's: {text}"
    );
    assert!(
        text.contains("     2×  [auto-heal] io::Error: could not read /nonexistent/pins.txt"),
        "{text}"
    );
    assert!(
        text.contains(
            "last: throttled  https://github.com/acme/tools/issues/1  rule file-not-found"
        ),
        "{text}"
    );
    assert!(text.contains("       2  file-not-found"), "{text}");
}

#[test]
fn a_queued_failure_gets_its_issue_in_stats_once_flush_sends_it() {
    let github = FakeGitHub::start();
    let sandbox = Sandbox::reporting_to(github.url(), TOKEN, "acme/tools");
    github.set_fault(Some(Fault::Down));
    sandbox.run(&["add", "/nonexistent/pins.txt"]).failure(1);
    let queued = stats_json(&sandbox, &[]);
    let failure = failure_titled(&queued, "pins.txt");
    assert_eq!(failure["last_outcome"], "queued");
    assert_eq!(failure["issue_url"], serde_json::Value::Null);

    github.set_fault(None);
    sandbox.run(&["autoheal", "flush"]).success();
    let sent = stats_json(&sandbox, &[]);
    assert_eq!(sent["total"], 1, "sending it later is not another failure");
    let failure = failure_titled(&sent, "pins.txt");
    assert_eq!(failure["count"], 1);
    assert_eq!(failure["last_outcome"], "reported");
    assert_eq!(
        failure["issue_url"],
        "https://github.com/acme/tools/issues/1"
    );
    assert_eq!(sent["outcomes"], serde_json::json!({"queued": 1}));
}

#[test]
fn an_ignored_failure_is_counted_with_nothing_of_its_report_but_the_rule() {
    let github = FakeGitHub::start();
    let sandbox = Sandbox::reporting_to(github.url(), TOKEN, "acme/tools");
    sandbox
        .run(&[
            "autoheal",
            "config",
            "--set",
            "ignore_messages",
            "could not read .*pins",
        ])
        .success();
    sandbox.run(&["add", "/nonexistent/pins.txt"]).failure(1);
    let stats = stats_json(&sandbox, &[]);
    assert_eq!(stats["total"], 1, "{stats:#}");
    assert_eq!(stats["outcomes"], serde_json::json!({"ignored": 1}));
    let failure = &stats["failures"][0];
    assert_eq!(failure["last_outcome"], "ignored");
    assert_eq!(
        failure["title"],
        "(ignored by ignore_messages: could not read .*pins)"
    );
    assert_eq!(failure["rule"], serde_json::Value::Null);
    let history = std::fs::read_to_string(sandbox.config_dir().join("history.jsonl")).unwrap();
    assert!(
        !history.contains("/nonexistent"),
        "nothing of the report: {history}"
    );
    assert!(github.requests().is_empty());
}

#[test]
fn without_failures_stats_says_so_and_json_has_every_field() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["autoheal", "stats"]);
    run.success();
    assert!(
        run.stdout.starts_with("No failures recorded in "),
        "{}",
        run.stdout
    );
    let stats = stats_json(&sandbox, &[]);
    for field in [
        "since",
        "now",
        "total",
        "skipped_lines",
        "failures",
        "rules",
        "outcomes",
        "daily",
    ] {
        assert!(stats.get(field).is_some(), "no {field}: {stats:#}");
    }
    assert_eq!(stats["total"], 0);
    assert_eq!(stats["failures"], serde_json::json!([]));
}

#[test]
fn since_leaves_out_older_failures_and_a_bad_value_says_what_would_do() {
    let sandbox = Sandbox::new().env("IPFS_KIT_AUTO_HEAL", "1");
    // A failure of forty days ago, as an older version recorded it.
    let mut old = HistoryEntry::new(
        now_ms() - 40 * DAY_MS,
        EntryKind::Failure,
        HistoryOutcome::Reported,
    );
    old.fingerprint = "00000000000000000000000000000abc".into();
    old.title = "[auto-heal] io::Error: an old failure in add".into();
    old.app_version = "0.0.9".into();
    History::open(&sandbox.config_dir()).append(&old).unwrap();
    sandbox.run(&["add", "/nonexistent/pins.txt"]).failure(1);

    assert_eq!(stats_json(&sandbox, &[])["total"], 2);
    let recent = stats_json(&sandbox, &["--since", "7d"]);
    assert_eq!(recent["total"], 1, "{recent:#}");
    assert!(
        recent["failures"][0]["title"]
            .as_str()
            .unwrap()
            .contains("pins.txt")
    );
    assert!(recent["since"].as_str().unwrap().ends_with('Z'));
    assert_eq!(stats_json(&sandbox, &["--since", "2000-01-01"])["total"], 2);
    let text = sandbox
        .run(&["autoheal", "stats", "--since", "7d"])
        .success()
        .stdout
        .clone();
    assert!(
        text.starts_with("1 failure(s) of 1 kind(s) since "),
        "{text}"
    );
    assert!(!text.contains("an old failure"), "{text}");

    let bad = sandbox.run(&["autoheal", "stats", "--since", "last tuesday"]);
    bad.failure(2);
    assert!(
        bad.stderr
            .contains("`last tuesday` is neither a duration nor a date")
            && bad.stderr.contains("7d")
            && bad.stderr.contains("2026-11-01"),
        "{}",
        bad.stderr
    );
}

#[test]
fn the_history_settings_are_keys_with_bounds() {
    let sandbox = Sandbox::new();
    let get = sandbox.run(&["autoheal", "config", "--get", "history_max_entries"]);
    assert_eq!(get.success().stdout.trim(), "100000");
    let refused = sandbox.run(&["autoheal", "config", "--set", "history_max_entries", "5"]);
    refused.failure(2);
    assert!(
        refused.stderr.contains("from 100 to 10000000"),
        "{}",
        refused.stderr
    );
    sandbox
        .run(&[
            "autoheal",
            "config",
            "--set",
            "history_max_bytes",
            "1048576",
        ])
        .success();
    let get = sandbox.run(&["autoheal", "config", "--get", "history_max_bytes"]);
    assert_eq!(get.success().stdout.trim(), "1048576");
}

/// In a child process started by the tests below: append entries, then exit.
fn write_as_child_if_asked() -> bool {
    let Ok(spec) = std::env::var(WRITER_ENV) else {
        return false;
    };
    let (writer, count, max_entries) = {
        let mut parts = spec.split(',').map(|p| p.parse::<u64>().unwrap());
        (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        )
    };
    let dir = std::env::var("IPFS_KIT_CONFIG_DIR").unwrap();
    let history =
        History::open(std::path::Path::new(&dir)).with_bounds(max_entries as usize, 1 << 30);
    for n in 0..count {
        let mut entry = HistoryEntry::new(now_ms(), EntryKind::Failure, HistoryOutcome::Queued);
        entry.fingerprint = format!("{writer:032x}");
        entry.title = format!("[auto-heal] failure of writer {writer}");
        entry.trace_id = format!("{writer:08x}{n:024x}");
        entry.app_version = "0.1.0".into();
        history.append(&entry).unwrap();
    }
    true
}

/// `writers` copies of this test binary, each running `test` as a writer of `count` entries.
fn spawn_writers(
    sandbox: &Sandbox,
    test: &str,
    writers: u64,
    count: u64,
    max_entries: u64,
) -> Vec<std::process::Child> {
    let me = std::env::current_exe().unwrap();
    (0..writers)
        .map(|writer| {
            sandbox
                .command_of(&me, &["--exact", test, "--nocapture", "--test-threads=1"])
                .env(WRITER_ENV, format!("{writer},{count},{max_entries}"))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect()
}

#[test]
fn processes_appending_at_once_all_land() {
    if write_as_child_if_asked() {
        return;
    }
    let sandbox = Sandbox::new();
    let children = spawn_writers(
        &sandbox,
        "processes_appending_at_once_all_land",
        6,
        400,
        1_000_000,
    );
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let read = History::open(&sandbox.config_dir()).read().unwrap();
    assert_eq!(read.skipped, 0, "no line torn or interleaved");
    let mut traces: Vec<&str> = read.entries.iter().map(|e| e.trace_id.as_str()).collect();
    traces.sort_unstable();
    traces.dedup();
    assert_eq!(
        traces.len(),
        6 * 400,
        "every entry of every process landed once"
    );

    let stats = stats_json(&sandbox, &[]);
    assert_eq!(stats["total"], 2400);
    let failures = stats["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 6);
    assert!(failures.iter().all(|f| f["count"] == 400), "{failures:#?}");
}

#[test]
fn processes_appending_past_the_bound_leave_a_whole_bounded_history() {
    if write_as_child_if_asked() {
        return;
    }
    let sandbox = Sandbox::new();
    let children = spawn_writers(
        &sandbox,
        "processes_appending_past_the_bound_leave_a_whole_bounded_history",
        4,
        300,
        200,
    );
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let read = History::open(&sandbox.config_dir()).read().unwrap();
    assert_eq!(read.skipped, 0, "compaction never leaves a torn line");
    assert!(
        (100..=200).contains(&read.entries.len()),
        "{} entries kept",
        read.entries.len()
    );
    // Each writer's entries that were kept are its newest, in order.
    for writer in 0..4u64 {
        let prefix = format!("{writer:08x}");
        let numbers: Vec<u64> = read
            .entries
            .iter()
            .filter(|e| e.trace_id.starts_with(&prefix))
            .map(|e| u64::from_str_radix(&e.trace_id[8..], 16).unwrap())
            .collect();
        assert!(
            numbers.windows(2).all(|w| w[1] == w[0] + 1),
            "writer {writer}: {numbers:?}"
        );
        if let Some(last) = numbers.last() {
            assert_eq!(
                *last, 299,
                "writer {writer} kept its newest entries: {numbers:?}"
            );
        }
    }
}

#[test]
fn a_writer_killed_mid_write_loses_at_most_its_last_entry() {
    if write_as_child_if_asked() {
        return;
    }
    let sandbox = Sandbox::new().env("IPFS_KIT_AUTO_HEAL", "1");
    let mut children = spawn_writers(
        &sandbox,
        "a_writer_killed_mid_write_loses_at_most_its_last_entry",
        1,
        1_000_000,
        10_000_000,
    );
    let history = History::open(&sandbox.config_dir());
    // Killed (SIGKILL) once it has written something, wherever it is then.
    let started = std::time::Instant::now();
    while history.read().unwrap().entries.len() < 50 && started.elapsed() < Duration::from_secs(30)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    children[0].kill().unwrap();
    children[0].wait().unwrap();
    let before = history.read().unwrap();
    assert!(before.entries.len() >= 50);
    assert!(
        before.skipped <= 1,
        "at most the record being written: {}",
        before.skipped
    );

    // And a write cut in the middle of a record, as a kill during the write leaves it.
    let last = std::fs::read(history.path()).unwrap();
    let line = HistoryEntry::new(now_ms(), EntryKind::Failure, HistoryOutcome::Queued);
    let mut torn =
        serde_json::to_vec(&serde_json::json!({"v": 1, "time_ms": line.time_ms, "title": "cut"}))
            .unwrap();
    torn.truncate(torn.len() / 2);
    let mut bytes = last;
    bytes.extend_from_slice(&torn);
    std::fs::write(history.path(), &bytes).unwrap();

    // The next failure lands after the torn record, and reads back with everything before it.
    sandbox.run(&["add", "/nonexistent/pins.txt"]).failure(1);
    let stats = stats_json(&sandbox, &[]);
    assert_eq!(
        stats["total"].as_u64().unwrap(),
        before.entries.len() as u64 + 1,
        "{:#}",
        stats["failures"]
    );
    // One line holds what the kill and the cut left, then the new record.
    let skipped = stats["skipped_lines"].as_u64().unwrap();
    assert!(
        (1..=before.skipped as u64 + 1).contains(&skipped),
        "{skipped}"
    );
    assert_eq!(failure_titled(&stats, "pins.txt")["count"], 1);
}
