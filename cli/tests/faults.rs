//! The fault table: every way GitHub can fail, one row each, through the `ipfs-kit` binary.
//! The rows live in `common/fault_rows.rs`, shared with the secret scan.
//!
//! For each row: the failing command's own error message and exit code are unchanged; the
//! process exits within its time bound (a guard kills it and fails the row if it had to); the
//! report is delivered exactly once or waits in the queue (counted on the fake: issues +
//! comments); the notice tells the user what to do; and once the fault is cleared, one
//! `ipfs-kit autoheal flush` delivers it exactly once and empties the queue.

mod common;
#[path = "common/fault_rows.rs"]
mod fault_rows;
#[path = "../../tests/support/mod.rs"]
mod support;

use std::io::Read as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Run, Sandbox};
use fault_rows::{Expect, FaultRow, fault_rows};
use support::fake_github::FakeGitHub;

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
    github.set_fault(row.rule.clone());

    let (run, elapsed, killed) = run_guarded(&sandbox, &["add", "/nonexistent/pins.txt"]);
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
    let (issues, comments) = posts_on_github(&github);
    let queued = sandbox.queue_length();
    match row.expect {
        Expect::Delivered if (issues, comments, queued) != (1, 0, 0) => {
            return fail(&format!(
                "expected one issue and an empty queue, got {issues} issue(s), {comments} comment(s), {queued} queued"
            ));
        }
        Expect::Queued if (issues, comments, queued) != (0, 0, 1) => {
            return fail(&format!(
                "expected the report queued and nothing on GitHub, got {issues} issue(s), {comments} comment(s), {queued} queued"
            ));
        }
        Expect::Queued if !run.stderr.contains("`ipfs-kit autoheal flush` sends it") => {
            return fail("the notice does not say how to send the queued report");
        }
        _ => {}
    }

    // The fault is cleared (and a rate limit's window over): one flush delivers it once.
    github.set_fault(None);
    std::thread::sleep(row.wait_before_flush());
    let (flushed, _, killed) = run_guarded(&sandbox, &["autoheal", "flush"]);
    if killed || flushed.code != Some(0) {
        return Err(format!(
            "{name}: the flush after the fault failed (killed: {killed})\nstdout:\n{}\nstderr:\n{}",
            flushed.stdout, flushed.stderr
        ));
    }
    let (issues, comments) = posts_on_github(&github);
    let queued = sandbox.queue_length();
    if (issues, comments, queued) != (1, 0, 0) {
        return Err(format!(
            "{name}: after the flush {issues} issue(s), {comments} comment(s), {queued} queued; expected exactly one issue\nflush said:\n{}",
            flushed.stdout
        ));
    }
    Ok(format!(
        "{name:<42} exit 1 in {:>5.2}s  {:<9}  after flush: 1 issue, 0 queued",
        elapsed.as_secs_f64(),
        format!("{:?}", row.expect).to_lowercase()
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
