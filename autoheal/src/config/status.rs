//! The answer to "is auto-healing set up, and where does each setting come from?".

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use super::keys::{KEYS, display_value};
use super::load::{Loaded, Source};

/// What `status` shows. Field names are stable: `status --json` prints this object.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    /// Whether failures are reported.
    pub enabled: bool,
    /// Whether a repository and a token are both present.
    pub configured: bool,
    /// The repository issues go to.
    pub repository: Option<String>,
    /// `"set"` or `"not set"`; never the token itself.
    pub github_token: &'static str,
    /// The environment variable the token came from.
    pub github_token_source: Option<&'static str>,
    /// Whether reports become issues (else they stay queued).
    pub auto_create_issues: bool,
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
    /// Things to know about the configuration.
    pub warnings: Vec<String>,
}

/// One key's value and where it came from.
#[derive(Clone, Debug, Serialize)]
pub struct Setting {
    /// The value.
    pub value: Value,
    /// Its source.
    pub source: Source,
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
                    },
                )
            })
            .collect();
        Status {
            enabled: config.enabled,
            configured: config.is_configured(),
            repository: config.github_repo.clone(),
            github_token: if config.github_token.is_some() {
                "set"
            } else {
                "not set"
            },
            github_token_source: loaded.token_env,
            auto_create_issues: config.auto_create_issues,
            queue_length,
            queue_dropped,
            queue_dir: config.queue_dir(),
            config_file: loaded.file.clone(),
            settings,
            warnings: loaded.warnings.clone(),
        }
    }

    fn source(&self, key: &str) -> String {
        self.settings
            .get(key)
            .map_or_else(|| "default".to_string(), |s| s.source.to_string())
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
            self.source("enabled")
        )?;
        writeln!(f, "  Configured:         {}", yes_no(self.configured))?;
        let repo = self.repository.as_deref().unwrap_or("(not set)");
        writeln!(
            f,
            "  Repository:         {repo:<28} ({})",
            self.source("github_repo")
        )?;
        let token_source = self
            .github_token_source
            .map_or_else(|| "env".to_string(), |name| format!("env {name}"));
        writeln!(
            f,
            "  GitHub Token:       {:<28} ({token_source})",
            if self.github_token == "set" {
                "Set"
            } else {
                "Not set"
            }
        )?;
        writeln!(
            f,
            "  Auto-create issues: {:<28} ({})",
            yes_no(self.auto_create_issues),
            self.source("auto_create_issues")
        )?;
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
                setting.source
            )?;
        }
        for warning in &self.warnings {
            writeln!(f, "warning: {warning}")?;
        }
        Ok(())
    }
}
