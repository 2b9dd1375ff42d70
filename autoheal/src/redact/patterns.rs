//! The shapes of secrets: each pattern, and how much of a match to keep.

use std::sync::LazyLock;

use regex::{Captures, Regex, RegexSet};

/// What replaces a secret.
pub(crate) const MASK: &str = "[REDACTED]";

/// One secret shape: the text matching `regex` becomes `keep` groups followed by the mask.
pub(crate) struct Pattern {
    pub(crate) regex: Regex,
    /// How many leading capture groups are kept verbatim before the mask (a key name, a
    /// scheme, a user name), and whether a trailing group is kept after it.
    kept_prefix_groups: usize,
    kept_suffix_group: Option<usize>,
    /// Only redact when the secret part looks like a credential, not a word.
    needs_credential_shape: bool,
}

impl Pattern {
    /// The replacement for one match.
    pub(crate) fn replace(&self, caps: &Captures<'_>) -> String {
        let whole = caps.get(0).map_or("", |m| m.as_str());
        let prefix: String = (1..=self.kept_prefix_groups)
            .filter_map(|i| caps.get(i))
            .map(|m| m.as_str())
            .collect();
        let suffix = self
            .kept_suffix_group
            .and_then(|i| caps.get(i))
            .map_or("", |m| m.as_str());
        if self.needs_credential_shape {
            let secret = &whole[prefix.len()..whole.len() - suffix.len()];
            if !looks_like_credential(secret) {
                return whole.to_string();
            }
        }
        format!("{prefix}{MASK}{suffix}")
    }
}

/// A credential, not a word: long, or mixing letters with digits or symbols.
fn looks_like_credential(text: &str) -> bool {
    let has_digit = text.chars().any(|c| c.is_ascii_digit());
    let has_letter = text.chars().any(|c| c.is_ascii_alphabetic());
    let has_symbol = text
        .chars()
        .any(|c| matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '='));
    text.len() >= 24 || (text.len() >= 8 && has_letter && (has_digit || has_symbol))
}

const SPECS: &[(&str, usize, Option<usize>, bool)] = &[
    // PEM private key blocks, to their END line or, if cut off, to the end of the text.
    (
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)",
        0,
        None,
        false,
    ),
    // GitHub tokens: classic, OAuth, user-to-server, server-to-server, refresh; fine-grained.
    (r"\bgh[pousr]_[A-Za-z0-9]{30,255}\b", 0, None, false),
    (r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b", 0, None, false),
    // AWS access key IDs and secret access keys given by name.
    (
        r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b",
        0,
        None,
        false,
    ),
    (
        r"(?i)(aws_secret_access_key\s*[=:]\s*)[A-Za-z0-9/+=]{16,}",
        1,
        None,
        false,
    ),
    // Slack tokens.
    (r"\bxox[abposr]-[A-Za-z0-9-]{10,}", 0, None, false),
    // JSON Web Tokens.
    (
        r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}",
        0,
        None,
        false,
    ),
    // Authorization headers and schemes.
    (
        r"(?i)(\bauthorization\s*[:=]\s*)(?:(?:bearer|basic|token|digest)\s+)?[^\s,;]+",
        1,
        None,
        false,
    ),
    (
        r"(?i)(\b(?:bearer|token|basic)\s+)[A-Za-z0-9._~+/=-]{8,}",
        1,
        None,
        true,
    ),
    // Passwords in URLs: scheme://user:password@host.
    (
        r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+(@)",
        1,
        Some(2),
        false,
    ),
    // key=value and key: value pairs (query strings, flags, config lines).
    (
        r#"(?i)(\b(?:password|passwd|pwd|pass|token|access_token|refresh_token|id_token|secret|client_secret|api[_-]?key|apikey|key|auth|session|session_?id|private_key|credentials?)\s*=\s*)[^&\s'"{}()\[\],;]+"#,
        1,
        None,
        false,
    ),
    // "password": "value" in JSON.
    (
        r#"(?i)("(?:password|passwd|token|access_token|refresh_token|secret|client_secret|api[_-]?key|private_key|credentials?)"\s*:\s*")[^"]*(")"#,
        1,
        Some(2),
        false,
    ),
];

/// Every pattern, compiled once.
pub(crate) static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    SPECS
        .iter()
        .filter_map(
            |(source, kept_prefix_groups, kept_suffix_group, needs_credential_shape)| {
                Regex::new(source).ok().map(|regex| Pattern {
                    regex,
                    kept_prefix_groups: *kept_prefix_groups,
                    kept_suffix_group: *kept_suffix_group,
                    needs_credential_shape: *needs_credential_shape,
                })
            },
        )
        .collect()
});

/// All patterns at once: a text none of them matches is returned untouched, without a copy.
pub(crate) static ANY: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(SPECS.iter().map(|(source, ..)| *source)).unwrap_or_else(|_| RegexSet::empty())
});

/// Whether every pattern compiled (checked by the tests).
#[cfg(test)]
pub(crate) fn all_compiled() -> bool {
    PATTERNS.len() == SPECS.len() && ANY.len() == SPECS.len()
}
