//! Configuration: what autoheal does with a failure, and where it came from.
//!
//! Values are resolved from, highest first: command-line flags, the environment, the
//! configuration file, the defaults. The GitHub token is read from the environment only and
//! is never written to any file.

mod app;
mod file;
mod keys;
mod load;
mod status;
mod token;
mod validate;

pub use app::App;
pub(crate) use app::{env_prefix_for, github_repo_from_url, is_commit_hash};
pub use file::{ConfigFile, FILE_NAME};
pub use keys::{
    KEYS, Key, KeyKind, TOKEN_KEYS, display_value, find as find_key, parse_bool, parse_level,
};
pub use load::{Loaded, Overrides, Source};
pub use status::{Setting, Status};
pub use token::Token;
pub(crate) use validate::pattern as validate_pattern;

use std::path::PathBuf;

use tracing::level_filters::LevelFilter;

/// The labels every auto-heal issue carries unless configured otherwise.
pub const DEFAULT_LABELS: [&str; 3] = ["auto-heal", "cli-error", "automated-issue"];

/// The environment variable of the token used for the Copilot hand-off only.
pub const COPILOT_TOKEN_ENV: &str = "AUTOHEAL_COPILOT_TOKEN";

/// The GitHub REST API's public address.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// Everything that decides what autoheal does with a captured failure.
///
/// [`init!`](crate::init!) loads one for the program. By hand, [`Config::load`] reads the
/// flags, the environment (`GITHUB_TOKEN`, `<PREFIX>AUTO_HEAL_...`) and the file;
/// [`Config::for_app`] gives the defaults alone, for a program that sets every field itself.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// The application reports are filed for.
    pub app: App,
    /// Directory of the configuration file, the queue and the caches.
    pub config_dir: PathBuf,
    /// Whether failures are reported at all.
    pub enabled: bool,
    /// The repository issues are filed in, as `owner/repo`.
    pub github_repo: Option<String>,
    /// The GitHub token, read from the environment only.
    pub github_token: Option<Token>,
    /// How many recent log lines a report carries.
    pub max_log_lines: usize,
    /// The finest level of the log lines [`layer`](crate::layer) keeps (`INFO` by default),
    /// unless the layer was given its own with
    /// [`ContextLayerExt::with_level`](crate::ContextLayerExt::with_level).
    pub log_level: LevelFilter,
    /// Whether reports carry a backtrace.
    pub include_stack_trace: bool,
    /// Whether reports are filed as GitHub issues (otherwise they stay in the local queue).
    pub auto_create_issues: bool,
    /// Labels every issue carries.
    pub issue_labels: Vec<String>,
    /// The GitHub REST API base URL (`https://HOST/api/v3` for GitHub Enterprise Server).
    pub api_url: String,
    /// Bound, in seconds, on connecting and on each whole request to GitHub.
    pub timeout_secs: u64,
    /// At most one recurrence comment per fingerprint in this many seconds.
    pub throttle_secs: u64,
    /// At most this many new issues per hour from this machine; beyond it reports wait queued.
    pub max_new_issues_per_hour: u32,
    /// The queue keeps at most this many reports; the oldest are dropped beyond it.
    pub queue_max_reports: usize,
    /// The queue keeps at most this many bytes; the oldest are dropped beyond it.
    pub queue_max_bytes: u64,
    /// Hand unrecognised failures to the Copilot coding agent.
    pub copilot_handoff: bool,
    /// The token for the Copilot hand-off alone ([`COPILOT_TOKEN_ENV`]), read from the
    /// environment only; without it the hand-off uses [`github_token`](Self::github_token).
    /// Starting the coding agent needs a user's token, which should not also be the one that
    /// comments and commits.
    pub copilot_token: Option<Token>,
    /// Print autoheal's own internal failures as `[autoheal] ...` lines on stderr.
    pub debug: bool,
    /// What reports carry, which failures are never reported, and whether the user is asked
    /// before one is sent.
    pub privacy: crate::privacy::Privacy,
    /// Where notifications of new issues and regressions go ([`crate::notify`]).
    pub notify: crate::notify::NotifySettings,
    /// The local history (see [`crate::history`]) keeps at most this many entries, the newest.
    pub history_max_entries: usize,
    /// The local history keeps at most this many bytes, the newest entries.
    pub history_max_bytes: u64,
}

impl Config {
    /// The defaults for `app`, with the configuration directory resolved from the environment
    /// (`<PREFIX>CONFIG_DIR`, else `$HOME/.<app name>`), and nothing else read: no token, no
    /// `<PREFIX>AUTO_HEAL...` variable, no configuration file. For a configuration built field
    /// by field; [`Config::load`] reads them all.
    pub fn for_app(app: App) -> Self {
        let config_dir = app.default_config_dir();
        let enabled = app.enabled_by_default;
        Config {
            app,
            config_dir,
            enabled,
            github_repo: None,
            github_token: None,
            max_log_lines: 100,
            log_level: crate::layer::DEFAULT_LEVEL,
            include_stack_trace: true,
            auto_create_issues: true,
            issue_labels: DEFAULT_LABELS.iter().map(|l| l.to_string()).collect(),
            api_url: DEFAULT_API_URL.to_string(),
            timeout_secs: 10,
            throttle_secs: 3600,
            max_new_issues_per_hour: 10,
            queue_max_reports: 1000,
            queue_max_bytes: 50 * 1024 * 1024,
            copilot_handoff: false,
            copilot_token: None,
            debug: false,
            privacy: crate::privacy::Privacy::default(),
            notify: crate::notify::NotifySettings::default(),
            history_max_entries: crate::history::DEFAULT_MAX_ENTRIES,
            history_max_bytes: crate::history::DEFAULT_MAX_BYTES,
        }
    }

    /// The directory holding queued reports.
    pub fn queue_dir(&self) -> PathBuf {
        self.config_dir.join("queue")
    }

    /// The configuration file.
    pub fn config_file(&self) -> PathBuf {
        ConfigFile::in_dir(&self.config_dir)
    }

    /// Whether reports can be filed on GitHub: a repository and a token are both present.
    pub fn is_configured(&self) -> bool {
        self.github_repo.is_some() && self.github_token.is_some()
    }

    /// What keeps reports from being filed on GitHub, for people: the repository, the token
    /// or both, and how to set each. `None` when both are present.
    ///
    /// When the process environment holds a value this configuration lacks (it was made with
    /// [`Config::for_app`], which reads nothing), the message says so.
    pub fn missing_for_github(&self) -> Option<String> {
        self.missing_for_github_with(&|name| std::env::var(name).ok())
    }

    /// [`Config::missing_for_github`] with the environment given as a lookup function.
    pub fn missing_for_github_with(&self, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        let repo_variable = self.app.env_var("AUTO_HEAL_GITHUB_REPO");
        let set_repo = format!(
            "set {repo_variable}=OWNER/REPO, or github_repo in {}",
            self.config_file().display()
        );
        let set_token = "export GITHUB_TOKEN or GH_TOKEN";
        let in_env = |name: &str| env(name).is_some_and(|v| !v.trim().is_empty());
        let unread = |names: &[&str]| {
            names
                .iter()
                .find(|name| in_env(name))
                .map(|name| {
                    format!(
                        "; {name} is set but this configuration did not read it (Config::for_app reads nothing; autoheal::init! and Config::load read it)"
                    )
                })
                .unwrap_or_default()
        };
        match (&self.github_repo, &self.github_token) {
            (Some(_), Some(_)) => None,
            (None, Some(_)) => Some(format!(
                "no GitHub repository is set ({set_repo}){}",
                unread(&[&repo_variable])
            )),
            (Some(_), None) => Some(format!(
                "no GitHub token is set ({set_token}){}",
                unread(&["GITHUB_TOKEN", "GH_TOKEN"])
            )),
            (None, None) => Some(format!(
                "neither a GitHub repository nor a token is set ({set_repo}; {set_token}){}",
                unread(&["GITHUB_TOKEN", "GH_TOKEN", &repo_variable])
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configuration_that_never_read_the_environment_says_so() {
        let config = Config::for_app(App::new("pinctl", "PINCTL_", "1"));
        let env = |name: &str| match name {
            "GITHUB_TOKEN" => Some("ghp_x".to_string()),
            "PINCTL_AUTO_HEAL_GITHUB_REPO" => Some("acme/pinctl".to_string()),
            _ => None,
        };
        let missing = config.missing_for_github_with(&env).unwrap();
        assert!(
            missing.starts_with("neither a GitHub repository nor a token is set")
                && missing.contains("GITHUB_TOKEN is set but this configuration did not read it")
                && missing.contains("autoheal::init!"),
            "{missing}"
        );
        let nothing_set = config.missing_for_github_with(&|_| None).unwrap();
        assert!(!nothing_set.contains("did not read"), "{nothing_set}");
        assert!(
            nothing_set.contains("set PINCTL_AUTO_HEAL_GITHUB_REPO=OWNER/REPO"),
            "{nothing_set}"
        );
    }
}
