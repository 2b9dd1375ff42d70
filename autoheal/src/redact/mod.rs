//! Redaction: no secret leaves the machine. Every text field of a report passes through the
//! [`Redactor`] before it is stored or sent.

mod names;
mod patterns;
mod writer;

use std::borrow::Cow;
use std::fmt;

use crate::Report;
pub use names::is_secret_name;
pub(crate) use patterns::MASK;
use patterns::mask_shapes;
pub use writer::{RedactedLine, RedactedWriter};

/// Shortest exact secret honoured: masking every `ab` would wreck the text and hide nothing.
const MIN_EXACT_SECRET_LEN: usize = 4;

/// Shortest value of a secret-named environment variable taken as an exact secret: shorter
/// values (`1`, `true`, a port) are settings, and masking them everywhere would wreck the text.
const MIN_ENV_SECRET_LEN: usize = 8;

/// The variables a shell sets to its working directories. `PWD` reads as a password
/// (`MYSQL_PWD`, `?pwd=` stay secret), but this one is the current directory, found at the
/// start of most paths: masking it would hide every path a report names.
const SHELL_DIRECTORIES: [&str; 2] = ["PWD", "OLDPWD"];

/// Replaces secret-looking text with `[REDACTED]`: tokens of GitHub, AWS, Slack and other
/// platforms, JWTs, authorization and cookie headers, passwords in URLs, `password=`-style
/// pairs whose name says they hold a secret, PEM private keys, and the exact values it was
/// given (the configured GitHub token), wherever they appear.
///
/// Text without secrets comes back borrowed, without a copy.
///
/// ```
/// let redactor = autoheal::redact::Redactor::new(["s3cr3t-value".to_string()]);
/// assert_eq!(
///     redactor.redact("GET https://bob:hunter2@example.com/?token=abc123 with s3cr3t-value"),
///     "GET https://bob:[REDACTED]@example.com/?token=[REDACTED] with [REDACTED]"
/// );
/// assert_eq!(redactor.redact("key not found"), "key not found");
/// ```
#[derive(Clone, Default)]
pub struct Redactor {
    /// Longest first, so a secret containing another is removed whole.
    exact: Vec<String>,
    /// The user's own patterns (`redact_patterns`): every match is masked.
    patterns: Vec<regex_lite::Regex>,
}

/// Shows how many exact secrets there are, never the secrets.
impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("exact_secrets", &self.exact.len())
            .field("patterns", &self.patterns.len())
            .finish()
    }
}

impl Redactor {
    /// A redactor that also removes these exact values wherever they appear, even inside
    /// other words. Values shorter than four bytes are ignored.
    pub fn new(exact_secrets: impl IntoIterator<Item = String>) -> Self {
        let mut exact: Vec<String> = exact_secrets
            .into_iter()
            .filter(|secret| secret.len() >= MIN_EXACT_SECRET_LEN)
            .collect();
        exact.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        exact.dedup();
        Redactor {
            exact,
            patterns: Vec::new(),
        }
    }

    /// This redactor, also masking every match of these regular expressions (regex-lite's
    /// syntax): the `redact_patterns` setting.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) for `redact_patterns`, naming the
    /// pattern that is not a valid regular expression.
    pub fn with_patterns<S: AsRef<str>>(
        mut self,
        patterns: impl IntoIterator<Item = S>,
    ) -> crate::Result<Self> {
        for pattern in patterns {
            let pattern = pattern.as_ref();
            crate::config::validate_pattern(pattern).map_err(|message| {
                crate::Error::InvalidConfig {
                    key: "redact_patterns".to_string(),
                    message,
                }
            })?;
            self.patterns.extend(regex_lite::Regex::new(pattern).ok());
        }
        Ok(self)
    }

    /// The redactor of reports made with `config`: its token and the environment's secrets
    /// (see [`Redactor::with_env_secrets`]) as exact secrets, and every secret shape.
    pub(crate) fn for_config(config: &crate::Config) -> Self {
        let tokens = config.github_token.iter().chain(&config.copilot_token);
        let mut redactor = Redactor::new(tokens.map(|t| t.expose().to_string())).with_env_secrets();
        redactor.patterns = config.privacy.compiled_redact_patterns();
        redactor
    }

    /// The shapes of secrets and the user's `redact_patterns`, without exact secrets: the
    /// same for every process with the same settings.
    pub(crate) fn for_privacy(privacy: &crate::privacy::Privacy) -> Self {
        Redactor {
            exact: Vec::new(),
            patterns: privacy.compiled_redact_patterns(),
        }
    }

    /// This redactor, also removing the value of every environment variable whose name says
    /// it holds a secret (`GITHUB_TOKEN`, `DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`) wherever it
    /// appears: a secret the process was given cannot come back out in a message, a path or a
    /// log line, whatever its shape. Values shorter than eight characters are settings, not
    /// secrets, and are left alone.
    pub fn with_env_secrets(self) -> Self {
        self.with_secrets_from(std::env::vars_os().map(|(name, value)| {
            (
                name.to_string_lossy().into_owned(),
                value.to_string_lossy().into_owned(),
            )
        }))
    }

    /// [`Redactor::with_env_secrets`] with the environment given as `(name, value)` pairs.
    fn with_secrets_from(self, vars: impl Iterator<Item = (String, String)>) -> Self {
        let from_env = vars
            .filter(|(name, value)| {
                !SHELL_DIRECTORIES.contains(&name.as_str())
                    && is_secret_name(name)
                    && value.trim().chars().count() >= MIN_ENV_SECRET_LEN
            })
            .map(|(_, value)| value.trim().to_string());
        Redactor {
            patterns: self.patterns,
            ..Redactor::new(self.exact.into_iter().chain(from_env))
        }
    }

    /// `text` with every secret replaced by `[REDACTED]`; borrowed when there was none.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let out = self.redact_known(text);
        if self.patterns.is_empty() {
            return out;
        }
        let mut out = out;
        for pattern in &self.patterns {
            let masked = match pattern.replace_all(&out, MASK) {
                Cow::Owned(masked) => Some(masked),
                Cow::Borrowed(_) => None,
            };
            if let Some(masked) = masked {
                out = Cow::Owned(masked);
            }
        }
        out
    }

    /// [`Redactor::redact`] without the user's patterns.
    fn redact_known<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for secret in &self.exact {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), MASK));
            }
        }
        match out {
            Cow::Borrowed(text) => match mask_shapes(text) {
                Cow::Borrowed(text) => Cow::Borrowed(text),
                Cow::Owned(masked) => Cow::Owned(mask_until_stable(masked)),
            },
            // An exact secret was replaced: the text is ours, and only a shape that matched
            // calls for another pass.
            Cow::Owned(text) => match mask_shapes(&text) {
                Cow::Borrowed(_) => Cow::Owned(text),
                Cow::Owned(masked) => Cow::Owned(mask_until_stable(masked)),
            },
        }
    }

    fn redact_in_place(&self, text: &mut String) {
        if let Cow::Owned(redacted) = self.redact(text) {
            *text = redacted;
        }
    }

    /// Redact every text field of a report in place: the error, the site, the frames, the
    /// command line, the backtrace, the logs and spans, the environment, the working
    /// directory and the labels.
    ///
    /// Environment variables whose names say they hold a secret keep their name but get the
    /// value `[REDACTED]`; so does the argument after a flag or configuration key naming a
    /// secret (`--token VALUE`, `--api-key=VALUE`, `--set github_token VALUE`).
    pub fn redact_report(&self, report: &mut Report) {
        let error = &mut report.error;
        for text in [&mut error.type_name, &mut error.message]
            .into_iter()
            .chain(error.chain.iter_mut())
        {
            self.redact_in_place(text);
        }
        let site = &mut report.site;
        for text in [&mut site.function, &mut site.module, &mut site.file]
            .into_iter()
            .chain(site.name.as_mut())
        {
            self.redact_in_place(text);
        }
        for text in report
            .frames
            .iter_mut()
            .chain(report.logs.iter_mut())
            .chain(report.spans.iter_mut())
            .chain(report.labels.iter_mut())
        {
            self.redact_in_place(text);
        }
        self.redact_in_place(&mut report.command.program);
        self.redact_args(&mut report.command.args);
        self.redact_backtrace(&mut report.backtrace);
        for (name, value) in report.env.iter_mut() {
            if is_secret_name(name) {
                MASK.clone_into(value);
            } else {
                self.redact_in_place(value);
            }
        }
        self.redact_in_place(&mut report.system.cwd);
    }

    /// Redact what settling a handed-off report adds to it: the resolved backtrace and the
    /// site named after its innermost application frame.
    pub(crate) fn redact_site_and_backtrace(&self, report: &mut Report) {
        let site = &mut report.site;
        for text in [&mut site.function, &mut site.module] {
            self.redact_in_place(text);
        }
        self.redact_backtrace(&mut report.backtrace);
    }

    fn redact_backtrace(&self, frames: &mut [crate::report::BacktraceFrame]) {
        for frame in frames {
            self.redact_in_place(&mut frame.function);
            if let Some(file) = &mut frame.file {
                self.redact_in_place(file);
            }
        }
    }

    /// Redact command-line arguments: each on its own, and the one after an argument that
    /// names a secret as a whole.
    fn redact_args(&self, args: &mut [String]) {
        let mut mask_next = false;
        for arg in args.iter_mut() {
            if std::mem::take(&mut mask_next) {
                MASK.clone_into(arg);
                continue;
            }
            match SecretArg::classify(arg) {
                SecretArg::Inline { name_len } => {
                    arg.truncate(name_len);
                    arg.push_str(MASK);
                }
                SecretArg::ValueFollows => mask_next = true,
                SecretArg::No => self.redact_in_place(arg),
            }
        }
    }
}

/// Most passes over text that had secrets; each pass that changes anything masks more of it,
/// so real text is stable after two.
const MAX_MASK_PASSES: usize = 16;

/// `text` masked again until nothing changes. A mask can complete a shape that was not one
/// before: `Bearer x-token=abc)` has no bearer token until its pair is masked, and then
/// `Bearer x-token=[REDACTED])` has one. Redacting twice must change nothing.
fn mask_until_stable(mut text: String) -> String {
    for _ in 0..MAX_MASK_PASSES {
        match mask_shapes(&text) {
            Cow::Owned(again) if again != text => text = again,
            _ => break,
        }
    }
    text
}

/// What a command-line argument says about secrets.
#[derive(Debug, PartialEq, Eq)]
enum SecretArg {
    /// `--token=VALUE`: the first `name_len` bytes (up to and including the `=`) are kept.
    Inline { name_len: usize },
    /// `--token`, or a configuration key such as `github_token`: the next argument is secret.
    ValueFollows,
    /// Anything else.
    No,
}

impl SecretArg {
    fn classify(arg: &str) -> Self {
        let flag = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'));
        match flag {
            Some(flag) => {
                let (name, value) = match flag.split_once('=') {
                    Some((name, value)) => (name, Some(value)),
                    None => (flag, None),
                };
                if !is_word(name) || !is_secret_name(name) {
                    return SecretArg::No;
                }
                match value {
                    Some("") => SecretArg::No,
                    Some(value) => SecretArg::Inline {
                        name_len: arg.len() - value.len(),
                    },
                    // `--no-auth` switches something off: no value follows.
                    None if name.starts_with("no-") => SecretArg::No,
                    None => SecretArg::ValueFollows,
                }
            }
            // A key of `config --set KEY VALUE`: only names with a separator, so that a
            // subcommand such as `key list` keeps its argument.
            None if arg.contains(['_', '-', '.']) && is_word(arg) && is_secret_name(arg) => {
                SecretArg::ValueFollows
            }
            None => SecretArg::No,
        }
    }
}

/// Whether `arg` is a word of letters, digits and separators, as flag names and
/// configuration keys are (`api-key`, `github_token`, `auth.token`).
fn is_word(arg: &str) -> bool {
    arg.starts_with(|c: char| c.is_ascii_alphabetic())
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacting_twice_changes_nothing_when_a_mask_completes_a_shape() {
        // Found by the `redactor` fuzz target.
        let redactor = Redactor::default();
        for text in [
            "Auth: Bearer eyJhbGctoken=abc)23&page=2",
            "bearer my-token=s3cr3t-v4lue;",
        ] {
            let once = redactor.redact(text).into_owned();
            assert_eq!(redactor.redact(&once), once, "{text}");
            assert!(!once.contains("abc)") && !once.contains("s3cr3t"), "{once}");
        }
    }

    #[test]
    fn values_of_secret_named_variables_are_masked_whatever_their_shape() {
        let env = [
            ("DB_PASSWORD", "plain words 42"),
            ("AWS_SECRET_ACCESS_KEY", "  wJalrXUtnFEMI/K7MDENG  "),
            ("API_TOKEN", "short"),
            ("HOME", "/home/alice/projects"),
            ("PWD", "/home/alice/projects/app"),
            ("MYSQL_PWD", "hunter2hunter2"),
            ("PAGER", "less -R --long-option"),
        ];
        let redactor = Redactor::new(["ghp_given".to_string()]).with_secrets_from(
            env.iter()
                .map(|(name, value)| (name.to_string(), value.to_string())),
        );
        assert_eq!(
            redactor.redact(
                "could not open /data/plain words 42/x: wJalrXUtnFEMI/K7MDENG short ghp_given"
            ),
            "could not open /data/[REDACTED]/x: [REDACTED] short [REDACTED]"
        );
        assert_eq!(
            redactor.redact("/home/alice/projects/app/pins.txt with less -R --long-option"),
            "/home/alice/projects/app/pins.txt with less -R --long-option",
            "values of ordinary variables stay, the working directory too"
        );
        assert_eq!(redactor.redact("login hunter2hunter2"), "login [REDACTED]");
    }

    fn redacted_args(args: &[&str]) -> Vec<String> {
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        Redactor::default().redact_args(&mut args);
        args
    }

    #[test]
    fn text_without_secrets_is_borrowed() {
        let redactor = Redactor::new(["configured-token-value".to_string()]);
        for text in [
            "connection refused at 127.0.0.1:5001",
            "GET /pins?page=2",
            "error: key not found",
        ] {
            assert!(matches!(redactor.redact(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn exact_secrets_are_masked_longest_first_and_never_shown_in_debug() {
        let redactor = Redactor::new(
            ["abcd", "abcdefgh", "ab", "abcd"]
                .into_iter()
                .map(String::from),
        );
        assert_eq!(
            redactor.redact("xabcdefghx ab abcd"),
            "x[REDACTED]x ab [REDACTED]"
        );
        let debug = format!("{redactor:?}");
        assert!(!debug.contains("abcd"), "{debug}");
        assert!(debug.contains('2'), "{debug}");
    }

    #[test]
    fn flags_followed_by_secrets_are_masked() {
        assert_eq!(
            redacted_args(&[
                "add",
                "--token",
                "abc",
                "--api-key=xyz",
                "-p",
                "hunter2",
                "--password",
                "pw",
                "--port",
                "8004",
            ]),
            [
                "add",
                "--token",
                MASK,
                "--api-key=[REDACTED]",
                "-p",
                "hunter2",
                "--password",
                MASK,
                "--port",
                "8004"
            ]
        );
    }

    #[test]
    fn configuration_keys_naming_secrets_mask_their_value() {
        assert_eq!(
            redacted_args(&["config", "--set", "github_token", "mytoken", "--json"]),
            ["config", "--set", "github_token", MASK, "--json"]
        );
        assert_eq!(
            redacted_args(&["config", "--set", "repository", "o/r"]),
            ["config", "--set", "repository", "o/r"]
        );
        assert_eq!(redacted_args(&["key", "list"]), ["key", "list"]);
    }

    #[test]
    fn switches_and_empty_values_are_not_secrets() {
        assert_eq!(
            redacted_args(&[
                "--no-auth",
                "start",
                "--token=",
                "next",
                "-----BEGIN KEY",
                "x"
            ]),
            [
                "--no-auth",
                "start",
                "--token=",
                "next",
                "-----BEGIN KEY",
                "x"
            ]
        );
    }

    #[test]
    fn arguments_are_redacted_on_their_own_too() {
        assert_eq!(
            redacted_args(&[
                "--url",
                "https://bob:hunter2@example.com/x",
                "DB_PASSWORD=pw"
            ]),
            [
                "--url",
                "https://bob:[REDACTED]@example.com/x",
                "DB_PASSWORD=[REDACTED]"
            ]
        );
    }
}
