//! A clap tool with autoheal's commands as its own (`examples/pinctl.rs`), run as its user
//! runs it against the fake GitHub: its notices and commands name `pinctl`, its variables are
//! `PINCTL_...`, and `pinctl autoheal flush` sends what waited.

use std::path::Path;
use std::process::Output;

mod common;
use common::run_example;

use fake_github::{FakeGitHub, Fault};

const TOKEN: &str = "ghp_PinctlTestTokenValue0123456789abcdefg";

fn pinctl(home: &Path, args: &[&str], env: &[(&str, &str)]) -> (Output, String, String) {
    let output = run_example("pinctl", home, args, env);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

#[test]
fn the_tools_own_commands_configure_queue_and_flush_its_reports() {
    let github = FakeGitHub::start();
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("GITHUB_TOKEN", TOKEN),
        ("GITHUB_API_URL", github.url()),
        ("GITHUB_REPOSITORY", "someone/their-project"),
    ];
    let (output, stdout, stderr) = pinctl(
        home.path(),
        &["autoheal", "enable", "--github-repo", "acme/pinctl"],
        &env,
    );
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("Failures will be reported to acme/pinctl through"),
        "{stdout}"
    );
    assert!(home.path().join(".pinctl/auto_heal_config.json").is_file());

    let (_, status, _) = pinctl(home.path(), &["autoheal", "status"], &env);
    assert!(
        status.contains("Configured:         yes")
            && status.contains("GITHUB_REPOSITORY (someone/their-project) is ignored")
            && status.contains("PINCTL_AUTO_HEAL_GITHUB_REPO"),
        "{status}"
    );

    github.set_fault(Some(Fault::Down));
    let missing = home.path().join("pins.txt");
    let (output, _, stderr) = pinctl(home.path(), &["read", missing.to_str().unwrap()], &env);
    assert!(!output.status.success());
    assert!(
        stderr.contains("`pinctl autoheal flush` sends it once GitHub can take it."),
        "{stderr}"
    );
    assert!(!stderr.contains("ipfs-kit"), "{stderr}");

    let (_, queue, _) = pinctl(home.path(), &["autoheal", "queue"], &env);
    assert!(queue.contains("1 report(s) waiting"), "{queue}");

    github.set_fault(None);
    let (output, flushed, stderr) = pinctl(home.path(), &["autoheal", "flush"], &env);
    assert!(output.status.success(), "{flushed}{stderr}");
    assert!(
        flushed.contains("reported: https://github.com/acme/pinctl/issues/1"),
        "{flushed}"
    );
    assert_eq!(github.issues("acme/pinctl").len(), 1);
    assert!(github.issues("someone/their-project").is_empty());
    github.assert_secret_only_in_authorization(TOKEN);
}

#[test]
fn reporting_turned_off_says_how_to_turn_it_on_with_the_tools_command() {
    let home = tempfile::tempdir().unwrap();
    let (output, _, _) = pinctl(home.path(), &["autoheal", "disable"], &[]);
    assert!(output.status.success());
    let (_, _, stderr) = pinctl(home.path(), &["read", "/no/such/pins.txt"], &[]);
    assert!(
        stderr.contains(
            "note: automatic error reporting is off; turn it on with `pinctl autoheal enable --github-repo OWNER/REPO`"
        ),
        "{stderr}"
    );
}
