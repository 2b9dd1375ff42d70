//! A secret that formats as `[REDACTED]`, so it cannot leak through `Debug` or `Display`.

use std::fmt;

/// The GitHub token. Its value is only reachable through [`Token::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wrap a token read from the environment.
    pub fn new(value: impl Into<String>) -> Self {
        Token(value.into())
    }

    /// The token's value, for the `Authorization` header and for redaction only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([REDACTED])")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}
