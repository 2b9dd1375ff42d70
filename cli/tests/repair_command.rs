//! `ipfs-kit autoheal repair`: a real broken crate's failed step as the log, the repair run as
//! a process in the crate's git repository, the step run again by the test.

mod common;

use std::path::PathBuf;

use common::{Run, Sandbox};
use fake_github::broken_crate::{BrokenCrate, MISSING_OPENSSL_BUILD_SCRIPT, require_cargo_tools};

/// A sandbox that still finds the Rust toolchain: rustup and cargo look under the home
/// directory the sandbox replaces.
fn sandbox() -> Sandbox {
    let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
    let dir = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(default))
            .to_string_lossy()
            .into_owned()
    };
    Sandbox::new()
        .env("RUSTUP_HOME", &dir("RUSTUP_HOME", ".rustup"))
        .env("CARGO_HOME", &dir("CARGO_HOME", ".cargo"))
}

fn repair(krate: &BrokenCrate, log: &str) -> Run {
    let log_file = krate.dir.join("target").join("job.log");
    std::fs::create_dir_all(log_file.parent().unwrap()).unwrap();
    std::fs::write(&log_file, log).unwrap();
    sandbox().run(&[
        "autoheal",
        "repair",
        "--log",
        log_file.to_str().unwrap(),
        "--dir",
        krate.dir.to_str().unwrap(),
    ])
}

#[test]
fn a_formatting_failure_is_repaired_and_the_patch_and_verification_printed() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let krate = BrokenCrate::create(dir.path(), &[("src/lib.rs", "pub fn answer()->u32{42}\n")]);
    let log = krate.failed_job_log(&["fmt", "--check"]);

    let run = repair(&krate, &log);

    run.success();
    assert!(
        run.stdout.contains("Repaired by:  cargo fmt -p tiny (in "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Verified by:  cargo fmt --check -p tiny (passed in "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Changed:      src/lib.rs (4 lines"));
    assert!(run.stdout.contains("diff --git a/src/lib.rs b/src/lib.rs"));
    assert!(run.stdout.contains("+pub fn answer() -> u32 {"));
    assert!(krate.cargo(&["fmt", "--check"]).0, "the step passes");
    assert_eq!(krate.changed(), [" M src/lib.rs"]);
}

#[test]
fn a_type_error_is_dropped_with_what_was_tried_and_a_failing_exit() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = "/// The answer.\npub fn answer() -> u32 {\n    \"42\"\n}\n";
    let krate = BrokenCrate::create(dir.path(), &[("src/lib.rs", source)]);
    let log = krate.failed_job_log(&["build"]);

    let run = repair(&krate, &log);

    assert_ne!(run.code, Some(0), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("Failure:      cargo build: error[E0308]")
    );
    assert!(
        run.stdout.contains("Tried:        cargo fix -p tiny"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("repair dropped: the tool failed and changed nothing"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("diff --git"));
    assert_eq!(krate.read("src/lib.rs"), source);
    assert!(krate.changed().is_empty());
}

#[test]
fn a_missing_system_library_prints_the_package_and_the_workflow_line_and_changes_nothing() {
    if require_cargo_tools().is_none()
        || fake_github::tools::require_tool("pkg-config", "apt-get install pkg-config").is_none()
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let krate = BrokenCrate::create(
        dir.path(),
        &[
            ("build.rs", MISSING_OPENSSL_BUILD_SCRIPT),
            ("src/lib.rs", ""),
        ],
    );
    let log = krate.failed_job_log(&["build"]);

    let run = repair(&krate, &log);

    assert_ne!(run.code, Some(0), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("Missing:      system library `openssl` (Debian/Ubuntu package libssl-dev)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "Workflow:     add `sudo apt-get install -y libssl-dev` in a step before the build"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("workflows are never edited automatically"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("Tried:"), "{}", run.stdout);
    assert!(krate.changed().is_empty());
}

#[test]
fn a_stale_lock_file_is_updated_and_only_the_lock_file_changes() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let member = |version: &str| {
        format!("[package]\nname = \"member\"\nversion = \"{version}\"\nedition = \"2021\"\n")
    };
    let krate = BrokenCrate::workspace(
        dir.path(),
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"member\"]\nresolver = \"2\"\n",
            ),
            ("member/Cargo.toml", &member("0.1.0")),
            ("member/src/lib.rs", ""),
        ],
    );
    krate.commit(&[("member/Cargo.toml", &member("1.0.0"))], "Release 1.0");
    let log = krate.failed_job_log(&["build", "--locked"]);

    let run = repair(&krate, &log);

    run.success();
    assert!(
        run.stdout
            .contains("Repaired by:  cargo update --workspace --offline (in "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "Verified by:  cargo tree --workspace --depth 0 --locked --offline (passed in "
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("+version = \"1.0.0\""),
        "{}",
        run.stdout
    );
    assert!(krate.cargo(&["build", "--locked"]).0, "the step passes");
    assert_eq!(krate.changed(), [" M Cargo.lock"]);
}

#[test]
fn a_missing_log_is_refused_with_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("job.log");

    let run = sandbox().run(&["autoheal", "repair", "--log", missing.to_str().unwrap()]);

    assert_ne!(run.code, Some(0));
    assert!(run.stderr.contains("reading the log"), "{}", run.stderr);
    assert!(run.stderr.contains("job.log"), "{}", run.stderr);
}
