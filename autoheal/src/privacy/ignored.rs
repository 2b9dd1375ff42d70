//! The local count of failures an ignore rule kept from being reported: nothing of them
//! leaves the machine, but the user can see how many there were, and by which rule
//! (`status` shows it). Kept in `config_dir/ignored.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::Config;

/// The file holding the counts, in the configuration directory.
pub const IGNORED_FILE: &str = "ignored.json";

/// How many failures the ignore rules kept from being reported.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct IgnoredCounts {
    /// All of them.
    pub total: u64,
    /// By rule (`ignore_error_types: ConfigError`).
    pub by_rule: BTreeMap<String, u64>,
    /// When the last one happened (RFC 3339), if any did.
    pub last: Option<String>,
}

/// The counts kept for `config`'s application; nothing counted when the file is missing or
/// unreadable.
pub fn ignored_counts(config: &Config) -> IgnoredCounts {
    read(&path(config))
}

fn path(config: &Config) -> PathBuf {
    config.config_dir.join(IGNORED_FILE)
}

fn read(path: &Path) -> IgnoredCounts {
    let Ok(text) = std::fs::read_to_string(path) else {
        return IgnoredCounts::default();
    };
    let Ok(value) = serde_json::from_str::<Value>(&text) else {
        return IgnoredCounts::default();
    };
    IgnoredCounts {
        total: value
            .get("total")
            .and_then(Value::as_u64)
            .unwrap_or_default(),
        by_rule: value
            .get("by_rule")
            .and_then(Value::as_object)
            .map(|rules| {
                rules
                    .iter()
                    .map(|(rule, n)| (rule.clone(), n.as_u64().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default(),
        last: value
            .get("last")
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

/// Count one failure kept back by `rule`. A failure to write is returned for the debug
/// channel; it never reaches the program.
pub(crate) fn count_ignored(config: &Config, rule: &str) -> crate::Result<()> {
    let path = path(config);
    let mut counts = read(&path);
    counts.total = counts.total.saturating_add(1);
    let count = counts.by_rule.entry(rule.to_string()).or_default();
    *count = count.saturating_add(1);
    let last = crate::timestamp::seconds(std::time::SystemTime::now()).to_string();
    let text = json!({ "total": counts.total, "by_rule": counts.by_rule, "last": last });
    let bytes = serde_json::to_vec_pretty(&text).unwrap_or_default();
    crate::durable::replace_cache_file(&path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_by_rule() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_app(crate::App::new("app", "APP_", "1"));
        config.config_dir = dir.path().to_path_buf();
        assert_eq!(ignored_counts(&config).total, 0);
        count_ignored(&config, "ignore_error_types: ConfigError").unwrap();
        count_ignored(&config, "ignore_error_types: ConfigError").unwrap();
        count_ignored(&config, "ignore_messages: ^timeout").unwrap();
        let counts = ignored_counts(&config);
        assert_eq!(counts.total, 3);
        assert_eq!(counts.by_rule["ignore_error_types: ConfigError"], 2);
        assert!(counts.last.is_some());
    }
}
