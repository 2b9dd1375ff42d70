//! The one-line setup (`examples/one_line_setup.rs`) run as a user runs it, against the fake
//! GitHub: with only a token and the application's repository variable set, a failure is filed
//! as an issue there, whatever `GITHUB_REPOSITORY` says.

use std::path::Path;
use std::process::Output;

mod common;
use common::run_example;

use fake_github::FakeGitHub;

const TOKEN: &str = "ghp_OneLineSetupTokenValue0123456789abcd";

/// Run the example in an empty home with only `env` (and PATH) set.
fn run(home: &Path, env: &[(&str, &str)]) -> Output {
    let settings = home.join("missing-settings.toml");
    run_example("one_line_setup", home, &[settings.to_str().unwrap()], env)
}

#[test]
fn a_token_and_the_apps_repository_are_enough_to_file_an_issue() {
    let github = FakeGitHub::start();
    let home = tempfile::tempdir().unwrap();
    let output = run(
        home.path(),
        &[
            ("GITHUB_TOKEN", TOKEN),
            (
                "AUTOHEAL_WORKSPACE_AUTO_HEAL_GITHUB_REPO",
                "acme/settings-tool",
            ),
            // A CI job of another project: never where this program's bugs go.
            ("GITHUB_REPOSITORY", "someone/their-project"),
            ("GITHUB_API_URL", github.url()),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "An error occurred and has been automatically reported.\n  Issue:    https://github.com/acme/settings-tool/issues/1\n"
        ),
        "{stderr}"
    );
    let issues = github.issues("acme/settings-tool");
    assert_eq!(issues.len(), 1, "{stderr}");
    assert!(
        issues[0].body.contains("read settings"),
        "{}",
        issues[0].body
    );
    assert!(
        issues[0].body.contains("reading the settings"),
        "the log line from the layer: {}",
        issues[0].body
    );
    // Frames name the example's file as it is in the repository, never by the path of the
    // machine that built it.
    assert!(
        issues[0].body.contains("examples/one_line_setup.rs:"),
        "{}",
        issues[0].body
    );
    assert!(
        !issues[0].body.contains(env!("CARGO_MANIFEST_DIR")),
        "{}",
        issues[0].body
    );
    assert!(github.issues("someone/their-project").is_empty());
    github.assert_secret_only_in_authorization(TOKEN);
    assert!(
        home.path().join(".autoheal-workspace").is_dir(),
        "the configuration directory is the package's own"
    );
}

#[test]
fn without_a_token_the_report_waits_and_the_reason_names_what_is_missing() {
    let github = FakeGitHub::start();
    let home = tempfile::tempdir().unwrap();
    let output = run(
        home.path(),
        &[
            (
                "AUTOHEAL_WORKSPACE_AUTO_HEAL_GITHUB_REPO",
                "acme/settings-tool",
            ),
            ("GITHUB_API_URL", github.url()),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "saved in the local queue: no GitHub token is set (export GITHUB_TOKEN or GH_TOKEN)."
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "The next run of one_line_setup sends it once a repository and a token are both set."
        ),
        "the notice names the program, not ipfs-kit: {stderr}"
    );
    assert!(!stderr.contains("ipfs-kit"), "{stderr}");
    assert_eq!(github.request_count(), 0);
    let queued = std::fs::read_dir(home.path().join(".autoheal-workspace").join("queue"))
        .unwrap()
        .filter(|e| {
            !e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert_eq!(queued, 1, "{stderr}");
}

#[test]
fn the_user_turns_it_off_with_the_apps_variable() {
    let github = FakeGitHub::start();
    let home = tempfile::tempdir().unwrap();
    let output = run(
        home.path(),
        &[
            ("GITHUB_TOKEN", TOKEN),
            (
                "AUTOHEAL_WORKSPACE_AUTO_HEAL_GITHUB_REPO",
                "acme/settings-tool",
            ),
            ("AUTOHEAL_WORKSPACE_AUTO_HEAL", "false"),
            ("GITHUB_API_URL", github.url()),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "note: automatic error reporting is off; turn it on with AUTOHEAL_WORKSPACE_AUTO_HEAL=true"
        ),
        "{stderr}"
    );
    assert_eq!(github.request_count(), 0);
}

#[test]
fn a_broken_configuration_file_is_named_and_does_not_stop_the_program() {
    let github = FakeGitHub::start();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".autoheal-workspace");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("auto_heal_config.json"), "{ \"enabled\": tru }").unwrap();
    let output = run(
        home.path(),
        &[("GITHUB_TOKEN", TOKEN), ("GITHUB_API_URL", github.url())],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("auto_heal_config.json:1:")
            && stderr.contains("automatic error reporting is off for this run"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: could not read"),
        "the program ran: {stderr}"
    );
    assert_eq!(github.request_count(), 0);
}
