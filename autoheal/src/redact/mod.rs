//! Redaction: no secret leaves the machine. Every text field of a report passes through the
//! [`Redactor`] before it is stored or sent.

mod patterns;

use std::borrow::Cow;

use crate::Report;
use patterns::{ANY, MASK, PATTERNS};

/// Name parts that mark an environment variable or a flag as holding a secret.
const SECRET_NAME_PARTS: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "KEY",
    "APIKEY",
    "AUTH",
    "CREDENTIAL",
    "CREDENTIALS",
    "COOKIE",
    "SESSION",
    "PRIVATE",
    "SIGNATURE",
];

/// Words that mark a name as secret even inside a longer part (`APITOKEN`, `DBPASSWORD`).
const SECRET_NAME_WORDS: &[&str] = &["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"];

/// Replaces secret-looking text with `[REDACTED]`: tokens of GitHub, AWS and Slack, JWTs,
/// authorization headers, passwords in URLs, `password=`-style pairs, PEM private keys, and the
/// exact values it was given (the configured GitHub token).
///
/// ```
/// let redactor = autoheal::Redactor::new(["s3cr3t-value".to_string()]);
/// assert_eq!(
///     redactor.redact("GET https://bob:hunter2@example.com/?token=abc123 with s3cr3t-value"),
///     "GET https://bob:[REDACTED]@example.com/?token=[REDACTED] with [REDACTED]"
/// );
/// assert_eq!(redactor.redact("key not found"), "key not found");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    exact: Vec<String>,
}

impl Redactor {
    /// A redactor that also removes these exact values wherever they appear.
    pub fn new(exact_secrets: impl IntoIterator<Item = String>) -> Self {
        let mut exact: Vec<String> = exact_secrets.into_iter().filter(|s| s.len() >= 4).collect();
        // Longest first, so a secret containing another is removed whole.
        exact.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Redactor { exact }
    }

    /// `text` with every secret replaced by `[REDACTED]`; borrowed when there was none.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for secret in &self.exact {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), MASK));
            }
        }
        if !ANY.is_match(&out) {
            return out;
        }
        let mut owned = out.into_owned();
        for pattern in PATTERNS.iter() {
            if pattern.regex.is_match(&owned) {
                owned = pattern
                    .regex
                    .replace_all(&owned, |caps: &regex::Captures<'_>| pattern.replace(caps))
                    .into_owned();
            }
        }
        Cow::Owned(owned)
    }

    fn redact_in_place(&self, text: &mut String) {
        if let Cow::Owned(redacted) = self.redact(text) {
            *text = redacted;
        }
    }

    /// Redact every text field of a report in place; an argument following a secret-looking
    /// flag (`--token VALUE`) is masked whole.
    pub fn redact_report(&self, report: &mut Report) {
        let error = &mut report.error;
        for text in std::iter::once(&mut error.type_name)
            .chain([&mut error.message])
            .chain(error.chain.iter_mut())
        {
            self.redact_in_place(text);
        }
        for text in [
            &mut report.site.function,
            &mut report.site.module,
            &mut report.site.file,
        ] {
            self.redact_in_place(text);
        }
        for text in report
            .frames
            .iter_mut()
            .chain(report.logs.iter_mut())
            .chain(report.spans.iter_mut())
        {
            self.redact_in_place(text);
        }
        self.redact_in_place(&mut report.command.program);
        self.redact_args(&mut report.command.args);
        for frame in &mut report.backtrace {
            self.redact_in_place(&mut frame.function);
            if let Some(file) = &mut frame.file {
                self.redact_in_place(file);
            }
        }
        for (name, value) in report.env.iter_mut() {
            if is_secret_name(name) {
                *value = MASK.to_string();
            } else {
                self.redact_in_place(value);
            }
        }
        self.redact_in_place(&mut report.system.cwd);
        for text in report.labels.iter_mut() {
            self.redact_in_place(text);
        }
    }

    fn redact_args(&self, args: &mut [String]) {
        let mut mask_next = false;
        for arg in args.iter_mut() {
            if mask_next {
                *arg = MASK.to_string();
                mask_next = false;
                continue;
            }
            let flag = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'));
            match flag.map(|f| f.split_once('=')) {
                Some(Some((name, _))) if is_secret_name(name) => {
                    let key = arg.split_once('=').map_or("", |(key, _)| key);
                    *arg = format!("{key}={MASK}");
                }
                Some(None) if flag.is_some_and(is_secret_name) => mask_next = true,
                _ => self.redact_in_place(arg),
            }
        }
    }
}

/// Whether a variable or flag name says it holds a secret: `GITHUB_TOKEN`, `DB_PASS`, `API_KEY`,
/// `api-key`, `AWS_SECRET_ACCESS_KEY` — but not `KEYBOARD_LAYOUT` or `MONKEY`.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|part| SECRET_NAME_PARTS.contains(&part))
        || SECRET_NAME_WORDS.iter().any(|word| upper.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        assert!(patterns::all_compiled());
    }

    #[test]
    fn text_without_secrets_is_borrowed() {
        let redactor = Redactor::new(["configured-token-value".to_string()]);
        assert!(matches!(
            redactor.redact("connection refused at 127.0.0.1:5001"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn secret_names() {
        for name in [
            "GITHUB_TOKEN",
            "GH_TOKEN",
            "DB_PASS",
            "API_KEY",
            "api-key",
            "AWS_SECRET_ACCESS_KEY",
            "APITOKEN",
            "SESSION_ID",
            "HTTP_COOKIE",
            "token",
            "password",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "KEYBOARD_LAYOUT",
            "MONKEY",
            "RUST_LOG",
            "PATH",
            "AUTHOR",
            "port",
            "IPFS_PATH",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn flags_followed_by_secrets_are_masked() {
        let redactor = Redactor::default();
        let mut args: Vec<String> = [
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
        ]
        .map(String::from)
        .to_vec();
        redactor.redact_args(&mut args);
        assert_eq!(
            args,
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
}
