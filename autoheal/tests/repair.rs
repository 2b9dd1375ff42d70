//! Repairs of real broken crates: the real cargo output of a failed step as the job log, the
//! repair computed by the Rust tools in the crate's git repository, and the failed step run
//! again by the test to show it passes and that nothing else changed.

use autoheal::job_log::{self, FailureKind};
use autoheal::repair::{self, Advice, Dropped, RepairOptions, RepairOutcome, Repaired};
use fake_github::broken_crate::{
    BrokenCrate, CRATE_NAME, MISSING_OPENSSL_BUILD_SCRIPT, require_cargo_tools,
};

/// A source file no repair has any reason to touch.
const UNTOUCHED: (&str, &str) = (
    "src/untouched.rs",
    "/// Left alone by every repair.\npub fn untouched()->u8{ 7 }\n",
);

fn repaired(krate: &BrokenCrate, log: &str) -> Repaired {
    match repair::repair(
        &job_log::classify(log),
        &krate.dir,
        &RepairOptions::default(),
    ) {
        Ok(RepairOutcome::Repaired(repaired)) => repaired,
        other => panic!("expected a verified repair, got {other:#?}"),
    }
}

fn dropped(krate: &BrokenCrate, log: &str) -> Dropped {
    match repair::repair(
        &job_log::classify(log),
        &krate.dir,
        &RepairOptions::default(),
    ) {
        Ok(RepairOutcome::Dropped(dropped)) => dropped,
        other => panic!("expected a dropped repair, got {other:#?}"),
    }
}

fn advice(krate: &BrokenCrate, log: &str) -> Advice {
    match repair::repair(
        &job_log::classify(log),
        &krate.dir,
        &RepairOptions::default(),
    ) {
        Ok(RepairOutcome::Advice(advice)) => advice,
        other => panic!("expected advice, got {other:#?}"),
    }
}

#[test]
fn a_formatting_diff_is_repaired_by_cargo_fmt_and_the_check_passes() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let krate = BrokenCrate::create(
        dir.path(),
        &[("src/lib.rs", "pub fn answer()->u32{42}\n"), UNTOUCHED],
    );
    // rustfmt checks only the file the log names, not the untouched one (not a module).
    let log = krate.failed_job_log(&["fmt", "--check"]);
    assert_eq!(job_log::classify(&log).kind, FailureKind::Format);

    let repaired = repaired(&krate, &log);

    assert!(krate.cargo(&["fmt", "--check"]).0, "the step passes");
    assert_eq!(krate.changed(), [" M src/lib.rs"]);
    assert_eq!(
        krate.read("src/lib.rs"),
        "pub fn answer() -> u32 {\n    42\n}\n"
    );
    assert_eq!(krate.read(UNTOUCHED.0), UNTOUCHED.1);
    assert_eq!(repaired.files, ["src/lib.rs"]);
    assert!(
        repaired.patch.contains("+pub fn answer() -> u32 {"),
        "{}",
        repaired.patch
    );
    assert_eq!(repaired.changed_lines, 4);
    assert_eq!(
        repaired.repair.command,
        format!("cargo fmt -p {CRATE_NAME}")
    );
    assert_eq!(
        repaired.verification.command,
        format!("cargo fmt --check -p {CRATE_NAME}")
    );
    assert!(repaired.verification.passed);
}

#[test]
fn an_unused_import_denied_by_warnings_is_removed_by_clippy_fix() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let krate = BrokenCrate::create(
        dir.path(),
        &[(
            "src/lib.rs",
            "#![deny(warnings)]\nuse std::collections::HashMap;\n\n/// The answer.\npub fn answer() -> u32 {\n    42\n}\n",
        )],
    );
    let log = krate.failed_job_log(&["build"]);
    let failure = job_log::classify(&log);
    assert_eq!(failure.kind, FailureKind::Lint, "{failure:#?}");

    let repaired = repaired(&krate, &log);

    assert!(krate.cargo(&["build"]).0, "the step passes");
    assert_eq!(krate.changed(), [" M src/lib.rs"]);
    assert_eq!(
        krate.read("src/lib.rs"),
        "#![deny(warnings)]\n\n/// The answer.\npub fn answer() -> u32 {\n    42\n}\n"
    );
    assert!(repaired.repair.command.starts_with("cargo clippy -p tiny"));
    assert!(repaired.repair.command.contains("--fix"));
    assert_eq!(repaired.changed_lines, 1);
}

#[test]
fn a_clippy_lint_denied_by_d_warnings_is_fixed_and_clippy_passes() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let krate = BrokenCrate::create(
        dir.path(),
        &[
            (
                "src/lib.rs",
                "pub mod untouched;\n\n/// The answer.\npub fn answer() -> u32 {\n    return 42;\n}\n",
            ),
            (
                "src/untouched.rs",
                "/// Left alone.\npub fn untouched() -> u8 {\n    7\n}\n",
            ),
        ],
    );
    let step = ["clippy", "--all-targets", "--", "-D", "warnings"];
    let log = krate.failed_job_log(&step);
    let failure = job_log::classify(&log);
    assert_eq!(failure.kind, FailureKind::Lint);
    assert_eq!(
        failure.findings[0].code.as_deref(),
        Some("clippy::needless_return")
    );

    let repaired = repaired(&krate, &log);

    assert!(krate.cargo(&step).0, "the step passes");
    assert_eq!(krate.changed(), [" M src/lib.rs"]);
    assert!(
        krate
            .read("src/lib.rs")
            .contains("pub fn answer() -> u32 {\n    42\n}")
    );
    assert!(
        repaired.patch.contains("-    return 42;"),
        "{}",
        repaired.patch
    );
    assert_eq!(
        repaired.verification.command,
        "cargo clippy -p tiny --all-targets --offline -- -D warnings"
    );
}

#[test]
fn a_type_error_is_dropped_with_the_reason_and_the_tree_left_alone() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = "/// The answer.\npub fn answer() -> u32 {\n    \"42\"\n}\n";
    let krate = BrokenCrate::create(dir.path(), &[("src/lib.rs", source)]);
    let log = krate.failed_job_log(&["build"]);
    assert_eq!(job_log::classify(&log).kind, FailureKind::Build);

    let dropped = dropped(&krate, &log);

    assert!(
        dropped.reason.contains("changed nothing"),
        "{}",
        dropped.reason
    );
    assert!(dropped.reason.contains("E0308"), "{}", dropped.reason);
    assert_eq!(dropped.tried.len(), 1);
    assert!(dropped.tried[0].command.starts_with("cargo fix -p tiny"));
    assert!(krate.changed().is_empty());
    assert_eq!(krate.read("src/lib.rs"), source);
}

#[test]
fn a_repair_larger_than_the_bound_is_dropped_and_reverted() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = "pub fn answer()->u32{42}\n";
    let krate = BrokenCrate::create(dir.path(), &[("src/lib.rs", source)]);
    let log = krate.failed_job_log(&["fmt", "--check"]);
    let options = RepairOptions::default().max_changed_lines(2);

    let outcome = repair::repair(&job_log::classify(&log), &krate.dir, &options).unwrap();

    let RepairOutcome::Dropped(dropped) = outcome else {
        panic!("expected a dropped repair, got {outcome:#?}")
    };
    assert!(
        dropped.reason.contains("too large: 4 lines"),
        "{}",
        dropped.reason
    );
    assert!(dropped.reason.contains("reverted"), "{}", dropped.reason);
    assert!(krate.changed().is_empty());
    assert_eq!(krate.read("src/lib.rs"), source);
}

#[test]
fn a_failure_no_tool_repairs_is_dropped_without_running_one() {
    let dir = tempfile::tempdir().unwrap();
    let krate = BrokenCrate::create(dir.path(), &[("src/lib.rs", "")]);
    let log = "Run cargo test\n---- tests::adds stdout ----\nthread 'tests::adds' panicked at src/lib.rs:9:5:\nassertion failed\n\nfailures:\n    tests::adds\n\ntest result: FAILED. 0 passed; 1 failed\n";
    assert_eq!(job_log::classify(log).kind, FailureKind::Test);

    let dropped = dropped(&krate, log);

    assert!(
        dropped.reason.contains("test failure"),
        "{}",
        dropped.reason
    );
    assert!(dropped.tried.is_empty());
}

#[test]
fn a_checkout_with_uncommitted_changes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let krate = BrokenCrate::create(dir.path(), &[("src/lib.rs", "pub fn answer()->u32{42}\n")]);
    std::fs::write(krate.dir.join("src/lib.rs"), "// work in progress\n").unwrap();

    let error = repair::repair(
        &job_log::classify("Diff in src/lib.rs:1:\n-a\n+b\n"),
        &krate.dir,
        &RepairOptions::default(),
    )
    .unwrap_err();

    assert!(error.to_string().contains("uncommitted changes"), "{error}");
    assert!(error.to_string().contains("src/lib.rs"), "{error}");
    assert_eq!(krate.read("src/lib.rs"), "// work in progress\n");
}

#[test]
fn a_fix_reaching_a_file_the_log_does_not_name_is_dropped_and_reverted() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let lib = "pub mod other;\n\n/// The answer.\npub fn answer() -> u32 {\n    return 42;\n}\n";
    let krate = BrokenCrate::create(
        dir.path(),
        &[
            ("src/lib.rs", lib),
            (
                "src/other.rs",
                "/// Seven.\npub fn seven() -> u8 {\n    7\n}\n",
            ),
        ],
    );
    let step = ["clippy", "--all-targets", "--", "-D", "warnings"];
    let log = krate.failed_job_log(&step);
    // A later commit than the log's adds a lint of its own in a file the log never saw.
    let other = "/// Seven.\npub fn seven() -> u8 {\n    return 7;\n}\n";
    krate.commit(&[("src/other.rs", other)], "Another needless return");

    let dropped = dropped(&krate, &log);

    assert!(
        dropped
            .reason
            .contains("changed files the log does not name: src/other.rs"),
        "{}",
        dropped.reason
    );
    assert!(dropped.reason.contains("reverted"), "{}", dropped.reason);
    assert!(krate.changed().is_empty());
    assert_eq!(krate.read("src/lib.rs"), lib);
    assert_eq!(krate.read("src/other.rs"), other);
}

/// A workspace's root manifest: `app`, `engine` and `shared`, `shared` also in
/// `[workspace.dependencies]`.
const WORKSPACE: (&str, &str) = (
    "Cargo.toml",
    "[workspace]\nmembers = [\"app\", \"engine\", \"shared\"]\nresolver = \"2\"\n\n[workspace.dependencies]\nshared = { path = \"shared\" }\n",
);

fn member(name: &str, version: &str, dependencies: &str) -> (String, String) {
    (
        format!("{name}/Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n\n[dependencies]\n{dependencies}"
        ),
    )
}

/// The workspace with `app`'s library source and `engine`'s dependencies, committed with its
/// lock file.
fn workspace(dir: &std::path::Path, app_source: &str, engine_dependencies: &str) -> BrokenCrate {
    let files = [
        member("app", "0.1.0", "engine = { path = \"../engine\" }\n"),
        ("app/src/lib.rs".to_string(), app_source.to_string()),
        member("engine", "0.1.0", engine_dependencies),
        (
            "engine/src/lib.rs".to_string(),
            "/// Two.\npub fn two() -> u32 {\n    2\n}\n".to_string(),
        ),
        member("shared", "0.1.0", ""),
        (
            "shared/src/lib.rs".to_string(),
            "/// Forty.\npub fn forty() -> u32 {\n    40\n}\n".to_string(),
        ),
    ];
    let mut all: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    all.push(WORKSPACE);
    BrokenCrate::workspace(dir, &all)
}

#[test]
fn a_lock_file_locked_refuses_after_a_version_bump_is_updated_for_the_workspace_only() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let krate = workspace(dir.path(), "pub use engine::two;\n", "");
    let lock = krate.read("Cargo.lock");
    // A later commit bumps a member's version and gives it a path dependency, and leaves the
    // lock file as it was.
    let (path, manifest) = member("engine", "0.2.0", "shared = { path = \"../shared\" }\n");
    krate.commit(&[(&path, &manifest)], "Bump engine");
    let step = ["build", "-p", "app", "--locked"];
    let log = krate.failed_job_log(&step);
    let failure = job_log::classify(&log);
    assert_eq!(failure.kind, FailureKind::Dependencies, "{failure:#?}");

    let repaired = repaired(&krate, &log);

    assert!(krate.cargo(&step).0, "the step passes");
    assert_eq!(krate.changed(), [" M Cargo.lock"]);
    assert_eq!(repaired.files, ["Cargo.lock"]);
    assert_eq!(
        repaired.repair.command,
        "cargo update --workspace --offline"
    );
    assert!(repaired.earlier.is_empty(), "{:#?}", repaired.earlier);
    assert_eq!(
        repaired.verification.command,
        "cargo tree --workspace --depth 0 --locked --offline"
    );
    assert!(
        repaired
            .patch
            .contains("-version = \"0.1.0\"\n+version = \"0.2.0\""),
        "{}",
        repaired.patch
    );
    assert!(
        repaired.patch.contains("+ \"shared\","),
        "{}",
        repaired.patch
    );
    assert_ne!(krate.read("Cargo.lock"), lock);
    assert_eq!(krate.read(&path), manifest);
}

#[test]
fn crates_the_workspace_knows_are_added_to_the_member_that_uses_them() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = "use shared::forty;\n\n/// The answer.\npub fn answer() -> u32 {\n    forty() + engine::two()\n}\n";
    // `app` uses `shared` (in `[workspace.dependencies]`, used by `engine`) without declaring it.
    let krate = workspace(dir.path(), source, "shared.workspace = true\n");
    let (path, app_manifest) = member("app", "0.1.0", "");
    krate.commit(&[(&path, &app_manifest)], "Drop app's dependencies");
    let step = ["build", "-p", "app", "--locked"];
    // The lock file still lists `engine` under `app`: fix that first, so the log is the
    // compiler's.
    assert!(krate.cargo(&["update", "--workspace", "--offline"]).0);
    krate.commit(&[], "Update the lock file");
    let log = krate.failed_job_log(&step);
    let failure = job_log::classify(&log);
    let codes: Vec<_> = failure.findings.iter().map(|f| f.code.clone()).collect();
    assert_eq!(
        codes,
        [Some("E0432".to_string()), Some("E0433".to_string())],
        "{log}"
    );
    let engine_manifest = krate.read("engine/Cargo.toml");

    let repaired = repaired(&krate, &log);

    assert!(krate.cargo(&step).0, "the step passes");
    assert!(krate.cargo(&["check", "-p", "app", "--locked"]).0);
    assert_eq!(krate.changed(), [" M Cargo.lock", " M app/Cargo.toml"]);
    let manifest = krate.read("app/Cargo.toml");
    assert!(
        manifest.contains("shared.workspace = true")
            || manifest.contains("shared = { workspace = true }"),
        "{manifest}"
    );
    assert!(
        manifest.contains("engine = { version = \"0.1.0\", path = \"../engine\" }"),
        "{manifest}"
    );
    assert_eq!(krate.read("engine/Cargo.toml"), engine_manifest);
    assert_eq!(krate.read("app/src/lib.rs"), source);
    let commands: Vec<&str> = repaired
        .earlier
        .iter()
        .chain([&repaired.repair])
        .map(|r| r.command.as_str())
        .collect();
    assert_eq!(
        commands,
        [
            "cargo add -p app shared --offline",
            "cargo add -p app engine --offline"
        ]
    );
    assert_eq!(
        repaired.verification.command,
        "cargo check -p app --all-targets --offline --locked"
    );
}

#[test]
fn a_crate_no_member_depends_on_is_dropped_and_nothing_added() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source =
        "/// A number.\npub fn number() -> u32 {\n    rand_core::random() + engine::two()\n}\n";
    let krate = workspace(dir.path(), source, "");
    let log = krate.failed_job_log(&["check", "-p", "app"]);

    let dropped = dropped(&krate, &log);

    assert!(
        dropped
            .reason
            .starts_with("`rand_core` is neither a workspace member"),
        "{}",
        dropped.reason
    );
    assert!(
        dropped.reason.contains("never added automatically"),
        "{}",
        dropped.reason
    );
    assert!(dropped.tried.is_empty(), "{:#?}", dropped.tried);
    assert!(krate.changed().is_empty());
}

#[test]
fn a_library_pkg_config_cannot_find_is_answered_with_the_package_and_the_workflow_line() {
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
    assert!(
        log.contains("was not found in the pkg-config search path"),
        "{log}"
    );

    let advice = advice(&krate, &log);

    assert_eq!(advice.workflow_line, "sudo apt-get install -y libssl-dev");
    assert_eq!(advice.libraries[0].library, "openssl");
    assert!(!advice.libraries[0].guessed);
    assert!(
        advice.explanation.contains("never edited automatically"),
        "{}",
        advice.explanation
    );
    assert!(krate.changed().is_empty());
}

#[test]
fn a_library_the_linker_cannot_find_is_answered_with_a_guessed_package() {
    if require_cargo_tools().is_none()
        || fake_github::tools::require_tool("cc", "apt-get install gcc").is_none()
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let main = "#[link(name = \"autoheal_nonexistent\")]\nunsafe extern \"C\" {\n    fn autoheal_missing() -> i32;\n}\n\nfn main() {\n    println!(\"{}\", unsafe { autoheal_missing() });\n}\n";
    let krate = BrokenCrate::create(dir.path(), &[("src/main.rs", main)]);
    let log = krate.failed_job_log(&["build"]);

    let advice = advice(&krate, &log);

    assert_eq!(
        advice.workflow_line,
        "sudo apt-get install -y libautoheal-nonexistent-dev"
    );
    assert!(advice.libraries[0].guessed);
    assert!(
        advice
            .explanation
            .contains("`libautoheal-nonexistent-dev` is a guess"),
        "{}",
        advice.explanation
    );
    assert_eq!(krate.read("src/main.rs"), main);
    assert!(krate.changed().is_empty());
}

#[test]
fn a_path_crate_another_member_uses_is_added_with_the_same_path() {
    if require_cargo_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A crate beside the workspace, not a member of it, that `engine` depends on by path.
    let outside = dir.path().join("vendored");
    std::fs::create_dir_all(outside.join("src")).unwrap();
    std::fs::write(
        outside.join("Cargo.toml"),
        "[package]\nname = \"vendored\"\nversion = \"0.3.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        outside.join("src/lib.rs"),
        "/// One.\npub fn one() -> u32 {\n    1\n}\n",
    )
    .unwrap();
    let source = "/// One.\npub fn one() -> u32 {\n    vendored::one() + engine::two()\n}\n";
    let krate = workspace(
        &dir.path().join("ws"),
        source,
        "vendored = { path = \"../../vendored\" }\n",
    );
    let log = krate.failed_job_log(&["check", "-p", "app", "--locked"]);

    let repaired = repaired(&krate, &log);

    assert!(krate.cargo(&["check", "-p", "app", "--locked"]).0);
    assert_eq!(krate.changed(), [" M Cargo.lock", " M app/Cargo.toml"]);
    assert!(
        krate
            .read("app/Cargo.toml")
            .contains("vendored = { version = \"0.3.0\", path = \"../../vendored\" }"),
        "{}",
        krate.read("app/Cargo.toml")
    );
    assert!(
        repaired
            .repair
            .command
            .starts_with("cargo add -p app vendored --offline --path "),
        "{}",
        repaired.repair.command
    );
}
