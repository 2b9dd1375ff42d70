//! The configuration keys: their names, types, defaults and documentation, and how a value
//! of each is parsed, checked and applied.

use serde_json::Value;
use tracing::level_filters::LevelFilter;

use super::validate;
use crate::{Config, Error, Result};

/// What kind of value a key holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// `true` / `false` (also `1`/`0`, `yes`/`no` from the environment and flags).
    Bool,
    /// A whole number within bounds.
    Number {
        /// Smallest allowed value.
        min: u64,
        /// Largest allowed value.
        max: u64,
    },
    /// A GitHub repository, `owner/repo`.
    Repo,
    /// An `http://` or `https://` URL.
    Url,
    /// A list of issue labels (comma-separated on the command line).
    Labels,
    /// A log level: `off`, `error`, `warn`, `info`, `debug` or `trace`.
    Level,
    /// A list of regular expressions, each checked when it is loaded (one a line on the
    /// command line and in the environment, or a JSON array).
    Patterns,
    /// A list of names: error types or fingerprints (comma-separated on the command line, or a
    /// JSON array).
    Names,
    /// Notified events: `new`, `regression`, `recurrence` or `all` (comma-separated).
    Events,
    /// An `http://` or `https://` URL that is itself a secret: shown as its host alone.
    SecretUrl,
    /// E-mail addresses (comma-separated on the command line).
    Emails,
    /// One e-mail address.
    Email,
    /// An SMTP server: `smtps://`, `smtp://` (STARTTLS) or `smtp+plain://` (loopback only).
    SmtpUrl,
}

/// One configuration key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// The key's name in the file and on the command line.
    pub name: &'static str,
    /// Its type.
    pub kind: KeyKind,
    /// One line saying what it does.
    pub doc: &'static str,
    /// The environment variable suffix after the application's prefix, when it is not one of
    /// the fixed names (see [`Key::env_names`]).
    env_suffix: &'static str,
}

const fn key(
    name: &'static str,
    kind: KeyKind,
    env_suffix: &'static str,
    doc: &'static str,
) -> Key {
    Key {
        name,
        kind,
        doc,
        env_suffix,
    }
}

/// Every configuration key, in the order `config` lists them.
pub const KEYS: &[Key] = &[
    key(
        "enabled",
        KeyKind::Bool,
        "AUTO_HEAL",
        "Report failures at all.",
    ),
    key(
        "github_repo",
        KeyKind::Repo,
        "AUTO_HEAL_GITHUB_REPO",
        "The repository issues are filed in, as owner/repo.",
    ),
    key(
        "max_log_lines",
        KeyKind::Number {
            min: 1,
            max: 10_000,
        },
        "AUTO_HEAL_MAX_LOG_LINES",
        "Recent log lines a report carries.",
    ),
    key(
        "log_level",
        KeyKind::Level,
        "AUTO_HEAL_LOG_LEVEL",
        "Finest level of the log lines kept for reports (off, error, warn, info, debug, trace).",
    ),
    key(
        "include_stack_trace",
        KeyKind::Bool,
        "AUTO_HEAL_INCLUDE_STACK_TRACE",
        "Reports carry a backtrace.",
    ),
    key(
        "auto_create_issues",
        KeyKind::Bool,
        "AUTO_HEAL_AUTO_CREATE_ISSUES",
        "File reports as GitHub issues (else keep them queued).",
    ),
    key(
        "issue_labels",
        KeyKind::Labels,
        "AUTO_HEAL_ISSUE_LABELS",
        "Labels every issue carries.",
    ),
    key(
        "api_url",
        KeyKind::Url,
        "AUTO_HEAL_API_URL",
        "The GitHub REST API base URL (https://HOST/api/v3 for GitHub Enterprise Server).",
    ),
    key(
        "timeout_secs",
        KeyKind::Number { min: 1, max: 600 },
        "AUTO_HEAL_TIMEOUT_SECS",
        "Bound on connecting and on each request to GitHub, in seconds.",
    ),
    key(
        "throttle_secs",
        KeyKind::Number {
            min: 0,
            max: 604_800,
        },
        "AUTO_HEAL_THROTTLE_SECS",
        "At most one recurrence comment per bug in this many seconds.",
    ),
    key(
        "max_new_issues_per_hour",
        KeyKind::Number { min: 1, max: 1000 },
        "AUTO_HEAL_MAX_NEW_ISSUES_PER_HOUR",
        "New issues per hour from this machine; beyond it reports wait queued.",
    ),
    key(
        "queue_max_reports",
        KeyKind::Number {
            min: 1,
            max: 100_000,
        },
        "AUTO_HEAL_QUEUE_MAX_REPORTS",
        "Reports the local queue keeps; the oldest are dropped beyond it.",
    ),
    key(
        "queue_max_bytes",
        KeyKind::Number {
            min: 65_536,
            max: 10_737_418_240,
        },
        "AUTO_HEAL_QUEUE_MAX_BYTES",
        "Bytes the local queue keeps; the oldest are dropped beyond it.",
    ),
    key(
        "copilot_handoff",
        KeyKind::Bool,
        "AUTO_HEAL_COPILOT_HANDOFF",
        "Hand unrecognised failures to the Copilot coding agent.",
    ),
    key(
        "debug",
        KeyKind::Bool,
        "AUTO_HEAL_DEBUG",
        "Print autoheal's own internal failures as [autoheal] lines on stderr.",
    ),
    // What a report carries and whether it is sent: see `crate::privacy`.
    key(
        "include_env",
        KeyKind::Bool,
        "AUTO_HEAL_INCLUDE_ENV",
        "Reports carry the table of allow-listed environment variables.",
    ),
    key(
        "include_args",
        KeyKind::Bool,
        "AUTO_HEAL_INCLUDE_ARGS",
        "Reports carry the command line's arguments (the program's name stays).",
    ),
    key(
        "include_logs",
        KeyKind::Bool,
        "AUTO_HEAL_INCLUDE_LOGS",
        "Reports carry the recent log lines.",
    ),
    key(
        "include_file_paths",
        KeyKind::Bool,
        "AUTO_HEAL_INCLUDE_FILE_PATHS",
        "Reports carry the source file paths of the backtrace's frames.",
    ),
    key(
        "redact_patterns",
        KeyKind::Patterns,
        "AUTO_HEAL_REDACT_PATTERNS",
        "Regular expressions whose matches are replaced by [REDACTED] in every report.",
    ),
    key(
        "ignore_error_types",
        KeyKind::Names,
        "AUTO_HEAL_IGNORE_ERROR_TYPES",
        "Error types whose failures are never reported, only counted.",
    ),
    key(
        "ignore_messages",
        KeyKind::Patterns,
        "AUTO_HEAL_IGNORE_MESSAGES",
        "Regular expressions: a failure whose message matches one is never reported, only counted.",
    ),
    key(
        "ignore_fingerprints",
        KeyKind::Names,
        "AUTO_HEAL_IGNORE_FINGERPRINTS",
        "Fingerprints of bugs whose failures are never reported, only counted.",
    ),
    key(
        "confirm_before_send",
        KeyKind::Bool,
        "AUTO_HEAL_CONFIRM_BEFORE_SEND",
        "Keep reports queued until the user says yes on a terminal (the notice or flush asks).",
    ),
    // Notifications (crate::notify).
    key(
        "notify_on",
        KeyKind::Events,
        "AUTO_HEAL_NOTIFY_ON",
        "Outcomes that are notified: new, regression, recurrence or all.",
    ),
    key(
        "notify_slack_webhook",
        KeyKind::SecretUrl,
        "AUTO_HEAL_NOTIFY_SLACK_WEBHOOK",
        "Slack-compatible incoming webhook (Slack, Discord's /slack, Mattermost); a secret.",
    ),
    key(
        "notify_webhook_url",
        KeyKind::SecretUrl,
        "AUTO_HEAL_NOTIFY_WEBHOOK_URL",
        "Generic JSON webhook, signed when <PREFIX>AUTO_HEAL_NOTIFY_WEBHOOK_SECRET is set.",
    ),
    key(
        "notify_email_to",
        KeyKind::Emails,
        "AUTO_HEAL_NOTIFY_EMAIL_TO",
        "Who is mailed (needs notify_smtp_url and the email feature).",
    ),
    key(
        "notify_email_from",
        KeyKind::Email,
        "AUTO_HEAL_NOTIFY_EMAIL_FROM",
        "Who the mail is from (default: the first recipient).",
    ),
    key(
        "notify_smtp_url",
        KeyKind::SmtpUrl,
        "AUTO_HEAL_NOTIFY_SMTP_URL",
        "smtps://[user@]host[:port], smtp://... (STARTTLS) or smtp+plain://127.0.0.1:port.",
    ),
    key(
        "notify_timeout_secs",
        KeyKind::Number { min: 1, max: 60 },
        "AUTO_HEAL_NOTIFY_TIMEOUT_SECS",
        "Bound on connecting to and on each exchange with a notification endpoint, in seconds.",
    ),
    key(
        "notify_max_attempts",
        KeyKind::Number { min: 1, max: 100 },
        "AUTO_HEAL_NOTIFY_MAX_ATTEMPTS",
        "Attempts per notification and channel before it is given up (and kept).",
    ),
    // The local history that `stats` reads.
    key(
        "history_max_entries",
        KeyKind::Number {
            min: 100,
            max: 10_000_000,
        },
        "AUTO_HEAL_HISTORY_MAX_ENTRIES",
        "Failures the local history keeps for stats; the oldest are dropped beyond it.",
    ),
    key(
        "history_max_bytes",
        KeyKind::Number {
            min: 65_536,
            max: 10_737_418_240,
        },
        "AUTO_HEAL_HISTORY_MAX_BYTES",
        "Bytes the local history keeps for stats; the oldest entries are dropped beyond it.",
    ),
];

/// The variable GitHub Actions sets to the repository a job builds.
pub(crate) const GITHUB_REPOSITORY: &str = "GITHUB_REPOSITORY";

/// File keys that once held a token; never read, removed on the next save.
pub const TOKEN_KEYS: &[&str] = &["github_token", "token", "gh_token"];

/// The key called `name`.
///
/// # Errors
///
/// For an unknown name: the error lists the known ones. For a token key: the error says to use
/// the environment.
pub fn find(name: &str) -> Result<&'static Key> {
    if TOKEN_KEYS.contains(&name) {
        return Err(Error::InvalidConfig {
            key: name.to_string(),
            message: "the GitHub token is never stored in a file; set the GITHUB_TOKEN environment variable (or GH_TOKEN) instead".to_string(),
        });
    }
    KEYS.iter()
        .find(|k| k.name == name)
        .ok_or_else(|| Error::InvalidConfig {
            key: name.to_string(),
            message: format!(
                "unknown key; the known keys are: {}",
                KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
            ),
        })
}

impl Key {
    /// The environment variables that set this key above the configuration file, highest
    /// first: the application's own (`<PREFIX>AUTO_HEAL_...`).
    pub fn env_names(&self, env_prefix: &str) -> Vec<String> {
        vec![format!("{env_prefix}{}", self.env_suffix)]
    }

    /// A variable every program sees that sets this key only when nothing of the program's
    /// own does (a flag, its variable, its file, the repository built into it):
    /// `GITHUB_REPOSITORY` for `github_repo`, `GITHUB_API_URL` for `api_url`. GitHub Actions
    /// sets both in every job for the repository being built, which is this program's only in
    /// its own CI.
    pub fn fallback_env(&self) -> Option<&'static str> {
        match self.name {
            "github_repo" => Some(GITHUB_REPOSITORY),
            "api_url" => Some("GITHUB_API_URL"),
            _ => None,
        }
    }

    /// Parse a value given as text (a flag, the environment, `config --set`) into its JSON form.
    ///
    /// # Errors
    ///
    /// When the text is not a valid value for this key; the message says what would be.
    pub fn parse_text(&self, text: &str) -> Result<Value> {
        let value = match self.kind {
            KeyKind::Bool => Value::Bool(parse_bool(text).ok_or_else(|| {
                self.invalid(format!(
                    "`{text}` is not a boolean; use true/false, 1/0 or yes/no"
                ))
            })?),
            KeyKind::Number { .. } => Value::from(
                text.trim()
                    .parse::<u64>()
                    .map_err(|_| self.invalid(format!("`{text}` is not a whole number")))?,
            ),
            KeyKind::Labels | KeyKind::Events | KeyKind::Emails => Value::Array(
                text.split(',')
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|l| Value::String(l.to_string()))
                    .collect(),
            ),
            KeyKind::Repo
            | KeyKind::Url
            | KeyKind::SecretUrl
            | KeyKind::Email
            | KeyKind::SmtpUrl => Value::String(text.trim().to_string()),
            KeyKind::Level => Value::String(text.trim().to_ascii_lowercase()),
            KeyKind::Patterns | KeyKind::Names => parse_list(self.kind, text)
                .map_err(|m| self.invalid(format!("`{text}` is not a list: {m}")))?,
        };
        self.check(&value)?;
        Ok(value)
    }

    /// Check a JSON value (from the file, or parsed from text) for this key.
    ///
    /// # Errors
    ///
    /// When the value has the wrong type or is out of bounds.
    pub fn check(&self, value: &Value) -> Result<()> {
        match (self.kind, value) {
            (KeyKind::Bool, Value::Bool(_)) => Ok(()),
            (KeyKind::Number { min, max }, Value::Number(n)) => match n.as_u64() {
                Some(n) if (min..=max).contains(&n) => Ok(()),
                _ => Err(self.invalid(format!(
                    "{n} is out of range; it must be a whole number from {min} to {max}"
                ))),
            },
            (KeyKind::Repo, Value::String(repo)) => {
                validate::repo(repo).map_err(|m| self.invalid(m))
            }
            (KeyKind::Url, Value::String(url)) => {
                validate::api_url(url).map_err(|m| self.invalid(m))
            }
            (KeyKind::Level, Value::String(level)) => {
                parse_level(level).map(|_| ()).ok_or_else(|| {
                    self.invalid(format!(
                        "`{level}` is not a log level; use {}",
                        LEVEL_NAMES.join(", ")
                    ))
                })
            }
            (KeyKind::Labels, Value::Array(items)) => {
                if items.is_empty() {
                    return Err(self.invalid("at least one label is needed".to_string()));
                }
                items.iter().try_for_each(|item| match item {
                    Value::String(label) => validate::label(label).map_err(|m| self.invalid(m)),
                    other => Err(self.invalid(format!("{other} is not a label (a string)"))),
                })
            }
            (KeyKind::Patterns, Value::Array(items)) => {
                items.iter().try_for_each(|item| match item.as_str() {
                    Some(pattern) => validate::pattern(pattern).map_err(|m| self.invalid(m)),
                    None => {
                        Err(self.invalid(format!("{item} is not a regular expression (a string)")))
                    }
                })
            }
            (KeyKind::Names, Value::Array(items)) => {
                items.iter().try_for_each(|item| match item.as_str() {
                    Some(name) if !name.trim().is_empty() => Ok(()),
                    _ => Err(self.invalid(format!("{item} is not a name (a non-empty string)"))),
                })
            }
            (KeyKind::Events, Value::Array(items)) => {
                let names: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                match names.len() == items.len() {
                    true => crate::notify::parse_events(&names)
                        .map(|_| ())
                        .map_err(|m| self.invalid(m)),
                    false => Err(self.invalid("the events must be strings".to_string())),
                }
            }
            (KeyKind::SecretUrl, Value::String(url)) => validate::api_url(url).map_err(|_| {
                self.invalid(format!(
                    "`{}` is not an http(s) URL with a host",
                    crate::notify::mask_url(url)
                ))
            }),
            (KeyKind::Emails, Value::Array(items)) if !items.is_empty() => {
                items.iter().try_for_each(|item| match item {
                    Value::String(address) => {
                        crate::notify::check_email(address).map_err(|m| self.invalid(m))
                    }
                    other => Err(self.invalid(format!("{other} is not an e-mail address"))),
                })
            }
            (KeyKind::Email, Value::String(address)) => {
                crate::notify::check_email(address).map_err(|m| self.invalid(m))
            }
            (KeyKind::SmtpUrl, Value::String(url)) => {
                crate::notify::check_smtp_url(url).map_err(|m| self.invalid(m))
            }
            (kind, other) => {
                let shown = match kind {
                    // Never echo what may be a secret.
                    KeyKind::SecretUrl | KeyKind::SmtpUrl => "the value".to_string(),
                    _ => other.to_string(),
                };
                Err(self.invalid(format!("{shown} is not {}", kind_description(kind))))
            }
        }
    }

    /// Set this key on `config` from a checked value.
    pub(crate) fn apply(&self, config: &mut Config, value: &Value) {
        let number = || value.as_u64().unwrap_or_default();
        let flag = || value.as_bool().unwrap_or_default();
        match self.name {
            "enabled" => config.enabled = flag(),
            "github_repo" => config.github_repo = value.as_str().map(str::to_string),
            "max_log_lines" => {
                config.max_log_lines = usize::try_from(number()).unwrap_or(usize::MAX)
            }
            "log_level" => {
                config.log_level = value
                    .as_str()
                    .and_then(parse_level)
                    .unwrap_or(config.log_level)
            }
            "include_stack_trace" => config.include_stack_trace = flag(),
            "auto_create_issues" => config.auto_create_issues = flag(),
            "issue_labels" => {
                config.issue_labels = value
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|l| l.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
            }
            "api_url" => {
                config.api_url = value
                    .as_str()
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_string()
            }
            "timeout_secs" => config.timeout_secs = number(),
            "throttle_secs" => config.throttle_secs = number(),
            "max_new_issues_per_hour" => {
                config.max_new_issues_per_hour = u32::try_from(number()).unwrap_or(u32::MAX)
            }
            "queue_max_reports" => {
                config.queue_max_reports = usize::try_from(number()).unwrap_or(usize::MAX)
            }
            "queue_max_bytes" => config.queue_max_bytes = number(),
            "copilot_handoff" => config.copilot_handoff = flag(),
            "debug" => config.debug = flag(),
            name if name.starts_with("notify_") => apply_notify(&mut config.notify, name, value),
            "history_max_entries" => {
                config.history_max_entries = usize::try_from(number()).unwrap_or(usize::MAX)
            }
            "history_max_bytes" => config.history_max_bytes = number(),
            name => config.privacy.apply_key(name, value),
        }
    }

    /// This key's value on `config`, as JSON.
    pub fn value_of(&self, config: &Config) -> Value {
        match self.name {
            "enabled" => config.enabled.into(),
            "github_repo" => config
                .github_repo
                .clone()
                .map_or(Value::Null, Value::String),
            "max_log_lines" => config.max_log_lines.into(),
            "log_level" => level_name(config.log_level).into(),
            "include_stack_trace" => config.include_stack_trace.into(),
            "auto_create_issues" => config.auto_create_issues.into(),
            "issue_labels" => config.issue_labels.clone().into(),
            "api_url" => config.api_url.clone().into(),
            "timeout_secs" => config.timeout_secs.into(),
            "throttle_secs" => config.throttle_secs.into(),
            "max_new_issues_per_hour" => config.max_new_issues_per_hour.into(),
            "queue_max_reports" => config.queue_max_reports.into(),
            "queue_max_bytes" => config.queue_max_bytes.into(),
            "copilot_handoff" => config.copilot_handoff.into(),
            "debug" => config.debug.into(),
            name if name.starts_with("notify_") => notify_value(&config.notify, name),
            "history_max_entries" => config.history_max_entries.into(),
            "history_max_bytes" => config.history_max_bytes.into(),
            name => config.privacy.value_of(name),
        }
    }

    /// `value` as `config` and `status` print it: a secret URL as its host alone.
    pub fn display(&self, value: &Value) -> String {
        match (self.kind, value) {
            (KeyKind::SecretUrl, Value::String(url)) => crate::notify::mask_url(url),
            _ => display_value(value),
        }
    }

    fn invalid(&self, message: String) -> Error {
        Error::InvalidConfig {
            key: self.name.to_string(),
            message,
        }
    }
}

fn kind_description(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Bool => "a boolean (true or false)",
        KeyKind::Number { .. } => "a whole number",
        KeyKind::Repo => "a repository name (owner/repo)",
        KeyKind::Url => "a URL (a string)",
        KeyKind::Labels => "a list of labels",
        KeyKind::Level => "a log level (a string)",
        KeyKind::Patterns => "a list of regular expressions",
        KeyKind::Names => "a list of names",
        KeyKind::Events => "a list of events (new, regression, recurrence, all)",
        KeyKind::SecretUrl => "a URL (a string)",
        KeyKind::Emails => "a list of e-mail addresses",
        KeyKind::Email => "an e-mail address (a string)",
        KeyKind::SmtpUrl => "an SMTP URL (a string)",
    }
}

/// Set a checked `notify_*` value.
fn apply_notify(notify: &mut crate::notify::NotifySettings, name: &str, value: &Value) {
    use crate::notify::SecretUrl;
    let text = || value.as_str().map(str::to_string);
    let list = || -> Vec<String> {
        value
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    match name {
        "notify_on" => {
            let names = list();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            notify.on = crate::notify::parse_events(&names).unwrap_or_else(|_| notify.on.clone());
        }
        "notify_slack_webhook" => notify.slack_webhook = text().map(SecretUrl::new),
        "notify_webhook_url" => notify.webhook_url = text().map(SecretUrl::new),
        "notify_email_to" => notify.email_to = list(),
        "notify_email_from" => notify.email_from = text(),
        "notify_smtp_url" => notify.smtp_url = text(),
        "notify_timeout_secs" => {
            notify.timeout_secs = value.as_u64().unwrap_or(notify.timeout_secs)
        }
        "notify_max_attempts" => {
            notify.max_attempts = value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(notify.max_attempts)
        }
        _ => {}
    }
}

/// A `notify_*` value as JSON; a webhook URL as its host alone.
fn notify_value(notify: &crate::notify::NotifySettings, name: &str) -> Value {
    let masked = |url: &Option<crate::notify::SecretUrl>| {
        url.as_ref()
            .map_or(Value::Null, |u| Value::String(u.masked()))
    };
    match name {
        "notify_on" => notify
            .on
            .iter()
            .map(|e| e.name())
            .collect::<Vec<_>>()
            .into(),
        "notify_slack_webhook" => masked(&notify.slack_webhook),
        "notify_webhook_url" => masked(&notify.webhook_url),
        "notify_email_to" if notify.email_to.is_empty() => Value::Null,
        "notify_email_to" => notify.email_to.clone().into(),
        "notify_email_from" => notify.email_from.clone().map_or(Value::Null, Value::String),
        "notify_smtp_url" => notify.smtp_url.clone().map_or(Value::Null, Value::String),
        "notify_timeout_secs" => notify.timeout_secs.into(),
        "notify_max_attempts" => notify.max_attempts.into(),
        _ => Value::Null,
    }
}

/// A list given as text: a JSON array of strings, or else one item a line for patterns (a
/// regular expression may hold a comma) and comma-separated for names.
fn parse_list(kind: KeyKind, text: &str) -> std::result::Result<Value, String> {
    let trimmed = text.trim();
    if trimmed.starts_with('[') {
        return match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Array(items)) => Ok(Value::Array(items)),
            Ok(_) => Err("expected a JSON array".to_string()),
            Err(e) => Err(format!("not a JSON array of strings ({e})")),
        };
    }
    let items: Vec<Value> = match kind {
        KeyKind::Patterns => trimmed
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Value::String(l.to_string()))
            .collect(),
        _ => trimmed
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| Value::String(n.to_string()))
            .collect(),
    };
    Ok(Value::Array(items))
}

/// The names a log level is written with, coarsest first.
const LEVEL_NAMES: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

/// A log level by name, any case: `off`, `error`, `warn`, `info`, `debug`, `trace`.
pub fn parse_level(name: &str) -> Option<LevelFilter> {
    match name.trim().to_ascii_lowercase().as_str() {
        "off" => Some(LevelFilter::OFF),
        "error" => Some(LevelFilter::ERROR),
        "warn" => Some(LevelFilter::WARN),
        "info" => Some(LevelFilter::INFO),
        "debug" => Some(LevelFilter::DEBUG),
        "trace" => Some(LevelFilter::TRACE),
        _ => None,
    }
}

/// The name [`parse_level`] reads back.
fn level_name(level: LevelFilter) -> &'static str {
    match level.into_level() {
        None => "off",
        Some(tracing::Level::ERROR) => "error",
        Some(tracing::Level::WARN) => "warn",
        Some(tracing::Level::INFO) => "info",
        Some(tracing::Level::DEBUG) => "debug",
        Some(_) => "trace",
    }
}

/// `true/false/1/0/yes/no`, any case; anything else is `None`.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// Display a JSON value the way `config` prints it: strings bare, lists comma-separated.
pub fn display_value(value: &Value) -> String {
    match value {
        Value::Null => "(not set)".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "(none)".to_string(),
        // Patterns may hold commas: shown as JSON, which reads back.
        Value::Array(items)
            if items
                .iter()
                .any(|i| i.as_str().is_some_and(|s| s.contains(','))) =>
        {
            value.to_string()
        }
        Value::Array(items) => items
            .iter()
            .map(display_value)
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}
