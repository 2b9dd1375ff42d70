//! The fault table: every way GitHub can fail, one row each, through the `ipfs-kit` binary.
//! The rows live in `common/fault_rows.rs`, shared with the secret scan.
//!
//! For each row: the failing command's own error message and exit code are unchanged; the
//! process exits within its time bound (a guard kills it and fails the row if it had to); the
//! requests GitHub received stay within the row's documented bound, each bounded by
//! `timeout_secs` (a proof of the time bound that does not time anything); the report is
//! delivered exactly once or waits in the queue (counted on the fake: issues + comments), and
//! when GitHub filed the issue but its answer was lost, the issue is there and the report
//! waits; the notice tells the user what to do; and once the fault is cleared, one
//! `ipfs-kit autoheal flush` (within the bound of a filing) leaves exactly one open issue, no
//! comment (one, for a row whose bug's issue was filed before its failing run) and an empty
//! queue.

mod common;
#[path = "common/fault_rows.rs"]
mod fault_rows;

use std::io::Read as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Run, Sandbox};
use fake_github::FakeGitHub;
use fault_rows::{Expect, FaultRow, bound, fault_rows};

const TOKEN: &str = "ghp_FaultTableToken0123456789abcdefghijkl";
const REPO: &str = "acme/tools";

/// The configured `timeout_secs` of every row.
const TIMEOUT_SECS: u64 = 1;

/// A hang guard, not a benchmark: far above what the timeout allows (a few requests of at
/// most `TIMEOUT_SECS` each), so only a process that ignores its bound reaches it.
const GUARD: Duration = Duration::from_secs(30);

/// Run `ipfs-kit` with `args`; kill it after [`GUARD`]. Returns the run, how long it took, and
/// whether the guard had to kill it.
fn run_guarded(sandbox: &Sandbox, args: &[&str]) -> (Run, Duration, bool) {
    let started = Instant::now();
    let mut child = sandbox
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stdout.read_to_end(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        text
    });
    let mut killed = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > GUARD {
            let _ = child.kill();
            killed = true;
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let run = Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    };
    (run, elapsed, killed)
}

/// Issues and comments on the fake: what GitHub was given.
fn posts_on_github(github: &FakeGitHub) -> (usize, usize) {
    let issues = github.issues(REPO);
    let comments = issues.iter().map(|i| i.comments.len()).sum();
    (issues.len(), comments)
}

/// One row, start to end. `Err` says what went wrong; `Ok` is the row of the printed table.
fn check_row(row: &FaultRow) -> Result<String, String> {
    let name = row.name;
    let github = FakeGitHub::start();
    let sandbox = Sandbox::reporting_to(github.url(), TOKEN, REPO);
    sandbox
        .run(&[
            "autoheal",
            "config",
            "--set",
            "timeout_secs",
            &TIMEOUT_SECS.to_string(),
        ])
        .success();
    if row.issue_before {
        sandbox
            .run(&["autoheal", "config", "--set", "throttle_secs", "0"])
            .success();
        let (filed, _, _) = run_guarded(&sandbox, &["add", "/nonexistent/pins.txt"]);
        if !filed.stderr.contains("has been automatically reported") {
            return Err(format!(
                "{name}: the bug's issue could not be filed first\nstderr:\n{}",
                filed.stderr
            ));
        }
    }
    github.set_fault(row.rule.clone());

    let before = github.request_count();
    let (run, elapsed, killed) = run_guarded(&sandbox, &["add", "/nonexistent/pins.txt"]);
    let requests = github.requests();
    let sent = requests.len() - before;
    let creates = requests[before..]
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    let fail = |what: &str| Err(format!("{name}: {what}\nstderr:\n{}", run.stderr));
    if killed {
        return fail(&format!(
            "still running after {GUARD:?}; the guard killed it"
        ));
    }
    if run.code != Some(1) {
        return fail(&format!("exit code {:?}, expected 1", run.code));
    }
    if !run
        .stderr
        .starts_with("error: could not read /nonexistent/pins.txt")
    {
        return fail("the command's own error is not the first thing said");
    }
    if !run.stderr.contains(row.advice) {
        return fail(&format!("expected the advice {:?}", row.advice));
    }
    if row.rule.method.as_deref() == Some("POST") && creates == 0 {
        return fail("no create was sent: the fault on writes was never met");
    }
    // Each request is bounded by timeout_secs: a bound on the requests bounds the time.
    if sent > row.max_requests {
        return fail(&format!(
            "{sent} requests to GitHub, over the bound of {}",
            row.max_requests
        ));
    }
    let (issues, comments) = posts_on_github(&github);
    let queued = sandbox.queue_length();
    // With the bug's issue filed before, a delivery is a comment on it.
    let before_issue = usize::from(row.issue_before);
    let expected = match row.expect {
        Expect::Delivered => (1, before_issue, 0),
        Expect::Queued | Expect::Refused => (before_issue, 0, 1),
        Expect::FiledAnswerLost => (1, 0, 1),
    };
    if (issues, comments, queued) != expected {
        return fail(&format!(
            "expected {expected:?} (issues, comments, queued), got {issues} issue(s), {comments} comment(s), {queued} queued"
        ));
    }
    if row.expect == Expect::Refused {
        if !run.stderr.contains("is not sent again") {
            return fail("the notice does not say the refused report is not sent again");
        }
    } else if row.expect.queued() && !run.stderr.contains("`ipfs-kit autoheal flush` sends it") {
        return fail("the notice does not say how to send the queued report");
    }

    // The fault is cleared (and a rate limit's window over): one flush delivers it once, and
    // an issue GitHub filed while its answer was lost is found, not filed again.
    github.set_fault(None);
    std::thread::sleep(row.wait_before_flush());
    let before_flush = github.request_count();
    let (flushed, _, killed) = run_guarded(&sandbox, &["autoheal", "flush"]);
    let flush_sent = github.request_count() - before_flush;
    if killed || flushed.code != Some(0) {
        return Err(format!(
            "{name}: the flush after the fault failed (killed: {killed})\nstdout:\n{}\nstderr:\n{}",
            flushed.stdout, flushed.stderr
        ));
    }
    let (issues, comments) = posts_on_github(&github);
    let queued = sandbox.queue_length();
    let open = github.open_issue_count(REPO);
    if row.expect == Expect::Refused {
        // Sending it again would be refused again: the flush leaves it, marked, and says so.
        if (issues, comments, queued, flush_sent) != (0, 0, 1, 0)
            || !flushed.stderr.contains("GitHub refused")
        {
            return Err(format!(
                "{name}: after the flush {issues} issue(s), {comments} comment(s), {queued} queued, {flush_sent} requests; expected the refused report kept and not sent\nflush said:\n{}{}",
                flushed.stdout, flushed.stderr
            ));
        }
        return Ok(format!(
            "{name:<46} exit 1 in {:>5.2}s, {sent}/{} requests, {:<13}  flush: 0 requests, kept, marked",
            elapsed.as_secs_f64(),
            row.max_requests,
            row.expect.label(),
        ));
    }
    if (issues, open, comments, queued) != (1, 1, before_issue, 0) {
        return Err(format!(
            "{name}: after the flush {issues} issue(s) ({open} open), {comments} comment(s), {queued} queued; expected exactly one open issue\nflush said:\n{}",
            flushed.stdout
        ));
    }
    if flush_sent > bound::FILED {
        return Err(format!(
            "{name}: the flush sent {flush_sent} requests, over the bound of {}",
            bound::FILED
        ));
    }
    Ok(format!(
        "{name:<46} exit 1 in {:>5.2}s, {sent}/{} requests, {:<13}  flush: {flush_sent}/{} requests, 1 issue, 0 queued",
        elapsed.as_secs_f64(),
        row.max_requests,
        row.expect.label(),
        bound::FILED
    ))
}

#[test]
fn every_fault_keeps_the_result_and_the_time_bound_says_what_to_do_and_flush_delivers_once() {
    let rows = fault_rows();
    // Three rows at a time: the processes mostly wait on sockets, but a loaded machine must
    // not push the row within its timeout past it.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(row) = rows.get(i) else { break };
                    let result = check_row(row);
                    results.lock().unwrap().push((i, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let mut failures = Vec::new();
    println!(
        "fault table ({} rows, timeout_secs = {TIMEOUT_SECS}):",
        rows.len()
    );
    for (_, result) in results {
        match result {
            Ok(line) => println!("  {line}"),
            Err(failure) => failures.push(failure),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
