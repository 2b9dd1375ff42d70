//! What the healing tests share: a real report of a missing file, and a configuration and
//! client for the fake GitHub.

// Each test file uses a part of this module.
#![allow(dead_code)]

use autoheal::config::Token;
use autoheal::github::GitHubClient;
use autoheal::{App, Config, Report};
use fake_github::FakeGitHub;

/// The repository the healing tests work in.
pub const REPO: &str = "acme/tools";

#[autoheal::auto_heal(name = "load settings")]
fn load_settings(path: &str) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

/// A real report of a missing file, captured the way an application captures it.
pub fn missing_file_report() -> Report {
    let (result, reports) = autoheal::test::with_captured_reports(|| {
        load_settings("/nonexistent/autoheal-healing/settings.toml")
    });
    assert!(result.is_err());
    reports
        .into_iter()
        .next()
        .expect("the failure was captured")
}

/// A configuration of the application `name` reporting to [`REPO`] on `github`, its files in
/// `dir`.
pub fn config(name: &str, github: &FakeGitHub, dir: &tempfile::TempDir) -> Config {
    let prefix = format!("{}_", name.to_uppercase());
    let mut config = Config::for_app(App::new(name, &prefix, "0.1.0"));
    config.config_dir = dir.path().to_path_buf();
    config.github_repo = Some(REPO.to_string());
    config.github_token = Some(Token::new("ghp_HealingTestToken0123456789abcdefghijk"));
    config.api_url = github.url().to_string();
    config
}

/// A client of [`config`].
pub fn client(name: &str, github: &FakeGitHub, dir: &tempfile::TempDir) -> GitHubClient {
    GitHubClient::from_config(&config(name, github, dir)).unwrap()
}
