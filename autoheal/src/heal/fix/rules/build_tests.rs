//! The CI rules on the output of real runs of rustc, cc, pkg-config and cargo in temporary
//! directories; recorded text only where this machine cannot produce it (said where it is).

use std::path::Path;
use std::process::Command;

use super::*;
use crate::fix::rules::tests_support::report_with;

/// What `program args` prints on stderr in `dir`; `None` (with a line saying so) when the
/// program is not installed.
pub(crate) fn stderr_of(program: &str, args: &[&str], dir: &Path) -> Option<String> {
    match Command::new(program).args(args).current_dir(dir).output() {
        Ok(output) => {
            assert!(
                !output.status.success(),
                "{program} {args:?} was expected to fail"
            );
            Some(String::from_utf8_lossy(&output.stderr).into_owned())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            fake_github::tools::skip(&format!("{program} is not installed"));
            None
        }
        Err(error) => panic!("{program}: {error}"),
    }
}

/// A CI job's report: its first `error` line is the message, the whole output the log.
pub(crate) fn ci_report(output: &str) -> crate::Report {
    let message = output
        .lines()
        .find(|l| l.trim_start().starts_with("error") || l.contains("error:"))
        .unwrap_or_else(|| output.lines().next().unwrap_or(""));
    let mut report = report_with(message, &[]);
    report.error.type_name = "cargo build".into();
    report.logs = output.lines().map(str::to_string).collect();
    report.command.args.clear();
    report
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// A library crate `name` in `dir` with `dependencies` (TOML lines).
pub(crate) fn tiny_crate(dir: &Path, name: &str, dependencies: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{dependencies}\n"
        ),
    )
    .unwrap();
}

/// rustc's real errors for `use nonexistent::x;` and `missing_crate::f()`.
pub(crate) fn real_unresolved_import() -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.rs"),
        "use nonexistent::x;\nfn main() { let _ = missing_crate::f(); }\n",
    )
    .unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    stderr_of(
        &rustc,
        &["--edition", "2021", "--emit=metadata", "main.rs"],
        dir.path(),
    )
}

#[test]
fn a_real_unresolved_import_and_crate_name_the_crate() {
    let Some(output) = real_unresolved_import() else {
        return;
    };
    let report = ci_report(&output);
    let finding = unresolved_import(&Evidence::of(&report)).unwrap();
    assert_eq!(finding.title, "Unresolved import or crate `nonexistent`");
    assert_eq!(finding.confidence, Confidence::High);
    assert!(finding.steps[0].contains("`cargo add nonexistent`"));
    // The E0433 line alone, as a job's second finding.
    let e0433 = output.lines().find(|l| l.contains("E0433")).unwrap();
    let finding = unresolved_import(&Evidence::of(&report_with(e0433, &[]))).unwrap();
    assert_eq!(finding.title, "Unresolved import or crate `missing_crate`");
}

/// The linker's real message for `-lautoheal_missing`.
pub(crate) fn real_missing_link_library() -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.c"), "int main(void) { return 0; }\n").unwrap();
    stderr_of("cc", &["m.c", "-lautoheal_missing", "-o", "m"], dir.path())
}

#[test]
fn a_real_missing_link_library_and_pkg_config_name_the_library() {
    if let Some(output) = real_missing_link_library() {
        let log = format!("error: linking with `cc` failed: exit status: 1\n  = note: {output}");
        let report = ci_report(&log);
        let finding = missing_system_library(&Evidence::of(&report)).unwrap();
        assert_eq!(
            finding.title,
            "System library `autoheal_missing` missing at build time"
        );
        assert_eq!(finding.confidence, Confidence::High);
    }
    let dir = tempfile::tempdir().unwrap();
    if let Some(output) = stderr_of(
        "pkg-config",
        &["--libs", "openssl-autoheal-missing"],
        dir.path(),
    ) {
        let log = format!(
            "error: failed to run custom build command for `openssl-sys v0.9.104`\n{output}"
        );
        let finding = missing_system_library(&Evidence::of(&ci_report(&log))).unwrap();
        assert!(
            finding.title.contains("`openssl-autoheal-missing`"),
            "{}",
            finding.title
        );
        assert!(finding.steps.iter().any(|s| s.contains("vendored")));
    }
    // Recorded from a real CI run of openssl-sys (needs an OpenSSL-less machine).
    let log = "error: failed to run custom build command for `openssl-sys v0.9.104`\n\
               Package openssl was not found in the pkg-config search path.";
    let finding = missing_system_library(&Evidence::of(&ci_report(log))).unwrap();
    assert!(
        finding.steps[0].contains("libssl-dev"),
        "{:?}",
        finding.steps
    );
}

/// cargo's real refusal to update a lock file under `--locked`.
pub(crate) fn real_locked_refusal() -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    tiny_crate(dir.path(), "locked_app", "");
    let generated = Command::new(cargo())
        .args(["generate-lockfile", "--offline"])
        .current_dir(dir.path())
        .status()
        .ok()?;
    assert!(generated.success());
    tiny_crate(&dir.path().join("dep1"), "dep1", "");
    tiny_crate(dir.path(), "locked_app", "dep1 = { path = \"dep1\" }");
    stderr_of(&cargo(), &["metadata", "--locked", "--offline"], dir.path())
}

#[test]
fn a_real_locked_refusal_says_to_commit_the_lock_file() {
    let Some(output) = real_locked_refusal() else {
        return;
    };
    let finding = lock_file_out_of_date(&Evidence::of(&ci_report(&output))).unwrap();
    assert!(
        finding.title.starts_with("Lock file out of date: `/"),
        "{}",
        finding.title
    );
    assert!(finding.title.ends_with("Cargo.lock`"), "{}", finding.title);
    assert_eq!(finding.confidence, Confidence::High);
    // The wording of cargo before 1.84, recorded (this machine's cargo is newer).
    let old = "error: the lock file /w/app/Cargo.lock needs to be updated but --locked was passed to prevent this";
    let finding = lock_file_out_of_date(&Evidence::of(&report_with(old, &[]))).unwrap();
    assert_eq!(finding.title, "Lock file out of date: `/w/app/Cargo.lock`");
}

/// cargo's real resolver error for a requirement no version meets.
pub(crate) fn real_version_conflict() -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    tiny_crate(&dir.path().join("dep1"), "dep1", "");
    tiny_crate(
        dir.path(),
        "conflicted_app",
        "dep1 = { path = \"dep1\", version = \"0.2\" }",
    );
    stderr_of(&cargo(), &["generate-lockfile", "--offline"], dir.path())
}

#[test]
fn a_real_version_conflict_names_the_crate() {
    let Some(output) = real_version_conflict() else {
        return;
    };
    let finding = version_conflict(&Evidence::of(&ci_report(&output))).unwrap();
    assert_eq!(
        finding.title,
        "No version of `dep1` satisfies every requirement"
    );
    assert!(finding.steps[0].contains("`cargo tree -i dep1 --edges normal,build`"));
    assert!(finding.steps.iter().any(|s| s.contains("--offline")));
}

/// cargo's real failure to reach a registry (a mirror on a closed port of 127.0.0.1).
pub(crate) fn real_unreachable_registry() -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    tiny_crate(dir.path(), "offline_app", "serde = \"1\"");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::create_dir_all(dir.path().join(".cargo")).unwrap();
    std::fs::write(
        dir.path().join(".cargo/config.toml"),
        format!(
            "[source.crates-io]\nreplace-with = \"mirror\"\n[source.mirror]\nregistry = \"sparse+http://127.0.0.1:{port}/index/\"\n[net]\nretry = 0\n"
        ),
    )
    .unwrap();
    stderr_of(&cargo(), &["generate-lockfile"], dir.path())
}

#[test]
fn a_real_unreachable_registry_is_not_called_a_code_problem() {
    let Some(output) = real_unreachable_registry() else {
        return;
    };
    let finding = registry_unreachable(&Evidence::of(&ci_report(&output))).unwrap();
    assert!(
        finding
            .title
            .starts_with("Registry cannot be reached: `http://127.0.0.1:"),
        "{}",
        finding.title
    );
    assert_eq!(finding.confidence, Confidence::High);
    // curl's DNS failure under cargo, recorded: this machine may not look names up.
    let dns = "error: failed to get `serde` as a dependency of package `app v0.1.0`\n\nCaused by:\n  [6] Couldn't resolve host name (Could not resolve host: index.crates.io)";
    let finding = registry_unreachable(&Evidence::of(&ci_report(dns))).unwrap();
    assert!(finding.cause.contains("did not resolve"));
}

/// cargo-nextest's output for a test over its limit, recorded from a real run here
/// (`slow-timeout = { period = "1s", terminate-after = 2 }`): building a crate under
/// nextest in a unit test costs too much.
pub(crate) const NEXTEST_TIMEOUT: &str = "    Starting 1 test across 1 binary
        SLOW [>  1.000s] (───) to waits_forever
 TERMINATING [>  2.000s] (───) to waits_forever
     TIMEOUT [   2.002s] (1/1) to waits_forever
  stdout ───

    running 1 test

    (test timed out)

────────────
     Summary [   2.003s] 1 test run: 0 passed, 1 timed out, 0 skipped
     TIMEOUT [   2.002s] (1/1) to waits_forever
error: test run failed";

/// libtest's warning, from its source (`test {} has been running for over {} seconds`):
/// a real one takes a minute.
pub(crate) const LIBTEST_SLOW: &str =
    "test sync::tests::waits_for_the_daemon has been running for over 60 seconds";

#[test]
fn a_test_timeout_of_nextest_or_libtest_names_the_test() {
    let finding = test_timed_out(&Evidence::of(&ci_report(NEXTEST_TIMEOUT))).unwrap();
    assert_eq!(finding.title, "Test timed out: `waits_forever`");
    assert_eq!(finding.confidence, Confidence::High);
    let finding = test_timed_out(&Evidence::of(&report_with(LIBTEST_SLOW, &[]))).unwrap();
    assert_eq!(
        finding.title,
        "Test timed out: `sync::tests::waits_for_the_daemon`"
    );
    assert!(finding.steps[0].contains("--exact --nocapture"));
}

#[test]
fn near_misses_do_not_match() {
    for message in [
        "error[E0308]: mismatched types",
        "warning: unused import: `std::fmt`",
        "the import of settings failed",
        "test result: ok. 3 passed",
        "Updating crates.io index",
    ] {
        let evidence_report = report_with(message, &[]);
        let evidence = Evidence::of(&evidence_report);
        assert!(unresolved_import(&evidence).is_none(), "{message}");
        assert!(missing_system_library(&evidence).is_none(), "{message}");
        assert!(lock_file_out_of_date(&evidence).is_none(), "{message}");
        assert!(version_conflict(&evidence).is_none(), "{message}");
        assert!(test_timed_out(&evidence).is_none(), "{message}");
        assert!(registry_unreachable(&evidence).is_none(), "{message}");
    }
}

/// The diagnosis of `log` filed as a CI job's report, the way `report-log --kind workflow`
/// files it.
fn diagnosis_of_job_log(log: &str) -> crate::fix::Diagnosis {
    let config = crate::Config::for_app(crate::App::new("app", "APP_", "0.1.0"));
    let failure = crate::job_log::classify(log);
    let report = crate::job_log::report(&config, &failure, &crate::job_log::JobRun::default());
    crate::fix::diagnose(&report)
}

#[test]
fn real_ci_logs_filed_as_job_reports_get_their_rule() {
    let logs = [
        ("unresolved-import", real_unresolved_import()),
        (
            "missing-system-library",
            real_missing_link_library().map(|o| {
                format!("   Compiling app v0.1.0 (/w/app)\nerror: linking with `cc` failed: exit status: 1\n  |\n  = note: {o}\n\nerror: could not compile `app` (bin \"app\") due to 1 previous error")
            }),
        ),
        ("lock-file-out-of-date", real_locked_refusal()),
        ("version-conflict", real_version_conflict()),
        ("registry-unreachable", real_unreachable_registry()),
        ("test-timed-out", Some(NEXTEST_TIMEOUT.to_string())),
    ];
    for (rule, log) in logs {
        let Some(log) = log else { continue };
        let diagnosis = diagnosis_of_job_log(&log);
        assert_eq!(diagnosis.rule_id, rule, "{log}\n{diagnosis:#?}");
        assert_eq!(diagnosis.confidence, Confidence::High, "{rule}");
    }
}
