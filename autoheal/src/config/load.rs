//! Resolving the configuration from its sources, highest first: command-line flags, the
//! environment, the file, the defaults — remembering where each value came from.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use super::file::ConfigFile;
use super::keys::{self, KEYS, Key};
use super::{App, Config, Token};
use crate::Result;

/// Where a configuration value came from.
///
/// `#[non_exhaustive]`: a later release may add a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// An environment variable.
    Env,
    /// The configuration file.
    File,
    /// Built into the program: the repository of its [`App`](super::App).
    Program,
    /// The built-in default.
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Flag => "flag",
            Source::Env => "env",
            Source::File => "file",
            Source::Program => "program",
            Source::Default => "default",
        })
    }
}

/// As its `Display` text: `"flag"`, `"env"`, `"file"`, `"program"` or `"default"`.
impl serde_core::Serialize for Source {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Values given on the command line, the highest source.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    values: Vec<(&'static Key, Value)>,
}

impl Overrides {
    /// No flags.
    pub fn new() -> Self {
        Overrides::default()
    }

    /// Set key `name` from flag text.
    ///
    /// # Errors
    ///
    /// For an unknown key or an invalid value.
    pub fn set(&mut self, name: &str, text: &str) -> Result<()> {
        let key = keys::find(name)?;
        let value = key.parse_text(text)?;
        self.values.retain(|(k, _)| k.name != key.name);
        self.values.push((key, value));
        Ok(())
    }

    /// The value given for key `name`, if any.
    #[cfg_attr(not(feature = "clap"), allow(dead_code))]
    pub(crate) fn value(&self, name: &str) -> Option<&Value> {
        self.values
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(_, v)| v)
    }
}

/// A resolved configuration and where each of its values came from.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Loaded {
    /// The configuration to use.
    pub config: Config,
    /// The source of every key's value.
    pub sources: BTreeMap<&'static str, Source>,
    /// For each key whose value came from the environment, the variable that set it.
    pub env_vars: BTreeMap<&'static str, String>,
    /// The environment variable the token came from, if any.
    pub token_env: Option<&'static str>,
    /// The configuration file.
    pub file: PathBuf,
    /// Keys in the file that no setting uses (kept on save; perhaps misspelt).
    pub unknown_file_keys: Vec<String>,
    /// Things the user should know: ignored token keys in the file, for one.
    pub warnings: Vec<String>,
    /// Why the repository is the one it is, or what would set one: which source won, and
    /// whether `GITHUB_REPOSITORY` was passed over.
    pub repository_reason: String,
}

impl Loaded {
    /// Where `key`'s value came from, for people: `file`, `default`, `flag` or
    /// `env GITHUB_REPOSITORY`.
    pub fn origin(&self, key: &str) -> String {
        match (self.sources.get(key), self.env_vars.get(key)) {
            (Some(Source::Env), Some(variable)) => format!("env {variable}"),
            (Some(source), _) => source.to_string(),
            (None, _) => Source::Default.to_string(),
        }
    }
}

impl Config {
    /// Resolve `app`'s configuration from the process environment, its file and `overrides`.
    ///
    /// Environment variables that are empty or not valid UTF-8 count as unset.
    ///
    /// This is what [`init!`](crate::init!) does for a program; [`Config::for_app`], by
    /// contrast, gives the defaults alone and reads nothing.
    ///
    /// # Errors
    ///
    /// When `app` is not valid ([`App::validate`]), the file is malformed or a value from any
    /// source is invalid; the error says which and where.
    pub fn load(app: App, overrides: &Overrides) -> Result<Loaded> {
        Config::load_with_env(app, overrides, &|name| std::env::var(name).ok())
    }

    /// [`Config::load`] with the environment given as a lookup function.
    ///
    /// # Errors
    ///
    /// As [`Config::load`].
    pub fn load_with_env(
        app: App,
        overrides: &Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Loaded> {
        app.validate()?;
        let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let config_dir = app.config_dir_from(&env);
        let file_path = ConfigFile::in_dir(&config_dir);
        let file = ConfigFile::load(&file_path)?;
        let mut warnings: Vec<String> = file
            .token_keys()
            .into_iter()
            .map(|key| {
                format!(
                    "ignoring `{key}` in {}: the GitHub token is read from the environment only (GITHUB_TOKEN); the key will be removed the next time the file is saved",
                    file_path.display()
                )
            })
            .collect();
        let mut config = Config::for_app(app);
        config.config_dir = config_dir;
        let mut sources = BTreeMap::new();
        let mut env_vars = BTreeMap::new();
        for key in KEYS {
            let from_env = || {
                key.env_names(&config.app.env_prefix)
                    .into_iter()
                    .find_map(|name| env(&name).map(|text| (name, text)))
            };
            let (value, source) = if let Some((_, value)) =
                overrides.values.iter().find(|(k, _)| k.name == key.name)
            {
                (Some(value.clone()), Source::Flag)
            } else if let Some((name, text)) = from_env() {
                let value = key.parse_text(&text).map_err(|e| in_env(e, &name))?;
                env_vars.insert(key.name, name);
                (Some(value), Source::Env)
            } else if let Some(value) = file.get(key.name).filter(|v| !v.is_null()) {
                key.check(value).map_err(|e| in_file(e, &file_path))?;
                (Some(value.clone()), Source::File)
            } else if let Some(repo) = built_in(key, &config.app) {
                (Some(Value::String(repo)), Source::Program)
            } else if let Some((name, text)) = key
                .fallback_env()
                .and_then(|name| env(name).map(|text| (name.to_string(), text)))
            {
                let value = key.parse_text(&text).map_err(|e| in_env(e, &name))?;
                env_vars.insert(key.name, name);
                (Some(value), Source::Env)
            } else {
                (None, Source::Default)
            };
            if let Some(value) = value {
                key.apply(&mut config, &value);
            }
            sources.insert(key.name, source);
        }
        let token_env = ["GITHUB_TOKEN", "GH_TOKEN"]
            .into_iter()
            .find(|name| env(name).is_some());
        config.github_token = token_env.and_then(&env).map(|t| Token::new(t.trim()));
        config.copilot_token = env(super::COPILOT_TOKEN_ENV)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .map(Token::new);
        // The notification secrets, like the tokens, from the environment only.
        let secret = |suffix: &str| env(&config.app.env_var(suffix)).map(|v| Token::new(v.trim()));
        config.notify.webhook_secret = secret(crate::notify::WEBHOOK_SECRET_ENV);
        config.notify.smtp_password = secret(crate::notify::SMTP_PASSWORD_ENV);
        let own_variable = config.app.env_var("AUTO_HEAL_GITHUB_REPO");
        if config.enabled && config.github_repo.is_none() {
            warnings.push(format!(
                "auto-healing is enabled but no repository is set: reports stay in the local queue (set {own_variable}=OWNER/REPO, or github_repo in {})",
                file_path.display()
            ));
        }
        let repository_reason = repository_reason(
            sources.get("github_repo").copied(),
            env_vars.get("github_repo").map(String::as_str),
            config.github_repo.as_deref(),
            env(keys::GITHUB_REPOSITORY).as_deref(),
            &own_variable,
            &file_path,
        );
        Ok(Loaded {
            config,
            sources,
            env_vars,
            token_env,
            file: file_path,
            unknown_file_keys: file.unknown_keys(),
            warnings,
            repository_reason,
        })
    }
}

/// The value the program built in for `key`: its repository.
fn built_in(key: &Key, app: &App) -> Option<String> {
    match key.name {
        "github_repo" => app.repository.clone(),
        _ => None,
    }
}

/// Why the repository is `chosen`, in a sentence `status` prints.
fn repository_reason(
    source: Option<Source>,
    variable: Option<&str>,
    chosen: Option<&str>,
    generic: Option<&str>,
    own_variable: &str,
    file: &std::path::Path,
) -> String {
    let passed_over = match generic {
        Some(generic) if Some(generic.trim()) != chosen => format!(
            "; {} ({}) is ignored: GitHub Actions sets it to the repository a job builds, which need not be this program's",
            keys::GITHUB_REPOSITORY,
            generic.trim()
        ),
        _ => String::new(),
    };
    match (source, variable) {
        (Some(Source::Flag), _) => {
            format!("given on the command line, above every other source{passed_over}")
        }
        (Some(Source::Env), Some(name)) if name == keys::GITHUB_REPOSITORY => format!(
            "{name} is used because nothing of this program's names a repository: GitHub Actions sets it to the repository a job builds; set {own_variable}, or github_repo in {}, to choose",
            file.display()
        ),
        (Some(Source::Env), _) => format!(
            "{own_variable} is set: it is above the file, the program's own repository and {}{passed_over}",
            keys::GITHUB_REPOSITORY
        ),
        (Some(Source::File), _) => format!(
            "github_repo in {}; {own_variable} or a flag overrides it{passed_over}",
            file.display()
        ),
        (Some(Source::Program), _) => format!(
            "the program's own repository, built into it; {own_variable}, github_repo in the file or a flag overrides it{passed_over}"
        ),
        _ => format!(
            "no repository is set: set {own_variable}=OWNER/REPO, or github_repo in {}",
            file.display()
        ),
    }
}

fn in_env(error: crate::Error, variable: &str) -> crate::Error {
    match error {
        crate::Error::InvalidConfig { message, .. } => crate::Error::InvalidConfig {
            key: variable.to_string(),
            message: format!("{message} (from the environment)"),
        },
        other => other,
    }
}

fn in_file(error: crate::Error, path: &std::path::Path) -> crate::Error {
    match error {
        crate::Error::InvalidConfig { key, message } => crate::Error::InvalidConfig {
            key,
            message: format!("{message} (in {})", path.display()),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn app() -> App {
        App::new("ipfs_kit", "IPFS_KIT_", "1.0.0")
    }

    fn load(env: &[(&str, &str)], overrides: &Overrides) -> Result<Loaded> {
        load_app(app(), env, overrides)
    }

    fn load_app(app: App, env: &[(&str, &str)], overrides: &Overrides) -> Result<Loaded> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load_with_env(app, overrides, &|name| env.get(name).cloned())
    }

    #[test]
    fn github_repository_never_overrides_the_programs_own_repository() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let own = app().with_repository("acme/tool").unwrap();
        let ci = [
            ("IPFS_KIT_CONFIG_DIR", d),
            ("GITHUB_REPOSITORY", "someone/else"),
        ];
        let loaded = load_app(own.clone(), &ci, &Overrides::new()).unwrap();
        assert_eq!(loaded.config.github_repo.as_deref(), Some("acme/tool"));
        assert_eq!(loaded.sources["github_repo"], Source::Program);
        assert_eq!(loaded.origin("github_repo"), "program");
        let why = &loaded.repository_reason;
        assert!(
            why.contains("the program's own repository")
                && why.contains("GITHUB_REPOSITORY (someone/else) is ignored"),
            "{why}"
        );

        // The file, the app's variable and a flag each choose another one.
        std::fs::write(
            dir.path().join("auto_heal_config.json"),
            r#"{"github_repo": "file/repo"}"#,
        )
        .unwrap();
        let loaded = load_app(own.clone(), &ci, &Overrides::new()).unwrap();
        assert_eq!(loaded.config.github_repo.as_deref(), Some("file/repo"));
        assert!(
            loaded.repository_reason.contains("is ignored"),
            "{}",
            loaded.repository_reason
        );
        let with_variable = [
            ("IPFS_KIT_CONFIG_DIR", d),
            ("GITHUB_REPOSITORY", "someone/else"),
            ("IPFS_KIT_AUTO_HEAL_GITHUB_REPO", "mine/fork"),
        ];
        let loaded = load_app(own.clone(), &with_variable, &Overrides::new()).unwrap();
        assert_eq!(loaded.config.github_repo.as_deref(), Some("mine/fork"));
        assert!(
            loaded
                .repository_reason
                .starts_with("IPFS_KIT_AUTO_HEAL_GITHUB_REPO is set"),
            "{}",
            loaded.repository_reason
        );
        let mut flags = Overrides::new();
        flags.set("github_repo", "flag/repo").unwrap();
        let loaded = load_app(own, &with_variable, &flags).unwrap();
        assert_eq!(loaded.config.github_repo.as_deref(), Some("flag/repo"));
        assert!(
            loaded
                .repository_reason
                .starts_with("given on the command line")
        );
    }

    #[test]
    fn github_repository_is_the_last_resort_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let env = [
            ("IPFS_KIT_CONFIG_DIR", d),
            ("GITHUB_REPOSITORY", "ci/project"),
        ];
        let loaded = load(&env, &Overrides::new()).unwrap();
        assert_eq!(loaded.config.github_repo.as_deref(), Some("ci/project"));
        assert_eq!(loaded.origin("github_repo"), "env GITHUB_REPOSITORY");
        assert!(
            loaded
                .repository_reason
                .contains("set IPFS_KIT_AUTO_HEAL_GITHUB_REPO"),
            "{}",
            loaded.repository_reason
        );
        let nothing = load(&[("IPFS_KIT_CONFIG_DIR", d)], &Overrides::new()).unwrap();
        assert!(
            nothing
                .repository_reason
                .starts_with("no repository is set: set IPFS_KIT_AUTO_HEAL_GITHUB_REPO"),
            "{}",
            nothing.repository_reason
        );
    }

    #[test]
    fn an_app_changed_after_it_was_checked_is_checked_again() {
        let mut app = app();
        app.name = "../elsewhere".to_string();
        let error = Config::load_with_env(app, &Overrides::new(), &|_| None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("path separator"), "{error}");
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(&[("HOME", dir.path().to_str().unwrap())], &Overrides::new()).unwrap();
        assert!(!loaded.config.enabled);
        assert_eq!(loaded.config.max_log_lines, 100);
        assert_eq!(
            loaded.config.issue_labels,
            ["auto-heal", "cli-error", "automated-issue"]
        );
        assert_eq!(
            loaded.file,
            dir.path().join(".ipfs_kit").join("auto_heal_config.json")
        );
        assert!(loaded.sources.values().all(|s| *s == Source::Default));
    }

    #[test]
    fn flag_beats_env_beats_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        std::fs::write(
            dir.path().join("auto_heal_config.json"),
            r#"{"github_repo": "file/repo", "max_log_lines": 50, "enabled": false}"#,
        )
        .unwrap();
        let env = [
            ("IPFS_KIT_CONFIG_DIR", d),
            ("IPFS_KIT_AUTO_HEAL_GITHUB_REPO", "env/repo"),
            ("IPFS_KIT_AUTO_HEAL", "YES"),
        ];
        let loaded = load(&env, &Overrides::new()).unwrap();
        assert_eq!(loaded.config.github_repo.as_deref(), Some("env/repo"));
        assert_eq!(loaded.sources["github_repo"], Source::Env);
        assert_eq!(
            loaded.origin("github_repo"),
            "env IPFS_KIT_AUTO_HEAL_GITHUB_REPO"
        );
        assert_eq!(loaded.config.max_log_lines, 50);
        assert_eq!(loaded.sources["max_log_lines"], Source::File);
        assert!(loaded.config.enabled);
        let mut flags = Overrides::new();
        flags.set("github_repo", "flag/repo").unwrap();
        let loaded = load(&env, &flags).unwrap();
        assert_eq!(loaded.config.github_repo.as_deref(), Some("flag/repo"));
        assert_eq!(loaded.sources["github_repo"], Source::Flag);
    }

    #[test]
    fn the_variable_behind_each_environment_value_is_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let env = [
            ("IPFS_KIT_CONFIG_DIR", d),
            ("GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
            ("IPFS_KIT_AUTO_HEAL_ISSUE_LABELS", "bug, ipfs"),
            ("IPFS_KIT_AUTO_HEAL_TIMEOUT_SECS", " "),
        ];
        let loaded = load(&env, &Overrides::new()).unwrap();
        assert_eq!(loaded.config.api_url, "https://ghe.example.com/api/v3");
        assert_eq!(loaded.config.issue_labels, ["bug", "ipfs"]);
        assert_eq!(loaded.origin("api_url"), "env GITHUB_API_URL");
        assert_eq!(
            loaded.origin("issue_labels"),
            "env IPFS_KIT_AUTO_HEAL_ISSUE_LABELS"
        );
        assert_eq!(loaded.origin("timeout_secs"), "default", "blank is unset");
        assert_eq!(loaded.origin("enabled"), "default");
    }

    #[test]
    fn github_api_url_is_below_the_program_s_own_variable_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let runner = ("GITHUB_API_URL", "https://ghe.runner.example/api/v3");
        let only_runner = load(&[("IPFS_KIT_CONFIG_DIR", d), runner], &Overrides::new()).unwrap();
        assert_eq!(
            only_runner.config.api_url,
            "https://ghe.runner.example/api/v3"
        );
        assert_eq!(only_runner.origin("api_url"), "env GITHUB_API_URL");

        std::fs::write(
            dir.path().join(crate::config::file::FILE_NAME),
            r#"{"api_url": "https://ghe.own.example/api/v3"}"#,
        )
        .unwrap();
        let file = load(&[("IPFS_KIT_CONFIG_DIR", d), runner], &Overrides::new()).unwrap();
        assert_eq!(file.config.api_url, "https://ghe.own.example/api/v3");
        assert_eq!(file.sources["api_url"], Source::File);

        let own = ("IPFS_KIT_AUTO_HEAL_API_URL", "http://127.0.0.1:9/api/v3");
        let variable = load(
            &[("IPFS_KIT_CONFIG_DIR", d), runner, own],
            &Overrides::new(),
        )
        .unwrap();
        assert_eq!(variable.config.api_url, "http://127.0.0.1:9/api/v3");
        assert_eq!(variable.origin("api_url"), "env IPFS_KIT_AUTO_HEAL_API_URL");
    }

    #[test]
    fn booleans_from_the_environment_accept_every_spelling_in_any_case() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        for (text, expected) in [
            ("true", true),
            ("TRUE", true),
            ("1", true),
            ("Yes", true),
            ("false", false),
            ("0", false),
            ("NO", false),
        ] {
            let env = [("IPFS_KIT_CONFIG_DIR", d), ("IPFS_KIT_AUTO_HEAL", text)];
            let loaded = load(&env, &Overrides::new()).unwrap();
            assert_eq!(loaded.config.enabled, expected, "{text}");
            assert_eq!(loaded.sources["enabled"], Source::Env);
        }
        for text in ["on", "2", "enabled", "y"] {
            assert!(
                load(
                    &[("IPFS_KIT_CONFIG_DIR", d), ("IPFS_KIT_AUTO_HEAL", text)],
                    &Overrides::new()
                )
                .is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn an_invalid_environment_value_is_a_clear_error() {
        let error = load(&[("IPFS_KIT_AUTO_HEAL", "maybe")], &Overrides::new())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("IPFS_KIT_AUTO_HEAL") && error.contains("`maybe` is not a boolean"),
            "{error}"
        );
    }

    #[test]
    fn the_token_comes_from_the_environment_only() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        std::fs::write(
            dir.path().join("auto_heal_config.json"),
            r#"{"github_token": "ghp_fromfile"}"#,
        )
        .unwrap();
        let loaded = load(&[("IPFS_KIT_CONFIG_DIR", d)], &Overrides::new()).unwrap();
        assert!(loaded.config.github_token.is_none());
        assert!(
            loaded
                .warnings
                .iter()
                .any(|w| w.contains("ignoring `github_token`"))
        );
        let loaded = load(
            &[
                ("IPFS_KIT_CONFIG_DIR", d),
                ("GH_TOKEN", "ghp_b"),
                ("GITHUB_TOKEN", "ghp_a"),
            ],
            &Overrides::new(),
        )
        .unwrap();
        assert_eq!(
            loaded.config.github_token.as_ref().map(Token::expose),
            Some("ghp_a")
        );
        assert_eq!(loaded.token_env, Some("GITHUB_TOKEN"));
    }

    #[test]
    fn an_invalid_file_value_names_the_key_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        std::fs::write(
            dir.path().join("auto_heal_config.json"),
            r#"{"max_log_lines": "lots"}"#,
        )
        .unwrap();
        let error = load(&[("IPFS_KIT_CONFIG_DIR", d)], &Overrides::new())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("max_log_lines") && error.contains("auto_heal_config.json"),
            "{error}"
        );
    }
}
