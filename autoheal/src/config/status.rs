//! The answer to "is auto-healing set up, and where does each setting come from?".

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde_json::Value;

use super::keys::{KEYS, display_value};
use super::load::{Loaded, Source};

/// What `status` shows. Field names are stable: `status --json` prints this object.
#[derive(Clone, Debug)]
pub struct Status {
    /// Whether failures are reported.
    pub enabled: bool,
    /// Whether a repository and a token are both present.
    pub configured: bool,
    /// The repository issues go to.
    pub repository: Option<String>,
    /// Why it is that one (which source won, whether `GITHUB_REPOSITORY` was passed over),
    /// or what would set one.
    pub repository_reason: String,
    /// What is missing for reports to be filed (the repository, the token, or both, and how
    /// to set them); `None` when nothing is.
    pub missing: Option<String>,
    /// `"set"` or `"not set"`; never the token itself.
    pub github_token: &'static str,
    /// The environment variable the token came from.
    pub github_token_source: Option<&'static str>,
    /// `"set"` or `"not set"`: the Copilot hand-off's own token
    /// ([`COPILOT_TOKEN_ENV`](super::COPILOT_TOKEN_ENV)); never the token itself.
    pub copilot_token: &'static str,
    /// Whether reports become issues (else they stay queued).
    pub auto_create_issues: bool,
    /// Whether reports are offered as new-issue links: a repository is set but no token.
    pub offered_as_links: bool,
    /// Failures an ignore rule kept from being reported, counted on this machine.
    pub ignored_failures: u64,
    /// Reports waiting in the local queue.
    pub queue_length: usize,
    /// Reports dropped, oldest first, because the queue was full.
    pub queue_dropped: u64,
    /// The queue directory.
    pub queue_dir: PathBuf,
    /// The configuration file.
    pub config_file: PathBuf,
    /// Every key with its value and source.
    pub settings: BTreeMap<&'static str, Setting>,
    /// Keys in the file that no setting uses (kept, perhaps misspelt).
    pub unknown_file_keys: Vec<String>,
    /// Things to know about the configuration.
    pub warnings: Vec<String>,
}

/// One key's value and where it came from.
#[derive(Clone, Debug)]
pub struct Setting {
    /// The value.
    pub value: Value,
    /// Its source.
    pub source: Source,
    /// The environment variable that set it, when the source is `env`.
    pub env_var: Option<String>,
}

/// The fields in the order above; a field added to `Status` without a place here does not
/// compile.
impl serde_core::Serialize for Status {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_core::ser::SerializeStruct;
        let Status {
            enabled,
            configured,
            repository,
            repository_reason,
            missing,
            github_token,
            github_token_source,
            copilot_token,
            auto_create_issues,
            offered_as_links,
            ignored_failures,
            queue_length,
            queue_dropped,
            queue_dir,
            config_file,
            settings,
            unknown_file_keys,
            warnings,
        } = self;
        let mut out = serializer.serialize_struct("Status", 18)?;
        out.serialize_field("enabled", enabled)?;
        out.serialize_field("configured", configured)?;
        out.serialize_field("repository", repository)?;
        out.serialize_field("repository_reason", repository_reason)?;
        out.serialize_field("missing", missing)?;
        out.serialize_field("github_token", github_token)?;
        out.serialize_field("github_token_source", github_token_source)?;
        out.serialize_field("copilot_token", copilot_token)?;
        out.serialize_field("auto_create_issues", auto_create_issues)?;
        out.serialize_field("offered_as_links", offered_as_links)?;
        out.serialize_field("ignored_failures", ignored_failures)?;
        out.serialize_field("queue_length", queue_length)?;
        out.serialize_field("queue_dropped", queue_dropped)?;
        out.serialize_field("queue_dir", queue_dir)?;
        out.serialize_field("config_file", config_file)?;
        out.serialize_field("settings", settings)?;
        out.serialize_field("unknown_file_keys", unknown_file_keys)?;
        out.serialize_field("warnings", warnings)?;
        out.end()
    }
}

/// `value` and `source`, and `env_var` when there is one.
impl serde_core::Serialize for Setting {
    fn serialize<S: serde_core::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_core::ser::SerializeStruct;
        let Setting {
            value,
            source,
            env_var,
        } = self;
        let mut out = serializer.serialize_struct("Setting", 3)?;
        out.serialize_field("value", value)?;
        out.serialize_field("source", source)?;
        match env_var {
            Some(env_var) => out.serialize_field("env_var", env_var)?,
            None => out.skip_field("env_var")?,
        }
        out.end()
    }
}

impl Status {
    /// The status of a loaded configuration with `queue_length` reports waiting.
    pub fn new(loaded: &Loaded, queue_length: usize, queue_dropped: u64) -> Self {
        let config = &loaded.config;
        let settings = KEYS
            .iter()
            .map(|key| {
                let source = loaded
                    .sources
                    .get(key.name)
                    .copied()
                    .unwrap_or(Source::Default);
                (
                    key.name,
                    Setting {
                        value: key.value_of(config),
                        source,
                        env_var: loaded.env_vars.get(key.name).cloned(),
                    },
                )
            })
            .collect();
        Status {
            enabled: config.enabled,
            configured: config.is_configured(),
            repository: config.github_repo.clone(),
            repository_reason: loaded.repository_reason.clone(),
            missing: config.missing_for_github(),
            github_token: presence(config.github_token.is_some()),
            github_token_source: loaded.token_env,
            copilot_token: presence(config.copilot_token.is_some()),
            auto_create_issues: config.auto_create_issues,
            offered_as_links: config.github_repo.is_some() && config.github_token.is_none(),
            ignored_failures: crate::privacy::ignored_counts(config).total,
            queue_length,
            queue_dropped,
            queue_dir: config.queue_dir(),
            config_file: loaded.file.clone(),
            settings,
            unknown_file_keys: loaded.unknown_file_keys.clone(),
            warnings: loaded.warnings.clone(),
        }
    }

    /// Where `key`'s value came from, for people: `file`, `default`, `flag`, `env NAME`.
    fn origin(&self, key: &str) -> String {
        self.settings
            .get(key)
            .map_or_else(|| Source::Default.to_string(), Setting::origin)
    }
}

/// A secret as `status` tells of it: `"set"` or `"not set"`, never its value.
fn presence(set: bool) -> &'static str {
    if set { "set" } else { "not set" }
}

impl Setting {
    /// Where the value came from, for people: `file`, `default`, `flag`, `env NAME`.
    pub fn origin(&self) -> String {
        match &self.env_var {
            Some(variable) => format!("env {variable}"),
            None => self.source.to_string(),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        writeln!(f, "Auto-healing status")?;
        writeln!(
            f,
            "  Enabled:            {:<28} ({})",
            yes_no(self.enabled),
            self.origin("enabled")
        )?;
        match &self.missing {
            Some(missing) => writeln!(f, "  Configured:         no: {missing}")?,
            None => writeln!(f, "  Configured:         {}", yes_no(self.configured))?,
        }
        let repo = self.repository.as_deref().unwrap_or("(not set)");
        writeln!(
            f,
            "  Repository:         {repo:<28} ({})",
            self.origin("github_repo")
        )?;
        writeln!(f, "                      {}", self.repository_reason)?;
        let token_source = self.github_token_source.map_or_else(
            || "env GITHUB_TOKEN / GH_TOKEN".to_string(),
            |name| format!("env {name}"),
        );
        writeln!(
            f,
            "  GitHub Token:       {:<28} ({token_source})",
            if self.github_token == "set" {
                "Set"
            } else {
                "Not set"
            }
        )?;
        let handoff_on = self
            .settings
            .get("copilot_handoff")
            .is_some_and(|s| s.value == Value::Bool(true));
        if handoff_on || self.copilot_token == "set" {
            let (shown, note) = match self.copilot_token {
                "set" => ("Set", format!("env {}", super::COPILOT_TOKEN_ENV)),
                _ => (
                    "Not set",
                    format!(
                        "env {}; the hand-off uses the GitHub token",
                        super::COPILOT_TOKEN_ENV
                    ),
                ),
            };
            writeln!(f, "  Copilot token:      {shown:<28} ({note})")?;
        }
        writeln!(
            f,
            "  Auto-create issues: {:<28} ({})",
            yes_no(self.auto_create_issues),
            self.origin("auto_create_issues")
        )?;
        if self.offered_as_links {
            writeln!(
                f,
                "  Report links:       yes: without a token, each report is offered as a link to GitHub's new-issue form (report-link prints it)"
            )?;
        }
        if self.ignored_failures > 0 {
            writeln!(
                f,
                "  Ignored failures:   {} (matched an ignore rule; counted here, never sent)",
                self.ignored_failures
            )?;
        }
        writeln!(
            f,
            "  Queued reports:     {} in {}",
            self.queue_length,
            self.queue_dir.display()
        )?;
        if self.queue_dropped > 0 {
            writeln!(
                f,
                "  Dropped, queue full: {} (raise queue_max_reports / queue_max_bytes)",
                self.queue_dropped
            )?;
        }
        writeln!(f, "  Config file:        {}", self.config_file.display())?;
        writeln!(f, "Settings")?;
        for (name, setting) in &self.settings {
            writeln!(
                f,
                "  {name:<24} {:<28} ({})",
                display_value(&setting.value),
                setting.origin()
            )?;
        }
        if !self.unknown_file_keys.is_empty() {
            writeln!(
                f,
                "note: keys in the file that no setting uses (kept as they are; a typo?): {}",
                self.unknown_file_keys.join(", ")
            )?;
        }
        for warning in &self.warnings {
            writeln!(f, "warning: {warning}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{App, Config, Overrides};

    const TOKEN: &str = "ghp_StatusTestTokenValue0123456789abcdef";

    fn loaded(dir: &std::path::Path, env: &[(&str, &str)]) -> Loaded {
        let mut env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.push(("IPFS_KIT_CONFIG_DIR".to_string(), dir.display().to_string()));
        let app = App::new("ipfs_kit", "IPFS_KIT_", "1.0.0");
        Config::load_with_env(app, &Overrides::new(), &|name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
        .unwrap()
    }

    #[test]
    fn status_names_the_variable_a_value_came_from_and_never_shows_the_token() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("auto_heal_config.json"),
            r#"{"enabled": true, "max_log_line": 5}"#,
        )
        .unwrap();
        let loaded = loaded(
            dir.path(),
            &[("GITHUB_REPOSITORY", "acme/tools"), ("GH_TOKEN", TOKEN)],
        );
        let status = Status::new(&loaded, 3, 0);
        assert!(status.configured);
        let text = status.to_string();
        assert!(!text.contains(TOKEN), "{text}");
        assert!(text.contains("GitHub Token:       Set"), "{text}");
        assert!(text.contains("(env GH_TOKEN)"), "{text}");
        assert!(
            text.contains("acme/tools                   (env GITHUB_REPOSITORY)"),
            "{text}"
        );
        assert!(
            text.contains(
                "GITHUB_REPOSITORY is used because nothing of this program's names a repository"
            ),
            "{text}"
        );
        assert!(text.contains("Queued reports:     3"), "{text}");
        assert!(text.contains("a typo?): max_log_line"), "{text}");

        let json = serde_json::to_value(&status).unwrap();
        assert!(!json.to_string().contains(TOKEN));
        assert_eq!(
            json["settings"]["github_repo"],
            serde_json::json!({"value": "acme/tools", "source": "env", "env_var": "GITHUB_REPOSITORY"})
        );
        assert_eq!(
            json["settings"]["enabled"],
            serde_json::json!({"value": true, "source": "file"})
        );
        assert_eq!(json["github_token"], "set");
        assert_eq!(json["github_token_source"], "GH_TOKEN");
        assert_eq!(json["copilot_token"], "not set");
        assert!(!text.contains("Copilot token"), "{text}");
        assert_eq!(
            json["unknown_file_keys"],
            serde_json::json!(["max_log_line"])
        );
    }

    #[test]
    fn the_copilot_token_is_shown_as_set_and_never_shown() {
        const COPILOT: &str = "github_pat_11AAAAAAA0StatusCopilotToken0123456789";
        let dir = tempfile::tempdir().unwrap();
        let loaded = loaded(
            dir.path(),
            &[("GH_TOKEN", TOKEN), ("AUTOHEAL_COPILOT_TOKEN", COPILOT)],
        );
        assert_eq!(
            loaded.config.copilot_token.as_ref().map(|t| t.expose()),
            Some(COPILOT)
        );
        let status = Status::new(&loaded, 0, 0);
        let text = status.to_string();
        assert!(
            text.contains(
                "Copilot token:      Set                          (env AUTOHEAL_COPILOT_TOKEN)"
            ),
            "{text}"
        );
        let json = serde_json::to_value(&status).unwrap().to_string();
        assert!(json.contains(r#""copilot_token":"set""#), "{json}");
        assert!(!text.contains(COPILOT) && !json.contains(COPILOT));

        let handoff_without_token = loaded_with_handoff(dir.path());
        let text = Status::new(&handoff_without_token, 0, 0).to_string();
        assert!(
            text.contains("Copilot token:      Not set") && text.contains("uses the GitHub token"),
            "{text}"
        );
    }

    #[test]
    fn status_names_what_is_missing_and_how_to_set_it() {
        let dir = tempfile::tempdir().unwrap();
        let nothing = Status::new(&loaded(dir.path(), &[]), 0, 0);
        let text = nothing.to_string();
        assert!(
            text.contains("Configured:         no: neither a GitHub repository")
                && text.contains("IPFS_KIT_AUTO_HEAL_GITHUB_REPO=OWNER/REPO")
                && text.contains("GITHUB_TOKEN"),
            "{text}"
        );
        let token_only = Status::new(&loaded(dir.path(), &[("GITHUB_TOKEN", TOKEN)]), 0, 0);
        let missing = token_only.missing.unwrap();
        assert!(
            missing.starts_with("no GitHub repository is set") && !missing.contains("token"),
            "{missing}"
        );
        let repo_only = Status::new(
            &loaded(
                dir.path(),
                &[("IPFS_KIT_AUTO_HEAL_GITHUB_REPO", "acme/tools")],
            ),
            0,
            0,
        );
        let missing = repo_only.missing.unwrap();
        assert!(missing.starts_with("no GitHub token is set"), "{missing}");
    }

    fn loaded_with_handoff(dir: &std::path::Path) -> Loaded {
        loaded(dir, &[("IPFS_KIT_AUTO_HEAL_COPILOT_HANDOFF", "true")])
    }
}
