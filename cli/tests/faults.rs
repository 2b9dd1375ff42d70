//! The fault table: every way GitHub can fail, one row each, through the `ipfs-kit` binary.
//!
//! For each row: the failing command's own error message and exit code are unchanged; the
//! process exits within its time bound (a guard kills it and fails the row if it had to); the
//! report is delivered exactly once or waits in the queue (counted on the fake: issues +
//! comments); the notice tells the user what to do; and once the fault is cleared, one
//! `ipfs-kit autoheal flush` delivers it exactly once and empties the queue.

mod common;
#[path = "../../tests/support/mod.rs"]
mod support;

use std::io::Read as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Run, Sandbox};
use support::fake_github::{FakeGitHub, Fault};

const TOKEN: &str = "ghp_FaultTableToken0123456789abcdefghijkl";
const REPO: &str = "acme/tools";

/// The configured `timeout_secs` of every row.
const TIMEOUT_SECS: u64 = 1;

/// A hang guard, not a benchmark: far above what the timeout allows (a few requests of at
/// most `TIMEOUT_SECS` each), so only a process that ignores its bound reaches it.
const GUARD: Duration = Duration::from_secs(30);

/// What the row's failing run does with its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Filed at once: one issue.
    Delivered,
    /// Kept in the queue: nothing on GitHub yet.
    Queued,
}

struct Row {
    name: &'static str,
    fault: Fault,
    expect: Expect,
    /// A phrase of the notice that says what happened and what to do.
    advice: &'static str,
    /// Seconds GitHub asked to wait (rate limits): the flush comes after them.
    wait_secs: u64,
}

fn row(name: &'static str, fault: Fault, advice: &'static str) -> Row {
    Row {
        name,
        fault,
        expect: Expect::Queued,
        advice,
        wait_secs: 0,
    }
}

fn rows() -> Vec<Row> {
    vec![
        row(
            "connection refused",
            Fault::Down,
            "GitHub could not be reached",
        ),
        row("hang", Fault::Hang, "did not answer in time"),
        Row {
            expect: Expect::Delivered,
            ..row(
                "slow, within the timeout",
                Fault::Slow(Duration::from_millis(250)),
                "has been automatically reported",
            )
        },
        row(
            "slow, beyond the timeout",
            Fault::Slow(Duration::from_secs(3)),
            "did not answer in time",
        ),
        row("500", Fault::Status(500), "GitHub answered 500"),
        row("502", Fault::Status(502), "GitHub answered 502"),
        row("503", Fault::Status(503), "GitHub answered 503"),
        row(
            "401",
            Fault::Status(401),
            "token is invalid or expired (401); create a new one and set GITHUB_TOKEN",
        ),
        row(
            "403",
            Fault::Status(403),
            "token lacks access (403); check github_repo and give the token Issues: write",
        ),
        row(
            "404",
            Fault::Status(404),
            "repository not found or token lacks access (404)",
        ),
        row(
            "410",
            Fault::Status(410),
            "issues are disabled on the repository (410); enable them",
        ),
        row("422", Fault::Status(422), "GitHub refused the issue (422)"),
        Row {
            wait_secs: 2,
            ..row(
                "primary rate limit",
                Fault::PrimaryRateLimit { reset_in_secs: 2 },
                "rate limit was reached; reports wait in the queue until",
            )
        },
        Row {
            wait_secs: 2,
            ..row(
                "secondary rate limit (429)",
                Fault::SecondaryRateLimit {
                    retry_after_secs: 2,
                },
                "rate limit was reached; reports wait in the queue until",
            )
        },
        Row {
            wait_secs: 2,
            ..row(
                "secondary rate limit (403 + Retry-After)",
                Fault::SecondaryRateLimit403 {
                    retry_after_secs: 2,
                },
                "rate limit was reached; reports wait in the queue until",
            )
        },
        row("not JSON", Fault::NotJson, "answer was not understood"),
        row(
            "truncated mid-body",
            Fault::Truncated,
            "answer was not understood",
        ),
        row(
            "200 with an unexpected shape",
            Fault::UnexpectedShape,
            "answer was not understood",
        ),
    ]
}

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
fn check_row(row: &Row) -> Result<String, String> {
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
    github.set_fault(Some(row.fault.clone()));

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
    std::thread::sleep(Duration::from_secs(
        row.wait_secs + u64::from(row.wait_secs > 0),
    ));
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
    let rows = rows();
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
