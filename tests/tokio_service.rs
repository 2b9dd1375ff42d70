//! The tokio service example (`examples/tokio_service.rs`) against the fake GitHub: the
//! failing request is filed once, with only a token and the application's repository set, and
//! the other requests are served.

mod common;
use common::run_example;

use fake_github::FakeGitHub;

const TOKEN: &str = "ghp_TokioServiceTokenValue0123456789abcd";

#[test]
fn a_failed_request_is_filed_while_the_others_are_served() {
    let github = FakeGitHub::start();
    let home = tempfile::tempdir().unwrap();
    let output = run_example(
        "tokio_service",
        home.path(),
        &["bafy1", "not-a-cid", "bafy22"],
        &[
            ("GITHUB_TOKEN", TOKEN),
            ("AUTOHEAL_WORKSPACE_AUTO_HEAL_GITHUB_REPO", "acme/blocks"),
            ("GITHUB_REPOSITORY", "someone/their-project"),
            ("GITHUB_API_URL", github.url()),
        ],
    );
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
