//! Notifications set field by field on the library's `Config`: a program that calls
//! `autoheal::init` with a signed JSON webhook hears of its new issue, after GitHub's answer,
//! from the background worker, with the report's trace ID; the secrets stay out of the issue.

use autoheal::config::Token;
use autoheal::notify::{Event, SecretUrl, verify_signature};
use autoheal::test::test_config;
use autoheal::{Config, Outcome};
use fake_github::FakeGitHub;
use fake_github::webhook::Receiver;

const TOKEN: &str = "ghp_NotifyLibraryTokenValue0123456789abcd";
const SECRET: &str = "whsec_NotifyLibrarySigningSecret0123456789";
const HOOK_PATH: &str = "/hooks/LibraryHookPathSecret0123456789";

#[autoheal::auto_heal(name = "sync pins")]
fn failing_operation() -> Result<(), std::io::Error> {
    Err(std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        "the pin store is read-only",
    ))
}

fn config(github: &FakeGitHub, receiver: &Receiver, dir: &std::path::Path) -> Config {
    let mut config = test_config();
    config.enabled = true;
    config.config_dir = dir.to_path_buf();
    config.github_repo = Some("acme/tools".to_string());
    config.github_token = Some(Token::new(TOKEN));
    config.api_url = github.url().to_string();
    config.timeout_secs = 5;
    config.notify.webhook_url = Some(SecretUrl::new(receiver.url(HOOK_PATH)));
    config.notify.webhook_secret = Some(Token::new(SECRET));
    config.notify.on = vec![Event::New];
    config.notify.timeout_secs = 3;
    config
}

#[test]
fn a_program_configured_field_by_field_is_told_of_its_new_issue() {
    let github = FakeGitHub::start();
    let receiver = Receiver::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(&github, &receiver, dir.path());
    assert!(
        !format!("{config:?}").contains("LibraryHookPathSecret"),
        "the Debug form shows the webhook's host alone"
    );
    let guard = autoheal::init(config.clone());
    assert!(failing_operation().is_err());
    assert!(autoheal::flush(std::time::Duration::from_secs(30)));
    let delivery = autoheal::last_delivery().unwrap();
    assert!(
        matches!(delivery.outcome, Outcome::Reported { number: 1, .. }),
        "{delivery:?}"
    );
    drop(guard);

    let hooks = receiver.at("/hooks/");
    assert_eq!(hooks.len(), 1);
    let hook = &hooks[0];
    assert!(verify_signature(
        SECRET,
        &hook.body,
        hook.header("X-Autoheal-Signature-256").unwrap()
    ));
    let body = hook.json();
    assert_eq!(body["event"], "new");
    assert_eq!(body["trace_id"], delivery.trace_id.as_str());
    assert_eq!(body["url"], "https://github.com/acme/tools/issues/1");
    assert_eq!(autoheal::notify::backlog(&config).waiting, 0);
    for request in github.requests() {
        assert!(!request.body.contains("LibraryHookPathSecret"));
        assert!(!request.body.contains(SECRET));
    }
}
