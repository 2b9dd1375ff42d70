//! Classification and reports of real job logs: the output of cargo on small broken crates,
//! in the shapes GitHub serves (`tests/fixtures/job_logs/`).

use super::*;
use crate::{App, Config};

const BUILD: &str = include_str!("../../../../tests/fixtures/job_logs/cargo_build.log");
const TEST_GH: &str = include_str!("../../../../tests/fixtures/job_logs/cargo_test_gh.log");
const NEXTEST: &str = include_str!("../../../../tests/fixtures/job_logs/nextest.log");
const FMT: &str = include_str!("../../../../tests/fixtures/job_logs/cargo_fmt.log");
const CLIPPY: &str = include_str!("../../../../tests/fixtures/job_logs/clippy.log");
const NETWORK: &str = include_str!("../../../../tests/fixtures/job_logs/network.log");
const UNRECOGNISED: &str = include_str!("../../../../tests/fixtures/job_logs/unrecognised.log");

fn config() -> Config {
    let mut config = Config::for_app(App::new("ipfs-kit", "IPFS_KIT_", "0.1.0"));
    config.max_log_lines = 100;
    config
}

fn codes(failure: &JobFailure) -> Vec<&str> {
    failure
        .findings
        .iter()
        .filter_map(|f| f.code.as_deref())
        .collect()
}

fn run(url: &str) -> JobRun {
    JobRun {
        run_url: Some(url.to_string()),
        job_name: Some("build".to_string()),
    }
}

#[test]
fn a_build_failure_names_its_error_codes_and_first_location() {
    let failure = classify(BUILD);
    assert_eq!(failure.kind, FailureKind::Build);
    assert_eq!(codes(&failure), ["E0425", "E0308"]);
    assert_eq!(
        failure.message(),
        "error[E0425]: cannot find value `peers` in this scope"
    );
    assert_eq!(
        failure.step.as_deref(),
        Some("Run cargo build --workspace --locked")
    );
    let report = report(
        &config(),
        &failure,
        &run("https://github.com/acme/kit/actions/runs/1"),
    );
    assert_eq!(report.error.type_name, "cargo build");
    assert_eq!(report.error.chain, ["error[E0308]: mismatched types"]);
    assert_eq!(report.site.function, "src/lib.rs:7");
    assert_eq!(
        (report.site.file.as_str(), report.site.line),
        ("src/lib.rs", 7)
    );
    assert_eq!(report.command.program, "build");
    assert_eq!(
        report.env.get("RUN_URL").map(String::as_str),
        Some("https://github.com/acme/kit/actions/runs/1")
    );
    assert!(
        report
            .logs
            .iter()
            .any(|l| l == "2 |     let port: u16 = text;")
    );
    // Only the errors: not the checkout, not the runner's closing line.
    assert!(!report.logs.iter().any(|l| l.contains("Syncing repository")));
    assert!(!report.logs.iter().any(|l| l.contains("Process completed")));
    assert_eq!(
        report.labels,
        ["auto-heal", "workflow-error", "automated-issue"]
    );
}

#[test]
fn the_same_failure_in_another_run_has_the_same_fingerprint() {
    let first = report(&config(), &classify(BUILD), &run("https://x/runs/1"));
    // Another run: other timestamps, another run URL, another job of the matrix.
    let later = BUILD.replace("2026-11-24T07", "2026-12-01T19");
    let mut other_run = run("https://x/runs/2");
    other_run.job_name = Some("build (macos-latest)".to_string());
    let second = report(&config(), &classify(&later), &other_run);
    assert_ne!(first.trace_id, second.trace_id);
    assert_eq!(first.fingerprint, second.fingerprint);
    assert_eq!(first.fingerprint.len(), 32);
    // Another error, or the same error in another file, is another bug.
    let other_code = report(
        &config(),
        &classify(&BUILD.replace("E0425", "E0433")),
        &run("https://x/runs/3"),
    );
    assert_ne!(first.fingerprint, other_code.fingerprint);
    let other_file = report(
        &config(),
        &classify(&BUILD.replace("--> src/lib.rs:7:5", "--> src/peers.rs:7:5")),
        &run("https://x/runs/4"),
    );
    assert_ne!(first.fingerprint, other_file.fingerprint);
}

#[test]
fn failed_tests_are_named_and_the_job_comes_from_the_gh_prefix() {
    let failure = classify(TEST_GH);
    assert_eq!(failure.kind, FailureKind::Test);
    assert_eq!(
        codes(&failure),
        [
            "pins::tests::normalise_keeps_lowercase",
            "tests::adds_two_numbers",
            "tests::reads_config"
        ]
    );
    assert_eq!(failure.job_name.as_deref(), Some("test (ubuntu-latest)"));
    let report = report(&config(), &failure, &JobRun::default());
    assert_eq!(report.error.type_name, "test failure");
    assert_eq!(
        report.error.message,
        "test pins::tests::normalise_keeps_lowercase failed: assertion `left == right` failed"
    );
    assert_eq!(report.error.chain.len(), 2);
    assert!(
        report.error.chain[1]
            .starts_with("test tests::reads_config failed: called `Result::unwrap()`")
    );
    assert_eq!(report.site.function, "src/lib.rs:14");
    assert_eq!(report.command.program, "test (ubuntu-latest)");
    assert!(report.logs.iter().any(|l| l == "  left: \"BAFY\""));
    assert!(
        !report.logs.iter().any(|l| l.contains("/rustc/")),
        "no std backtrace frames"
    );
}

#[test]
fn secrets_in_a_log_never_reach_the_report() {
    let mut config = config();
    config.max_log_lines = 1000;
    let reports = [
        report(&config, &classify(TEST_GH), &JobRun::default()),
        report(&config, &classify(UNRECOGNISED), &JobRun::default()),
    ];
    // The secrets are among the lines the reports keep.
    assert!(
        reports[0]
            .logs
            .iter()
            .any(|l| l.starts_with("pin service https://deploy:"))
    );
    assert!(
        reports[1]
            .logs
            .iter()
            .any(|l| l.contains("AWS_SECRET_ACCESS_KEY"))
    );
    for report in reports {
        let json = report.to_json_pretty();
        for secret in [
            "hunter2pass",
            "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AKIAIOSFODNN7EXAMPLE",
        ] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
        assert!(json.contains("[REDACTED]"));
    }
}

#[test]
fn the_configured_token_is_removed_wherever_it_appears() {
    let mut config = config();
    config.github_token = Some(crate::Token::new("tok-3f9a-configured-secret".to_string()));
    let log = BUILD.replace(
        "cannot find value",
        "tok-3f9a-configured-secret cannot find value",
    );
    let report = report(&config, &classify(&log), &JobRun::default());
    assert!(
        !report
            .to_json_pretty()
            .contains("tok-3f9a-configured-secret")
    );
}

#[test]
fn a_private_key_over_several_lines_is_masked_whole_even_where_the_kept_lines_begin_inside_it() {
    let body = "MIIEpAIBAAKCAQEAFakePrivateKeyBodyForTheJobLogTest0123456789";
    let key = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----");
    let mut config = config();
    config.max_log_lines = 1000;
    // An unrecognised log keeps only its end: the second log's kept lines begin at the key's
    // body, after its BEGIN line.
    let end = "error: deploy failed\n##[error]Process completed with exit code 1.\n";
    let whole = format!("{key}\n{end}");
    let steps = "step output\n".repeat(super::UNRECOGNISED_TAIL_LINES - 4);
    let cut = format!("{key}\n{steps}{end}");
    for log in [whole, cut] {
        let failure = classify(&log);
        let report = report(&config, &failure, &JobRun::default());
        let json = report.to_json_pretty();
        assert!(!json.contains(body), "the key's body in {json}");
        assert!(json.contains("[REDACTED]"), "{json}");
        assert!(json.contains("deploy failed"), "{json}");
    }
}

#[test]
fn nextest_failures_are_named() {
    let failure = classify(NEXTEST);
    assert_eq!(failure.kind, FailureKind::Test);
    assert_eq!(
        codes(&failure),
        [
            "pins::tests::normalise_keeps_lowercase",
            "tests::adds_two_numbers"
        ]
    );
    assert!(failure.lines.iter().any(|l| l.contains("left: 5")));
}

#[test]
fn fmt_failures_name_the_files() {
    let failure = classify(FMT);
    assert_eq!(failure.kind, FailureKind::Format);
    assert_eq!(failure.message(), "rustfmt would reformat src/lib.rs");
    let report = report(&config(), &failure, &JobRun::default());
    assert_eq!(report.error.type_name, "cargo fmt");
    assert_eq!(report.site.function, "src/lib.rs:1");
    assert!(
        report.logs.iter().any(|l| l == "+    a + b"),
        "{:?}",
        report.logs
    );
    assert!(
        !report.logs.iter().any(|l| l.contains('\u{1b}')),
        "colours removed"
    );
}

#[test]
fn clippy_failures_name_the_lints() {
    let failure = classify(CLIPPY);
    assert_eq!(failure.kind, FailureKind::Lint);
    assert_eq!(codes(&failure), ["clippy::ptr_arg", "clippy::len_zero"]);
    assert_eq!(
        failure.message(),
        "writing `&Vec` instead of `&[_]` involves a new object where a slice will do (clippy::ptr_arg)"
    );
    assert_eq!(
        report(&config(), &failure, &JobRun::default())
            .error
            .type_name,
        "clippy"
    );
}

#[test]
fn network_failures_are_told_apart_from_bugs() {
    let failure = classify(NETWORK);
    assert_eq!(failure.kind, FailureKind::Network);
    assert!(
        failure
            .message()
            .contains("Could not resolve host: index.crates.nonexistent.invalid"),
        "{}",
        failure.message()
    );
    let report = report(&config(), &failure, &JobRun::default());
    assert_eq!(report.error.type_name, "network failure");
    assert!(
        report
            .logs
            .iter()
            .any(|l| l.contains("failed to download from"))
    );
}

#[test]
fn an_unrecognised_failure_keeps_the_end_of_the_log() {
    let failure = classify(UNRECOGNISED);
    assert_eq!(failure.kind, FailureKind::Unrecognised);
    assert_eq!(
        failure.message(),
        "unrecognised job failure: ERROR: validation of gateway.json failed (1 problem)"
    );
    let mut config = config();
    config.max_log_lines = 3;
    let report = report(&config, &failure, &run("https://x/runs/9"));
    assert_eq!(report.error.type_name, "job failure");
    assert_eq!(
        report.logs,
        [
            "jsonschema: 'listen_addr' is a required property",
            "ERROR: validation of gateway.json failed (1 problem)",
            "Process completed with exit code 1."
        ]
    );
    assert_eq!(report.site.function, "build");
    assert_eq!(
        report.env.get("STEP").map(String::as_str),
        Some("Run ./scripts/publish-gateway.sh")
    );
    // Two jobs failing in unknown ways are two issues.
    let mut other = run("https://x/runs/9");
    other.job_name = Some("deploy".to_string());
    assert_ne!(
        report.fingerprint,
        super::report(&config, &failure, &other).fingerprint
    );
}

#[test]
fn an_empty_log_is_an_unrecognised_failure() {
    let failure = classify("");
    assert_eq!(failure.kind, FailureKind::Unrecognised);
    assert_eq!(failure.message(), "unrecognised job failure");
    assert!(failure.lines.is_empty());
}

#[test]
fn a_log_of_thousands_of_failed_tests_keeps_the_first_and_counts_them_all() {
    let mut log = String::from("running 10000 tests\n");
    for i in 0..10_000 {
        log.push_str(&format!("test store::case_{i:05} ... FAILED\n"));
    }
    log.push_str("\nfailures:\n\n");
    for i in 0..10_000 {
        log.push_str(&format!(
            "---- store::case_{i:05} stdout ----\n\nthread 'store::case_{i:05}' panicked at src/store.rs:{}:5:\nassertion failed: ok\n\n",
            i + 1
        ));
    }
    log.push_str("test result: FAILED. 0 passed; 10000 failed; 0 ignored\n");
    let failure = classify(&log);
    assert_eq!(failure.kind, FailureKind::Test);
    assert_eq!(failure.total_findings(), 10_000);
    assert_eq!(failure.findings.len(), MAX_FINDINGS);
    assert_eq!(
        failure.findings[0].code.as_deref(),
        Some("store::case_00000")
    );
    let report = report(
        &config(),
        &failure,
        &run("https://github.com/a/b/actions/runs/1"),
    );
    assert_eq!(
        report.error.chain.last().map(String::as_str),
        Some("… and 9979 more")
    );
    assert!(report.logs.len() <= config().max_log_lines);
}
