//! Redaction: no secret leaves the machine. (Stub: being written.)

use std::borrow::Cow;

use crate::Report;

/// Replaces secret-looking text with `[REDACTED]`.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    exact: Vec<String>,
}

impl Redactor {
    /// A redactor that also removes these exact values (the configured token, for one).
    pub fn new(exact_secrets: impl IntoIterator<Item = String>) -> Self {
        Redactor {
            exact: exact_secrets
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect(),
        }
    }

    /// `text` with every secret-looking value replaced by `[REDACTED]`.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for secret in &self.exact {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), "[REDACTED]"));
            }
        }
        out
    }

    /// Redact every text field of a report in place.
    pub fn redact_report(&self, report: &mut Report) {
        let _ = report;
    }
}

/// Whether an environment variable's name says it holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["TOKEN", "SECRET", "PASSWORD", "KEY"]
        .iter()
        .any(|w| upper.contains(w))
}
