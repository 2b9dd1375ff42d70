//! Privacy controls: what a report carries, which failures are never reported, and whether
//! the user is asked before a report is sent.
//!
//! The settings live in [`Config::privacy`](crate::Config::privacy) and come, like every
//! setting, from the configuration file, the environment (`<PREFIX>AUTO_HEAL_INCLUDE_ENV`,
//! ...), `config --set` or the program itself. They are applied where a report is built (so
//! that a left-out part is never written to the queue) and again where it is rendered for
//! sending (so that a report queued before a setting changed obeys it too):
//!
//! - `include_env`, `include_args`, `include_logs`, `include_file_paths`: leave out the
//!   environment table, the command line's arguments, the log lines, the backtrace's file
//!   paths.
//! - `redact_patterns`: regular expressions whose matches the [`Redactor`](crate::redact::Redactor)
//!   masks, besides the secrets it knows.
//! - `ignore_error_types`, `ignore_messages`, `ignore_fingerprints`: failures that are never
//!   reported, only counted ([`ignored`]).
//! - `confirm_before_send`: reports wait in the queue until the user says yes on a terminal.

mod ignored;

use regex_lite::Regex;
use serde_json::Value;

use crate::Report;

pub(crate) use ignored::count_ignored;
pub use ignored::{IGNORED_FILE, IgnoredCounts, ignored_counts};

/// What reports carry and whether they are sent; see the [module](self) documentation.
///
/// `#[non_exhaustive]`: start from [`Privacy::default`] (everything carried, nothing ignored,
/// nothing asked) and set the fields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Privacy {
    /// Reports carry the allow-listed environment variables.
    pub include_env: bool,
    /// Reports carry the command line's arguments (the program's name stays).
    pub include_args: bool,
    /// Reports carry the recent log lines.
    pub include_logs: bool,
    /// Reports carry the source file paths of the backtrace's frames.
    pub include_file_paths: bool,
    /// Regular expressions (regex-lite syntax) whose matches are masked in every report.
    pub redact_patterns: Vec<String>,
    /// Error types (`ConfigError`, or with its path, `my_app::ConfigError`; `panic` for
    /// panics) whose failures are never reported.
    pub ignore_error_types: Vec<String>,
    /// Regular expressions: a failure whose message matches one is never reported.
    pub ignore_messages: Vec<String>,
    /// Fingerprints (or their first 8 or more hex digits) of bugs never reported.
    pub ignore_fingerprints: Vec<String>,
    /// Reports wait in the queue until the user says yes on a terminal; off a terminal they
    /// stay queued.
    pub confirm_before_send: bool,
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy {
            include_env: true,
            include_args: true,
            include_logs: true,
            include_file_paths: true,
            redact_patterns: Vec::new(),
            ignore_error_types: Vec::new(),
            ignore_messages: Vec::new(),
            ignore_fingerprints: Vec::new(),
            confirm_before_send: false,
        }
    }
}

/// What replaces a left-out part where the body would otherwise show nothing at all.
const LEFT_OUT: &str = "[left out: include_args is false]";

impl Privacy {
    /// Check the regular expressions of a configuration built by hand ([`Config::load`]
    /// checks those it reads).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) naming the key and the pattern.
    ///
    /// [`Config::load`]: crate::Config::load
    pub fn check(&self) -> crate::Result<()> {
        for (key, patterns) in [
            ("redact_patterns", &self.redact_patterns),
            ("ignore_messages", &self.ignore_messages),
        ] {
            for pattern in patterns {
                crate::config::validate_pattern(pattern).map_err(|message| {
                    crate::Error::InvalidConfig {
                        key: key.to_string(),
                        message,
                    }
                })?;
            }
        }
        Ok(())
    }

    /// Remove from `report` the parts these settings leave out. Applying it twice changes
    /// nothing more.
    pub fn strip(&self, report: &mut Report) {
        if !self.include_env {
            report.env.clear();
        }
        if !self.include_args && !report.command.args.is_empty() {
            report.command.args = vec![LEFT_OUT.to_string()];
        }
        if !self.include_logs {
            report.logs.clear();
        }
        if !self.include_file_paths {
            for frame in &mut report.backtrace {
                frame.file = None;
            }
        }
    }

    /// The rule that keeps `report` from being reported, for people (`error type
    /// ConfigError`), or `None` when it may be reported.
    pub fn ignored_by(&self, report: &Report) -> Option<String> {
        let type_name = report.error.type_name.as_str();
        if let Some(rule) = self.ignore_error_types.iter().find(|rule| {
            let rule = rule.trim();
            rule == type_name || rule.ends_with(&format!("::{type_name}"))
        }) {
            return Some(format!("ignore_error_types: {}", rule.trim()));
        }
        if let Some(rule) = self.ignore_messages.iter().find(|pattern| {
            Regex::new(pattern).is_ok_and(|regex| regex.is_match(&report.error.message))
        }) {
            return Some(format!("ignore_messages: {rule}"));
        }
        let fingerprint = report.fingerprint.to_ascii_lowercase();
        if fingerprint.is_empty() {
            return None;
        }
        self.ignore_fingerprints
            .iter()
            .map(|rule| rule.trim().to_ascii_lowercase())
            .find(|rule| *rule == fingerprint || (rule.len() >= 8 && fingerprint.starts_with(rule)))
            .map(|rule| format!("ignore_fingerprints: {rule}"))
    }

    /// The compiled `redact_patterns`; one that does not compile is left out (loading the
    /// configuration refuses it first).
    pub(crate) fn compiled_redact_patterns(&self) -> Vec<Regex> {
        self.redact_patterns
            .iter()
            .filter_map(|p| Regex::new(p).ok())
            .collect()
    }

    /// Set the field of configuration key `name` from a checked value.
    pub(crate) fn apply_key(&mut self, name: &str, value: &Value) {
        let flag = || value.as_bool().unwrap_or_default();
        let list = || -> Vec<String> {
            value
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        match name {
            "include_env" => self.include_env = flag(),
            "include_args" => self.include_args = flag(),
            "include_logs" => self.include_logs = flag(),
            "include_file_paths" => self.include_file_paths = flag(),
            "redact_patterns" => self.redact_patterns = list(),
            "ignore_error_types" => self.ignore_error_types = list(),
            "ignore_messages" => self.ignore_messages = list(),
            "ignore_fingerprints" => self.ignore_fingerprints = list(),
            "confirm_before_send" => self.confirm_before_send = flag(),
            _ => {}
        }
    }

    /// The value of configuration key `name`, as JSON; `Null` for a key that is not one of
    /// these.
    pub(crate) fn value_of(&self, name: &str) -> Value {
        match name {
            "include_env" => self.include_env.into(),
            "include_args" => self.include_args.into(),
            "include_logs" => self.include_logs.into(),
            "include_file_paths" => self.include_file_paths.into(),
            "redact_patterns" => self.redact_patterns.clone().into(),
            "ignore_error_types" => self.ignore_error_types.clone().into(),
            "ignore_messages" => self.ignore_messages.clone().into(),
            "ignore_fingerprints" => self.ignore_fingerprints.clone().into(),
            "confirm_before_send" => self.confirm_before_send.into(),
            _ => Value::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BacktraceFrame, ErrorDetails};

    fn report() -> Report {
        let mut report = crate::report::sample();
        report.error = ErrorDetails::new("ConfigError", "port 8004 is taken");
        report.fingerprint = "0123456789abcdef0123".to_string();
        report.command.args = vec!["--port".to_string(), "8004".to_string()];
        report.logs = vec!["INFO starting".to_string()];
        report.env.insert("LANG".to_string(), "C".to_string());
        report.backtrace = vec![
            BacktraceFrame::new("app::main")
                .with_file("/home/alice/app/src/main.rs")
                .with_line(3),
        ];
        report
    }

    #[test]
    fn each_setting_leaves_its_part_out_and_only_it() {
        let privacy = Privacy {
            include_env: false,
            include_logs: false,
            ..Privacy::default()
        };
        let mut stripped = report();
        privacy.strip(&mut stripped);
        assert!(stripped.env.is_empty() && stripped.logs.is_empty());
        assert_eq!(stripped.command.args, ["--port", "8004"]);
        assert!(stripped.backtrace[0].file.is_some());

        let privacy = Privacy {
            include_args: false,
            include_file_paths: false,
            ..Privacy::default()
        };
        let mut stripped = report();
        privacy.strip(&mut stripped);
        privacy.strip(&mut stripped);
        assert_eq!(stripped.command.args, [LEFT_OUT]);
        assert_eq!(stripped.backtrace[0].file, None);
        assert_eq!(stripped.backtrace[0].function, "app::main");
        assert_eq!(stripped.logs, ["INFO starting"]);
    }

    #[test]
    fn ignore_rules_match_type_message_and_fingerprint() {
        let report = report();
        let by = |privacy: Privacy| privacy.ignored_by(&report);
        assert_eq!(by(Privacy::default()), None);
        let types = |t: &str| Privacy {
            ignore_error_types: vec![t.to_string()],
            ..Privacy::default()
        };
        assert!(by(types("ConfigError")).is_some());
        assert!(by(types("my_app::config::ConfigError")).is_some());
        assert_eq!(by(types("Error")), None, "a name is matched whole");
        assert_eq!(by(types("Config")), None);
        let messages = |m: &str| Privacy {
            ignore_messages: vec![m.to_string()],
            ..Privacy::default()
        };
        assert_eq!(
            by(messages(r"port \d+ is taken")).as_deref(),
            Some(r"ignore_messages: port \d+ is taken")
        );
        assert_eq!(by(messages("^disk full")), None);
        let prints = |f: &str| Privacy {
            ignore_fingerprints: vec![f.to_string()],
            ..Privacy::default()
        };
        assert!(by(prints("0123456789ABCDEF0123")).is_some());
        assert!(by(prints("01234567")).is_some());
        assert_eq!(by(prints("0123")), None, "too short a prefix");
    }

    fn load(env: &[(&str, &str)], file: &str) -> crate::Result<crate::config::Loaded> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("auto_heal_config.json"), file).unwrap();
        let mut env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.push(("PINCTL_CONFIG_DIR".into(), dir.path().display().to_string()));
        let app = crate::App::new("pinctl", "PINCTL_", "1");
        crate::Config::load_with_env(app, &crate::config::Overrides::new(), &|name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn settings_load_from_the_file_and_the_environment_with_their_sources() {
        let loaded = load(
            &[
                (
                    "PINCTL_AUTO_HEAL_REDACT_PATTERNS",
                    "customer-\\d+\nacct,[0-9]+",
                ),
                ("PINCTL_AUTO_HEAL_IGNORE_ERROR_TYPES", "io::Error, panic"),
                ("PINCTL_AUTO_HEAL_GITHUB_REPO", "acme/pinctl"),
            ],
            r#"{"include_logs": false, "ignore_messages": ["^timeout", "a,b"]}"#,
        )
        .unwrap();
        let privacy = &loaded.config.privacy;
        assert!(!privacy.include_logs && privacy.include_env);
        assert_eq!(privacy.redact_patterns, ["customer-\\d+", "acct,[0-9]+"]);
        assert_eq!(privacy.ignore_error_types, ["io::Error", "panic"]);
        assert_eq!(privacy.ignore_messages, ["^timeout", "a,b"]);
        let status = crate::config::Status::new(&loaded, 0, 0);
        assert!(status.offered_as_links, "a repository and no token");
        let json = serde_json::to_value(&status).unwrap();
        assert_eq!(json["settings"]["include_logs"]["source"], "file");
        assert_eq!(
            json["settings"]["redact_patterns"]["env_var"],
            "PINCTL_AUTO_HEAL_REDACT_PATTERNS"
        );
        let text = status.to_string();
        assert!(text.contains("Report links:       yes"), "{text}");
        assert!(
            text.contains(r#"ignore_messages          ["^timeout","a,b"]"#),
            "lists holding a comma show as JSON: {text}"
        );
        assert!(text.contains("ignore_fingerprints      (none)"), "{text}");
    }

    #[test]
    fn a_bad_pattern_in_the_file_names_its_key() {
        let error = load(&[], r#"{"redact_patterns": ["ok", "(bad"]}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`redact_patterns`") && error.contains("(bad"),
            "{error}"
        );
        let error = load(&[], r#"{"ignore_error_types": [""]}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("ignore_error_types"), "{error}");
    }

    #[test]
    fn a_bad_pattern_is_refused_with_its_key() {
        let privacy = Privacy {
            ignore_messages: vec!["(unclosed".to_string()],
            ..Privacy::default()
        };
        let error = privacy.check().unwrap_err().to_string();
        assert!(error.contains("ignore_messages"), "{error}");
        assert!(error.contains("(unclosed"), "{error}");
    }
}
