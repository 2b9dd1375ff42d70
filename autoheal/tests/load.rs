//! Load: eight processes of one machine, a hundred failures each, all at once, against the fake
//! GitHub with a search index that lags a minute behind.
//!
//! Half the failures of every process are one shared bug, half are bugs of their own. The
//! processes share one configuration directory (one `known_issues.json`, one queue), as the
//! programs of one user do. Afterwards:
//!
//! - every bug that reached GitHub has exactly one issue, none closed as a duplicate;
//! - every occurrence is counted, exactly once: an occurrence is *counted* when it is the
//!   occurrence that filed its bug's issue (1), or is part of a recurrence comment ("once
//!   more" = 1, "N more times" = N), or is held in `known_issues.json` as `pending` (counted
//!   within the throttle window, to be folded into the next comment), or still waits in the
//!   queue as a report file. The sum over all bugs equals the failures;
//! - GitHub received no more requests than the throttle and the flood guard allow: filing a
//!   new bug costs 3 requests (search, create, the twin check of the list) and at most
//!   `max_new_issues_per_hour` are filed; a recurrence comment costs 2 (read the issue,
//!   comment) and comes at most once per bug per `throttle_secs`; an occurrence within the
//!   window, or of a new bug once the flood guard is spent, costs none. So
//!   `requests <= 3 * max_new + 2 * bugs * floor(duration / throttle_secs)`.
//!
//! Then the flood guard is raised by 20 and one flush files 20 of the bugs that waited, holding
//! the rest back without a request: one issue per bug, the count still exact. The queue may
//! also hold reports of bugs filed meanwhile (a process that waited too long for the reporting
//! lock queues its report, whatever the bug): the flush counts those within the throttle window
//! and they leave the queue, so the checks count the queued reports of bugs not yet filed
//! apart from them. One report of the shared bug is queued before the flush, so that case is
//! met on every run.
//!
//! The processes are this test binary run again with `--ignored --exact child_process`: the
//! child fails its hundred times inside `#[auto_heal]` functions, through the real GitHub sink.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use autoheal::config::Token;
use autoheal::{App, Config, Outcome};
use fake_github::FakeGitHub;
use fake_github::names::letters;

const REPO: &str = "acme/tools";
const TOKEN: &str = "ghp_LoadTestToken0123456789abcdefghijklmno";
const PROCESSES: usize = 8;
const FAILURES_PER_PROCESS: usize = 100;
/// New issues this machine may file per hour during the load (the flood guard).
const MAX_NEW_DURING_LOAD: u32 = 40;
/// A hang guard for the whole load, not a benchmark.
const GUARD: Duration = Duration::from_secs(600);

const CHILD_DIR: &str = "AUTOHEAL_LOAD_CHILD_DIR";
const CHILD_API: &str = "AUTOHEAL_LOAD_CHILD_API";
const CHILD_INDEX: &str = "AUTOHEAL_LOAD_CHILD_INDEX";

#[autoheal::auto_heal(name = "sync the shared pin store")]
fn shared_failure() -> Result<(), std::io::Error> {
    Err(std::io::Error::other(
        "the shared pin store is locked by another writer",
    ))
}

#[autoheal::auto_heal(name = "fetch a block")]
fn distinct_failure(name: &str) -> Result<(), std::io::Error> {
    Err(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("block {name} was not found on any peer"),
    ))
}

fn config(dir: &Path, api: &str, max_new: u32) -> Config {
    let mut config = Config::for_app(App::new("loadtest", "AUTOHEAL_LOADTEST_", "1.0.0"));
    config.enabled = true;
    config.config_dir = dir.to_path_buf();
    config.github_repo = Some(REPO.to_string());
    config.github_token = Some(Token::new(TOKEN));
    config.api_url = api.to_string();
    config.max_new_issues_per_hour = max_new;
    config.queue_max_reports = 100_000;
    config.queue_max_bytes = u64::MAX;
    config
}

/// One of the eight processes (run by the load test; alone it does nothing).
#[test]
#[ignore = "a child process of the load test"]
fn child_process() {
    let (Ok(dir), Ok(api), Ok(index)) = (
        std::env::var(CHILD_DIR),
        std::env::var(CHILD_API),
        std::env::var(CHILD_INDEX),
    ) else {
        return;
    };
    let index: usize = index.parse().unwrap();
    let _guard = autoheal::init(config(Path::new(&dir), &api, MAX_NEW_DURING_LOAD));
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    for i in 0..FAILURES_PER_PROCESS {
        let result = if i % 2 == 0 {
            shared_failure()
        } else {
            distinct_failure(&letters(index * FAILURES_PER_PROCESS + i))
        };
        assert!(result.is_err(), "the function's own result is unchanged");
        // The worker sends it: the outcome is known once it is done.
        assert!(autoheal::flush(std::time::Duration::from_secs(120)));
        let outcome = autoheal::last_delivery().map(|d| d.outcome);
        let kind = match outcome {
            Some(Outcome::Reported { .. }) => "reported",
            Some(Outcome::Recurred { .. }) => "recurred",
            Some(Outcome::Throttled) => "throttled",
            Some(Outcome::Queued { reason, .. }) if reason.contains("max_new_issues") => {
                "queued_flood_guard"
            }
            Some(Outcome::Queued { reason, .. }) if reason.contains("another process") => {
                "queued_busy"
            }
            Some(Outcome::Queued { .. }) => "queued_other",
            _ => "lost",
        };
        *tally.entry(kind).or_default() += 1;
    }
    println!("TALLY {}", serde_json::to_string(&tally).unwrap());
}

/// The fingerprint in an issue body's marker.
fn fingerprint_of(body: &str) -> String {
    body.split("autoheal:fingerprint=")
        .nth(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_hexdigit).collect())
        .unwrap_or_default()
}

/// Occurrences a recurrence comment stands for (0 for other comments).
fn occurrences_in_comment(comment: &str) -> u64 {
    if !comment.starts_with("This failure happened again") {
        return 0;
    }
    if comment.contains("once more") {
        return 1;
    }
    comment
        .split("— ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Counted occurrences per fingerprint, from GitHub and from the machine's cache; also the
/// number of issues per fingerprint.
fn counted(github: &FakeGitHub, dir: &Path) -> (BTreeMap<String, u64>, BTreeMap<String, usize>) {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut issues_per_bug: BTreeMap<String, usize> = BTreeMap::new();
    for issue in github.issues(REPO) {
        let fingerprint = fingerprint_of(&issue.body);
        *issues_per_bug.entry(fingerprint.clone()).or_default() += 1;
        let comments: u64 = issue
            .comments
            .iter()
            .map(|c| occurrences_in_comment(c))
            .sum();
        *counts.entry(fingerprint).or_default() += 1 + comments;
    }
    let cache: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("known_issues.json")).unwrap())
            .unwrap();
    for (fingerprint, entry) in cache["issues"].as_object().unwrap() {
        *counts.entry(fingerprint.clone()).or_default() += entry["pending"].as_u64().unwrap();
    }
    (counts, issues_per_bug)
}

/// The failures the queued reports stand for (a report counts those of its bug that were
/// added to it while it waited).
fn queued_reports(dir: &Path) -> usize {
    let queue = autoheal::Queue::open(dir.join("queue"));
    queue.entries().iter().map(|e| e.occurrences as usize).sum()
}

/// The bugs of the queued reports, with how many reports each.
fn queued_bugs(dir: &Path) -> BTreeMap<String, usize> {
    let queue = autoheal::Queue::open(dir.join("queue"));
    let mut bugs: BTreeMap<String, usize> = BTreeMap::new();
    for path in queue.files() {
        let report = queue.read(&path).unwrap();
        *bugs.entry(report.fingerprint).or_default() += 1;
    }
    bugs
}

/// The bugs this machine knows an issue for (its `known_issues.json`).
fn filed_bugs(dir: &Path) -> BTreeSet<String> {
    let cache: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("known_issues.json")).unwrap())
            .unwrap();
    cache["issues"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[test]
fn eight_processes_failing_a_hundred_times_each_file_one_issue_per_bug_and_count_every_occurrence()
{
    let github = FakeGitHub::start();
    github.set_search_lag(Duration::from_secs(60));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config");
    let started = Instant::now();
    let children: Vec<_> = (0..PROCESSES)
        .map(|index| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--ignored", "--exact", "child_process", "--nocapture"])
                .env(CHILD_DIR, &dir)
                .env(CHILD_API, github.url())
                .env(CHILD_INDEX, index.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watched = std::sync::Arc::clone(&done);
    std::thread::spawn(move || {
        std::thread::sleep(GUARD);
        if !watched.load(std::sync::atomic::Ordering::SeqCst) {
            eprintln!("load: the processes did not finish within {GUARD:?}: a deadlock or a hang");
            std::process::exit(101);
        }
    });
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "a child failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("TALLY "))
            .unwrap_or_else(|| panic!("no tally in:\n{stdout}"));
        let counts: BTreeMap<String, usize> = serde_json::from_str(line).unwrap();
        for (kind, n) in counts {
            *tally.entry(kind).or_default() += n;
        }
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let duration = started.elapsed();
    let failures = (PROCESSES * FAILURES_PER_PROCESS) as u64;
    let bugs = 1 + PROCESSES * FAILURES_PER_PROCESS / 2;

    // Every occurrence is counted exactly once.
    let (counts, issues_per_bug) = counted(&github, &dir);
    let queued = queued_reports(&dir) as u64;
    let on_github_and_pending: u64 = counts.values().sum();
    println!(
        "load: {PROCESSES} processes x {FAILURES_PER_PROCESS} failures in {:.1}s; outcomes {tally:?}",
        duration.as_secs_f64()
    );
    println!(
        "load: {} issues, {on_github_and_pending} occurrences counted on GitHub and in the cache, {queued} queued",
        issues_per_bug.len()
    );
    assert_eq!(tally.get("lost"), None, "every failure got an outcome");
    assert_eq!(
        on_github_and_pending + queued,
        failures,
        "every occurrence counted once: {counts:?}"
    );
    assert!(
        issues_per_bug.values().all(|n| *n == 1),
        "one issue per bug: {issues_per_bug:?}"
    );

    // Requests within the throttle and flood-guard bounds.
    let requests = github.requests();
    let created = requests
        .iter()
        .filter(|r| r.method == "POST" && r.path == format!("/repos/{REPO}/issues"))
        .count();
    let throttle_windows = duration.as_secs() / config(&dir, github.url(), 0).throttle_secs.max(1);
    let bound = 3 * MAX_NEW_DURING_LOAD as u64 + 2 * bugs as u64 * throttle_windows;
    println!(
        "load: {} requests to GitHub (bound {bound}), {created} issues created (flood guard {MAX_NEW_DURING_LOAD})",
        requests.len()
    );
    assert!(created <= MAX_NEW_DURING_LOAD as usize);
    assert!(
        requests.len() as u64 <= bound,
        "{} requests, over the bound {bound}",
        requests.len()
    );
    assert!(
        issues_per_bug.len() == created,
        "every issue filed was kept open, none closed as a duplicate"
    );
    assert!(
        created >= 1 && queued > 0,
        "the load reached the flood guard"
    );

    // The flood guard raised by 20: one flush files 20 of the bugs that waited, and holds the
    // rest back without a request (each waits for its own hour) while it goes on. Reports of
    // bugs filed meanwhile are counted within the throttle window and leave the queue.
    let filed_before = filed_bugs(&dir);
    // One such report for certain, as a process that waited too long for the lock leaves it:
    // the shared bug's report, read back from its issue, as another occurrence.
    let shared_issue = github
        .issues(REPO)
        .into_iter()
        .find(|issue| issue.body.contains("the shared pin store is locked"))
        .expect("the shared bug was filed");
    let mut late = autoheal::fix::parse_issue_body(&shared_issue.body)
        .unwrap()
        .report;
    late.trace_id = "1a7e0ccc0ffee0000000000000000001".to_string();
    assert!(filed_before.contains(&late.fingerprint));
    autoheal::Queue::open(dir.join("queue"))
        .push(&late)
        .unwrap();
    let queued = queued + 1;
    let occurrences = failures + 1;
    let (waiting_new, waiting_filed): (BTreeMap<String, usize>, BTreeMap<String, usize>) =
        queued_bugs(&dir)
            .into_iter()
            .partition(|(bug, _)| !filed_before.contains(bug));
    let reports_of_filed: usize = waiting_filed.values().sum();
    assert!(reports_of_filed >= 1);
    println!(
        "flush: {queued} queued: {} reports of {} bugs not yet filed, {reports_of_filed} of bugs filed",
        waiting_new.values().sum::<usize>(),
        waiting_new.len()
    );
    assert!(
        waiting_new.len() > 20,
        "more bugs wait than the raised guard lets through"
    );
    github.clear_requests();
    let raised = MAX_NEW_DURING_LOAD + 20;
    let flushed = autoheal::github::flush(&config(&dir, github.url(), raised), |_, _| {}).unwrap();
    let (counts, issues_per_bug) = counted(&github, &dir);
    let still_queued = queued_reports(&dir);
    let newly_filed: BTreeSet<String> = filed_bugs(&dir)
        .difference(&filed_before)
        .cloned()
        .collect();
    println!(
        "flush: {} new issues, {} recurrences, {} counted; {} requests; {} issues for {bugs} bugs, {still_queued} queued",
        flushed.reported.len(),
        flushed.recurred.len(),
        flushed.throttled,
        github.request_count(),
        issues_per_bug.len(),
    );
    assert!(
        matches!(
            flushed.stopped,
            Some(autoheal::github::GitHubError::FloodGuard(_))
        ),
        "{:?}",
        flushed.stopped
    );
    assert_eq!(flushed.reported.len(), 20);
    assert_eq!(newly_filed.len(), 20, "20 bugs filed: {newly_filed:?}");
    assert!(
        newly_filed.iter().all(|bug| waiting_new.contains_key(bug)),
        "only bugs that waited were filed"
    );
    let held_back: usize = waiting_new
        .iter()
        .filter(|(bug, _)| !newly_filed.contains(*bug))
        .map(|(_, reports)| reports)
        .sum();
    assert_eq!(
        still_queued, held_back,
        "the reports of the bugs held back wait, every other report left the queue"
    );
    assert_eq!(
        flushed.throttled + flushed.recurred.len(),
        queued as usize - still_queued - 20,
        "every report that left the queue without filing was counted as an occurrence"
    );
    assert!(
        issues_per_bug.values().all(|n| *n == 1),
        "{issues_per_bug:?}"
    );
    assert_eq!(
        counts.values().sum::<u64>() + still_queued as u64,
        occurrences
    );
    assert_eq!(
        github.request_count(),
        3 * 20 + 2 * flushed.recurred.len(),
        "3 requests per new issue, 2 per recurrence comment, none for the rest"
    );
}
