//! No secret leaves the machine: a corpus of secret shapes, each in a message, a log line, an
//! argument and a path, and the near-misses that must stay intact.

use autoheal::test::{test_config, with_captured_reports_using};
use autoheal::{Redactor, Token};

/// (secret-bearing text, the secret that must vanish, what must remain)
const SECRETS: &[(&str, &str, &str)] = &[
    (
        "token ghp_0123456789abcdefghijABCDEFGHIJ012345 expired",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "expired",
    ),
    (
        "oauth gho_16C7e42F292c6912E7710c838347Ae178B4a in use",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "in use",
    ),
    (
        "app ghs_abcdefghijklmnopqrstuvwxyz0123456789",
        "ghs_abcdefghijklmnopqrstuvwxyz0123456789",
        "app",
    ),
    (
        "user ghu_abcdefghijklmnopqrstuvwxyz0123456789",
        "ghu_abcdefghijklmnopqrstuvwxyz0123456789",
        "user",
    ),
    (
        "refresh ghr_abcdefghijklmnopqrstuvwxyz0123456789",
        "ghr_abcdefghijklmnopqrstuvwxyz0123456789",
        "refresh",
    ),
    (
        "pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV",
        "pat",
    ),
    (
        "aws key AKIAIOSFODNN7EXAMPLE denied",
        "AKIAIOSFODNN7EXAMPLE",
        "denied",
    ),
    (
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_secret_access_key=",
    ),
    (
        "slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx failed",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "failed",
    ),
    (
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U rejected",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "rejected",
    ),
    (
        "header Authorization: Bearer abc.def-123_456",
        "abc.def-123_456",
        "header Authorization: ",
    ),
    (
        "sent Bearer 9f8e7d6c5b4a39281706 to the api",
        "9f8e7d6c5b4a39281706",
        "to the api",
    ),
    (
        "fetch https://alice:s3cretP4ss@registry.example.com/v2 failed",
        "s3cretP4ss",
        "https://alice:",
    ),
    (
        "GET /login?user=bob&password=hunter2&next=/",
        "hunter2",
        "&next=/",
    ),
    (
        "GET /api?token=tok_live_abcdef&page=2",
        "tok_live_abcdef",
        "&page=2",
    ),
    (
        "config {\"password\": \"pa55w0rd!\"}",
        "pa55w0rd!",
        "config {\"password\": \"",
    ),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7Zq\nlongbase64==\n-----END RSA PRIVATE KEY-----\nafter",
        "MIIEowIBAAKCAQEA7Zq",
        "after",
    ),
    (
        "cut -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B",
        "MIIEvQIBADANBgkqhkiG9w0B",
        "cut",
    ),
];

/// Text that looks a little like a secret and must stay as it is.
const NEAR_MISSES: &[&str] = &[
    "commit 4bf92f3577b34da6a3ce929d0e0e4736a3ce929d",
    "request 550e8400-e29b-41d4-a716-446655440000 failed",
    "cid bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
    "key not found in the keyboard map of the monkey",
    "the Bearer of bad news",
    "Bearer authentication is required",
    "base64 aGVsbG8gd29ybGQ= is not a token",
    "the password prompt timed out",
    "ghp_short is not a token",
    "https://example.com/path?page=2",
];

const CONFIGURED_TOKEN: &str = "ghp_ConfiguredTokenValue0123456789abcdefgh";

#[test]
fn every_secret_shape_is_redacted_and_the_rest_kept() {
    let redactor = Redactor::default();
    for (text, secret, kept) in SECRETS {
        let redacted = redactor.redact(text);
        assert!(
            !redacted.contains(secret),
            "{secret:?} survived in {redacted:?}"
        );
        assert!(redacted.contains("[REDACTED]"), "{redacted:?}");
        assert!(
            redacted.contains(kept),
            "{kept:?} was lost from {redacted:?}"
        );
    }
}

#[test]
fn near_misses_stay_intact() {
    let redactor = Redactor::default();
    for text in NEAR_MISSES {
        assert_eq!(redactor.redact(text), *text);
    }
}

#[test]
fn the_configured_token_is_redacted_even_inside_other_text() {
    let redactor = Redactor::new([CONFIGURED_TOKEN.to_string()]);
    let text = format!("prefix{CONFIGURED_TOKEN}suffix and {CONFIGURED_TOKEN}");
    assert_eq!(
        redactor.redact(&text),
        "prefix[REDACTED]suffix and [REDACTED]"
    );
}

#[derive(Debug)]
struct LeakyError(String);

impl std::fmt::Display for LeakyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LeakyError {}

#[autoheal::auto_heal]
fn fails_with_every_secret() -> Result<(), LeakyError> {
    for (text, ..) in SECRETS {
        tracing::warn!(detail = %text, "log line carrying {}", text);
    }
    let all: Vec<&str> = SECRETS.iter().map(|(text, ..)| *text).collect();
    // The near-misses first: an unterminated private key block is redacted to the end.
    Err(LeakyError(format!(
        "{} {CONFIGURED_TOKEN} {}",
        NEAR_MISSES.join(" | "),
        all.join(" | ")
    )))
}

#[test]
fn no_secret_reaches_a_report_field() {
    use tracing_subscriber::prelude::*;
    let mut config = test_config();
    config.github_token = Some(Token::new(CONFIGURED_TOKEN));
    let subscriber = tracing_subscriber::registry().with(autoheal::layer());
    let (_, reports) = tracing::subscriber::with_default(subscriber, || {
        // The span stack is taken where the error leaves the annotated function.
        let _upload = tracing::info_span!("upload", auth = CONFIGURED_TOKEN).entered();
        with_captured_reports_using(config, fails_with_every_secret)
    });
    assert_eq!(reports.len(), 1);
    let json = serde_json::to_string(&reports[0]).unwrap();
    // Compare against the JSON-escaped forms: that is how the values would appear.
    for secret in SECRETS
        .iter()
        .map(|(_, secret, _)| *secret)
        .chain([CONFIGURED_TOKEN])
    {
        let escaped = serde_json::to_string(secret).unwrap();
        assert!(
            !json.contains(escaped.trim_matches('"')),
            "{secret:?} leaked into the report"
        );
    }
    for kept in NEAR_MISSES {
        assert!(
            reports[0].error.message.contains(kept),
            "{kept:?} was lost from {}",
            reports[0].error.message
        );
    }
    assert!(
        reports[0]
            .logs
            .iter()
            .any(|l| l.contains("log line carrying")),
        "the log lines are there, redacted"
    );
    assert!(
        reports[0]
            .spans
            .iter()
            .any(|s| s == "upload{auth=[REDACTED]}"),
        "{:?}",
        reports[0].spans
    );
}
