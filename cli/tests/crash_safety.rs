//! kill -9 at seeded random moments while ipfs-kit captures a failure, writes its report to the
//! queue, sends it, and flushes the queue: at least 200 kills in one run.
//!
//! Afterwards every queued report is whole; every report ever seen in the queue, and every
//! report a finished run announced, is on GitHub; each bug has one issue (none filed twice, none
//! closed as a duplicate); no temporary file is left once the next run has been; and the next
//! run starts cleanly (`status` works, `flush` delivers the rest).
//!
//! Delivery is exactly once, and the test checks it (no trace ID twice on GitHub): every step
//! that talks to GitHub is marked in `known_issues.json` before it goes out and recorded after,
//! all under the machine's reporting lock. A run that finds a mark of a process that died asks
//! GitHub what arrived before sending again: the list of open issues (which, unlike search,
//! does not lag) for an issue being filed, the issue's comments for a comment being posted. A
//! report already recorded as delivered is removed from the queue without being sent.
//!
//! The duplicate check reads every trace ID on GitHub, not only those the test saw: each issue
//! body and comment holds one, and no trace ID may be in two of them.
//!
//! `AUTOHEAL_CRASH_KILLS` sets the number of kills (default 200), `AUTOHEAL_CRASH_SEED` the
//! seed (default: from the clock; printed either way). The seed fixes the sequence of runs:
//! each run's kind, its bug and where in its kill window the kill comes (a fraction of the
//! window). It cannot fix the moment in milliseconds (the window follows the measured run
//! times) nor where in the program that moment lands, which depends on the machine's speed
//! and load at that instant: replaying a seed replays the same runs and delays, not the same
//! interrupted instructions.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use common::Sandbox;
use fake_github::{FakeGitHub, Fault};

const REPO: &str = "acme/tools";

/// Names without digits: digits are masked in fingerprints, so bug-1 and bug-2 would be one bug.
const NAMES: [&str; 8] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
];

/// xorshift64*: reproducible choices and delays from a seed.
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, max: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % max.max(1)
    }
}

/// The recent run times of one kind of run, for its kill window.
#[derive(Default)]
struct RunTimes(VecDeque<Duration>);

impl RunTimes {
    /// Runs remembered: the window follows the machine as its load changes.
    const KEPT: usize = 25;

    fn record(&mut self, took: Duration) {
        self.0.push_back(took);
        if self.0.len() > Self::KEPT {
            self.0.pop_front();
        }
    }

    /// From start-up to a little past the 90th percentile of the recent runs: every step, to
    /// the last file write, gets its kills, and one slow outlier does not widen the window.
    fn kill_window(&self) -> Duration {
        let mut sorted: Vec<Duration> = self.0.iter().copied().collect();
        sorted.sort();
        let p90 = sorted
            .get((sorted.len() * 9 / 10).min(sorted.len().saturating_sub(1)))
            .copied()
            .unwrap_or(Duration::from_millis(500));
        p90 * 5 / 4
    }
}

/// Every 32-hex-digit word of `text` (trace IDs and fingerprints), once each.
fn hex_ids(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| word.len() == 32 && word.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
        .collect()
}

/// The fingerprint in an issue body's marker.
fn fingerprint_of(body: &str) -> Option<String> {
    let rest = body.split("autoheal:fingerprint=").nth(1)?;
    Some(rest.chars().take_while(char::is_ascii_hexdigit).collect())
}

/// A hang guard, not a benchmark: a run takes well under a second, so this much per kill is
/// reached only when runs hang or nearly all finish before their kill.
const GUARD_PER_KILL: Duration = Duration::from_secs(3);

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The trace IDs of the queued reports; panics on a report that is not whole.
fn queued_trace_ids(sandbox: &Sandbox) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(sandbox.config_dir().join("queue")) else {
        return Vec::new();
    };
    let mut ids = Vec::new();
    for path in entries.map(|e| e.unwrap().path()) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') || !name.ends_with(".json") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // delivered and removed between the listing and the read
        };
        let report: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{name} is not a whole report: {e}\n{text}"));
        let id = report["trace_id"].as_str().unwrap_or_default().to_string();
        assert_eq!(id.len(), 32, "{name}");
        ids.push(id);
    }
    ids
}

/// What the process does when it is killed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// `add` with GitHub up: capture, queue write, lock, search/comment/create.
    Report,
    /// `add` with GitHub refusing connections: capture, queue write, failure recorded.
    Queue,
    /// `autoheal flush` with GitHub up.
    Flush,
}

#[test]
fn two_hundred_kills_during_capture_queue_write_and_flush_lose_nothing_and_file_nothing_twice() {
    let kills_wanted = setting("AUTOHEAL_CRASH_KILLS", 200);
    let seed = setting(
        "AUTOHEAL_CRASH_SEED",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
            | 1,
    );
    println!(
        "crash safety: seed {seed} (AUTOHEAL_CRASH_SEED={seed} replays it), {kills_wanted} kills"
    );
    let mut rng = Seeded(seed);

    let github = FakeGitHub::start();
    github.set_search_lag(Duration::from_secs(60));
    let sandbox = Sandbox::reporting_to(
        github.url(),
        "ghp_CrashTestToken0123456789abcdefghijklmn",
        REPO,
    );
    // Every occurrence becomes a comment carrying its trace ID (no throttle), no backtrace to
    // resolve (the kills land in the I/O, not in symbol lookup), no flood guard in the way.
    for (key, value) in [
        ("throttle_secs", "0"),
        ("include_stack_trace", "false"),
        ("max_new_issues_per_hour", "1000"),
        ("timeout_secs", "2"),
    ] {
        sandbox
            .run(&["autoheal", "config", "--set", key, value])
            .success();
    }

    // How long each kind of run takes, measured first on runs left alone (three of each),
    // then on every run that finished before its kill.
    let mut run_times: BTreeMap<Phase, RunTimes> = BTreeMap::new();
    for _ in 0..3 {
        for (phase, args, fault) in [
            (
                Phase::Queue,
                vec!["add", "/nonexistent/alpha"],
                Some(Fault::Down),
            ),
            (Phase::Flush, vec!["autoheal", "flush"], None),
            (Phase::Report, vec!["add", "/nonexistent/alpha"], None),
        ] {
            github.set_fault(fault);
            let started = Instant::now();
            sandbox.run(&args);
            run_times
                .entry(phase)
                .or_default()
                .record(started.elapsed());
        }
    }

    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut kills: BTreeMap<Phase, u64> = BTreeMap::new();
    let mut finished_runs = 0;
    let mut launched_adds = 0;
    let mut runs = 0;
    let guard = GUARD_PER_KILL * u32::try_from(kills_wanted).unwrap_or(u32::MAX);
    let loop_started = Instant::now();
    while kills.values().sum::<u64>() < kills_wanted {
        assert!(
            loop_started.elapsed() < guard,
            "hang guard: {} of {kills_wanted} kills after {runs} runs and {:?}; the runs hang, or finish before their kill",
            kills.values().sum::<u64>(),
            loop_started.elapsed()
        );
        runs += 1;
        let phase = match rng.below(3) {
            0 => Phase::Report,
            1 => Phase::Queue,
            _ => Phase::Flush,
        };
        github.set_fault(if phase == Phase::Queue {
            Some(Fault::Down)
        } else {
            None
        });
        let name = NAMES[rng.below(NAMES.len() as u64) as usize];
        // Where in the kill window the kill comes, in thousandths: seeded, whatever the timing.
        let position = rng.below(1000);
        let path = format!("/nonexistent/{name}");
        let args: Vec<&str> = match phase {
            Phase::Flush => vec!["autoheal", "flush"],
            _ => {
                launched_adds += 1;
                vec!["add", &path]
            }
        };
        let mut child = sandbox
            .command(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let window = run_times[&phase].kill_window();
        let delay = window * u32::try_from(position).unwrap() / 1000;
        let killed = loop {
            if child.try_wait().unwrap().is_some() {
                break false;
            }
            if started.elapsed() >= delay {
                child.kill().unwrap(); // SIGKILL
                break true;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        if killed {
            *kills.entry(phase).or_default() += 1;
        } else {
            finished_runs += 1;
            run_times
                .entry(phase)
                .or_default()
                .record(started.elapsed());
        }
        let output = child.wait_with_output().unwrap();
        // A run that finished announced its report: it must reach GitHub too.
        let stderr = String::from_utf8_lossy(&output.stderr);
        for line in stderr.lines() {
            if let Some(id) = line.trim().strip_prefix("Trace ID: ") {
                seen.insert(id.to_string());
            }
        }
        seen.extend(queued_trace_ids(&sandbox));
    }

    // The next run starts cleanly: status works, flush delivers everything left.
    github.set_fault(None);
    sandbox.run(&["autoheal", "status"]).success();
    let flushed = sandbox.run(&["autoheal", "flush"]);
    flushed.success();
    assert!(queued_trace_ids(&sandbox).is_empty(), "{}", flushed.stdout);
    let config_dir = sandbox.config_dir();
    let leftovers: Vec<_> = sandbox
        .all_files()
        .into_iter()
        .map(|(path, _)| path)
        .filter(|p| p.starts_with(&config_dir))
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".tmp") || name.ends_with(".unreadable")
        })
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");

    // Nothing lost, nothing twice: every trace ID on GitHub, seen by the test or not, is in
    // one issue body or one comment. Each of those holds its report's, and the trace IDs of
    // the failures of its bug added to it while it waited in the queue (besides the bug's
    // fingerprint, in the body).
    let issues = github.issues(REPO);
    let fingerprints: BTreeSet<String> = issues
        .iter()
        .filter_map(|i| fingerprint_of(&i.body))
        .collect();
    let mut on_github: BTreeMap<String, u64> = BTreeMap::new();
    for issue in &issues {
        for text in std::iter::once(&issue.body).chain(&issue.comments) {
            let ids: Vec<String> = hex_ids(text)
                .into_iter()
                .filter(|id| !fingerprints.contains(id))
                .collect();
            // One report's, and those of the failures added to it while it waited.
            assert!(
                !ids.is_empty(),
                "a trace ID in each body and comment of #{}\n{text}",
                issue.number
            );
            for id in ids {
                *on_github.entry(id).or_default() += 1;
            }
        }
    }
    let lost: Vec<_> = seen
        .iter()
        .filter(|id| !on_github.contains_key(*id))
        .collect();
    let twice: Vec<_> = on_github.iter().filter(|(_, n)| **n > 1).collect();
    let total_kills: u64 = kills.values().sum();
    let closed = issues.iter().filter(|i| i.state != "open").count();
    let windows: BTreeMap<Phase, Duration> = run_times
        .iter()
        .map(|(phase, times)| (*phase, times.kill_window()))
        .collect();
    println!(
        "crash safety: {runs} runs ({launched_adds} failing commands, {finished_runs} finished), kills by phase {kills:?}, last kill windows {windows:?}; {} reports seen, {} trace IDs on GitHub, {} lost, {} twice; {} issues ({closed} closed), {} comments, {} requests",
        seen.len(),
        on_github.len(),
        lost.len(),
        twice.len(),
        issues.len(),
        issues.iter().map(|i| i.comments.len()).sum::<usize>(),
        github.request_count()
    );
    if !twice.is_empty() {
        print_where_they_went(&github, &issues, twice.iter().map(|(id, _)| id.as_str()));
    }
    assert!(lost.is_empty(), "reports lost: {lost:?}");
    assert!(
        twice.is_empty(),
        "every report on GitHub once, after {total_kills} kills; twice: {twice:?}"
    );
    assert_eq!(
        closed, 0,
        "no issue was filed twice and closed as a duplicate"
    );
    for name in NAMES {
        let path = format!("/nonexistent/{name}");
        let filed = issues.iter().filter(|i| i.title.contains(&path)).count();
        assert!(filed <= 1, "{path}: {filed} issues");
    }
    assert!(
        issues.len() <= NAMES.len() && !issues.is_empty(),
        "{:#?}",
        issues.iter().map(|i| &i.title).collect::<Vec<_>>()
    );
}

/// For a failure: where each trace ID sent twice is on GitHub, and every request that carried
/// it, in order, so that the interleaving of the kills and the requests can be read back.
fn print_where_they_went<'a>(
    github: &FakeGitHub,
    issues: &[fake_github::IssueSnapshot],
    trace_ids: impl Iterator<Item = &'a str>,
) {
    let requests = github.requests();
    for trace_id in trace_ids {
        println!("== {trace_id}");
        for issue in issues {
            if issue.body.contains(trace_id) {
                println!("  body of #{}", issue.number);
            }
            for (index, comment) in issue.comments.iter().enumerate() {
                if comment.contains(trace_id) {
                    println!("  comment {index} of #{}", issue.number);
                }
            }
        }
        let carrying: Vec<usize> = (0..requests.len())
            .filter(|&i| {
                requests[i].body.contains(trace_id) || requests[i].query.contains(trace_id)
            })
            .collect();
        let (Some(first), Some(last)) = (carrying.first(), carrying.last()) else {
            continue;
        };
        for (index, request) in requests
            .iter()
            .enumerate()
            .take(last + 2)
            .skip(first.saturating_sub(3))
        {
            let mark = if carrying.contains(&index) { "*" } else { " " };
            println!(
                "  {mark} request {index}: {} {}?{}",
                request.method, request.path, request.query
            );
        }
    }
}
