//! The tokio service example (`examples/tokio_service.rs`) against the fake GitHub: the
//! failing request is filed once, with only a token and the application's repository set, and
//! the other requests are served.

use std::path::PathBuf;
use std::process::Command;

use fake_github::FakeGitHub;

const TOKEN: &str = "ghp_TokioServiceTokenValue0123456789abcd";

/// `cargo test` builds the examples next to the test binaries' directory.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace`",
        path.display()
    );
    path
}

#[test]
fn a_failed_request_is_filed_while_the_others_are_served() {
    let github = FakeGitHub::start();
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(example("tokio_service"))
        .args(["bafy1", "not-a-cid", "bafy22"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("GITHUB_TOKEN", TOKEN)
        .env("AUTOHEAL_WORKSPACE_AUTO_HEAL_GITHUB_REPO", "acme/blocks")
        .env("GITHUB_REPOSITORY", "someone/their-project")
        .env("GITHUB_API_URL", github.url())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("served 5 bytes")
            && stdout.contains("request failed: not-a-cid is not a CIDv1")
            && stdout.contains("served 6 bytes"),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "has been automatically reported.\n  Issue:    https://github.com/acme/blocks/issues/1"
        ),
        "{stderr}"
    );
    let issues = github.issues("acme/blocks");
    assert_eq!(issues.len(), 1);
    assert!(issues[0].body.contains("fetch block"), "{}", issues[0].body);
    assert!(github.issues("someone/their-project").is_empty());
    github.assert_secret_only_in_authorization(TOKEN);
}
