//! `ipfs-kit autoheal report-log`: a failed CI job's log piped in becomes an issue on (the
//! fake) GitHub, labelled `workflow-error`, filed once per failure across runs and runners.

mod common;

use common::{Run, Sandbox};
use fake_github::{FakeGitHub, NewIssue};

const TOKEN: &str = "ghp_ReportLogTestToken0123456789abcdefgh";
const REPO: &str = "acme/ipfs_kit";
const BUILD_LOG: &str = include_str!("../../tests/fixtures/job_logs/cargo_build.log");
const TEST_LOG: &str = include_str!("../../tests/fixtures/job_logs/cargo_test_gh.log");

/// A runner: a fresh home, the token and repository in the environment as Actions sets them.
fn runner(github: &FakeGitHub) -> Sandbox {
    Sandbox::new()
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_API_URL", github.url())
}

fn report_log(sandbox: &Sandbox, log: &str, extra: &[&str]) -> Run {
    let mut args = vec!["autoheal", "report-log", "--kind", "workflow"];
    args.extend_from_slice(extra);
    sandbox.run_with_stdin(&args, log.as_bytes())
}

const RUN_1: &str = "https://github.com/acme/ipfs_kit/actions/runs/1001";
const RUN_2: &str = "https://github.com/acme/ipfs_kit/actions/runs/1002";

#[test]
fn a_failed_build_is_filed_as_a_workflow_error_with_its_run() {
    let github = FakeGitHub::start();
    let run = report_log(
        &runner(&github),
        BUILD_LOG,
        &["--run-url", RUN_1, "--job", "build"],
    );
    run.success();
    assert!(
        run.stdout.starts_with(
            "cargo build: error[E0425]: cannot find value `peers` in this scope\nTrace ID: "
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Issue:    https://github.com/acme/ipfs_kit/issues/1 (new)"),
        "{}",
        run.stdout
    );
    let issues = github.issues(REPO);
    let [issue] = &issues[..] else {
        panic!("{issues:?}")
    };
    assert!(issue.labels.contains(&"workflow-error".to_string()));
    assert!(issue.labels.contains(&"auto-heal".to_string()));
    assert!(!issue.labels.contains(&"cli-error".to_string()));
    assert!(
        issue.title.contains("cargo build: error[E0425]") && issue.title.contains("src/lib.rs"),
        "{}",
        issue.title
    );
    assert!(issue.body.contains(RUN_1), "{}", issue.body);
    assert!(
        issue.body.contains("error[E0308]: mismatched types"),
        "{}",
        issue.body
    );
}

#[test]
fn the_same_failure_in_a_later_run_updates_the_same_issue() {
    let github = FakeGitHub::start();
    let first_runner = runner(&github);
    report_log(&first_runner, BUILD_LOG, &["--run-url", RUN_1]).success();

    // The same runner moments later: counted within the throttle window, nothing sent.
    let again = report_log(&first_runner, BUILD_LOG, &["--run-url", RUN_2]);
    again.success();
    assert!(again.stdout.contains("Counted"), "{}", again.stdout);
    assert_eq!(github.issues(REPO).len(), 1);
    assert!(github.comments(REPO, 1).is_empty());

    // A fresh runner (another run, another day): the issue is found on GitHub and updated.
    let later_log = BUILD_LOG.replace("2026-11-24T07:", "2026-11-26T13:");
    let later = report_log(&runner(&github), &later_log, &["--run-url", RUN_2]);
    later.success();
    assert!(
        later
            .stdout
            .contains("Issue:    https://github.com/acme/ipfs_kit/issues/1 (updated)"),
        "{}",
        later.stdout
    );
    assert_eq!(github.issues(REPO).len(), 1);
    assert_eq!(github.comments(REPO, 1).len(), 1);

    // Another failure is another issue.
    report_log(&runner(&github), TEST_LOG, &["--run-url", RUN_2]).success();
    assert_eq!(github.issues(REPO).len(), 2);
}

/// The body of the issue a failed build gets: what an outsider copies (the fingerprint is the
/// same for anyone who runs `report-log` on the public log).
fn build_failure_body() -> String {
    let github = FakeGitHub::start();
    report_log(&runner(&github), BUILD_LOG, &["--run-url", RUN_1]).success();
    github.issues(REPO).remove(0).body
}

#[test]
fn an_outsiders_issue_carrying_the_failures_fingerprint_is_not_adopted() {
    let squatted = build_failure_body();
    let github = FakeGitHub::start();
    let outsider = github.create_issue_directly(
        REPO,
        NewIssue::new("cargo build fails")
            .body(&squatted)
            .labels(&["auto-heal", "workflow-error"])
            .by_outsider("mallory"),
    );

    let run = report_log(&runner(&github), BUILD_LOG, &["--run-url", RUN_2]);
    run.success();
    let own = outsider + 1;
    assert!(
        run.stdout.contains(&format!(
            "Issue:    https://github.com/acme/ipfs_kit/issues/{own} (new)"
        )),
        "{}",
        run.stdout
    );
    assert!(
        github.comments(REPO, outsider).is_empty(),
        "nothing was added to the outsider's issue"
    );
    let issues = github.issues(REPO);
    assert_eq!(issues.len(), 2, "{issues:?}");
    assert_eq!(
        issues[1].state, "open",
        "the run's own issue is not closed as a duplicate of the outsider's"
    );

    // The next failure goes to the run's own issue, not to the outsider's.
    let later = report_log(&runner(&github), BUILD_LOG, &["--run-url", RUN_1]);
    later.success();
    assert!(
        later.stdout.contains(&format!("issues/{own} (updated)")),
        "{}",
        later.stdout
    );
    assert!(github.comments(REPO, outsider).is_empty());
}

#[test]
fn a_members_issue_carrying_the_failures_fingerprint_is_adopted() {
    let body = build_failure_body();
    let github = FakeGitHub::start();
    let member = github.create_issue_directly(
        REPO,
        NewIssue::new("cargo build fails")
            .body(&body)
            .labels(&["auto-heal", "workflow-error"])
            .by("alice", "MEMBER"),
    );

    let run = report_log(&runner(&github), BUILD_LOG, &["--run-url", RUN_2]);
    run.success();
    assert!(
        run.stdout.contains(&format!("issues/{member} (updated)")),
        "{}",
        run.stdout
    );
    assert_eq!(github.issues(REPO).len(), 1);
    assert_eq!(github.comments(REPO, member).len(), 1);
}

#[test]
fn secrets_in_the_log_and_the_token_never_reach_github() {
    let github = FakeGitHub::start();
    let log = TEST_LOG.replace("hunter2pass", TOKEN);
    report_log(&runner(&github), &log, &["--run-url", RUN_1]).success();
    let issues = github.issues(REPO);
    let [issue] = &issues[..] else {
        panic!("{issues:?}")
    };
    assert!(
        issue.title.starts_with(
            "[auto-heal] test failure: test pins::tests::normalise_keeps_lowercase failed"
        ),
        "{}",
        issue.title
    );
    // The line holding the secrets is in the issue, without them.
    assert!(
        issue.body.contains("pin service https://deploy:"),
        "{}",
        issue.body
    );
    for secret in [TOKEN, "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"] {
        assert!(!issue.body.contains(secret), "{secret} in {}", issue.body);
    }
    assert!(issue.body.contains("[REDACTED]"));
    for request in github.requests() {
        assert!(!request.body.contains(TOKEN), "{}", request.body);
        assert!(!request.body.contains("ghp_AbCdEfGh"), "{}", request.body);
    }
}

#[test]
fn without_a_repository_the_report_waits_in_the_queue() {
    let github = FakeGitHub::start();
    let sandbox = Sandbox::new().env("GITHUB_API_URL", github.url());
    let run = report_log(&sandbox, BUILD_LOG, &[]);
    run.success();
    assert!(
        run.stdout.contains("Queued:")
            && run
                .stdout
                .contains("neither a GitHub repository nor a token is set"),
        "{}",
        run.stdout
    );
    assert_eq!(github.request_count(), 0);
    let queue = sandbox.run(&["autoheal", "queue"]);
    assert!(
        queue.stdout.contains("1 report(s) waiting") && queue.stdout.contains("cargo build"),
        "{}",
        queue.stdout
    );
}

#[test]
fn an_empty_log_is_refused() {
    let github = FakeGitHub::start();
    let run = report_log(&runner(&github), "", &[]);
    run.failure(1);
    assert!(
        run.stderr.contains("standard input is empty"),
        "{}",
        run.stderr
    );
    assert_eq!(github.request_count(), 0);
}

#[test]
fn a_log_of_any_length_keeps_its_end_where_the_job_failed() {
    let github = FakeGitHub::start();
    // A test failure early on, then 300 MiB of output, then the build error the job died of:
    // the end is what is diagnosed, however long the log.
    let noise_line = "   Compiling some-crate v1.0.0 (/home/runner/work/ipfs_kit)\n";
    let mut log = String::from(TEST_LOG);
    log.push_str(&noise_line.repeat(300 * 1024 * 1024 / noise_line.len()));
    log.push_str(BUILD_LOG);
    let run = report_log(&runner(&github), &log, &["--run-url", RUN_1]);
    run.success();
    assert!(
        run.stdout
            .starts_with("cargo build: error[E0425]: cannot find value `peers` in this scope\n"),
        "{}",
        run.stdout
    );
}
