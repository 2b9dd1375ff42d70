use super::*;
use crate::fix::rules::tests_support::{real_io_error, report_with};

#[test]
fn a_missing_shared_library_names_its_debian_package() {
    let report = report_with(
        "ipfs exited with status 127",
        &[
            "ipfs: error while loading shared libraries: libssl.so.3: cannot open shared object file: No such file or directory",
        ],
    );
    let finding = missing_shared_library(&Evidence::of(&report)).unwrap();
    assert_eq!(
        finding.title,
        "Missing shared library `libssl.so.3` for `ipfs`"
    );
    assert!(
        finding.steps[0].contains("`sudo apt-get install libssl3`"),
        "{:?}",
        finding.steps
    );
    assert!(finding.steps[1].contains("ldd \"$(command -v ipfs)\""));
    for (library, package) in [
        ("libz.so.1", "zlib1g"),
        ("libsqlite3.so.0", "libsqlite3-0"),
        ("libpq.so.5", "libpq5"),
        ("libcrypto.so.3", "libssl3"),
    ] {
        assert_eq!(debian_package(library), Some(package));
    }
    let report = report_with(
        "error while loading shared libraries: libfoo.so.9: cannot open shared object file: No such file or directory",
        &[],
    );
    let finding = missing_shared_library(&Evidence::of(&report)).unwrap();
    assert!(
        finding.steps[0].contains("`apt-file search libfoo.so.9`"),
        "{:?}",
        finding.steps
    );
}

#[test]
fn a_program_that_cannot_be_spawned_is_a_missing_executable() {
    // Looked up on a PATH of one empty directory: on the caller's PATH, a directory the user
    // cannot read turns "not found" into "permission denied".
    let empty = tempfile::tempdir().unwrap();
    let message = real_io_error(|| {
        std::process::Command::new("autoheal-no-such-program")
            .env("PATH", empty.path())
            .spawn()
    });
    let report = report_with("failed to spawn `autoheal-no-such-program`", &[&message]);
    let finding = missing_executable(&Evidence::of(&report)).unwrap();
    assert_eq!(
        finding.title,
        "Executable not found: `autoheal-no-such-program`"
    );
    assert!(finding.steps[0].contains("`command -v autoheal-no-such-program`"));
    let report = report_with(
        "could not run `ipfs`",
        &["No such file or directory (os error 2)"],
    );
    let finding = missing_executable(&Evidence::of(&report)).unwrap();
    assert!(
        finding.steps[1].contains("Install Kubo"),
        "{:?}",
        finding.steps
    );
    let report = report_with("sh: 1: ffmpeg: not found", &[]);
    let finding = missing_executable(&Evidence::of(&report)).unwrap();
    assert!(finding.steps[1].contains("`sudo apt-get install ffmpeg`"));
}

#[test]
fn a_missing_file_is_not_a_missing_executable() {
    for (message, chain) in [
        (
            "failed to start server",
            "No such file or directory (os error 2)",
        ),
        (
            "could not read /etc/app.toml",
            "No such file or directory (os error 2)",
        ),
        (
            "failed to spawn worker thread",
            "Resource temporarily unavailable (os error 11)",
        ),
        ("user: not found", ""),
    ] {
        let report = report_with(message, &[chain]);
        assert!(
            missing_executable(&Evidence::of(&report)).is_none(),
            "{message}"
        );
    }
}

#[test]
fn a_missing_variable_is_named_with_a_patch_documenting_it() {
    let std_message = std::env::var("AUTOHEAL_SURELY_UNSET_VARIABLE")
        .unwrap_err()
        .to_string();
    assert_eq!(std_message, "environment variable not found");
    let report = report_with("reading IPFS_KIT_API_URL", &[&std_message]);
    let finding = missing_env_var(&Evidence::of(&report)).unwrap();
    assert_eq!(
        finding.title,
        "Missing environment variable `IPFS_KIT_API_URL`"
    );
    assert_eq!(finding.confidence, Confidence::High);
    assert!(finding.steps[0].contains("`export IPFS_KIT_API_URL=...`"));
    let patch = finding.patch.unwrap();
    assert_eq!(patch.path, ".env.example");
    assert_eq!(
        patch.edit,
        PatchEdit::Append("# Required: read at start-up.\nIPFS_KIT_API_URL=\n".into())
    );

    let report = report_with("DATABASE_URL must be set", &[]);
    let finding = missing_env_var(&Evidence::of(&report)).unwrap();
    assert_eq!(finding.title, "Missing environment variable `DATABASE_URL`");
    let report = report_with("environment variable `GITHUB_TOKEN` is not set", &[]);
    let finding = missing_env_var(&Evidence::of(&report)).unwrap();
    assert!(finding.steps.iter().any(|s| s.contains("secret store")));
    let report = report_with("environment variable not found", &[]);
    let finding = missing_env_var(&Evidence::of(&report)).unwrap();
    assert_eq!(finding.title, "Missing environment variable");
    assert_eq!(finding.patch, None);
}

#[test]
fn near_misses_are_not_missing_variables() {
    for message in [
        "environment variable was not valid unicode: \"\\xFF\"",
        "the port is not set",
        "Environment: production",
        "HTTP_PROXY was used",
    ] {
        let report = report_with(message, &[]);
        assert!(
            missing_env_var(&Evidence::of(&report)).is_none(),
            "{message}"
        );
    }
}

#[test]
fn a_library_missing_at_run_time_is_named_from_dlerror_or_libloading() {
    for (text, library) in [
        // dlerror's text, as Python's ctypes shows it (the corpus produces it for real).
        (
            "OSError: libsqlite3.so.0: cannot open shared object file: No such file or directory",
            "libsqlite3.so.0",
        ),
        // libloading's `Debug`, recorded from its source (`DlOpen { desc }`).
        (
            "DlOpen { desc: \"/opt/plugins/libfoo.so.2: cannot open shared object file: No such file or directory\" }",
            "libfoo.so.2",
        ),
        // musl's loader.
        (
            "Error loading shared library libssl.so.3: No such file or directory (needed by /usr/bin/app)",
            "libssl.so.3",
        ),
    ] {
        let report = report_with("loading the plug-in", &[text]);
        let finding = missing_shared_library(&Evidence::of(&report)).unwrap();
        assert_eq!(
            finding.title,
            format!("Missing shared library `{library}`"),
            "{text}"
        );
        assert_eq!(finding.confidence, Confidence::High);
    }
}
